package bayesnodes

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// The KL divergence of each posterior family from each kind of prior: a
// prior offers a closed form against a family by implementing that
// family's interface (ClosedFormPrior for the Gaussian, SparsePrior for
// sparse variational dropout); without one, a Gaussian posterior's KL is
// the one-sample Monte-Carlo estimate log q(w) - log p(w), and a sparse
// posterior has none.
//
//	posterior          prior                        KL
//	GaussianPosterior  ClosedFormPrior (Normal,     closed form (KLNormal), unless
//	                   ScaleMixture of one scale)   KLMonteCarlo is asked for
//	GaussianPosterior  any other Prior              Monte Carlo at the draw
//	SparsePosterior    SparsePrior (LogUniform)     Molchanov et al.'s approximation (KLSparse)
//	SparsePosterior    any other Prior              an error naming the prior

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

// KLNormal adds sum_i KL(N(mu_i, sigma_i^2) || N(Mu, Sigma^2)) =
// sum_i log(Sigma/sigma_i) + (sigma_i^2 + (mu_i - Mu)^2) / (2 Sigma^2) - 1/2,
// sigma = softplus(rho), as one fused op over mu and rho whose gradient is
// one fused op for each (see gaussian_ops.go).
func (n Normal) KLNormal(b *graph.Builder, q Gaussian) (*G.Node, error) {
	if q.Mu == nil || q.Rho == nil {
		return nil, fmt.Errorf("bayesnodes: Normal.KLNormal: nil mu or rho node")
	}
	return fusedGaussianKL(q.Mu, q.Rho, n.Mu, n.Sigma)
}

// KLNormal is the closed form when the mixture has a single component, and
// ErrNoClosedForm otherwise.
func (s ScaleMixture) KLNormal(b *graph.Builder, q Gaussian) (*G.Node, error) {
	if n, ok := s.single(); ok {
		return n.KLNormal(b, q)
	}
	return nil, ErrNoClosedForm
}

// KLSparse adds sum_i KL(q_i || p) for the posterior weights N(theta_i,
// sigma_i^2), by the approximation of Molchanov et al. (2017, eq. 14) at
// log alpha = log sigma^2 - log theta^2 clipped to [LogAlphaMin,
// LogAlphaMax] (see LogUniformKL), as one fused op. Its gradient is zero
// where log alpha is clipped.
func (LogUniform) KLSparse(b *graph.Builder, q Sparse) (*G.Node, error) {
	if q.Theta == nil || q.LogSigma2 == nil {
		return nil, errors.New("bayesnodes: LogUniform.KLSparse: nil theta or log sigma^2 node")
	}
	return sparseKL(q.Theta, q.LogSigma2)
}

// SparsePrior is a prior with a KL divergence from a sparse posterior.
type SparsePrior interface {
	Prior
	KLSparse(b *graph.Builder, q Sparse) (*G.Node, error)
}

// checkSparsePrior reports a prior a sparse posterior cannot use.
func checkSparsePrior(p Prior) error {
	if p == nil {
		return errors.New("bayesnodes: nil prior")
	}
	if _, ok := p.(SparsePrior); !ok {
		return fmt.Errorf("bayesnodes: a sparse posterior needs a prior with a KL from it (LogUniform), not %T", p)
	}
	return nil
}

// KLOf is the prior's closed form where it has one and the method allows,
// log q(w) - log p(w) at the draw otherwise.
func (p *GaussianPosterior) KLOf(b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error) {
	if method != KLMonteCarlo {
		if cf, ok := p.Prior.(ClosedFormPrior); ok {
			q := Gaussian{}
			if d != nil {
				q = Gaussian{Mu: d.Mean, Rho: d.Spread}
			} else if g, err := p.Gaussian(b); err != nil {
				return nil, err
			} else {
				q = g
			}
			kl, err := cf.KLNormal(b, q)
			if err == nil {
				return kl, nil
			}
			if method == KLClosedForm || !errors.Is(err, ErrNoClosedForm) {
				return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
			}
		} else if method == KLClosedForm {
			return nil, fmt.Errorf("bayesnodes: %s: the prior %T has no closed-form KL", p.Mu.Name(), p.Prior)
		}
	}
	if d == nil {
		var err error
		if d, err = p.Draw(b); err != nil {
			return nil, err
		}
		if _, err := d.Weights(); err != nil {
			return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
		}
	}
	logQ, err := p.LogQ(b, d)
	if err != nil {
		return nil, err
	}
	logP, err := p.LogPrior(b, d)
	if err != nil {
		return nil, err
	}
	return G.Sub(logQ, logP)
}

// KLOf is the prior's KL from the posterior, at d's parameters (the
// whole tensor's with d nil). There is no Monte-Carlo estimate (the
// log-uniform prior has no density).
func (p *SparsePosterior) KLOf(b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error) {
	if method == KLMonteCarlo {
		return nil, fmt.Errorf("bayesnodes: %s: no Monte-Carlo KL for a sparse posterior: %w", p.Name(), ErrImproperPrior)
	}
	prior, ok := p.Prior.(SparsePrior)
	if !ok {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), checkSparsePrior(p.Prior))
	}
	q := Sparse{}
	if d != nil {
		q = Sparse{Theta: d.Mean, LogSigma2: d.Spread}
	} else if s, err := p.Sparse(b); err != nil {
		return nil, err
	} else {
		q = s
	}
	kl, err := prior.KLSparse(b, q)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	return kl, nil
}
