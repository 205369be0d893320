package bayesnodes

import (
	"fmt"
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

func (e Estimator) String() string {
	switch e {
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
