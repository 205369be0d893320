package elementwise

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// values returns n values of random sign and size with the special ones
// (±0, ±Inf, NaN) scattered in.
func values[T Float](n int, seed uint64) []T {
	rng := rand.New(rand.NewPCG(seed, 1))
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-40, -1e-40}
	v := make([]T, n)
	for i := range v {
		if rng.IntN(8) == 0 {
			v[i] = T(specials[rng.IntN(len(specials))])
		} else {
			v[i] = T(rng.NormFloat64() * math.Exp(4*rng.NormFloat64()))
		}
	}
	return v
}

func sameBits[T Float](a, b T) bool {
	if x, ok := any(a).(float32); ok {
		return math.Float32bits(x) == math.Float32bits(any(b).(float32))
	}
	return math.Float64bits(any(a).(float64)) == math.Float64bits(any(b).(float64))
}

// TestKernelsMatchScalar checks the vector kernels against the scalar
// code bit for bit, and the scalar code against its definition, at
// lengths around the vector step, in both dtypes.
func TestKernelsMatchScalar(t *testing.T) {
	t.Run("float32", testKernels[float32])
	t.Run("float64", testKernels[float64])
}

func testKernels[T Float](t *testing.T) {
	vector := haveVector
	defer func() { haveVector = vector }()
	if !vector {
		t.Log("no vector kernels on this CPU: the scalar code alone is checked")
	}
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 64, 1000} {
		x, b, c := values[T](n, 1), values[T](n, 2), values[T](n, 3)
		var relu, grad, add, addMul, fused, addReLU [2][]T
		for i, v := range []bool{vector, false} {
			haveVector = v
			relu[i], grad[i], addMul[i], fused[i] = make([]T, n), make([]T, n), make([]T, n), make([]T, n)
			ReLU(relu[i], x)
			ReLUGrad(grad[i], x, b)
			AddMul(addMul[i], x, b, c)
			AddMulReLU(fused[i], x, b, c)
			addReLU[i] = make([]T, n)
			add[i] = make([]T, n)
			Add(add[i], x, b)
			AddReLU(addReLU[i], x, b)
		}
		twoPasses := make([]T, n)
		ReLU(twoPasses, addMul[1])
		for j := range n {
			what := fmt.Sprintf("n=%d, value %d", n, j)
			if !sameBits(relu[0][j], relu[1][j]) || !sameBits(addMul[0][j], addMul[1][j]) {
				t.Fatalf("%s: vector ReLU %v and AddMul %v, scalar %v and %v", what, relu[0][j], addMul[0][j], relu[1][j], addMul[1][j])
			}
			if !sameBits(grad[0][j], grad[1][j]) {
				t.Fatalf("%s: vector ReLUGrad %v, scalar %v", what, grad[0][j], grad[1][j])
			}
			// The definitions: x times 1 where x >= 0, times 0 elsewhere
			// (-0 for x < 0, NaN for -Inf and NaN); g likewise; a +
			// round(b c).
			wantReLU := x[j]
			if x[j] < 0 {
				var zero T
				wantReLU = x[j] * zero
			}
			if wantReLU != wantReLU {
				if relu[1][j] == relu[1][j] {
					t.Fatalf("%s: ReLU(NaN) = %v", what, relu[1][j])
				}
			} else if !sameBits(relu[1][j], wantReLU) {
				t.Fatalf("%s: ReLU(%v) = %v, want %v", what, x[j], relu[1][j], wantReLU)
			}
			wantGrad := b[j]
			if !(x[j] >= 0) { // NaN too
				var zero T
				wantGrad = zero * b[j] // ±0, or NaN for an infinite g
			}
			if !sameBits(grad[1][j], wantGrad) && (wantGrad == wantGrad || grad[1][j] == grad[1][j]) {
				t.Fatalf("%s: ReLUGrad at %v of %v = %v, want %v", what, x[j], b[j], grad[1][j], wantGrad)
			}
			if !sameBits(fused[0][j], fused[1][j]) || !sameBits(fused[1][j], twoPasses[j]) {
				t.Fatalf("%s: AddMulReLU %v (vector), %v (scalar), want ReLU of AddMul %v", what, fused[0][j], fused[1][j], twoPasses[j])
			}
			if !sameBits(add[0][j], add[1][j]) || !sameBits(add[1][j], x[j]+b[j]) && x[j]+b[j] == x[j]+b[j] {
				t.Fatalf("%s: Add %v (vector), %v (scalar), want %v", what, add[0][j], add[1][j], x[j]+b[j])
			}
			sum := []T{x[j] + b[j]}
			ReLU(sum, sum)
			if !sameBits(addReLU[0][j], addReLU[1][j]) || !sameBits(addReLU[1][j], sum[0]) {
				t.Fatalf("%s: AddReLU %v (vector), %v (scalar), want ReLU of the sum %v", what, addReLU[0][j], addReLU[1][j], sum[0])
			}
			p := b[j] * c[j]
			if want := x[j] + p; !sameBits(addMul[1][j], want) && want == want {
				t.Fatalf("%s: AddMul(%v, %v, %v) = %v, want %v", what, x[j], b[j], c[j], addMul[1][j], want)
			}
		}
	}
}

// BenchmarkKernels is each kernel over a hidden layer's values for a
// prediction chunk (1,024 examples, 400 units), float32.
func BenchmarkKernels(b *testing.B) {
	const n = 1024 * 400
	x, y, c, out := values[float32](n, 1), values[float32](n, 2), values[float32](n, 3), make([]float32, n)
	b.Run("relu", func(b *testing.B) {
		for b.Loop() {
			ReLU(out, x)
		}
	})
	b.Run("addmul", func(b *testing.B) {
		for b.Loop() {
			AddMul(out, x, y, c)
		}
	})
}
