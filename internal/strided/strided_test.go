package strided

import (
	"math/rand/v2"
	"testing"
)

// TestAgainstLoops checks Copy against a plain loop on blocks of
// every width to 40 (full steps and every tail) and a few row counts,
// with gaps between rows that must not change.
func TestAgainstLoops(t *testing.T) {
	if !Available() {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for width := 1; width <= 40; width++ {
		for _, rows := range []int{1, 2, 5} {
			ldd, lds := width+rng.IntN(5), width+rng.IntN(5)
			dst, src := make([]float32, (rows-1)*ldd+width+3), make([]float32, (rows-1)*lds+width)
			for i := range dst {
				dst[i] = float32(rng.NormFloat64())
			}
			for i := range src {
				src[i] = float32(rng.NormFloat64())
			}
			cp, want := append([]float32(nil), dst...), append([]float32(nil), dst...)
			for i := range rows {
				for j := range width {
					want[i*ldd+j] = src[i*lds+j]
				}
			}
			Copy(rows, width, cp[:len(cp)-3], ldd, src, lds)
			for i := range dst {
				if cp[i] != want[i] {
					t.Fatalf("%dx%d, strides %d and %d: value %d is %v, want %v", rows, width, ldd, lds, i, cp[i], want[i])
				}
			}
		}
	}
}
