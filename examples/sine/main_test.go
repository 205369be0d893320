package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

func defaultConfig(seed uint64) config {
	return config{seed: seed, steps: 2000, samples: 100, mc: 1, noise: 0.1, lr: 0.01,
		rhoInit: bayesnodes.DefaultRhoInit, prior: 1, log: io.Discard}
}

// TestSineUncertainty is the example's statistical check: over three seeds
// (it must not hinge on one), the predictive mean fits sin x, intervals have
// their nominal coverage, and the spread grows away from the data.
func TestSineUncertainty(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three networks for 2000 steps each")
	}
	for _, seed := range []uint64{1, 2, 3} {
		c := defaultConfig(seed)
		if seed == 1 {
			c.out = filepath.Join(t.TempDir(), "sine.png")
		}
		r, err := run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		t.Logf("seed %d: %s", seed, b)
		if r.RMSE > 0.06 {
			t.Errorf("seed %d: rmse %.4f, want <= 0.06", seed, r.RMSE)
		}
		if r.Coverage < 0.92 || r.Coverage > 0.98 {
			t.Errorf("seed %d: coverage %.3f, want in [0.92, 0.98]", seed, r.Coverage)
		}
		if r.StdOutside < 2*r.StdInside {
			t.Errorf("seed %d: std outside %.4f < 2 x std inside %.4f", seed, r.StdOutside, r.StdInside)
		}
		if r.RMSEMeanWeights > 0.1 {
			t.Errorf("seed %d: rmse with mean weights %.4f, want <= 0.1", seed, r.RMSEMeanWeights)
		}
		if c.out != "" {
			if fi, err := os.Stat(c.out); err != nil || fi.Size() < 1000 {
				t.Errorf("plot %s not written (%v)", c.out, err)
			}
		}
	}
}

func TestSineSeedReproducesRun(t *testing.T) {
	c := defaultConfig(7)
	c.steps, c.samples = 50, 10
	a, err := run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if a.RMSE != b.RMSE || a.Coverage != b.Coverage || a.StdInside != b.StdInside || a.RMSEMeanWeights != b.RMSEMeanWeights {
		t.Fatalf("same seed, different figures:\n%+v\n%+v", a, b)
	}
	c.seed = 8
	d, err := run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if d.RMSE == a.RMSE {
		t.Fatalf("seeds 7 and 8 gave the same rmse %v", a.RMSE)
	}
}

func TestSineBadFlags(t *testing.T) {
	for _, mutate := range []func(*config){
		func(c *config) { c.steps = 0 },
		func(c *config) { c.samples = 1 },
		func(c *config) { c.lr = -1 },
		func(c *config) { c.noise = -0.1 },
	} {
		c := defaultConfig(1)
		mutate(&c)
		if _, err := run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "want steps > 0") {
			t.Errorf("config %+v: error %v, want the flag check", c, err)
		}
	}
}
