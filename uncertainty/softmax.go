package uncertainty

import (
	"fmt"
	"math"
	"slices"
)

// Softmax turns rows of logits (n rows of classes values, row-major) into
// class probabilities, subtracting each row's maximum so no exponential
// overflows.
func Softmax(logits []float64, classes int) ([]float64, error) {
	if err := checkLogits(logits, classes); err != nil {
		return nil, err
	}
	p := make([]float64, len(logits))
	return p, softmaxInto(p, logits, classes)
}

// checkLogits returns Softmax's error for logits that are not whole rows.
func checkLogits(logits []float64, classes int) error {
	if classes <= 0 || len(logits) == 0 || len(logits)%classes != 0 {
		return fmt.Errorf("uncertainty: Softmax: %d logits is not a whole number of rows of %d classes", len(logits), classes)
	}
	return nil
}

// softmaxInto is Softmax writing into p, of len(logits), for logits of
// whole rows.
func softmaxInto(p, logits []float64, classes int) error {
	for r := 0; r < len(logits); r += classes {
		row := logits[r : r+classes]
		m := math.Inf(-1)
		for i, v := range row {
			if math.IsNaN(v) {
				return fmt.Errorf("uncertainty: Softmax: logit %d of row %d is NaN", i, r/classes)
			}
			m = math.Max(m, v)
		}
		sum := 0.0
		for i, v := range row {
			e := math.Exp(v - m)
			p[r+i] = e
			sum += e
		}
		for i := range row {
			p[r+i] /= sum
		}
	}
	return nil
}

// FromLogits returns the class predictive of sampled logits: logits[s] is
// pass s's output, n rows of classes values.
//
// It converts one sample at a time into a buffer it reuses, so that the
// probabilities of all samples are never held at once.
func FromLogits(logits [][]float64, n, classes int) (*ClassPredictive, error) {
	const fn = "NewClassPredictive" // the errors of the probabilities
	if len(logits) == 0 {
		return nil, fmt.Errorf("uncertainty: %s: no samples", fn)
	}
	for s, l := range logits {
		if err := checkLogits(l, classes); err != nil {
			return nil, fmt.Errorf("sample %d: %w", s, err)
		}
	}
	a, err := newAccumulator(fn, len(logits), n, classes)
	if err != nil {
		return nil, err
	}
	var probs []float64
	for s, l := range logits {
		probs = slices.Grow(probs[:0], len(l))[:len(l)]
		if err := softmaxInto(probs, l, classes); err != nil {
			return nil, fmt.Errorf("sample %d: %w", s, err)
		}
		if err := a.check(s, probs); err != nil {
			return nil, err
		}
		a.add(probs)
	}
	return a.result(), nil
}
