package bayesnodes

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	puregemm "github.com/gorgonia-bnn/bnn/internal/gemm"
)

// BenchmarkLeNetConv times each pass of LeNet's two convolutions (batch
// 64, float32, on the package's gemm) on its own: the forward pass, the
// weight gradient (reusing the forward im2col matrix, as in training) and
// the input gradient.
func BenchmarkLeNetConv(b *testing.B) {
	saved := G.WhichBLAS()
	G.Use(puregemm.Implementation{})
	b.Cleanup(func() { G.Use(saved) })
	for _, c := range []struct {
		name    string
		x, w    tensor.Shape
		inputGr bool
	}{
		{"conv1", tensor.Shape{64, 1, 28, 28}, tensor.Shape{6, 1, 5, 5}, false},
		{"conv2", tensor.Shape{64, 6, 12, 12}, tensor.Shape{16, 6, 5, 5}, true},
	} {
		g := newConvGeom([]int{5, 5}, []int{1, 1}, []int{0, 0}, []int{1, 1}, 1)
		ys, err := g.shapes(c.x, c.w)
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		fill := func(n int) []float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
			return v
		}
		l := newConvLayout(g, c.x, ys)
		x, w, y, dy := fill(c.x.TotalSize()), fill(c.w.TotalSize()), fill(ys.TotalSize()), fill(ys.TotalSize())
		dw, dx := make([]float32, len(w)), make([]float32, len(x))
		var fwd, grad convBufs[float32]
		col, mat := fwd.of(l)
		b.Run(c.name+"/forward", func(b *testing.B) {
			for b.Loop() {
				convForward(l, x, w, y, col, mat)
			}
		})
		b.Run(c.name+"/weightgrad", func(b *testing.B) {
			_, gmat := grad.of(l)
			for b.Loop() {
				convWeightGrad(l, x, dy, dw, col, gmat, true)
			}
		})
		if c.inputGr {
			b.Run(c.name+"/inputgrad", func(b *testing.B) {
				gcol, gmat := grad.of(l)
				for b.Loop() {
					convInputGrad(l, w, dy, dx, gcol, gmat)
				}
			})
		}
	}
}

// BenchmarkLeNetPool times LeNet's first 2x2 max-pooling (batch 64, 6
// channels of 24x24, float32), forward and gradient.
func BenchmarkLeNetPool(b *testing.B) {
	p := poolGeom{kernel: [2]int{2, 2}, stride: [2]int{2, 2}}
	xs, ys := tensor.Shape{64, 6, 24, 24}, tensor.Shape{64, 6, 12, 12}
	rng := rand.New(rand.NewPCG(1, 2))
	x, y, dy := make([]float32, xs.TotalSize()), make([]float32, ys.TotalSize()), make([]float32, ys.TotalSize())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range dy {
		dy[i] = float32(rng.NormFloat64())
	}
	dx := make([]float32, len(x))
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			maxPool(p, xs, ys, x, y, nil)
		}
	})
	b.Run("gradient", func(b *testing.B) {
		for b.Loop() {
			maxPool(p, xs, ys, x, dy, dx)
		}
	})
}
