package uncertainty

import (
	"math"
	"testing"
)

func TestEvaluateRegression(t *testing.T) {
	y := []float64{0, 1, 2, 3, -3}
	mean := []float64{0, 0, 0, 0, 0}
	std := []float64{1, 1, 1, 1, 1}
	for _, tc := range []struct {
		k    float64
		want RegressionCoverage
	}{
		// Interval [-2, 2], bounds inclusive: 0, 1, 2 inside; 3 above the
		// upper bound; -3 below the lower one.
		{2, RegressionCoverage{Inside: 3.0 / 5, BelowUpper: 4.0 / 5, AboveLower: 4.0 / 5}},
		// Interval [0, 0]: only y = 0 inside; 0 and -3 are <= 0; 0, 1, 2, 3
		// are >= 0.
		{0, RegressionCoverage{Inside: 1.0 / 5, BelowUpper: 2.0 / 5, AboveLower: 4.0 / 5}},
		// Interval [-3, 3]: everything, the ends included.
		{3, RegressionCoverage{Inside: 1, BelowUpper: 1, AboveLower: 1}},
	} {
		got, err := EvaluateRegression(y, mean, std, tc.k)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("k=%v: got %+v, want %+v", tc.k, got, tc.want)
		}
	}
}

func TestEvaluateRegressionPerPointStd(t *testing.T) {
	// Point 0: [1-0.5, 1+0.5] holds 1.4. Point 1: [10-4, 10+4] misses 15
	// above. Point 2: [-1, -1] misses -2 below.
	got, err := EvaluateRegression([]float64{1.4, 15, -2}, []float64{1, 10, -1}, []float64{0.25, 2, 0}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := RegressionCoverage{Inside: 1.0 / 3, BelowUpper: 2.0 / 3, AboveLower: 2.0 / 3}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestEvaluateRegressionErrors(t *testing.T) {
	one := []float64{1}
	for _, tc := range []struct {
		name         string
		y, mean, std []float64
		k            float64
		culprit      string
	}{
		{"empty", nil, nil, nil, 1, "y is empty"},
		{"mean length", one, []float64{1, 2}, one, 1, "mean has 2 values, y has 1"},
		{"std length", one, one, nil, 1, "std has 0 values, y has 1"},
		{"negative k", one, one, one, -1, "k = -1"},
		{"NaN k", one, one, one, math.NaN(), "k = NaN"},
		{"Inf k", one, one, one, math.Inf(1), "k = +Inf"},
		{"NaN y", []float64{math.NaN()}, one, one, 1, "y[0] = NaN"},
		{"Inf mean", one, []float64{math.Inf(1)}, one, 1, "mean[0] = +Inf"},
		{"negative std", []float64{1, 1}, []float64{1, 1}, []float64{1, -0.5}, 1, "std[1] = -0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EvaluateRegression(tc.y, tc.mean, tc.std, tc.k)
			wantError(t, err, tc.culprit)
		})
	}
}
