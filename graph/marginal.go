package graph

import "math/rand/v2"

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
// reproduces it, and it advances the noise generator as Predict does.
func (m *Model) PredictMarginal(x []float64, samples int) (*Prediction, error) {
	n, err := m.checkPredict("PredictMarginal", x, samples)
	if err != nil {
		return nil, err
	}
	chunks, err := m.predictGraphs(n, marginal)
	if err != nil {
		return nil, err
	}
	saved := m.noiseRNG
	defer func() { m.noiseRNG = saved }()
	passSeeds := make([]uint64, samples)
	for s := range passSeeds {
		passSeeds[s] = saved.Uint64()
	}
	w := m.InputWidth()
	p := &Prediction{N: n, Samples: make([][]float64, samples)}
	var chunkOut []float64
	// Chunk by chunk, every pass: the layers' moments, computed on a
	// chunk's first pass, serve all its passes. Chunks of one pass draw
	// from streams of their own, so that no two examples of a pass share
	// noise; chunk 0's is Predict's, so without a layer fed the data
	// PredictMarginal of one chunk is Predict.
	for ci, c := range chunks {
		if err := c.g.SetX(x[c.start*w : (c.start+c.g.batch)*w]); err != nil {
			return nil, err
		}
		for s, seed := range passSeeds {
			m.noiseRNG = rand.New(rand.NewPCG(seed, passStream+uint64(ci)))
			if err := c.g.Run(); err != nil {
				return nil, err
			}
			chunkOut = c.g.Output(chunkOut)
			if p.Samples[s] == nil {
				p.Width = len(chunkOut) / c.g.batch
				p.Samples[s] = make([]float64, n*p.Width)
			}
			copy(p.Samples[s][c.start*p.Width:], chunkOut)
		}
	}
	return p, nil
}
