package main

import (
	"context"
	"encoding/json"
	"math"
	"testing"
)

// TestPruneLeNet runs the example's default recipe on the embedded digits
// and checks the targets: at least 20x fewer weights, the pruned,
// compacted network within one percentage point of the Bayesian model's
// accuracy, and an exported file whose size follows the kept weights (six
// bytes each: a float32 and a 16-bit column) and which computes what the
// compact network does.
func TestPruneLeNet(t *testing.T) {
	r, err := run(context.Background(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	t.Log(string(b))
	if r.WeightCompression < 20 {
		t.Errorf("%.1fx fewer weights, want >= 20x", r.WeightCompression)
	}
	if want := float64(r.DenseBytes) / float64(r.ExportedBytes); r.Compression != want || r.Compression < 12 {
		t.Errorf("compression %.2fx, want the files' ratio %.2fx, at least 12x", r.Compression, want)
	}
	if r.AccuracyExported != r.AccuracyPruned {
		t.Errorf("the exported network's accuracy %.4f, the compact one's %.4f: want equal (float32 weights stored exactly)", r.AccuracyExported, r.AccuracyPruned)
	}
	if r.AccuracyPruned < r.Accuracy-0.01 {
		t.Errorf("accuracy after pruning %.4f, before %.4f: want within 1 point", r.AccuracyPruned, r.Accuracy)
	}
	if r.Accuracy < 0.9 {
		t.Errorf("accuracy %.4f, want >= 0.9", r.Accuracy)
	}
	if r.CompactParams >= r.DenseParams {
		t.Errorf("compact network has %d parameters, dense %d: want fewer", r.CompactParams, r.DenseParams)
	}
	if r.MaxOutputDiff > 1e-6 {
		t.Errorf("compact outputs differ from the pruned dense network's by %g", r.MaxOutputDiff)
	}
	if r.Widths[0] >= 784 || r.Widths[3] != 10 {
		t.Errorf("compact widths %v: want fewer than 784 inputs and 10 outputs", r.Widths)
	}
}

func TestBadFlags(t *testing.T) {
	for _, c := range []func(*config){
		func(c *config) { c.epochs = 0 },
		func(c *config) { c.batch = -1 },
		func(c *config) { c.lr = 0 },
		func(c *config) { c.delta = -1 },
		func(c *config) { c.threshold = math.NaN() },
	} {
		cfg := defaults()
		c(&cfg)
		if _, err := run(context.Background(), cfg); err == nil {
			t.Errorf("config %+v: no error", cfg)
		}
	}
}
