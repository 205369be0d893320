package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
)

func defaultConfig(seed uint64) config {
	return config{seed: seed, n: 2000, steps: 6000, samples: 100, lr: 0.01, lrFinal: 0.001, rhoInit: -5, floor: 1e-3, log: io.Discard}
}

// TestHeteroCoverageByThird checks, on seeds that were not used to choose
// the defaults, that the 95% interval holds its coverage in each third of
// the x range (where the noise sd differs sevenfold), that the learnt noise
// sd follows the truth, and that the epistemic sd grows past the data.
func TestHeteroCoverageByThird(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two networks")
	}
	seeds := []uint64{101, 102}
	results := make([]*result, len(seeds))
	errs := make([]error, len(seeds))
	var wg sync.WaitGroup
	for i, seed := range seeds {
		wg.Go(func() { results[i], errs[i] = run(context.Background(), defaultConfig(seed)) })
	}
	wg.Wait()
	for i, r := range results {
		seed := seeds[i]
		if errs[i] != nil {
			t.Fatalf("seed %d: %v", seed, errs[i])
		}
		b, _ := json.Marshal(r)
		t.Logf("seed %d: %s", seed, b)
		for name, cov := range map[string]float64{"left": r.CoverageLeft, "middle": r.CoverageMiddle, "right": r.CoverageRight} {
			if cov < 0.92 || cov > 0.98 {
				t.Errorf("seed %d: coverage of the %s third %.3f, want in [0.92, 0.98]", seed, name, cov)
			}
		}
		if r.NoiseSDError > 0.03 {
			t.Errorf("seed %d: learnt noise sd off by %.4f on average, want <= 0.03", seed, r.NoiseSDError)
		}
		if r.EpistemicOutside < 2*r.EpistemicInside {
			t.Errorf("seed %d: epistemic sd outside %.4f < 2 x inside %.4f", seed, r.EpistemicOutside, r.EpistemicInside)
		}
	}
}

func TestHeteroBadFlags(t *testing.T) {
	for _, mutate := range []func(*config){
		func(c *config) { c.n = 1 },
		func(c *config) { c.steps = 0 },
		func(c *config) { c.samples = 1 },
		func(c *config) { c.lrFinal = 0 },
		func(c *config) { c.floor = -1 },
	} {
		c := defaultConfig(1)
		mutate(&c)
		if _, err := run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "want n > 1") {
			t.Errorf("config %+v: error %v, want the flag check", c, err)
		}
	}
}
