package uncertainty

import (
	"fmt"
	"math"
)

// checkFinite returns an error naming name[i] if xs[i] is NaN or infinite.
func checkFinite(fn, name string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("uncertainty: %s: %s[%d] = %v is not finite", fn, name, i, x)
		}
	}
	return nil
}

// checkMatrix checks that samples is a non-empty S x n matrix of finite
// values and returns n.
func checkMatrix(fn string, samples [][]float64) (int, error) {
	if len(samples) == 0 {
		return 0, fmt.Errorf("uncertainty: %s: no samples", fn)
	}
	n := len(samples[0])
	if n == 0 {
		return 0, fmt.Errorf("uncertainty: %s: samples[0] is empty", fn)
	}
	for s, row := range samples {
		if len(row) != n {
			return 0, fmt.Errorf("uncertainty: %s: samples[%d] has %d points, samples[0] has %d", fn, s, len(row), n)
		}
		for i, x := range row {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return 0, fmt.Errorf("uncertainty: %s: samples[%d][%d] = %v is not finite", fn, s, i, x)
			}
		}
	}
	return n, nil
}
