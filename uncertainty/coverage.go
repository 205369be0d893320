package uncertainty

import (
	"fmt"
	"math"
)

// RegressionCoverage holds the shares (in [0, 1]) of targets that fall
// relative to the interval mean ± k std, as returned by EvaluateRegression.
type RegressionCoverage struct {
	// Inside is the share with mean - k std <= y <= mean + k std.
	Inside float64
	// BelowUpper is the share with y <= mean + k std.
	BelowUpper float64
	// AboveLower is the share with y >= mean - k std.
	AboveLower float64
}

// EvaluateRegression measures how well the predictive intervals
// mean[i] ± k std[i] cover the targets y[i], like BLiTZ's
// evaluate_regression with std_multiplier = k. The bounds are inclusive.
//
// For Gaussian predictions that are calibrated, Inside is near the normal
// probability of ±k, e.g. 0.683 for k = 1, 0.954 for k = 2, 0.997 for k = 3;
// much less means over-confident intervals, much more under-confident ones.
// BelowUpper and AboveLower tell which side is missed. Note that BLiTZ
// computes std with torch.std, which divides by S-1, where Summarize divides
// by S.
//
// It returns an error if the slices are empty or differ in length, if a
// value is NaN or infinite, if a std is negative or if k is negative or not
// finite.
func EvaluateRegression(y, mean, std []float64, k float64) (RegressionCoverage, error) {
	const fn = "EvaluateRegression"
	if len(y) == 0 {
		return RegressionCoverage{}, fmt.Errorf("uncertainty: %s: y is empty", fn)
	}
	if len(mean) != len(y) {
		return RegressionCoverage{}, fmt.Errorf("uncertainty: %s: mean has %d values, y has %d", fn, len(mean), len(y))
	}
	if len(std) != len(y) {
		return RegressionCoverage{}, fmt.Errorf("uncertainty: %s: std has %d values, y has %d", fn, len(std), len(y))
	}
	if !(k >= 0) || math.IsInf(k, 1) {
		return RegressionCoverage{}, fmt.Errorf("uncertainty: %s: k = %v, want a finite k >= 0", fn, k)
	}
	for _, a := range []struct {
		name string
		xs   []float64
	}{{"y", y}, {"mean", mean}, {"std", std}} {
		if err := checkFinite(fn, a.name, a.xs); err != nil {
			return RegressionCoverage{}, err
		}
	}
	for i, s := range std {
		if s < 0 {
			return RegressionCoverage{}, fmt.Errorf("uncertainty: %s: std[%d] = %v is negative", fn, i, s)
		}
	}
	var inside, below, above int
	for i, t := range y {
		upper := mean[i] + k*std[i]
		lower := mean[i] - k*std[i]
		b := t <= upper
		a := t >= lower
		if b {
			below++
		}
		if a {
			above++
		}
		if a && b {
			inside++
		}
	}
	n := float64(len(y))
	return RegressionCoverage{
		Inside:     float64(inside) / n,
		BelowUpper: float64(below) / n,
		AboveLower: float64(above) / n,
	}, nil
}
