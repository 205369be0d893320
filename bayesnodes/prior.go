package bayesnodes

import (
	"errors"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Prior is a prior distribution over the weights of one parameter tensor,
// every weight independent and identically distributed.
type Prior interface {
	// LogProb adds to b's graph the sum over the elements of w of log p(w).
	LogProb(b *graph.Builder, w *G.Node) (*G.Node, error)
}

// ClosedFormPrior is a prior with a closed-form KL divergence from a
// diagonal Gaussian posterior.
type ClosedFormPrior interface {
	Prior
	// KLNormal adds to b's graph the sum over elements of
	// KL(N(mu, sigma^2) || p) for the posterior q, sigma = softplus(rho).
	// It receives mu and rho rather than sigma so that a fused op can
	// take the KL from them in one pass (Normal does); a prior written in
	// graph nodes calls q.Sigma(). It returns ErrNoClosedForm when the
	// prior's settings have none (a true mixture, say).
	KLNormal(b *graph.Builder, q Gaussian) (*G.Node, error)
}

// ErrNoClosedForm is returned by ClosedFormPrior.KLNormal when no closed
// form exists for the prior's settings.
var ErrNoClosedForm = errors.New("the prior has no closed-form KL")

// validator is implemented by priors that can check their settings.
type validator interface {
	Validate() error
}

func validatePrior(p Prior) error {
	if p == nil {
		return errors.New("bayesnodes: nil prior")
	}
	if v, ok := p.(validator); ok {
		return v.Validate()
	}
	return nil
}
