package uncertainty

import (
	"math"
	"testing"
)

func TestRMSE(t *testing.T) {
	// Differences 0, -2, 3: mean square 13/3.
	got, err := RMSE([]float64{1, 2, 3}, []float64{1, 4, 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := math.Sqrt(13.0 / 3); !near(got, want, 1e-15) {
		t.Errorf("RMSE = %v, want %v", got, want)
	}
	got, err = RMSE([]float64{-2.5}, []float64{-2.5})
	if err != nil || got != 0 {
		t.Errorf("RMSE of equal slices = %v, %v; want 0, nil", got, err)
	}
}

func TestRMSEErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		a, b    []float64
		culprit string
	}{
		{"empty", nil, nil, "a is empty"},
		{"length", []float64{1, 2}, []float64{1}, "b has 1 values, a has 2"},
		{"NaN a", []float64{1, math.NaN()}, []float64{1, 2}, "a[1] = NaN"},
		{"Inf b", []float64{1}, []float64{math.Inf(-1)}, "b[0] = -Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RMSE(tc.a, tc.b)
			wantError(t, err, tc.culprit)
		})
	}
}
