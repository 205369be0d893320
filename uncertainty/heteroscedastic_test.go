package uncertainty

import (
	"errors"
	"math"
	"testing"
)

func TestSummarizeHeteroscedastic(t *testing.T) {
	// Two samples at two points: the means differ by 2 at the first point
	// (epistemic sd 1) and agree at the second; the noise sds are 3 and 4
	// (aleatoric sqrt((9+16)/2)) and 1 and 1.
	d, err := SummarizeHeteroscedastic(
		[][]float64{{0, 5}, {2, 5}},
		[][]float64{{3, 1}, {4, 1}})
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "Mean", d.Mean, []float64{1, 5}, 1e-15)
	checkSlice(t, "Epistemic", d.Epistemic, []float64{1, 0}, 1e-15)
	checkSlice(t, "Aleatoric", d.Aleatoric, []float64{math.Sqrt(12.5), 1}, 1e-15)
	// The mixture's variance: the mean of the second moments minus the
	// squared mean.
	mix := (9+0*0)/2.0 + (16+2*2)/2.0 - 1
	checkSlice(t, "Total", d.Total, []float64{math.Sqrt(mix), 1}, 1e-14)

	for _, tc := range []struct {
		name      string
		means     [][]float64
		sds       [][]float64
		want      error
		wantInMsg string
	}{
		{"fewer sd samples", [][]float64{{1}, {2}}, [][]float64{{1}}, ErrLengthMismatch, "sds"},
		{"short sd row", [][]float64{{1, 2}}, [][]float64{{1}}, ErrLengthMismatch, "sds[0]"},
		{"zero sd", [][]float64{{1, 2}}, [][]float64{{1, 0}}, ErrNonPositiveScale, "sds[0][1]"},
		{"NaN sd", [][]float64{{1, 2}}, [][]float64{{math.NaN(), 1}}, ErrNonPositiveScale, "sds[0][0]"},
	} {
		_, err := SummarizeHeteroscedastic(tc.means, tc.sds)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
			continue
		}
		wantError(t, err, tc.wantInMsg)
	}
	if _, err := SummarizeHeteroscedastic(nil, nil); err == nil {
		t.Error("no samples: no error")
	}
}
