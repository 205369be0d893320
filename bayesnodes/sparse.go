package bayesnodes

import (
	"fmt"
	"math"
	"strings"

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

// SparsePosterior is the posterior of sparse variational dropout: w ~
// N(theta, sigma^2) per weight, parameters theta and log sigma^2, log
// alpha = log sigma^2 - log theta^2. Its KL is the prior's approximation
// (SparsePrior; see kl.go): there is no Monte-Carlo estimate, as the
// log-uniform prior has no density.
type SparsePosterior struct {
	Theta, LogSigma2 *graph.Param
	Prior            Prior
}

// Sparse is a sparse posterior's parameters in a graph.
type Sparse struct {
	Theta, LogSigma2 *G.Node
}

// NewSparsePosterior returns the posterior of sparse variational dropout
// over a tensor of the given shape, parameters named name+".theta" and
// name+".log_sigma2". prior must have a KL from it (LogUniform, the
// default when nil). Layers take it with WithSparseVD.
func NewSparsePosterior(name string, shape []int, prior Prior, thetaInit, logSigma2Init graph.Initializer) (*SparsePosterior, error) {
	if prior == nil {
		prior = LogUniform{}
	}
	if err := checkSparsePrior(prior); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	theta, err := graph.NewParam(name+sparseLayout.Mean, shape, thetaInit)
	if err != nil {
		return nil, err
	}
	ls2, err := graph.NewParam(name+sparseLayout.Spread, shape, logSigma2Init)
	if err != nil {
		return nil, err
	}
	return &SparsePosterior{Theta: theta, LogSigma2: ls2, Prior: prior}, nil
}

// sparseLayout is how a sparse posterior is stored (see ParamLayout).
var sparseLayout = ParamLayout{Mean: ".theta", Spread: ".log_sigma2", Sigma: func(ls2 float64) float64 { return math.Exp(ls2 / 2) }}

// Name returns the parameters' name without ".theta".
func (p *SparsePosterior) Name() string {
	return strings.TrimSuffix(p.Theta.Name(), sparseLayout.Mean)
}

// Params returns theta and log sigma^2.
func (p *SparsePosterior) Params() []*graph.Param { return []*graph.Param{p.Theta, p.LogSigma2} }

// Mean returns theta.
func (p *SparsePosterior) Mean() *graph.Param { return p.Theta }

// Sparse adds the posterior's parameter nodes to the graph.
func (p *SparsePosterior) Sparse(b *graph.Builder) (Sparse, error) {
	theta, ls2, err := paramNodes(b, p)
	return Sparse{Theta: theta, LogSigma2: ls2}, err
}

// Sample draws the weights once per graph and adds their KL.
func (p *SparsePosterior) Sample(b *graph.Builder) (*G.Node, error) { return samplePosterior(b, p) }

// AddKL adds the KL term, in closed form, once per graph.
func (p *SparsePosterior) AddKL(b *graph.Builder, d *Draw) error {
	return addKL(b, p, d, KLClosedForm)
}

// sparseSigmaKey keys a sparse posterior's sigma node in a graph.
type sparseSigmaKey struct{ p *SparsePosterior }

// Moments returns theta and sigma = exp(log sigma^2 / 2), built once per
// graph, so local reparameterisation samples pre-activations with variance
// x^2 sigma^2 = x^2 alpha theta^2.
func (p *SparsePosterior) Moments(b *graph.Builder) (theta, sigma *G.Node, err error) {
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

// Draw samples w = theta + sigma * eps. There is no log q: the log-uniform
// prior's KL needs none.
func (p *SparsePosterior) Draw(b *graph.Builder) (*Draw, error) {
	theta, sigma, err := p.Moments(b)
	if err != nil {
		return nil, err
	}
	eps, err := b.Noise(p.Name(), graph.Gaussian, p.Theta.Shape()...)
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
	ls2, err := b.Param(p.LogSigma2)
	if err != nil {
		return nil, err
	}
	return &Draw{Mean: theta, Spread: ls2, Eps: eps, w: w}, nil
}

// SignalToNoise returns |theta| / sigma per weight.
func (p *SparsePosterior) SignalToNoise() []float64 {
	return signalToNoise(p, sparseLayout.Sigma)
}

// LogAlphaValues returns log sigma^2 - log theta^2 per weight, clipped.
func (p *SparsePosterior) LogAlphaValues() []float64 {
	theta, ls2 := p.Theta.Values(), p.LogSigma2.Values()
	if theta == nil || ls2 == nil {
		return nil
	}
	for i, s := range ls2 {
		ls2[i], _ = clipLogAlpha(logAlphaOf(theta[i], s))
	}
	return ls2
}

// Keep keeps the weights whose log alpha (clipped) is at most threshold.
func (p *SparsePosterior) Keep(threshold float64) ([]bool, error) {
	la := p.LogAlphaValues()
	if la == nil {
		return nil, nil
	}
	keep := make([]bool, len(la))
	for i, a := range la {
		keep[i] = a <= threshold
	}
	return keep, nil
}

// InitMOPED sets theta = w and log sigma^2 = 2 log(max(delta |w|, 1e-8))
// (log alpha = 2 log delta where w is not 0).
func (p *SparsePosterior) InitMOPED(w []float64, delta float64) error {
	return initMOPED(p, w, delta, func(sigma float64) float64 { return 2 * math.Log(sigma) })
}

// Drop zeroes the dropped weights' theta and sets their log sigma^2 to -60.
func (p *SparsePosterior) Drop(keep []bool) error { return drop(p, keep, -60) }
