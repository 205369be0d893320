package losses_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/losses"
)

// logMeanExp is the plain formula, for small inputs.
func logMeanExp(a []float64) float64 {
	s := 0.0
	for _, x := range a {
		s += math.Exp(x)
	}
	return math.Log(s / float64(len(a)))
}

func TestRenyiLossValues(t *testing.T) {
	ls := []float64{0.31, 0.25, 0.47, 0.2}
	const n = 3.0
	mean := (0.31 + 0.25 + 0.47 + 0.2) / 4
	for _, alpha := range []float64{-2, 0, 0.5, 2, 5} {
		got, err := losses.RenyiLoss(ls, alpha, n)
		if err != nil {
			t.Fatal(err)
		}
		a := make([]float64, len(ls))
		for i, l := range ls {
			a[i] = -(1 - alpha) * n * l
		}
		want := -logMeanExp(a) / ((1 - alpha) * n)
		if math.Abs(got-want) > 1e-14 {
			t.Errorf("alpha %v: %v, want %v", alpha, got, want)
		}
		// Jensen: below 1 the bound is above the ELBO (the loss below
		// the mean loss), above 1 the other way.
		if (alpha < 1) != (got < mean) {
			t.Errorf("alpha %v: loss %v against the mean %v on the wrong side", alpha, got, mean)
		}
	}
	// alpha -> -Inf keeps the best sample.
	if got, _ := losses.RenyiLoss(ls, -1e4, n); math.Abs(got-0.2) > 1e-3 {
		t.Errorf("alpha -1e4: %v, want about the least loss 0.2", got)
	}
	// Large scales (N = 60000) do not overflow.
	if got, err := losses.RenyiLoss(ls, 0, 60000); err != nil || math.Abs(got-(0.2+math.Log(4)/60000)) > 1e-12 {
		t.Errorf("N 60000: %v, %v; want %v", got, err, 0.2+math.Log(4)/60000)
	}
}

// TestRenyiLimitIsELBO checks alpha -> 1 from both sides: the loss tends
// to the mean of the samples' losses (the ELBO), with an error that
// shrinks in proportion to |1 - alpha| (the second-order term is the
// samples' variance times -n (1-alpha) / 2).
func TestRenyiLimitIsELBO(t *testing.T) {
	ls := []float64{1.3, 0.7, 1.1, 0.9, 1.6}
	const n = 10.0
	mean, sq := 0.0, 0.0
	for _, l := range ls {
		mean += l
	}
	mean /= 5
	for _, l := range ls {
		sq += (l - mean) * (l - mean) / 5
	}
	exact, err := losses.RenyiLoss(ls, 1, n)
	if err != nil || exact != mean {
		t.Fatalf("alpha 1: %v, %v; want the mean %v exactly", exact, err, mean)
	}
	for _, d := range []float64{1e-2, 1e-4, 1e-6, 1e-9} {
		for _, alpha := range []float64{1 - d, 1 + d} {
			got, err := losses.RenyiLoss(ls, alpha, n)
			if err != nil {
				t.Fatal(err)
			}
			// loss = mean - (1-alpha) n var / 2 + O((1-alpha)^2)
			want := mean - (1-alpha)*n*sq/2
			if tol := 5 * d * d * n * n; math.Abs(got-want) > tol+1e-15 {
				t.Errorf("alpha %v: %v, want %v within %v", alpha, got, want, tol)
			}
		}
	}
}

func TestRenyiRejects(t *testing.T) {
	cases := []struct {
		name  string
		ls    []float64
		alpha float64
		n     float64
		want  string
	}{
		{"no samples", nil, 0.5, 1, "no samples"},
		{"alpha NaN", []float64{1}, math.NaN(), 1, "alpha"},
		{"scale 0", []float64{1}, 0.5, 0, "scale"},
		{"loss Inf", []float64{1, math.Inf(1)}, 0.5, 1, "sample 1"},
	}
	for _, c := range cases {
		if _, err := losses.RenyiLoss(c.ls, c.alpha, c.n); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		}
	}
	if _, err := losses.NewRenyi(losses.MSE{}, math.Inf(-1)); err == nil {
		t.Error("NewRenyi accepted alpha -Inf")
	}
	r, err := losses.NewRenyi(losses.MSE{}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.LogWeight(1, losses.Batch{}); err == nil || !strings.Contains(err.Error(), "data set size") {
		t.Errorf("LogWeight without a data set size: %v", err)
	}
	lw, err := r.LogWeight(0.2, losses.Batch{DatasetSize: 10})
	if err != nil || math.Abs(lw-(-0.5*10*0.2)) > 1e-15 {
		t.Errorf("LogWeight: %v, %v; want -1", lw, err)
	}
}
