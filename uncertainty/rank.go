package uncertainty

import (
	"fmt"
	"math"
	"sort"
)

// MostUncertain returns the indices of the k largest scores, largest
// first; ties keep the order of the indices. With an uncertainty score per
// input, such as the predictive entropy or the mutual information, these
// are the inputs to look at first, or to label next in active learning.
// If k exceeds len(scores), all indices are returned.
//
// It returns an error if k is negative or a score is NaN.
func MostUncertain(scores []float64, k int) ([]int, error) {
	if k < 0 {
		return nil, fmt.Errorf("uncertainty: MostUncertain: k = %d, want >= 0", k)
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("uncertainty: MostUncertain: scores[%d] is NaN", i)
		}
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	return idx[:min(k, len(idx))], nil
}
