package uncertainty

import "math"

// Entropy returns the predictive entropy of each input, the entropy
// -sum_c p_c log p_c of the mean probabilities, in nats (0 log 0 = 0). It
// is the total uncertainty: 0 for a certain prediction, log(classes) for a
// uniform one.
func (cp *ClassPredictive) Entropy() []float64 {
	h := make([]float64, cp.n)
	for i := range h {
		h[i] = entropy(cp.row(i))
	}
	return h
}

// ExpectedEntropy returns, for each input, the mean over samples of the
// entropy of each sample's probabilities, in nats: the aleatoric part of
// the uncertainty, which remains even when the weights are known.
func (cp *ClassPredictive) ExpectedEntropy() []float64 {
	return append([]float64(nil), cp.expectedEntropy...)
}

// MutualInformation returns, for each input, the mutual information
// between the prediction and the weights, Entropy - ExpectedEntropy, in
// nats: the epistemic part of the uncertainty, large where the samples are
// individually confident but disagree, and the BALD acquisition score
// (Houlsby et al. 2011). It is non-negative in exact arithmetic (entropy is
// concave); values that rounding makes slightly negative are returned as 0.
func (cp *ClassPredictive) MutualInformation() []float64 {
	mi := make([]float64, cp.n)
	for i := range mi {
		mi[i] = max(0, entropy(cp.row(i))-cp.expectedEntropy[i])
	}
	return mi
}

// entropy returns -sum p log p in nats, skipping zeros. Probabilities a
// little above 1 (within SumTolerance) would make it slightly negative: it
// returns 0 then.
func entropy(p []float64) float64 {
	var h float64
	for _, x := range p {
		if x > 0 {
			h -= x * math.Log(x)
		}
	}
	return max(0, h)
}

// MeanEntropy returns the mean over inputs of Entropy.
func (cp *ClassPredictive) MeanEntropy() float64 {
	var s float64
	for _, h := range cp.Entropy() {
		s += h
	}
	return s / float64(cp.n)
}
