package philox

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSincosTurn checks the table and polynomial against math.Sincos (in
// sincosReduced, which makes the table's entries but not the values
// between them).
func TestSincosTurn(t *testing.T) {
	// Angles at and about every table entry and quarter turn, and random.
	var angles []uint64
	for j := range uint64(256) {
		for _, d := range []uint64{0, 1, 1<<55 - 1, 1 << 55, 1<<55 + 1, math.MaxUint64, math.MaxUint64 - 1<<55 + 1} {
			angles = append(angles, j<<56+d)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		angles = append(angles, rng.Uint64())
	}
	worst := 0.0
	for _, a := range angles {
		c, s := sincosTurn(a)
		wc, ws := sincosReduced(a)
		worst = max(worst, math.Abs(c-wc), math.Abs(s-ws))
		if math.Abs(c-wc) > 0x1p-51 || math.Abs(s-ws) > 0x1p-51 {
			t.Fatalf("turn %#x: (%v, %v), want (%v, %v)", a, c, s, wc, ws)
		}
	}
	t.Logf("largest error %.3g (2^-52 = %.3g)", worst, 0x1p-52)
}

func TestLogPositive(t *testing.T) {
	// The uniforms Box-Muller takes: the extremes, about 1/2 and 1, about
	// every table centre, and random.
	xs := []float64{0x1p-53, 0x1p-52 + 0x1p-53, 0.5, 0.5 - 0x1p-53, 0.5 + 0x1p-53, 1 - 0x1p-53, 1 - 0x1p-52, 0.75, 0.99, 0.996, 0.997}
	for i := range 129 {
		c := 0.5 * (1 + float64(i)/128)
		for _, d := range []float64{-1. / 512, -0x1p-40, 0, 0x1p-40, 1. / 512} {
			if x := c + d; x > 0 && x < 1 {
				xs = append(xs, x)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		xs = append(xs, (float64(rng.Uint64()>>12)+0.5)*0x1p-52)
		xs = append(xs, 1-math.Ldexp(rng.Float64(), -rng.IntN(50))) // near 1
	}
	worst := 0.0
	for _, x := range xs {
		got, want := logPositive(x), math.Log(x)
		// Within two ulp, and relative for the small logarithms of x
		// near 1 (tiny radii), which must not lose their digits.
		err := math.Abs(got-want) / math.Max(1, math.Abs(want))
		worst = max(worst, err)
		if err > 0x1p-51 || math.Abs(got-want) > 0x1p-51*math.Abs(want) && math.Abs(want) < 0x1p-7 {
			t.Fatalf("ln %v = %v, want %v", x, got, want)
		}
	}
	t.Logf("largest error %.3g, relative beyond 1 (2^-52 = %.3g)", worst, 0x1p-52)
	for _, x := range []float64{0x1p-1022, 1e-300, 3, 1e300, math.MaxFloat64} {
		if got, want := logPositive(x), math.Log(x); math.Abs(got-want) > 1e-15*math.Abs(want) {
			t.Errorf("ln %v = %v, want %v", x, got, want)
		}
	}
}

// TestPairIsBoxMuller checks pair against the textbook formula in math's
// functions, and its extreme radii.
func TestPairIsBoxMuller(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100_000 {
		radius, angle := rng.Uint64(), rng.Uint64()
		z0, z1 := pair(radius, angle)
		u := (float64(radius>>12) + 0.5) * 0x1p-52
		r := math.Sqrt(-2 * math.Log(u))
		c, s := sincosReduced(angle)
		if math.Abs(z0-r*c) > 0x1p-50*max(1, r) || math.Abs(z1-r*s) > 0x1p-50*max(1, r) {
			t.Fatalf("words %016x %016x: (%v, %v), want (%v, %v)", radius, angle, z0, z1, r*c, r*s)
		}
	}
	for _, e := range []struct {
		radius uint64
		want   float64
	}{
		{0, math.Sqrt(2 * 53 * math.Ln2)},    // u = 2^-53
		{math.MaxUint64, math.Sqrt(0x1p-52)}, // u = 1 - 2^-53
	} {
		if z, _ := pair(e.radius, 0); math.Abs(z-e.want) > 1e-15*e.want {
			t.Errorf("radius word %016x: radius %v, want %v", e.radius, z, e.want)
		}
	}
}
