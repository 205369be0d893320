package graph

// PredictMarginal runs the network samples times over x, as Predict does,
// and returns every pass's output in the same layout; but a pass is not
// one function drawn from the posterior. Each example's output is drawn
// from its exact predictive distribution, as under Predict, while the
// examples of a pass no longer share weights: a dense Bayesian layer
// applied to the network's input node itself (Builder.IsX; bayesnodes'
// Linear does this) samples each example's pre-activations from their
// Gaussian, N(x mu^T + b_mu, x^2 (sigma^2)^T + sigma_b^2) (the local
// reparameterisation), and for one example that is the distribution
// sampled weights give, since a dense layer uses each weight once per
// example. Other layers (and convolutions, whose kernels are shared
// across pixels, everywhere) sample their weights as under Predict. A
// network that shares such a layer's weights with a later layer (tied
// weights) would lose their correlation: building it fails with an error,
// and it needs Predict.
//
// It is for per-example statistics (predictive mean, sd, quantiles,
// entropy, mutual information, calibration, out-of-distribution scores),
// which it estimates as Predict does, faster: the data is the same on
// every pass, so the first layer's mean and standard deviation are
// computed once and a pass only draws mean + sd * eps, skipping the
// first layer's matrix product (most of an MLP's work on images). Use
// Predict to draw functions, e.g. to plot sampled curves or to compare
// examples within one pass.
//
// While the model is frozen it returns PredictMean's outputs. A seed
// reproduces it, and it advances the noise generator by a run per pass
// and chunk of MaxPredictBatch examples (Predict, a run per pass);
// PredictSeed makes a call's outputs depend on its own seed only. It is
// safe for concurrent use (see Model).
func (m *Model) PredictMarginal(x []float64, samples int, opts ...PredictOption) (*Prediction, error) {
	return m.predict("PredictMarginal", marginal, x, samples, false, opts)
}
