package uncertainty

import (
	"fmt"
	"math"
)

// Decomposition is the predictive distribution of a network that predicts
// its own noise (a heteroscedastic likelihood), split by source.
type Decomposition struct {
	// Mean is the predictive mean at each point.
	Mean []float64
	// Epistemic is the sd of the sampled means: what more data would
	// remove.
	Epistemic []float64
	// Aleatoric is the root mean sampled noise variance: the noise the
	// model expects in the data itself.
	Aleatoric []float64
	// Total is sqrt(Epistemic^2 + Aleatoric^2), the sd of the whole
	// predictive by the law of total variance.
	Total []float64
}

// SummarizeHeteroscedastic returns the predictive of S Monte-Carlo samples
// of means and noise sds: means[s][i] and sds[s][i] are sample s's mean
// and noise sd at point i (losses.Heteroscedastic.Split gives them). The
// predictive is the mixture of the S Gaussians N(means[s][i], sds[s][i]^2).
//
// It returns an error if means is invalid as for Summarize, an error
// wrapping ErrLengthMismatch if sds is not shaped like means, or one
// wrapping ErrNonPositiveScale for an sd that is not a finite value > 0.
func SummarizeHeteroscedastic(means, sds [][]float64) (Decomposition, error) {
	const fn = "SummarizeHeteroscedastic"
	s, err := Summarize(means)
	if err != nil {
		return Decomposition{}, err
	}
	if len(sds) != len(means) {
		return Decomposition{}, fmt.Errorf("uncertainty: %s: %d samples of means, %d of sds: %w", fn, len(means), len(sds), ErrLengthMismatch)
	}
	n := len(s.Mean)
	alea := make([]float64, n)
	for k, row := range sds {
		if len(row) != n {
			return Decomposition{}, fmt.Errorf("uncertainty: %s: sds[%d] has %d points, means %d: %w", fn, k, len(row), n, ErrLengthMismatch)
		}
		for i, sd := range row {
			if !(sd > 0) || math.IsInf(sd, 1) {
				return Decomposition{}, fmt.Errorf("uncertainty: %s: sds[%d][%d] = %v, want a finite value > 0: %w", fn, k, i, sd, ErrNonPositiveScale)
			}
			alea[i] += sd * sd
		}
	}
	total := make([]float64, n)
	for i := range alea {
		alea[i] = math.Sqrt(alea[i] / float64(len(sds)))
		total[i] = math.Hypot(s.Std[i], alea[i])
	}
	return Decomposition{Mean: s.Mean, Epistemic: s.Std, Aleatoric: alea, Total: total}, nil
}
