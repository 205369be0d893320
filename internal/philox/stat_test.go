package philox

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

// The statistical tests draw draws values and check them against the
// standard normal (or a fair sign) with bounds of z = 5 sampling standard
// errors and a chi-squared p-value of 1e-6: a correct generator fails one
// in millions, and the tests are deterministic (fixed keys) besides.
const (
	draws  = 1_000_000
	zBound = 5
	pFloor = 1e-6
)

// normalReport says what is wrong with xs as standard normal draws, or
// returns nil: the first four moments within zBound standard errors, and
// a chi-squared on 100 equally likely bins of the normal CDF.
func normalReport(xs []float64) error {
	n := float64(len(xs))
	var m1, m2, m3, m4 float64
	for _, x := range xs {
		m1 += x
	}
	m1 /= n
	for _, x := range xs {
		d := x - m1
		m2 += d * d
		m3 += d * d * d
		m4 += d * d * d * d
	}
	m2, m3, m4 = m2/n, m3/n, m4/n
	skew, kurt := m3/math.Pow(m2, 1.5), m4/(m2*m2)-3
	// Standard errors under the normal: sd/sqrt(n) for the mean,
	// sqrt(2/n) for the variance, sqrt(6/n) and sqrt(24/n) for skewness
	// and excess kurtosis.
	for _, c := range []struct {
		name      string
		got, want float64
		se        float64
	}{
		{"mean", m1, 0, 1 / math.Sqrt(n)},
		{"variance", m2, 1, math.Sqrt(2 / n)},
		{"skewness", skew, 0, math.Sqrt(6 / n)},
		{"excess kurtosis", kurt, 0, math.Sqrt(24 / n)},
	} {
		if z := (c.got - c.want) / c.se; math.Abs(z) > zBound || math.IsNaN(z) {
			return fmt.Errorf("%s %.5f, want %g: %.1f standard errors off", c.name, c.got, c.want, z)
		}
	}
	const bins = 100
	counts := make([]float64, bins)
	for _, x := range xs {
		b := int(0.5 * math.Erfc(-x/math.Sqrt2) * bins) // the normal CDF
		counts[min(max(b, 0), bins-1)]++
	}
	if p := chiSquaredP(counts, n/bins); p < pFloor {
		return fmt.Errorf("chi-squared on %d bins of the normal CDF: p = %.3g", bins, p)
	}
	return nil
}

// signReport says what is wrong with xs as fair signs, or returns nil: the
// balance of +1 and -1, and a chi-squared on the four pairs of neighbours.
func signReport(xs []float64) error {
	n := float64(len(xs))
	sum := 0.0
	for _, x := range xs {
		if x != 1 && x != -1 {
			return fmt.Errorf("value %v, want -1 or +1", x)
		}
		sum += x
	}
	if z := sum / math.Sqrt(n); math.Abs(z) > zBound {
		return fmt.Errorf("sum %v over %v signs: %.1f standard errors off balance", sum, n, z)
	}
	var pairs [4]float64
	for i := 0; i+1 < len(xs); i += 2 {
		pairs[int(xs[i]+1)+int(xs[i+1]+1)/2]++
	}
	if p := chiSquaredP(pairs[:], n/8); p < pFloor {
		return fmt.Errorf("chi-squared on pairs of neighbours %v: p = %.3g", pairs, p)
	}
	return nil
}

// chiSquaredP is the p-value of observed counts against a uniform expected
// count per cell.
func chiSquaredP(counts []float64, expected float64) float64 {
	chi2 := 0.0
	for _, c := range counts {
		chi2 += (c - expected) * (c - expected) / expected
	}
	return mathext.GammaIncRegComp(float64(len(counts)-1)/2, chi2/2) // the chi-squared survival
}

var testStream = Stream{Key: [2]uint32{0x5eed, 0}, Ctr: [3]uint32{3, 1, 0}}

func TestNormalDistribution(t *testing.T) {
	x64 := make([]float64, draws)
	Normal(x64, &testStream, 0)
	if err := normalReport(x64); err != nil {
		t.Errorf("float64: %v", err)
	}
	// Float32 values are float64 ones rounded, but from another run here
	// (another counter), for a second sample.
	s := testStream
	s.Ctr[1]++
	x32 := make([]float32, draws)
	Normal(x32, &s, 0)
	for i, v := range x32 {
		x64[i] = float64(v)
	}
	if err := normalReport(x64); err != nil {
		t.Errorf("float32: %v", err)
	}
}

func TestSignDistribution(t *testing.T) {
	xs := make([]float64, draws)
	Signs(xs, &testStream, 0)
	if err := signReport(xs); err != nil {
		t.Error(err)
	}
}

// Broken generators, each of which the tests above must reject.

// fewRounds fills dst as Normal or Signs would with a Philox of the
// given rounds.
func fewRounds(dst []float64, rounds int, signs bool) {
	blockOf := func(b int) [4]uint32 {
		return block([4]uint32{uint32(b), testStream.Ctr[0], testStream.Ctr[1], testStream.Ctr[2]}, testStream.Key, rounds)
	}
	if !signs {
		for b := range len(dst) / 2 {
			x := blockOf(b)
			dst[2*b], dst[2*b+1] = pair(uint64(x[0])<<32|uint64(x[1]), uint64(x[2])<<32|uint64(x[3]))
		}
		return
	}
	for b := 0; b*128 < len(dst); b++ {
		x := blockOf(b)
		for i := range min(128, len(dst)-b*128) {
			dst[b*128+i] = 1 - 2*float64(x[i>>5]>>(i&31)&1)
		}
	}
}

// badBoxMuller fills dst as Normal does with a radius of
// sqrt(-c ln u) and an angle of turn*2pi*a (c = 2 and turn = 1 are right).
func badBoxMuller(dst []float64, c, turn float64) {
	for b := range len(dst) / 2 {
		x := testStream.Block(uint32(b))
		u := (float64((uint64(x[0])<<32|uint64(x[1]))>>12) + 0.5) * 0x1p-52
		a := float64(uint64(x[2])<<32|uint64(x[3])) * 0x1p-64
		r := math.Sqrt(-c * math.Log(u))
		dst[2*b], dst[2*b+1] = r*math.Cos(turn*2*math.Pi*a), r*math.Sin(turn*2*math.Pi*a)
	}
}

func TestBrokenGeneratorsAreRejected(t *testing.T) {
	xs := make([]float64, draws)
	check := func(name string, report func([]float64) error) {
		t.Helper()
		if err := report(xs); err == nil {
			t.Errorf("%s passed", name)
		} else {
			t.Logf("%s rejected: %v", name, err)
		}
	}
	for _, rounds := range []int{1, 2, 3} {
		fewRounds(xs, rounds, false)
		check(fmt.Sprintf("Philox4x32-%d normals", rounds), normalReport)
		fewRounds(xs, rounds, true)
		check(fmt.Sprintf("Philox4x32-%d signs", rounds), signReport)
	}
	// The harness itself is right: the same code with 10 rounds and the
	// right constants passes.
	fewRounds(xs, Rounds, false)
	if err := normalReport(xs); err != nil {
		t.Errorf("Philox4x32-10 normals through the test's own fill: %v", err)
	}
	badBoxMuller(xs, 2, 1)
	if err := normalReport(xs); err != nil {
		t.Errorf("textbook Box-Muller: %v", err)
	}
	badBoxMuller(xs, 2.03, 1)
	check("Box-Muller with -2.03 ln u", normalReport)
	badBoxMuller(xs, 2, 0.5)
	check("Box-Muller over half a turn", normalReport)

	// Every other sign from two bits (-1 with probability 1/4), and fair
	// signs that come in equal pairs.
	Signs(xs, &testStream, 0)
	for i := 0; i+1 < len(xs); i += 2 {
		xs[i] = max(xs[i], xs[i+1])
	}
	check("signs from two bits", signReport)
	Signs(xs, &testStream, 0)
	for i := 0; i+1 < len(xs); i += 2 {
		xs[i+1] = xs[i]
	}
	check("signs in equal pairs", signReport)
}
