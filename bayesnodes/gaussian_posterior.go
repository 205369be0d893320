package bayesnodes

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// The Gaussian posterior: every weight independent, w ~ N(mu, sigma^2)
// with sigma = softplus(rho).

// NewPosterior returns a posterior over a tensor of the given shape; its
// parameters are named name+".mu" and name+".rho" (a layer passes e.g.
// "fc1.weight"). muInit and rhoInit fill them on first use.
func NewPosterior(name string, shape []int, prior Prior, muInit, rhoInit graph.Initializer, kl KLMethod) (*Posterior, error) {
	if err := validatePrior(prior); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, ok := prior.(SparsePrior); ok {
		return nil, fmt.Errorf("bayesnodes: %s: the prior %T needs a sparse posterior: use NewSparsePosterior, or WithSparseVD for a layer", name, prior)
	}
	if kl < KLAuto || kl > KLMonteCarlo {
		return nil, fmt.Errorf("bayesnodes: %s: unknown KL method %d", name, int(kl))
	}
	if kl == KLClosedForm {
		if _, ok := prior.(ClosedFormPrior); !ok {
			return nil, fmt.Errorf("bayesnodes: %s: KLClosedForm asked for, but the prior %T has no closed form", name, prior)
		}
	}
	mu, err := graph.NewParam(name+".mu", shape, muInit)
	if err != nil {
		return nil, err
	}
	rho, err := graph.NewParam(name+".rho", shape, rhoInit)
	if err != nil {
		return nil, err
	}
	return &Posterior{Mu: mu, Rho: rho, Prior: prior, KL: kl}, nil
}

// Gaussian is a posterior's parameters in a graph: the fully factorised
// N(mu, sigma^2) with sigma = softplus(rho). It is what a ClosedFormPrior
// takes its KL from.
type Gaussian struct {
	Mu, Rho *G.Node
}

// Sigma adds sigma = softplus(rho) to the graph, differentiable in rho.
// Repeated calls give one node, and it shares its softplus evaluation with
// the fused sample, KL and log q ops of the same rho (see gaussian_ops.go).
// TapeMachine runs every node of a graph, used or not, so sigma is built
// only where something asks for it.
func (q Gaussian) Sigma() (*G.Node, error) {
	if q.Rho == nil {
		return nil, errors.New("bayesnodes: Gaussian.Sigma: nil rho node")
	}
	return fusedSigma(q.Rho)
}

// Gaussian adds the posterior's parameter nodes, mu and rho, to the graph.
// A sparse posterior has no rho: it returns an error.
func (p *Posterior) Gaussian(b *graph.Builder) (Gaussian, error) {
	if p.Rho == nil {
		return Gaussian{}, fmt.Errorf("bayesnodes: %s is a sparse posterior: it has no rho", p.Name())
	}
	mu, err := b.Param(p.Mu)
	if err != nil {
		return Gaussian{}, err
	}
	rho, err := b.Param(p.Rho)
	if err != nil {
		return Gaussian{}, err
	}
	return Gaussian{Mu: mu, Rho: rho}, nil
}

// gaussianFamily is the Gaussian posterior's family (see family).
type gaussianFamily struct{}

func (gaussianFamily) meanSuffix() string               { return ".mu" }
func (gaussianFamily) spreadSuffix() string             { return ".rho" }
func (gaussianFamily) spread(p *Posterior) *graph.Param { return p.Rho }
func (gaussianFamily) sigmaOf(rho float64) float64      { return Softplus(rho) }
func (gaussianFamily) spreadOf(sigma float64) float64   { return InverseSoftplus(sigma) }

// moments returns mu and sigma = softplus(rho).
func (gaussianFamily) moments(p *Posterior, b *graph.Builder) (mu, sigma *G.Node, err error) {
	q, err := p.Gaussian(b)
	if err != nil {
		return nil, nil, err
	}
	if sigma, err = q.Sigma(); err != nil {
		return nil, nil, err
	}
	return q.Mu, sigma, nil
}

// draw is lazy: its weights are the fused sample, built on first use.
func (gaussianFamily) draw(p *Posterior, b *graph.Builder) (*Draw, error) {
	q, err := p.Gaussian(b)
	if err != nil {
		return nil, err
	}
	eps, err := b.Noise(p.Name(), graph.Gaussian, p.Mu.Shape()...)
	if err != nil {
		return nil, err
	}
	return &Draw{Gaussian: q, Eps: eps}, nil
}

// kl is the prior's closed form where it has one and the method allows,
// log q(w) - log p(w) at the draw otherwise.
func (gaussianFamily) kl(p *Posterior, b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error) {
	if method != KLMonteCarlo {
		if cf, ok := p.Prior.(ClosedFormPrior); ok {
			var q Gaussian
			var err error
			if d != nil {
				q = d.Gaussian
			} else if q, err = p.Gaussian(b); err != nil {
				return nil, err
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

// logAlpha is log(sigma^2 / mu^2) = -2 log(|mu| / sigma), clipped.
func (gaussianFamily) logAlpha(p *Posterior) []float64 {
	snr := p.SignalToNoise()
	for i, r := range snr {
		snr[i], _ = clipLogAlpha(-2 * math.Log(r))
	}
	return snr
}

// LogQ adds sum log q(w) at the drawn weights. Since (w - mu) / sigma = eps,
// it is -sum log sigma - sum eps^2 / 2 - n log(2 pi) / 2: the same function of
// mu and rho as the density at w, without the round trip through w. It is
// one fused op over rho and eps (see gaussian_ops.go).
func (p *Posterior) LogQ(b *graph.Builder, d *Draw) (*G.Node, error) {
	if d == nil || d.Rho == nil || d.Eps == nil {
		return nil, fmt.Errorf("bayesnodes: %s: LogQ of an incomplete draw", p.Name())
	}
	return fusedLogQ(d.Rho, d.Eps)
}

// LogPrior adds sum log p(w) at the drawn weights.
func (p *Posterior) LogPrior(b *graph.Builder, d *Draw) (*G.Node, error) {
	if d == nil || d.Eps == nil {
		return nil, fmt.Errorf("bayesnodes: %s: LogPrior of an incomplete draw", p.Name())
	}
	w, err := d.weights()
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	return p.Prior.LogProb(b, w)
}
