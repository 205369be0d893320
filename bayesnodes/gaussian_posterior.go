package bayesnodes

import (
	"errors"
	"fmt"
	"math"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// GaussianPosterior is the Gaussian posterior: every weight independent,
// w ~ N(mu, sigma^2) with sigma = softplus(rho), so that rho is
// unconstrained. Its KL from a prior is the prior's closed form where it
// has one (ClosedFormPrior), a one-sample Monte-Carlo estimate otherwise
// (see kl.go).
type GaussianPosterior struct {
	Mu, Rho *graph.Param
	Prior   Prior
	KL      KLMethod
}

// NewPosterior returns a Gaussian posterior over a tensor of the given
// shape; its parameters are named name+".mu" and name+".rho" (a layer
// passes e.g. "fc1.weight"). muInit and rhoInit fill them on first use.
func NewPosterior(name string, shape []int, prior Prior, muInit, rhoInit graph.Initializer, kl KLMethod) (*GaussianPosterior, error) {
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
	mu, err := graph.NewParam(name+gaussianLayout.Mean, shape, muInit)
	if err != nil {
		return nil, err
	}
	rho, err := graph.NewParam(name+gaussianLayout.Spread, shape, rhoInit)
	if err != nil {
		return nil, err
	}
	return &GaussianPosterior{Mu: mu, Rho: rho, Prior: prior, KL: kl}, nil
}

// Gaussian is a Gaussian posterior's parameters in a graph: the fully
// factorised N(mu, sigma^2) with sigma = softplus(rho). It is what a
// ClosedFormPrior takes its KL from.
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

// gaussianLayout is how a Gaussian posterior is stored (see ParamLayout).
var gaussianLayout = ParamLayout{Mean: ".mu", Spread: ".rho", Sigma: Softplus}

// Name returns the parameters' name without ".mu".
func (p *GaussianPosterior) Name() string {
	return strings.TrimSuffix(p.Mu.Name(), gaussianLayout.Mean)
}

// Params returns mu and rho.
func (p *GaussianPosterior) Params() []*graph.Param { return []*graph.Param{p.Mu, p.Rho} }

// Mean returns mu.
func (p *GaussianPosterior) Mean() *graph.Param { return p.Mu }

// Gaussian adds the posterior's parameter nodes, mu and rho, to the graph.
func (p *GaussianPosterior) Gaussian(b *graph.Builder) (Gaussian, error) {
	mu, rho, err := paramNodes(b, p)
	return Gaussian{Mu: mu, Rho: rho}, err
}

// Sample draws the weights once per graph and adds their KL.
func (p *GaussianPosterior) Sample(b *graph.Builder) (*G.Node, error) { return samplePosterior(b, p) }

// AddKL adds the KL term by the posterior's method, once per graph.
func (p *GaussianPosterior) AddKL(b *graph.Builder, d *Draw) error { return addKL(b, p, d, p.KL) }

// Moments returns mu and sigma = softplus(rho).
func (p *GaussianPosterior) Moments(b *graph.Builder) (mu, sigma *G.Node, err error) {
	q, err := p.Gaussian(b)
	if err != nil {
		return nil, nil, err
	}
	if sigma, err = q.Sigma(); err != nil {
		return nil, nil, err
	}
	return q.Mu, sigma, nil
}

// Draw adds mu, rho and eps; its weights, mu + softplus(rho) * eps, are
// one fused op (see gaussian_ops.go), built when read.
func (p *GaussianPosterior) Draw(b *graph.Builder) (*Draw, error) {
	q, err := p.Gaussian(b)
	if err != nil {
		return nil, err
	}
	eps, err := b.Noise(p.Name(), graph.Gaussian, p.Mu.Shape()...)
	if err != nil {
		return nil, err
	}
	return &Draw{Mean: q.Mu, Spread: q.Rho, Eps: eps, weightsOf: fusedSample}, nil
}

// SignalToNoise returns |mu| / softplus(rho) per weight.
func (p *GaussianPosterior) SignalToNoise() []float64 { return signalToNoise(p, gaussianLayout.Sigma) }

// LogAlphaValues returns log(sigma^2 / mu^2) = -2 log(|mu| / sigma) per
// weight, clipped.
func (p *GaussianPosterior) LogAlphaValues() []float64 {
	snr := p.SignalToNoise()
	for i, r := range snr {
		snr[i], _ = clipLogAlpha(-2 * math.Log(r))
	}
	return snr
}

// Keep keeps the weights whose signal-to-noise ratio |mu| / sigma reaches
// threshold, which must be >= 0.
func (p *GaussianPosterior) Keep(threshold float64) ([]bool, error) {
	if threshold < 0 {
		return nil, fmt.Errorf("%s: signal-to-noise threshold is %v, want >= 0", p.Name(), threshold)
	}
	snr := p.SignalToNoise()
	if snr == nil {
		return nil, nil
	}
	keep := make([]bool, len(snr))
	for i, r := range snr {
		keep[i] = r >= threshold
	}
	return keep, nil
}

// InitMOPED sets mu = w and rho = softplus^-1(max(delta |w|, 1e-8)).
func (p *GaussianPosterior) InitMOPED(w []float64, delta float64) error {
	return initMOPED(p, w, delta, InverseSoftplus)
}

// Drop zeroes the dropped weights' mu and sets their rho to -30.
func (p *GaussianPosterior) Drop(keep []bool) error { return drop(p, keep, -30) }

// LogQ adds sum log q(w) at the drawn weights. Since (w - mu) / sigma = eps,
// it is -sum log sigma - sum eps^2 / 2 - n log(2 pi) / 2: the same function of
// mu and rho as the density at w, without the round trip through w. It is
// one fused op over rho and eps (see gaussian_ops.go).
func (p *GaussianPosterior) LogQ(b *graph.Builder, d *Draw) (*G.Node, error) {
	if d == nil || d.Spread == nil || d.Eps == nil {
		return nil, fmt.Errorf("bayesnodes: %s: LogQ of an incomplete draw", p.Name())
	}
	return fusedLogQ(d.Spread, d.Eps)
}

// LogPrior adds sum log p(w) at the drawn weights.
func (p *GaussianPosterior) LogPrior(b *graph.Builder, d *Draw) (*G.Node, error) {
	if d == nil || d.Eps == nil {
		return nil, fmt.Errorf("bayesnodes: %s: LogPrior of an incomplete draw", p.Name())
	}
	w, err := d.Weights()
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	return p.Prior.LogProb(b, w)
}
