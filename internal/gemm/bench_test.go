package gemm

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one product of the example networks: op(A) m×k, op(B) k×n.
type benchShape struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}

// The MNIST MLP (784-400-400-10, batch 128, float32): forward x Wᵀ,
// weight gradient dYᵀ X, input gradient dY W, the 400-wide layer, and
// prediction on 1024 rows.
var shapes32 = []benchShape{
	{"forward_128x784x400", blas.NoTrans, blas.Trans, 128, 400, 784},
	{"weightgrad_400x784x128", blas.Trans, blas.NoTrans, 400, 784, 128},
	{"inputgrad_128x784x400", blas.NoTrans, blas.NoTrans, 128, 784, 400},
	{"forward_128x400x400", blas.NoTrans, blas.Trans, 128, 400, 400},
	{"weightgrad_400x400x128", blas.Trans, blas.NoTrans, 400, 400, 128},
	{"inputgrad_128x400x400", blas.NoTrans, blas.NoTrans, 128, 400, 400},
	{"predict_1024x400x400", blas.NoTrans, blas.Trans, 1024, 400, 400},
}

// The sine network (1-100-1, 500 points, float64): its first layer's
// forward (k = 1) and gradients, and its second layer's.
var shapes64 = []benchShape{
	{"w1forward_500x100x1", blas.NoTrans, blas.NoTrans, 500, 100, 1},
	{"w1weightgrad_1x100x500", blas.Trans, blas.NoTrans, 1, 100, 500},
	{"w1inputgrad_500x1x100", blas.NoTrans, blas.Trans, 500, 1, 100},
	{"w2forward_500x1x100", blas.NoTrans, blas.NoTrans, 500, 1, 100},
	{"w2weightgrad_100x1x500", blas.Trans, blas.NoTrans, 100, 1, 500},
	{"w2inputgrad_500x100x1", blas.NoTrans, blas.Trans, 500, 100, 1},
}

func operands[T float](s benchShape) (a, b, c []T, lda, ldb, ldc int) {
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(2*rng.Float64() - 1)
		}
		return x
	}
	lda, ldb = s.k, s.n
	if s.tA == blas.Trans {
		lda = s.m
	}
	if s.tB == blas.Trans {
		ldb = s.k
	}
	return fill(s.m * s.k), fill(s.k * s.n), fill(s.m * s.n), lda, ldb, s.n
}

func BenchmarkSgemm(b *testing.B) {
	for _, s := range shapes32 {
		a, bb, c, lda, ldb, ldc := operands[float32](s)
		for _, impl := range []struct {
			name string
			blas blas.Float32Level3
		}{{"gonum", gonum.Implementation{}}, {"gemm", Implementation{}}} {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				for b.Loop() {
					impl.blas.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkDgemm(b *testing.B) {
	for _, s := range shapes64 {
		a, bb, c, lda, ldb, ldc := operands[float64](s)
		for _, impl := range []struct {
			name string
			blas blas.Float64Level3
		}{{"gonum", gonum.Implementation{}}, {"gemm", Implementation{}}} {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				for b.Loop() {
					impl.blas.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
