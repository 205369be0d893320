package philox

import (
	"math/rand/v2"
	"testing"
)

// benchN is the weight count of the W2 MNIST MLP (784-400-400-10).
const benchN = 478_410

// BenchmarkFill is one core's speed at each kind of fill, and at the
// sequential PCG normals (the ziggurat) the library used before.
func BenchmarkFill(b *testing.B) {
	s := Stream{Key: [2]uint32{1, 2}}
	f64, f32 := make([]float64, benchN), make([]float32, benchN)
	for _, c := range []struct {
		name string
		fill func()
	}{
		{"normal/float64", func() { Normal(f64, &s, 0) }},
		{"normal/float32", func() { Normal(f32, &s, 0) }},
		{"signs/float32", func() { Signs(f32, &s, 0) }},
		{"pcg-normal/float64", func() {
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range f64 {
				f64[i] = rng.NormFloat64()
			}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.fill()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchN), "ns/value")
		})
	}
}
