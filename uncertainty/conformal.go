package uncertainty

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Errors of conformal calibration, wrapped with the detail of what is
// wrong; test for them with errors.Is.
var (
	// ErrEmptyCalibration: the calibration set has no points.
	ErrEmptyCalibration = errors.New("empty calibration set")
	// ErrCalibrationTooSmall: the calibration set has too few points for
	// the level: with n points the finite-sample quantile is the
	// ceil((n+1) level)-th smallest score, which must exist.
	ErrCalibrationTooSmall = errors.New("calibration set too small for the level")
	// ErrLevel: the coverage level is not inside (0, 1).
	ErrLevel = errors.New("coverage level outside (0, 1)")
	// ErrNaNScore: a conformity score, or a value it is made from, is NaN.
	ErrNaNScore = errors.New("NaN score")
	// ErrLengthMismatch: arguments that should hold one value per point
	// differ in length.
	ErrLengthMismatch = errors.New("mismatched lengths")
	// ErrNonPositiveScale: a scale (a predictive sd, a temperature) is not
	// positive.
	ErrNonPositiveScale = errors.New("non-positive scale")
)

// conformalRank returns k = ceil((n+1) level), the rank (from 1) of the
// calibration score that is the split-conformal quantile: with
// exchangeable scores, a new score is at most the k-th smallest of n with
// probability k/(n+1) >= level (Vovk et al. 2005; Lei et al. 2018). The
// product is rounded down by 1e-9 first, so that a level such as 0.9 with
// n+1 = 100 gives rank 90, not 91 from the float's representation error.
func conformalRank(fn string, n int, level float64) (int, error) {
	if !(level > 0 && level < 1) {
		return 0, fmt.Errorf("uncertainty: %s: level %v: %w", fn, level, ErrLevel)
	}
	if n == 0 {
		return 0, fmt.Errorf("uncertainty: %s: %w", fn, ErrEmptyCalibration)
	}
	k := int(math.Ceil(float64(n+1)*level - 1e-9))
	if k > n {
		need := int(math.Ceil(level/(1-level) - 1e-9))
		return 0, fmt.Errorf("uncertainty: %s: %d points at level %v, need at least %d: %w", fn, n, level, need, ErrCalibrationTooSmall)
	}
	return k, nil
}

// conformalQuantile returns the split-conformal quantile of scores at
// level: the conformalRank-th smallest.
func conformalQuantile(fn string, scores []float64, level float64) (float64, error) {
	k, err := conformalRank(fn, len(scores), level)
	if err != nil {
		return 0, err
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return 0, fmt.Errorf("uncertainty: %s: score %d: %w", fn, i, ErrNaNScore)
		}
	}
	sorted := slices.Clone(scores)
	slices.Sort(sorted)
	return sorted[k-1], nil
}
