package graph

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// w2Noise is the weight noise of the W2 MNIST MLP (784-400-400-10):
// 478,410 Gaussian values in six inputs.
func w2Noise(b *Builder, x *G.Node) (*G.Node, error) {
	for _, shape := range [][]int{{400, 784}, {400}, {400, 400}, {400}, {10, 400}, {10}} {
		if _, err := b.Noise("w", Gaussian, shape...); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// BenchmarkNoise compares a run's noise fill for W2, on every core from
// the Philox streams (Resample), with the sequential fill from one PCG
// that it replaced (ziggurat normals, math/rand/v2's NormFloat64).
func BenchmarkNoise(b *testing.B) {
	for _, dt := range []tensor.Dtype{Float32, Float64} {
		m, err := NewModel(w2Noise, Input(1), WithDtype(dt))
		if err != nil {
			b.Fatal(err)
		}
		g, err := m.Build(1, nil)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, in := range g.b.noise {
			n += in.buf.Shape().TotalSize()
		}
		b.Run("philox/"+dt.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Resample()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
		})
		b.Run("pcg/"+dt.String(), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				for _, in := range g.b.noise {
					if dt == Float64 {
						for i, d := 0, in.buf.Float64s(); i < len(d); i++ {
							d[i] = rng.NormFloat64()
						}
					} else {
						for i, d := 0, in.buf.Float32s(); i < len(d); i++ {
							d[i] = float32(rng.NormFloat64())
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
		})
	}
}
