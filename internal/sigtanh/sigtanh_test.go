package sigtanh

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// forEachKernel runs fn with each kernel this CPU has: AVX-512, AVX2,
// and the Go loops alone.
func forEachKernel(t *testing.T, fn func(t *testing.T)) {
	cpuvec.Each(&lanes, 1, func(name string) { t.Run(name, fn) })
}

// The float64 references, within a few float64 ulps: rounded to float32
// they are the correctly rounded results but where the exact value lies
// within ~1e-16 relative of a float32 rounding boundary.
func refSigmoid(x float64) float64 {
	if x > 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// ulps returns how many float32 values lie between got and want (0 if
// equal, both NaN, or +0 and -0), and whether they have different signs.
func ulps(got, want float32) (n uint32, signs bool) {
	if got != got && want != want || got == want {
		return 0, math.Signbit(float64(got)) != math.Signbit(float64(want)) && want != 0
	}
	if got != got || want != want || math.Signbit(float64(got)) != math.Signbit(float64(want)) {
		return math.MaxUint32, true
	}
	a, b := math.Float32bits(got), math.Float32bits(want)
	if a > b {
		return a - b, false
	}
	return b - a, false
}

// grid returns every 97th float32 bit pattern, of either sign (some
// 44 million values, a dense cover of each binade: subnormals, tiny
// values, the rounding to 0 and 1, Inf and NaN), and the specials.
func grid() []float32 {
	var g []float32
	for b := uint64(0); b < 1<<32; b += 97 {
		g = append(g, math.Float32frombits(uint32(b)))
	}
	return append(g, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		1e-30, -1e-30, 9, -9, 15, -15, 88, -88, 104, -104, 110, -110, 1e6, -1e6)
}

// TestAccuracy checks, on the grid, that every result is within 1 ulp of
// the correctly rounded one, of its sign (tanh's of ±0 is ±0), NaN for
// NaN, and that nearly all are correctly rounded.
func TestAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("44 million values; run without -short")
	}
	x := grid()
	y := make([]float32, len(x))
	for _, f := range []struct {
		name string
		run  func(y, x []float32)
		ref  func(float64) float64
	}{{"sigmoid", Sigmoid, refSigmoid}, {"tanh", Tanh, math.Tanh}} {
		t.Run(f.name, func(t *testing.T) {
			forEachKernel(t, func(t *testing.T) {
				f.run(y, x)
				inexact := 0
				for i, v := range x {
					want := float32(f.ref(float64(v)))
					n, signs := ulps(y[i], want)
					if n > 1 || signs {
						t.Fatalf("%s(%g) = %g (bits %#x), want %g (bits %#x)", f.name, v, y[i], math.Float32bits(y[i]), want, math.Float32bits(want))
					}
					if n > 0 {
						inexact++
					}
				}
				if inexact > len(x)/100000 {
					t.Errorf("%d of %d results are not correctly rounded", inexact, len(x))
				}
				t.Logf("%d of %d results are not correctly rounded", inexact, len(x))
			})
		})
	}
}

// TestInPlaceAndTail checks that y may be x, and that every length takes
// the kernel's bulk and the Go tail together.
func TestInPlaceAndTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	forEachKernel(t, func(t *testing.T) {
		for n := range 40 {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(4 * rng.NormFloat64())
			}
			for _, f := range []struct {
				run func(y, x []float32)
				ref func(float64) float64
			}{{Sigmoid, refSigmoid}, {Tanh, math.Tanh}} {
				y := append([]float32(nil), x...)
				f.run(y, y)
				for i, v := range x {
					if d, _ := ulps(y[i], float32(f.ref(float64(v)))); d > 1 {
						t.Fatalf("length %d, element %d: %g for x = %g", n, i, y[i], v)
					}
				}
			}
		}
	})
}

func BenchmarkSigmoid(b *testing.B) { benchmark(b, Sigmoid) }
func BenchmarkTanh(b *testing.B)    { benchmark(b, Tanh) }

// benchmark measures f on an LSTM step's gate pre-activations (batch 32,
// 4 gates of 64 units).
func benchmark(b *testing.B, f func(y, x []float32)) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 32*4*64)
	for i := range x {
		x[i] = float32(2 * rng.NormFloat64())
	}
	y := make([]float32, len(x))
	for _, name := range []string{"vector", "go"} {
		b.Run(name, func(b *testing.B) {
			if name == "go" {
				defer func(l int) { lanes = l }(lanes)
				lanes = 0
			}
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				f(y, x)
			}
		})
	}
}
