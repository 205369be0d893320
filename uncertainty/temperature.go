package uncertainty

import (
	"fmt"
	"math"
	"slices"
)

// Temperature is a temperature-scaling calibration of a classifier (Guo
// et al. 2017): class probabilities softmax(scores / T), with one T > 0
// fitted on held-out data. T > 1 softens over-confident predictions, T < 1
// sharpens under-confident ones; the predicted class never changes.
//
// The scores are logits, or for a Bayesian network the logarithms of the
// predictive (mean) probabilities (ClassPredictive.LogMean), whose softmax
// at T = 1 is the predictive itself.
type Temperature float64

// Temperature bounds of the fit: beyond them the held-out data is
// separable (or uninformative) and the NLL has no interior minimum.
const (
	minTemperature = 1e-3
	maxTemperature = 1e3
)

// FitTemperature returns the T that minimises the mean negative
// log-likelihood of labels under softmax(scores / T), where scores holds n
// rows of classes values (row-major) and labels one class per row. The NLL
// is convex in 1/T, so the minimum is found by bisection on the sign of its
// derivative, to 1e-10 relative; it is clamped to [1e-3, 1e3].
//
// It returns an error wrapping ErrEmptyCalibration, ErrLengthMismatch or
// ErrNaNScore (a NaN or infinite score), or naming a label that is not a
// class.
func FitTemperature(scores []float64, labels []int, classes int) (Temperature, error) {
	const fn = "FitTemperature"
	if err := checkScores(fn, scores, labels, classes); err != nil {
		return 0, err
	}
	// d/dβ mean NLL(β) at β = 1/T is mean over rows of E_p[z] - z_y, with
	// p = softmax(β z): increasing in β.
	slope := func(beta float64) float64 {
		var sum float64
		for i, y := range labels {
			z := scores[i*classes : (i+1)*classes]
			m := slices.Max(z)
			var norm, ez float64
			for _, v := range z {
				e := math.Exp(beta * (v - m))
				norm += e
				ez += e * v
			}
			sum += ez/norm - z[y]
		}
		return sum / float64(len(labels))
	}
	lo, hi := math.Log(1/maxTemperature), math.Log(1/minTemperature) // log β
	switch {
	case slope(math.Exp(lo)) >= 0:
		return maxTemperature, nil
	case slope(math.Exp(hi)) <= 0:
		return minTemperature, nil
	}
	for hi-lo > 1e-10 {
		mid := (lo + hi) / 2
		if slope(math.Exp(mid)) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return Temperature(math.Exp(-(lo + hi) / 2)), nil
}

// Probabilities returns softmax(scores / T) row by row.
//
// It returns an error wrapping ErrNonPositiveScale if T is not a finite
// value > 0, or if the scores are not whole rows of classes values or hold
// a NaN.
func (t Temperature) Probabilities(scores []float64, classes int) ([]float64, error) {
	if !(t > 0) || math.IsInf(float64(t), 1) {
		return nil, fmt.Errorf("uncertainty: Temperature.Probabilities: T = %v: %w", float64(t), ErrNonPositiveScale)
	}
	scaled := make([]float64, len(scores))
	for i, v := range scores {
		scaled[i] = v / float64(t)
	}
	return Softmax(scaled, classes)
}

// LogMean returns the logarithms of the predictive probabilities,
// log(max(Mean, NLLFloor)), n rows of classes values: the scores to fit a
// Temperature on for a Bayesian classifier.
func (cp *ClassPredictive) LogMean() []float64 {
	out := make([]float64, len(cp.mean))
	for j, p := range cp.mean {
		out[j] = math.Log(max(p, NLLFloor))
	}
	return out
}

// checkScores checks n rows of classes finite scores against n labels.
func checkScores(fn string, scores []float64, labels []int, classes int) error {
	if classes < 1 {
		return fmt.Errorf("uncertainty: %s: classes = %d, want at least 1", fn, classes)
	}
	if len(labels) == 0 {
		return fmt.Errorf("uncertainty: %s: no labels: %w", fn, ErrEmptyCalibration)
	}
	if len(scores) != len(labels)*classes {
		return fmt.Errorf("uncertainty: %s: %d scores for %d labels of %d classes: %w", fn, len(scores), len(labels), classes, ErrLengthMismatch)
	}
	for j, v := range scores {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("uncertainty: %s: score %d (row %d, class %d) = %v: %w", fn, j, j/classes, j%classes, v, ErrNaNScore)
		}
	}
	for i, y := range labels {
		if y < 0 || y >= classes {
			return fmt.Errorf("uncertainty: %s: labels[%d] = %d is not a class in [0, %d)", fn, i, y, classes)
		}
	}
	return nil
}
