package uncertainty

import (
	"math"
	"testing"
)

func TestWilsonInterval(t *testing.T) {
	// Reference values from the formula, worked out separately:
	// 8/10 at z=1.96 is the textbook [0.4902, 0.9433]; for k = n the
	// lower bound is n/(n+z²) and the upper 1; for k = 0 the lower bound
	// is 0 and the upper z²/(n+z²).
	for _, tc := range []struct {
		k, n int
		z    float64
		want Interval
	}{
		{8, 10, 1.96, Interval{0.8, 0.49015684672072335, 0.9433190520193067}},
		{3, 5, 1.96, Interval{0.6, 0.23071993220883708, 0.8823817688407467}},
		{10, 10, 1.96, Interval{1, 10 / (10 + 1.96*1.96), 1}},
		// Without clamping, rounding puts these bounds at 5.6e-17 > Share,
		// -5.6e-17 and 1+2.2e-16.
		{0, 5, 2.33, Interval{0, 0, 2.33 * 2.33 / (5 + 2.33*2.33)}},
		{0, 1, 1.96, Interval{0, 0, 1.96 * 1.96 / (1 + 1.96*1.96)}},
		{12, 12, 2.33, Interval{1, 12 / (12 + 2.33*2.33), 1}},
		{0, 10, 1.96, Interval{0, 0, 1.96 * 1.96 / (10 + 1.96*1.96)}},
		{7, 20, 0, Interval{0.35, 0.35, 0.35}},
	} {
		got, err := WilsonInterval(tc.k, tc.n, tc.z)
		if err != nil {
			t.Fatal(err)
		}
		if !near(got.Share, tc.want.Share, 1e-15) || !near(got.Lo, tc.want.Lo, 1e-12) || !near(got.Hi, tc.want.Hi, 1e-12) {
			t.Errorf("WilsonInterval(%d, %d, %v) = %+v, want %+v", tc.k, tc.n, tc.z, got, tc.want)
		}
		if (tc.k == 0 && got.Lo != 0) || (tc.k == tc.n && got.Hi != 1) {
			t.Errorf("WilsonInterval(%d, %d, %v) = %+v, want the bound at the end of [0, 1] exact", tc.k, tc.n, tc.z, got)
		}
		if !(0 <= got.Lo && got.Lo <= got.Share && got.Share <= got.Hi && got.Hi <= 1) {
			t.Errorf("WilsonInterval(%d, %d, %v) = %+v is not ordered inside [0, 1]", tc.k, tc.n, tc.z, got)
		}
	}
}

func TestWilsonIntervalNarrowsWithTrials(t *testing.T) {
	small, _ := WilsonInterval(8, 10, 1.96)
	large, _ := WilsonInterval(800, 1000, 1.96)
	if large.Hi-large.Lo >= small.Hi-small.Lo {
		t.Errorf("width at n=1000 (%v) not below width at n=10 (%v)", large.Hi-large.Lo, small.Hi-small.Lo)
	}
	z90, _ := WilsonInterval(8, 10, 1.64)
	z99, _ := WilsonInterval(8, 10, 2.58)
	if !(z99.Lo < small.Lo && small.Lo < z90.Lo && z90.Hi < small.Hi && small.Hi < z99.Hi) {
		t.Errorf("intervals at 90/95/99%% are not nested: %+v %+v %+v", z90, small, z99)
	}
}

func TestWilsonIntervalErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		k, n    int
		z       float64
		culprit string
	}{
		{"no trials", 0, 0, 1.96, "trials = 0"},
		{"negative successes", -1, 5, 1.96, "successes = -1"},
		{"too many successes", 6, 5, 1.96, "successes = 6"},
		{"negative z", 1, 5, -1, "z = -1"},
		{"NaN z", 1, 5, math.NaN(), "z = NaN"},
		{"Inf z", 1, 5, math.Inf(1), "z = +Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := WilsonInterval(tc.k, tc.n, tc.z)
			wantError(t, err, tc.culprit)
		})
	}
}

func TestMajorityAgreement(t *testing.T) {
	// Five samples, three inputs, three classes. Each sample is one-hot on
	// its vote except where noted.
	//   input 0 votes 0, 0, 1, 0, 2: majority 0 with 3 of 5.
	//   input 1 votes 2 five times (with soft probabilities): 5 of 5.
	//   input 2 votes 1, 0, 1, 0, 2: a 2-2 tie, 2 of 5.
	one := func(c int) []float64 {
		p := make([]float64, 3)
		p[c] = 1
		return p
	}
	soft := []float64{0.2, 0.3, 0.5}
	votes0 := []int{0, 0, 1, 0, 2}
	votes2 := []int{1, 0, 1, 0, 2}
	probs := make([][]float64, 5)
	for s := range probs {
		probs[s] = append(append(one(votes0[s]), soft...), one(votes2[s])...)
	}
	cp, err := NewClassPredictive(probs, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	got := cp.MajorityAgreement(1.96)
	want := []Interval{
		{0.6, 0.23071993220883708, 0.8823817688407467},
		{1, 5 / (5 + 1.96*1.96), 1},
		{0.4, 1 - 0.8823817688407467, 1 - 0.23071993220883708}, // mirror image of 3/5
	}
	if len(got) != len(want) {
		t.Fatalf("%d intervals, want %d", len(got), len(want))
	}
	for i := range want {
		if !near(got[i].Share, want[i].Share, 1e-15) || !near(got[i].Lo, want[i].Lo, 1e-12) || !near(got[i].Hi, want[i].Hi, 1e-12) {
			t.Errorf("input %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMajorityAgreementBadZ(t *testing.T) {
	cp, err := NewClassPredictive([][]float64{{1, 0}, {0, 1}, {1, 0}}, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range []float64{-1, math.NaN(), math.Inf(1)} {
		got := cp.MajorityAgreement(z)
		if !near(got[0].Share, 2.0/3, 1e-15) || !math.IsNaN(got[0].Lo) || !math.IsNaN(got[0].Hi) {
			t.Errorf("MajorityAgreement(%v) = %+v, want share 2/3 and NaN bounds", z, got[0])
		}
	}
}
