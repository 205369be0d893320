package plots

import (
	"math"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// Fill colours at opacity 115/255 over white: blue (0, 114, 178) and
// orange (230, 159, 0).
const (
	inR, inG, inB    = 140, 192, 220
	outR, outG, outB = 244, 212, 140
)

func TestEntropyHistogram(t *testing.T) {
	// Separated sets: both fill colours appear unmixed.
	var in, out []float64
	for i := range 500 {
		in = append(in, 0.3*float64(i%50)/50)
	}
	for i := range 200 {
		out = append(out, 1+float64(i%40)/40)
	}
	b, err := EntropyHistogram("entropy", in, out, "MNIST", "Fashion-MNIST")
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, wantW, wantH)
	if n := countNear(img, inR, inG, inB, 4); n < 2000 {
		t.Errorf("%d pixels in the in-distribution colour, want >= 2000", n)
	}
	if n := countNear(img, outR, outG, outB, 4); n < 2000 {
		t.Errorf("%d pixels in the out-of-distribution colour, want >= 2000", n)
	}
	checkSave(t, func(path string) error {
		return SaveEntropyHistogram(path, "entropy", in, out, "MNIST", "Fashion-MNIST")
	}, b)
}

func TestEntropyHistogramSingleValue(t *testing.T) {
	// All values equal: the range is widened instead of collapsing.
	b, err := EntropyHistogram("", []float64{0.5, 0.5}, []float64{0.5}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	decode(t, b, wantW, wantH)
}

func TestShareBins(t *testing.T) {
	// Four bins over [0, 2]: edges 0, 0.5, 1, 1.5, 2; the last closed.
	got := shareBins([]float64{0, 0.4, 0.5, 1.2, 2}, 0, 2, 4)
	want := []plotter.HistogramBin{
		{Min: 0, Max: 0.5, Weight: 0.4},
		{Min: 0.5, Max: 1, Weight: 0.2},
		{Min: 1, Max: 1.5, Weight: 0.2},
		{Min: 1.5, Max: 2, Weight: 0.2},
	}
	for i := range want {
		if math.Abs(got[i].Min-want[i].Min) > 1e-15 || math.Abs(got[i].Max-want[i].Max) > 1e-15 || math.Abs(got[i].Weight-want[i].Weight) > 1e-15 {
			t.Errorf("bin %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Weights are shares: they sum to 1, even over the widest range.
	wide := shareBins([]float64{-math.MaxFloat64, 0, math.MaxFloat64 / 2}, -math.MaxFloat64, math.MaxFloat64/2, 10)
	var sum float64
	for _, b := range wide {
		sum += b.Weight
	}
	if math.Abs(sum-1) > 1e-15 {
		t.Errorf("weights over a wide range sum to %v, want 1", sum)
	}
	for i, b := range wide {
		if !(b.Min < b.Max) || math.IsInf(b.Min, 0) || math.IsInf(b.Max, 0) {
			t.Errorf("bin %d over a wide range = %+v, want finite Min < Max", i, b)
		}
	}
}

func TestEntropyHistogramErrors(t *testing.T) {
	ok := []float64{0.1, 0.2}
	for _, tc := range []struct {
		name    string
		in, out []float64
		culprit string
	}{
		{"no in", nil, ok, "in is empty"},
		{"no out", ok, []float64{}, "out is empty"},
		{"NaN in", []float64{0.1, math.NaN()}, ok, "in[1] = NaN"},
		{"Inf out", ok, []float64{math.Inf(1)}, "out[0] = +Inf"},
		{"overflowing range", []float64{-math.MaxFloat64}, []float64{math.MaxFloat64}, "too wide"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EntropyHistogram("x", tc.in, tc.out, "a", "b")
			wantError(t, err, tc.culprit)
			checkSaveFails(t, func(path string) error { return SaveEntropyHistogram(path, "x", tc.in, tc.out, "a", "b") })
		})
	}
}
