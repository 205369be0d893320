package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Estimator is how a layer turns its weight posterior into outputs while it
// trains. The KL term is the same whatever the estimator, and so is each
// example's predictive distribution: Model.Predict's graphs sample the
// weights, one network per pass, under every estimator, and so do
// Model.PredictMarginal's, except in a Linear layer fed the data, which
// samples its pre-activations there from moments kept across passes.
type Estimator int

const (
	// Reparameterization samples the weights, w = mu + sigma * eps, once
	// per run and applies them to the whole batch (Blundell et al. 2015).
	// It is the default.
	Reparameterization Estimator = iota
	// LocalReparameterization samples each example's pre-activations from
	// their exact Gaussian under the posterior, N(x mu^T + b_mu,
	// x^2 (sigma^2)^T + sigma_b^2) (Kingma et al. 2015): every example
	// gets independent weight noise, so minibatch gradients vary less, and
	// the noise drawn per run is [batch, out] rather than weight-sized.
	// Samples of one run are not one function across examples.
	LocalReparameterization
	// Flipout draws one weight perturbation per run and decorrelates it
	// across examples with random signs per example and channel (Wen et
	// al. 2018): y = x mu^T + b + ((x * s_in)(sigma * eps)^T) * s_out. Like
	// LocalReparameterization it lowers the variance of minibatch
	// gradients; unlike it, each example's output is that of one sampled
	// network, and it works for any layer linear in its weights, at the
	// cost of a second matrix product.
	Flipout
)

// sharedMoments is the estimator of a dense layer fed the data in a
// marginal prediction graph (see inDense and sampleMarginal). Users cannot
// choose it: WithEstimator and UnmarshalText reject it.
const sharedMoments Estimator = -1

func (e Estimator) String() string {
	switch e {
	case sharedMoments:
		return "shared-moments"
	case Reparameterization:
		return "reparameterization"
	case LocalReparameterization:
		return "local-reparameterization"
	case Flipout:
		return "flipout"
	}
	return fmt.Sprintf("Estimator(%d)", int(e))
}

// WithEstimator chooses the layer's estimator (default Reparameterization).
func WithEstimator(e Estimator) Option {
	return func(c *config) {
		if e < Reparameterization || e > Flipout {
			c.errs = append(c.errs, fmt.Errorf("unknown estimator %d", int(e)))
		}
		c.estimator = e
	}
}

// in returns the estimator a layer uses in b's graph: weight sampling in
// prediction graphs (see graph.Builder.Predicting), e otherwise.
func (e Estimator) in(b *graph.Builder) Estimator {
	if b.Predicting() && e >= Reparameterization && e <= Flipout {
		return Reparameterization
	}
	return e
}

// inDense is in for a dense layer with these posteriors (bias may be nil)
// applied to x. In a marginal prediction graph (graph.Builder.Marginal) a
// dense layer fed the data samples its pre-activations from their
// moments, which it computes once for all passes (sampleMarginal): for one
// example that is the distribution its sampled weights give, and a pass
// costs no matrix product. Not where the graph has already sampled the
// weights: the layer must then use that sample.
func (e Estimator) inDense(b *graph.Builder, x *G.Node, weight, bias *Posterior) Estimator {
	sampled := b.Built(weight) || bias != nil && b.Built(bias)
	if b.Marginal() && b.IsX(x) && !sampled && e >= Reparameterization && e <= Flipout {
		return sharedMoments
	}
	return e.in(b)
}

// MarshalText returns the estimator's name, as String does.
func (e Estimator) MarshalText() ([]byte, error) {
	if e < Reparameterization || e > Flipout {
		return nil, fmt.Errorf("bayesnodes: unknown estimator %d", int(e))
	}
	return []byte(e.String()), nil
}

// UnmarshalText sets e from its name ("reparameterization",
// "local-reparameterization" or "flipout"), so an estimator can be a
// command-line flag (flag.TextVar) or a field of a configuration file.
func (e *Estimator) UnmarshalText(text []byte) error {
	for c := Reparameterization; c <= Flipout; c++ {
		if string(text) == c.String() {
			*e = c
			return nil
		}
	}
	return fmt.Errorf("bayesnodes: unknown estimator %q (want reparameterization, local-reparameterization or flipout)", text)
}
