package bayesnodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Sparse variational dropout (Molchanov et al. 2017) as a Posterior: w ~
// N(theta, sigma^2) per weight, with sigma^2 = alpha theta^2 read the other
// way round: the parameters are theta and log sigma^2 (the paper's
// additive reparameterisation), and log alpha = log sigma^2 - log theta^2
// is what the log-uniform prior's KL and pruning look at. A first version
// had log alpha as the parameter, sigma = exp(log_alpha/2) |theta|; on
// LeNet-300-100 its theta gradients carried the multiplicative noise of
// every high-alpha weight (variance x^2 alpha theta^2), theta random-walked
// and training went to NaN within 3 epochs. With sigma a parameter of its
// own, the KL makes weights prunable by shrinking theta as well as by
// growing sigma, and the gradient of theta is free of that noise.

// PruneLogAlpha is the log alpha above which sparse variational dropout
// deems a weight noise and prunes it (Molchanov et al. 2017): alpha > e^3,
// a signal-to-noise ratio |theta|/sigma below e^-1.5 ~ 0.22.
const PruneLogAlpha = 3.0

// DefaultLogSigma2Init is the initial log sigma^2 WithSparseVD suggests,
// the one of Molchanov et al.'s code: sigma ~ 0.0067, log alpha about -3
// for weights of 0.03.
const DefaultLogSigma2Init = -10.0

// Sparse is a sparse posterior's parameters in a graph.
type Sparse struct {
	Theta, LogSigma2 *G.Node
}

// NewSparsePosterior returns the posterior of sparse variational dropout
// over a tensor of the given shape, parameters named name+".theta" and
// name+".log_sigma2". prior must have a KL from it (LogUniform, the
// default when nil). Layers take it with WithSparseVD.
func NewSparsePosterior(name string, shape []int, prior Prior, thetaInit, logSigma2Init graph.Initializer) (*Posterior, error) {
	if prior == nil {
		prior = LogUniform{}
	}
	if err := checkSparsePrior(prior); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	theta, err := graph.NewParam(name+".theta", shape, thetaInit)
	if err != nil {
		return nil, err
	}
	ls2, err := graph.NewParam(name+".log_sigma2", shape, logSigma2Init)
	if err != nil {
		return nil, err
	}
	return &Posterior{Mu: theta, LogSigma2: ls2, Prior: prior, KL: KLClosedForm}, nil
}

// Sparse adds a sparse posterior's parameter nodes to the graph.
func (p *Posterior) Sparse(b *graph.Builder) (Sparse, error) {
	if p.LogSigma2 == nil { // a Gaussian posterior
		return Sparse{}, fmt.Errorf("bayesnodes: %s is not a sparse posterior", p.Name())
	}
	theta, err := b.Param(p.Mu)
	if err != nil {
		return Sparse{}, err
	}
	ls2, err := b.Param(p.LogSigma2)
	if err != nil {
		return Sparse{}, err
	}
	return Sparse{Theta: theta, LogSigma2: ls2}, nil
}

// sparseSigmaKey keys a sparse posterior's sigma node in a graph.
type sparseSigmaKey struct{ p *Posterior }

// sparseFamily is the family of sparse variational dropout (see family).
type sparseFamily struct{}

func (sparseFamily) meanSuffix() string                { return ".theta" }
func (sparseFamily) spread(p *Posterior) *graph.Param  { return p.LogSigma2 }
func (sparseFamily) sigmaOf(logSigma2 float64) float64 { return math.Exp(logSigma2 / 2) }
func (sparseFamily) spreadOf(sigma float64) float64    { return 2 * math.Log(sigma) }

// moments returns theta and sigma = exp(log sigma^2 / 2), built once per
// graph, so local reparameterisation samples pre-activations with variance
// x^2 sigma^2 = x^2 alpha theta^2.
func (sparseFamily) moments(p *Posterior, b *graph.Builder) (mu, sigma *G.Node, err error) {
	q, err := p.Sparse(b)
	if err != nil {
		return nil, nil, err
	}
	sigma, err = b.Once(sparseSigmaKey{p}, func() (*G.Node, error) {
		half, err := G.Mul(q.LogSigma2, b.Scalar(0.5))
		if err != nil {
			return nil, err
		}
		return G.Exp(half)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	return q.Theta, sigma, nil
}

// draw samples w = theta + sigma * eps. Its Gaussian has no Rho, so there
// is no LogQ: the log-uniform prior's KL needs none.
func (f sparseFamily) draw(p *Posterior, b *graph.Builder) (*Draw, error) {
	theta, sigma, err := f.moments(p, b)
	if err != nil {
		return nil, err
	}
	eps, err := b.Noise(p.Name(), graph.Gaussian, p.Mu.Shape()...)
	if err != nil {
		return nil, err
	}
	noise, err := G.HadamardProd(sigma, eps)
	if err != nil {
		return nil, err
	}
	w, err := G.Add(theta, noise)
	if err != nil {
		return nil, err
	}
	return &Draw{Gaussian: Gaussian{Mu: theta}, W: w, Eps: eps}, nil
}

// kl is the prior's KL from the posterior. There is no Monte-Carlo
// estimate (the log-uniform prior has no density).
func (sparseFamily) kl(p *Posterior, b *graph.Builder, _ *Draw, method KLMethod) (*G.Node, error) {
	if method == KLMonteCarlo {
		return nil, fmt.Errorf("bayesnodes: %s: no Monte-Carlo KL for a sparse posterior: %w", p.Name(), ErrImproperPrior)
	}
	prior, ok := p.Prior.(SparsePrior)
	if !ok {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), checkSparsePrior(p.Prior))
	}
	q, err := p.Sparse(b)
	if err != nil {
		return nil, err
	}
	kl, err := prior.KLSparse(b, q)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	return kl, nil
}

// logAlpha is log sigma^2 - log theta^2 per weight, clipped.
func (sparseFamily) logAlpha(p *Posterior) []float64 {
	theta, ls2 := p.Mu.Values(), p.LogSigma2.Values()
	if theta == nil || ls2 == nil {
		return nil
	}
	for i, s := range ls2 {
		ls2[i], _ = clipLogAlpha(logAlphaOf(theta[i], s))
	}
	return ls2
}
