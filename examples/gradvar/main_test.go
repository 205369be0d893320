package main

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
)

// TestEstimatorsLowerGradientVariance checks the claim the estimators are
// there for: on one minibatch, the gradient noise of local
// reparameterization and Flipout is well below weight sampling's.
func TestEstimatorsLowerGradientVariance(t *testing.T) {
	rows, err := run(config{reps: 10, batch: 64, rhoInit: -4, muStd: 0.1, seed: 1}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want one per estimator", len(rows))
	}
	for _, r := range rows {
		for _, v := range []float64{r.VarMu, r.VarRho, r.NoiseVarMu, r.NoiseVarRho, r.MsPerStep} {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Fatalf("%+v: want positive finite figures", r)
			}
		}
	}
	base := rows[0]
	for _, r := range rows[1:] {
		if r.NoiseVarMu > 0.8*base.NoiseVarMu || r.NoiseVarRho > 0.8*base.NoiseVarRho {
			t.Errorf("%s: noise variance (mu %.3g, rho %.3g) not well below weight sampling's (%.3g, %.3g)",
				r.Estimator, r.NoiseVarMu, r.NoiseVarRho, base.NoiseVarMu, base.NoiseVarRho)
		}
	}
	var out bytes.Buffer
	printTable(&out, rows)
	for _, r := range rows {
		if !strings.Contains(out.String(), r.Estimator) {
			t.Errorf("table lacks %s:\n%s", r.Estimator, out.String())
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, c := range []struct {
		cfg  config
		want string
	}{
		{config{reps: 1, batch: 8}, "-reps 1"},
		{config{reps: 5, batch: 0}, "-batch 0"},
		{config{reps: 5, batch: 8, warmEpochs: -1}, "-warm -1"},
		{config{reps: 5, batch: 8, rhoInit: math.NaN()}, "-rho-init NaN"},
		{config{reps: 5, batch: 9000}, "-batch 9000"},
		{config{reps: 5, batch: 8, muStd: -1}, "-mu-std -1"},
	} {
		_, err := run(c.cfg, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %q", c.cfg, err, c.want)
		}
	}
}
