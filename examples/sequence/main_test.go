package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testConfig(cell string, seed uint64) config {
	c := defaults()
	c.cell, c.seed, c.out, c.log = cell, seed, "", io.Discard
	return c
}

// TestSequenceForecast is the example's statistical check, for both cells,
// on seeds that were not used to choose the defaults (those were 1-10):
// the forecast beats the seasonal-naive one and its 95% intervals cover
// close to 95% of the held-out values.
func TestSequenceForecast(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four recurrent networks")
	}
	for _, cell := range []string{"lstm", "gru"} {
		for _, seed := range []uint64{101, 102} {
			t.Run(fmt.Sprintf("%s/seed %d", cell, seed), func(t *testing.T) {
				c := testConfig(cell, seed)
				c.out = filepath.Join(t.TempDir(), "sequence.png")
				r, err := run(context.Background(), c)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(r)
				t.Logf("%s", b)
				if !(r.RMSE < r.NaiveRMSE/2) {
					t.Errorf("rmse %.4f, want below half the seasonal-naive forecast's %.4f", r.RMSE, r.NaiveRMSE)
				}
				if r.Coverage < 0.85 || r.Coverage > 0.99 {
					t.Errorf("coverage %.3f, want in [0.85, 0.99]", r.Coverage)
				}
				if r.NoiseStd < noiseSD {
					t.Errorf("interval noise sd %.4f below the likelihood's %v", r.NoiseStd, noiseSD)
				}
				if fi, err := os.Stat(c.out); err != nil || fi.Size() < 1000 {
					t.Errorf("plot %s not written (%v)", c.out, err)
				}
			})
		}
	}
}

func TestSequenceSeedReproducesRun(t *testing.T) {
	c := testConfig("gru", 7)
	c.epochs, c.samples, c.length, c.window = 1, 5, 120, 12
	a, err := run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if a.RMSE != b.RMSE || a.Coverage != b.Coverage || a.NoiseStd != b.NoiseStd || a.MeanStd != b.MeanStd {
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

func TestSequenceBadFlags(t *testing.T) {
	cases := []struct {
		mutate func(*config)
		want   string
	}{
		{func(c *config) { c.cell = "rnn" }, `cell "rnn": want lstm or gru`},
		{func(c *config) { c.epochs = 0 }, "want epochs > 0"},
		{func(c *config) { c.hidden = 0 }, "want epochs > 0"},
		{func(c *config) { c.window = 6 }, "window >= 12"},
		{func(c *config) { c.samples = 1 }, "samples > 1"},
		{func(c *config) { c.lr = 0 }, "lr > 0"},
		{func(c *config) { c.noise = -1 }, "noise >= 0"},
		{func(c *config) { c.length = 100 }, "a series of 100 values is too short for windows of 24"},
	}
	for _, tc := range cases {
		c := testConfig("lstm", 1)
		tc.mutate(&c)
		if _, err := run(context.Background(), c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %+v: error %v, want one containing %q", c, err, tc.want)
		}
	}
}

func TestWindows(t *testing.T) {
	y := []float64{0, 1, 2, 3, 5, 8, 13}
	x, target, last, err := windows(y, 3, 4, 6)
	if err != nil {
		t.Fatal(err)
	}
	// Targets y[4] = 5 and y[5] = 8 from windows {1, 2, 3} and {2, 3, 5},
	// relative to their last values 3 and 5.
	wantX := []float64{-2, -1, 0, -3, -2, 0}
	wantT, wantL := []float64{2, 3}, []float64{3, 5}
	for i := range wantX {
		if x[i] != wantX[i] {
			t.Fatalf("inputs %v, want %v", x, wantX)
		}
	}
	for i := range wantT {
		if target[i] != wantT[i] || last[i] != wantL[i] {
			t.Fatalf("targets %v and levels %v, want %v and %v", target, last, wantT, wantL)
		}
	}
	for _, r := range [][2]int{{2, 5}, {4, 8}, {5, 5}} {
		if _, _, _, err := windows(y, 3, r[0], r[1]); err == nil {
			t.Errorf("targets %v: no error", r)
		}
	}
	long := series(40, 1)
	naive := seasonalNaive(long, 30, 32)
	if naive[0] != long[30-period] || naive[1] != long[31-period] {
		t.Errorf("seasonal naive %v, want %v", naive, long[30-period:32-period])
	}
}

func TestSeries(t *testing.T) {
	a, b := series(500, 3), series(500, 3)
	var sum, sq float64
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, value %d differs", i)
		}
		d := a[i] - signal(i)
		sum += d
		sq += d * d
	}
	n := float64(len(a))
	if sd := math.Sqrt(sq/n - (sum/n)*(sum/n)); math.Abs(sd-noiseSD) > 0.015 {
		t.Errorf("noise sd %.4f, want about %v", sd, noiseSD)
	}
}
