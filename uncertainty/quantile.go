package uncertainty

import (
	"fmt"
	"math"
	"slices"
)

// Quantiles returns, for each probability probs[j], the probs[j]-quantile
// over Monte-Carlo samples at each point: q[j][i] is the probs[j]-quantile
// of samples[0][i], ..., samples[S-1][i]. A central 90% band is therefore
// Quantiles(samples, 0.05, 0.95), giving the lower and upper curves.
//
// Quantiles are interpolated linearly between order statistics, type 7 of
// Hyndman and Fan (1996), the default of numpy.quantile and R: with the S
// values of a point sorted as x[0] <= ... <= x[S-1], h = (S-1)p and
// q(p) = x[⌊h⌋] + (h-⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]). So p = 0 is the minimum,
// p = 1 the maximum and p = 0.5 the usual median.
//
// It returns an error if there are no probabilities, a probability is
// outside [0, 1], or samples is invalid as for Summarize.
func Quantiles(samples [][]float64, probs ...float64) ([][]float64, error) {
	n, err := checkMatrix("Quantiles", samples)
	if err != nil {
		return nil, err
	}
	if len(probs) == 0 {
		return nil, fmt.Errorf("uncertainty: Quantiles: no probabilities")
	}
	for j, p := range probs {
		if !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("uncertainty: Quantiles: probs[%d] = %v is outside [0, 1]", j, p)
		}
	}
	q := make([][]float64, len(probs))
	for j := range q {
		q[j] = make([]float64, n)
	}
	col := make([]float64, len(samples))
	for i := range n {
		for s, row := range samples {
			col[s] = row[i]
		}
		slices.Sort(col)
		for j, p := range probs {
			q[j][i] = quantileSorted(col, p)
		}
	}
	return q, nil
}

// quantileSorted is the type-7 quantile of the sorted, non-empty xs.
func quantileSorted(xs []float64, p float64) float64 {
	h := float64(len(xs)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	frac := h - float64(lo)
	if frac == 0 {
		return xs[lo]
	}
	return xs[lo] + frac*(xs[lo+1]-xs[lo])
}
