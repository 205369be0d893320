package losses_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
	"github.com/gorgonia-bnn/bnn/losses"
)

// The layer of buildELBO has out = 2 outputs: one mean and one raw scale
// per example, against one target each.
func TestHeteroscedasticValueAndGradient(t *testing.T) {
	targets := randoms(batch, 5) // one column
	lik, err := losses.NewHeteroscedastic(0.05)
	if err != nil {
		t.Fatal(err)
	}
	elbo, err := losses.NewELBO(lik)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := buildELBO(t, elbo, targets)
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	fit, _, err := elbo.Parts(g)
	if err != nil {
		t.Fatal(err)
	}
	f := g.Output(nil)
	want := 0.0
	for i, y := range targets {
		mu, sigma := f[i*2], math.Log1p(math.Exp(f[i*2+1]))+0.05
		want += 0.5*math.Log(2*math.Pi) + math.Log(sigma) + (y-mu)*(y-mu)/(2*sigma*sigma)
	}
	want /= batch
	if math.Abs(fit-want) > 1e-12*math.Max(1, math.Abs(want)) {
		t.Errorf("fit %.15g, want %.15g", fit, want)
	}
	worst, err := gradcheck.Check(g, 8, 1e-6, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range worst {
		if w.RelErr > 1e-6 {
			t.Errorf("gradient of %s", w)
		}
	}
}

func TestHeteroscedasticSplit(t *testing.T) {
	lik := losses.Heteroscedastic{Floor: 0.1}
	means, sds, err := lik.Split([][]float64{{1, 0, 2, -50}, {3, 50, 4, 0}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantSD := [][]float64{{math.Ln2 + 0.1, 0.1}, {50.1, math.Ln2 + 0.1}}
	for s := range means {
		for i := range means[s] {
			if wantM := float64(2*s + i + 1); means[s][i] != wantM {
				t.Errorf("means[%d][%d] = %v, want %v", s, i, means[s][i], wantM)
			}
			if math.Abs(sds[s][i]-wantSD[s][i]) > 1e-15 {
				t.Errorf("sds[%d][%d] = %v, want %v", s, i, sds[s][i], wantSD[s][i])
			}
		}
	}
	if _, _, err := lik.Split([][]float64{{1, 2, 3}}, 2); err == nil || !strings.Contains(err.Error(), "sample 0") {
		t.Errorf("ragged sample: error %v", err)
	}
	if _, _, err := lik.Split(nil, 3); err == nil || !strings.Contains(err.Error(), "even output width") {
		t.Errorf("odd width: error %v", err)
	}
}

func TestHeteroscedasticBadInput(t *testing.T) {
	for _, floor := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := losses.NewHeteroscedastic(floor); err == nil || !strings.Contains(err.Error(), "floor") {
			t.Errorf("floor %v: error %v, want one naming the floor", floor, err)
		}
	}
	// A layer with 3 outputs cannot be split into means and scales.
	elbo, err := losses.NewELBO(losses.Heteroscedastic{})
	if err != nil {
		t.Fatal(err)
	}
	if w, err := elbo.TargetWidth(3); err == nil || !strings.Contains(err.Error(), "even output width") {
		t.Errorf("TargetWidth(3) = %d, %v, want the odd-width error", w, err)
	}
	if w, err := elbo.TargetWidth(4); err != nil || w != 2 {
		t.Errorf("TargetWidth(4) = %d, %v, want 2", w, err)
	}
}
