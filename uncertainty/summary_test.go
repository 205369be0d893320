package uncertainty

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	samples := [][]float64{
		{1, 2, -1},
		{3, 2, 0},
		{5, 2, 4},
	}
	got, err := Summarize(samples)
	if err != nil {
		t.Fatal(err)
	}
	// Column 0: mean 3, squared deviations 4+0+4 over S=3.
	// Column 2: mean 1, squared deviations 4+1+9 over S=3.
	checkSlice(t, "Mean", got.Mean, []float64{3, 2, 1}, 1e-15)
	checkSlice(t, "Std", got.Std, []float64{math.Sqrt(8.0 / 3), 0, math.Sqrt(14.0 / 3)}, 1e-15)
}

func TestSummarizeOneSample(t *testing.T) {
	got, err := Summarize([][]float64{{7, -2}})
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "Mean", got.Mean, []float64{7, -2}, 0)
	checkSlice(t, "Std", got.Std, []float64{0, 0}, 0)
}

func TestSummarizeLargeOffset(t *testing.T) {
	// A naive E[x²]-E[x]² loses every digit here.
	const c = 1e9
	got, err := Summarize([][]float64{{c + 1}, {c + 3}})
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "Mean", got.Mean, []float64{c + 2}, 0)
	checkSlice(t, "Std", got.Std, []float64{1}, 1e-12)
}

func TestSummarizeErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		samples [][]float64
		culprit string
	}{
		{"nil", nil, "no samples"},
		{"empty rows", [][]float64{{}, {}}, "samples[0] is empty"},
		{"ragged", [][]float64{{1, 2}, {1, 2}, {1}}, "samples[2] has 1 points"},
		{"NaN", [][]float64{{1, 2}, {1, math.NaN()}}, "samples[1][1] = NaN"},
		{"Inf", [][]float64{{math.Inf(-1), 2}}, "samples[0][0] = -Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Summarize(tc.samples)
			wantError(t, err, tc.culprit)
		})
	}
}

func TestTotalStd(t *testing.T) {
	got := TotalStd([]float64{3, 0, -3, 1e300}, 4)
	// 3-4-5 triangles; 1e300 must not overflow when squared.
	checkSlice(t, "TotalStd", got, []float64{5, 4, 5, math.Hypot(1e300, 4)}, 1e-15)
	if got[3] != 1e300 {
		t.Errorf("TotalStd(1e300, 4) = %v, want 1e300", got[3])
	}
	if n := len(TotalStd(nil, 1)); n != 0 {
		t.Errorf("TotalStd(nil) has %d values, want 0", n)
	}
}
