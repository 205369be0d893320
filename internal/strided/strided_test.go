package strided

import (
	"math"
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

// TestAddShiftedAgainstLoops checks AddShifted against the loop over
// blocks, rows and values, bit for bit (the same terms in the same order),
// on every plane width to 16, with values of dst around the plane that
// must not change, and signed zeros that a reordered sum would change.
func TestAddShiftedAgainstLoops(t *testing.T) {
	if !Available() {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for ow := 1; ow <= MaxShiftedWidth; ow++ {
		for kw := 1; ow+kw-1 <= MaxShiftedWidth; kw++ {
			for _, kh := range []int{1, 2, 5} {
				oh := 1 + rng.IntN(9)
				iw, ih := ow+kw-1, oh+kh-1
				ld := oh*ow + rng.IntN(4)
				taps := make([]float32, (kh*kw-1)*ld+oh*ow)
				for i := range taps {
					taps[i] = float32(rng.NormFloat64()) * float32(int(1)<<rng.IntN(20))
					if rng.IntN(8) == 0 {
						taps[i] = float32(math.Copysign(0, -1))
					}
				}
				dst := make([]float32, ih*iw+5)
				for i := range dst {
					dst[i] = float32(rng.NormFloat64())
				}
				want := append([]float32(nil), dst...)
				for b := range kh {
					for e := range kw {
						blk := taps[(b*kw+e)*ld:]
						for y := range oh {
							for x := range ow {
								want[(y+b)*iw+x+e] += blk[y*ow+x]
							}
						}
					}
				}
				AddShifted(dst[:ih*iw], taps, ld, oh, ow, kh, kw)
				for i := range dst {
					if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%dx%d blocks of %dx%d, %d apart: value %d is %v, want %v", kh, kw, oh, ow, ld, i, dst[i], want[i])
					}
				}
			}
		}
	}
}

// TestAddShiftedChecks checks that a plane wider than a vector or blocks
// that do not fit are refused.
func TestAddShiftedChecks(t *testing.T) {
	if !Available() {
		t.Skip("no AVX-512 on this CPU")
	}
	for _, c := range []struct {
		name                          string
		dst, taps, ld, oh, ow, kh, kw int
	}{
		{"wide", 17 * 2, 100, 10, 1, 10, 2, 8},
		{"short dst", 15, 100, 4, 2, 2, 3, 3},
		{"short taps", 16, 31, 4, 2, 2, 3, 3},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			AddShifted(make([]float32, c.dst), make([]float32, c.taps), c.ld, c.oh, c.ow, c.kh, c.kw)
		}()
	}
}
