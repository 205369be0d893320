package philox

import (
	"math/rand/v2"
	"testing"
)

// n is the weight count of the W2 MNIST MLP (784-400-400-10 plus biases).
const benchN = 478_000

func BenchmarkNormal64(b *testing.B) {
	dst, s := make([]float64, benchN), Stream{Key: [2]uint32{1, 2}}
	b.SetBytes(8 * benchN)
	for b.Loop() {
		Normal64(dst, &s, 0)
	}
}

func BenchmarkNormal32(b *testing.B) {
	dst, s := make([]float32, benchN), Stream{Key: [2]uint32{1, 2}}
	b.SetBytes(4 * benchN)
	for b.Loop() {
		Normal32(dst, &s, 0)
	}
}

func BenchmarkSigns32(b *testing.B) {
	dst, s := make([]float32, benchN), Stream{Key: [2]uint32{1, 2}}
	b.SetBytes(4 * benchN)
	for b.Loop() {
		Signs(dst, &s, 0)
	}
}

// BenchmarkPCGNormal is the generator the library used before, for scale.
func BenchmarkPCGNormal(b *testing.B) {
	dst, rng := make([]float64, benchN), rand.New(rand.NewPCG(1, 2))
	b.SetBytes(8 * benchN)
	for b.Loop() {
		for i := range dst {
			dst[i] = rng.NormFloat64()
		}
	}
}
