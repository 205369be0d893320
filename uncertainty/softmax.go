package uncertainty

import (
	"fmt"
	"math"
)

// Softmax turns rows of logits (n rows of classes values, row-major) into
// class probabilities, subtracting each row's maximum so no exponential
// overflows.
func Softmax(logits []float64, classes int) ([]float64, error) {
	if classes <= 0 || len(logits) == 0 || len(logits)%classes != 0 {
		return nil, fmt.Errorf("uncertainty: Softmax: %d logits is not a whole number of rows of %d classes", len(logits), classes)
	}
	p := make([]float64, len(logits))
	for r := 0; r < len(logits); r += classes {
		row := logits[r : r+classes]
		m := math.Inf(-1)
		for i, v := range row {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("uncertainty: Softmax: logit %d of row %d is NaN", i, r/classes)
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
	return p, nil
}

// FromLogits returns the class predictive of sampled logits: logits[s] is
// pass s's output, n rows of classes values.
func FromLogits(logits [][]float64, n, classes int) (*ClassPredictive, error) {
	probs := make([][]float64, len(logits))
	for s, l := range logits {
		var err error
		if probs[s], err = Softmax(l, classes); err != nil {
			return nil, fmt.Errorf("sample %d: %w", s, err)
		}
	}
	return NewClassPredictive(probs, n, classes)
}
