package uncertainty

import (
	"fmt"
	"math"
	"testing"
)

func TestQuantiles(t *testing.T) {
	// Point 0 holds 3,1,4,1,5 (sorted 1,1,3,4,5), point 1 holds
	// 50,10,40,20,30 (sorted 10,20,30,40,50). With S=5, h = 4p.
	samples := [][]float64{
		{3, 50},
		{1, 10},
		{4, 40},
		{1, 20},
		{5, 30},
	}
	probs := []float64{0, 0.25, 0.3, 0.5, 0.9, 1}
	// p=0.3:  h=1.2, x[1] + 0.2(x[2]-x[1]) = 1 + 0.4 = 1.4 ; 20 + 2 = 22
	// p=0.9:  h=3.6, x[3] + 0.6(x[4]-x[3]) = 4 + 0.6 = 4.6 ; 40 + 6 = 46
	want := [][]float64{
		{1, 10},
		{1, 20},
		{1.4, 22},
		{3, 30},
		{4.6, 46},
		{5, 50},
	}
	got, err := Quantiles(samples, probs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for j := range want {
		checkSlice(t, fmt.Sprintf("q(p=%v)", probs[j]), got[j], want[j], 1e-12)
	}
	// The input must not be reordered.
	if samples[0][0] != 3 || samples[4][1] != 30 {
		t.Errorf("Quantiles modified its input: %v", samples)
	}
}

func TestQuantilesEvenCount(t *testing.T) {
	// Median of 1,2,3,4 is 2.5; the 0.1-quantile is at h=0.3: 1.3.
	got, err := Quantiles([][]float64{{4}, {2}, {1}, {3}}, 0.5, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "median", got[0], []float64{2.5}, 1e-15)
	checkSlice(t, "q(0.1)", got[1], []float64{1.3}, 1e-15)
}

func TestQuantilesOneSample(t *testing.T) {
	got, err := Quantiles([][]float64{{7}}, 0, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	for j := range got {
		checkSlice(t, "q", got[j], []float64{7}, 0)
	}
}

func TestQuantilesErrors(t *testing.T) {
	ok := [][]float64{{1}, {2}}
	for _, tc := range []struct {
		name    string
		samples [][]float64
		probs   []float64
		culprit string
	}{
		{"no probs", ok, nil, "no probabilities"},
		{"negative", ok, []float64{0.5, -0.1}, "probs[1] = -0.1"},
		{"above one", ok, []float64{1.5}, "probs[0] = 1.5"},
		{"NaN prob", ok, []float64{math.NaN()}, "probs[0] = NaN"},
		{"no samples", nil, []float64{0.5}, "no samples"},
		{"ragged", [][]float64{{1}, {1, 2}}, []float64{0.5}, "samples[1] has 2 points"},
		{"NaN sample", [][]float64{{1}, {math.NaN()}}, []float64{0.5}, "samples[1][0] = NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Quantiles(tc.samples, tc.probs...)
			wantError(t, err, tc.culprit)
		})
	}
}
