package uncertainty

import (
	"fmt"
	"math"
)

// RMSE returns the root mean squared error sqrt(mean((a[i] - b[i])^2)),
// typically between targets and the predictive mean.
//
// It returns an error if the slices are empty or differ in length, or if a
// value is NaN or infinite.
func RMSE(a, b []float64) (float64, error) {
	if len(a) == 0 {
		return 0, fmt.Errorf("uncertainty: RMSE: a is empty")
	}
	if len(b) != len(a) {
		return 0, fmt.Errorf("uncertainty: RMSE: b has %d values, a has %d", len(b), len(a))
	}
	if err := checkFinite("RMSE", "a", a); err != nil {
		return 0, err
	}
	if err := checkFinite("RMSE", "b", b); err != nil {
		return 0, err
	}
	var sum float64
	for i := range a {
		d := a[i] - b[i]
		sum += d * d
	}
	return math.Sqrt(sum / float64(len(a))), nil
}
