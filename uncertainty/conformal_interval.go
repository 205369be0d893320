package uncertainty

import (
	"fmt"
	"math"
)

// ConformalInterval is a split-conformal calibration of the Bayesian
// predictive for regression: the interval mean ± Scale·sd covers a new
// target with probability at least Level, whatever the model, as long as
// the calibration points and the new one are exchangeable (drawn from the
// same distribution, independently of the training data).
//
// The score of a calibration point is its normalised residual
// |y - mean| / sd, with sd the point's predictive sd (epistemic and
// aleatoric: see TotalStd). Scale is the finite-sample quantile of those
// scores, so the interval keeps the predictive's shape: wide where the
// model is unsure, narrow where it is sure (the "normalised" or locally
// adaptive split conformal of Lei et al. 2018). A calibrated Gaussian
// predictive gives Scale near the normal quantile (1.96 at 0.95); a larger
// one means the predictive was over-confident, a smaller one
// under-confident.
type ConformalInterval struct {
	// Level is the nominal coverage, in (0, 1).
	Level float64
	// Scale multiplies the predictive sd.
	Scale float64
	// N is the number of calibration points.
	N int
}

// CalibrateInterval fits a ConformalInterval on held-out points: targets
// y, predictive means and predictive sds, one of each per point.
//
// It returns an error wrapping ErrEmptyCalibration, ErrCalibrationTooSmall
// (fewer than level/(1-level) points: 19 at 0.95), ErrLevel,
// ErrLengthMismatch, ErrNaNScore (a NaN target, mean or sd) or
// ErrNonPositiveScale (an sd that is not > 0), naming the point.
func CalibrateInterval(y, mean, sd []float64, level float64) (ConformalInterval, error) {
	const fn = "CalibrateInterval"
	scores, err := normalisedResiduals(fn, y, mean, sd)
	if err != nil {
		return ConformalInterval{}, err
	}
	q, err := conformalQuantile(fn, scores, level)
	if err != nil {
		return ConformalInterval{}, err
	}
	return ConformalInterval{Level: level, Scale: q, N: len(y)}, nil
}

// Bounds returns the intervals mean[i] ± Scale·sd[i].
//
// It returns an error wrapping ErrLengthMismatch, ErrNaNScore or
// ErrNonPositiveScale as CalibrateInterval does.
func (c ConformalInterval) Bounds(mean, sd []float64) (lower, upper []float64, err error) {
	if len(mean) == 0 && len(sd) == 0 {
		return nil, nil, nil
	}
	if _, err := normalisedResiduals("ConformalInterval.Bounds", mean, mean, sd); err != nil {
		return nil, nil, err
	}
	lower, upper = make([]float64, len(mean)), make([]float64, len(mean))
	for i, m := range mean {
		lower[i], upper[i] = m-c.Scale*sd[i], m+c.Scale*sd[i]
	}
	return lower, upper, nil
}

// Coverage returns the share of targets y inside their intervals
// mean ± Scale·sd, bounds included (EvaluateRegression with k = Scale).
func (c ConformalInterval) Coverage(y, mean, sd []float64) (float64, error) {
	if _, err := normalisedResiduals("ConformalInterval.Coverage", y, mean, sd); err != nil {
		return 0, err
	}
	cov, err := EvaluateRegression(y, mean, sd, c.Scale)
	return cov.Inside, err
}

// normalisedResiduals returns |y - mean| / sd after checking the three
// slices.
func normalisedResiduals(fn string, y, mean, sd []float64) ([]float64, error) {
	if len(y) == 0 {
		return nil, fmt.Errorf("uncertainty: %s: %w", fn, ErrEmptyCalibration)
	}
	if len(mean) != len(y) || len(sd) != len(y) {
		return nil, fmt.Errorf("uncertainty: %s: %d targets, %d means, %d sds: %w", fn, len(y), len(mean), len(sd), ErrLengthMismatch)
	}
	scores := make([]float64, len(y))
	for i := range y {
		if math.IsNaN(y[i]) || math.IsNaN(mean[i]) || math.IsNaN(sd[i]) {
			return nil, fmt.Errorf("uncertainty: %s: point %d (y %v, mean %v, sd %v): %w", fn, i, y[i], mean[i], sd[i], ErrNaNScore)
		}
		if !(sd[i] > 0) || math.IsInf(sd[i], 1) {
			return nil, fmt.Errorf("uncertainty: %s: sd[%d] = %v, want a finite value > 0: %w", fn, i, sd[i], ErrNonPositiveScale)
		}
		scores[i] = math.Abs(y[i]-mean[i]) / sd[i]
	}
	return scores, nil
}
