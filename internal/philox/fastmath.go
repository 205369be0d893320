package philox

import "math"

// Box-Muller's logarithm and sine and cosine, for its arguments only and
// three to four times faster than math's general ones, by table and short
// polynomial (Tang's method). The sine and cosine take the angle as an
// exact fixed-point fraction of a turn, so their reduction is exact. Both
// are within two ulp of math.Log and math.Sincos (fastmath_test.go checks
// it), the logarithm of x near 1 to full relative precision.

// logTable[i] holds inv, 1/c rounded, for c = 1 + i/128, the centres the
// logarithm reduces to, and ln = -ln(inv), so that ln m = ln(m inv) + ln.
// Centres from 1.5 up belong to the next octave: their ln is -ln(2 inv),
// a small number held to full precision, so that ln x for x just below 1
// (tiny radii) does not come from the difference of ln 2 and a number
// near it.
var logTable = makeLogTable()

type logEntry struct{ inv, ln float64 }

// turnTable[j] holds the cosine and sine of j/256 of a turn.
var turnTable = makeTurnTable()

type turnEntry struct{ cos, sin float64 }

func makeLogTable() (t [129]logEntry) {
	for i := range t {
		inv := 1 / (1 + float64(i)/128)
		t[i].inv = inv
		if i > 64 {
			inv *= 2 // exact
		}
		t[i].ln = -math.Log(inv)
	}
	return t
}

func makeTurnTable() (t [256]turnEntry) {
	for j := range t {
		t[j].cos, t[j].sin = sincosReduced(uint64(j) << 56)
	}
	return t
}

// sincosReduced returns the cosine and sine of a/2^64 of a turn by
// math.Sincos after an exact reduction to the nearest quarter turn and a
// rest within an eighth, so that only math.Sincos' own error is left
// (2 pi a/2^64 rounded would err by up to 2^-51 near a full turn).
func sincosReduced(a uint64) (cos, sin float64) {
	q := (a + 1<<61) >> 62
	sin, cos = math.Sincos(float64(int64(a-q<<62)) * (math.Pi / 2 * 0x1p-62))
	switch q {
	case 1:
		cos, sin = -sin, cos
	case 2:
		cos, sin = -cos, -sin
	case 3:
		cos, sin = sin, -cos
	}
	return cos, sin
}

// ln2 split so that e*ln2Hi is exact for any exponent e of a float64.
const (
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
)

// logPositive returns ln x for a finite x > 0 that is a normal float64.
func logPositive(x float64) float64 {
	b := math.Float64bits(x)
	e := int(b>>52) - 1023
	f := b & (1<<52 - 1)    // x = 2^e (1 + f/2^52)
	i := (f + 1<<44) >> 45  // the nearest centre, 0 to 128
	e += int((i + 63) >> 7) // centres from 1.5 up: the next octave
	m := math.Float64frombits(f | 1023<<52)
	t := &logTable[i]
	r := math.FMA(m, t.inv, -1) // m inv - 1, within 2^-8 of 0, rounded once
	// ln(1 + r) to r^6: the next term is below 2^-56 r.
	p := r * (1 + r*(-1./2+r*(1./3+r*(-1./4+r*(1./5+r*(-1./6))))))
	fe := float64(e)
	return fe*ln2Hi + (t.ln + (fe*ln2Lo + p))
}

// sincosTurn returns the cosine and sine of a/2^64 of a turn.
func sincosTurn(a uint64) (cos, sin float64) {
	j := (a + 1<<55) >> 56 // the nearest 256th of a turn, modulo 256
	// The rest, exact, within half a 256th of a turn: |d| <= pi/256.
	d := float64(int64(a-j<<56)) * (2 * math.Pi * 0x1p-64)
	d2 := d * d
	// Taylor series of sin d and cos d - 1 to d^7 and d^6: the next terms
	// are below 2^-60.
	s := d * (1 + d2*(-1./6+d2*(1./120+d2*(-1./5040))))
	c := d2 * (-1./2 + d2*(1./24+d2*(-1./720)))
	t := &turnTable[j]
	// cos(A + d) = cos A + (cos A (cos d - 1) - sin A sin d), the small
	// correction added last, and alike for the sine.
	return t.cos + (t.cos*c - t.sin*s), t.sin + (t.sin*c + t.cos*s)
}
