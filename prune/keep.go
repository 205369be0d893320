package prune

import (
	"errors"
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

// ErrThreshold is returned for a threshold that is not a number the rule
// can use.
var ErrThreshold = errors.New("prune: bad threshold")

// ErrNotUsed is returned for a posterior whose parameters have no values
// yet: no model has built a graph with it.
var ErrNotUsed = errors.New("prune: the posterior has no values yet (build a graph with it first)")

// Keep returns, per weight of p in its row-major order, whether the weight
// is kept by the posterior's own rule (bayesnodes.Posterior.Keep): for a
// sparse posterior the weight is dropped where log alpha (clipped, as the
// KL uses it) is above threshold; for a Gaussian posterior where |mu| /
// sigma is below threshold.
func Keep(p bayesnodes.Posterior, threshold float64) ([]bool, error) {
	if p == nil {
		return nil, errors.New("prune: nil posterior")
	}
	if math.IsNaN(threshold) || math.IsInf(threshold, 0) {
		return nil, fmt.Errorf("%w: %s: threshold is %v, want a finite value", ErrThreshold, p.Name(), threshold)
	}
	keep, err := p.Keep(threshold)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrThreshold, err)
	}
	if keep == nil {
		return nil, fmt.Errorf("%s: %w", p.Name(), ErrNotUsed)
	}
	return keep, nil
}

// KeepSignalToNoise returns, per weight of a posterior given by its means
// and standard deviations, whether its signal-to-noise ratio |mean| / sd is
// at least threshold: the rule Keep applies to a Gaussian posterior, for
// code that holds the values rather than the posterior (an exporter
// reading a model's parameters, checkpoint.MeanWeights).
func KeepSignalToNoise(mean, sd []float64, threshold float64) ([]bool, error) {
	if len(mean) != len(sd) {
		return nil, fmt.Errorf("%w: %d means and %d standard deviations", ErrShape, len(mean), len(sd))
	}
	if !(threshold >= 0) || math.IsInf(threshold, 0) {
		return nil, fmt.Errorf("%w: signal-to-noise threshold is %v, want a finite value >= 0", ErrThreshold, threshold)
	}
	snr := make([]float64, len(mean))
	for i, m := range mean {
		snr[i] = math.Abs(m) / sd[i]
	}
	return keepSNR(snr, threshold), nil
}

// keepSNR keeps the weights whose signal-to-noise ratio reaches threshold.
func keepSNR(snr []float64, threshold float64) []bool {
	keep := make([]bool, len(snr))
	for i, r := range snr {
		keep[i] = r >= threshold
	}
	return keep
}

// Means returns p's posterior means (theta for a sparse posterior) with the weights keep drops set to zero; keep nil keeps
// every weight.
func Means(p bayesnodes.Posterior, keep []bool) ([]float64, error) {
	if p == nil {
		return nil, errors.New("prune: nil posterior")
	}
	mu := p.Mean().Values()
	if mu == nil {
		return nil, fmt.Errorf("%s: %w", p.Name(), ErrNotUsed)
	}
	if keep == nil {
		return mu, nil
	}
	if len(keep) != len(mu) {
		return nil, fmt.Errorf("prune: %s: %d keep decisions for %d weights", p.Name(), len(keep), len(mu))
	}
	for i, k := range keep {
		if !k {
			mu[i] = 0
		}
	}
	return mu, nil
}

// Zero sets the means of the weights keep drops to zero in the model's
// parameter, so the model (frozen, or through PredictMean) predicts with
// the pruned network. Sampled predictions drop them too: their sigma is
// set to about 1e-13 (rho -30, or log sigma^2 -60).
func Zero(p bayesnodes.Posterior, keep []bool) error {
	if _, err := Means(p, keep); err != nil {
		return err
	}
	return p.Drop(keep)
}
