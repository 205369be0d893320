package bayesnodes

import (
	"fmt"
	"math"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/softplus"
)

// KLMethod chooses how a posterior's KL divergence from its prior is computed.
type KLMethod int

const (
	// KLAuto uses the closed form where the prior has one, Monte Carlo
	// otherwise. It is the default.
	KLAuto KLMethod = iota
	// KLClosedForm requires the closed form; building fails without one.
	KLClosedForm
	// KLMonteCarlo uses the one-sample estimate log q(w) - log p(w) at the
	// sampled weights (Blundell et al. 2015), whatever the prior.
	KLMonteCarlo
)

func (k KLMethod) String() string {
	switch k {
	case KLAuto:
		return "auto"
	case KLClosedForm:
		return "closed-form"
	case KLMonteCarlo:
		return "monte-carlo"
	}
	return fmt.Sprintf("KLMethod(%d)", int(k))
}

// Posterior is the variational posterior of one parameter tensor, every
// weight independent and Gaussian, of one of two families: the Gaussian
// (NewPosterior, gaussian_posterior.go), w ~ N(mu, sigma^2) with sigma =
// softplus(rho), and sparse variational dropout (NewSparsePosterior,
// Molchanov et al. 2017, sparse.go), with LogSigma2 in place of Rho: Mu
// holds theta and sigma = exp(log_sigma2 / 2), its log alpha = log sigma^2
// - log theta^2. Layers see the same Sample, Moments, KL and
// SignalToNoise either way; what differs is the family's (see family).
type Posterior struct {
	Mu, Rho   *graph.Param
	LogSigma2 *graph.Param // nil unless a sparse posterior; Rho is nil then
	Prior     Prior
	KL        KLMethod
}

// Draw is one reparameterised sample of a posterior in a graph.
type Draw struct {
	Gaussian         // the posterior's mu and rho; Sigma() builds sigma
	W        *G.Node // mu + sigma * eps, by one fused op
	Eps      *G.Node // standard normal noise input, the posterior's shape
}

// Sample draws the weights once per graph, adds their KL to the graph's
// accumulator, and returns the weight node. Calling it again in the same
// graph returns the same sample, so shared weights pay their KL once.
func (p *Posterior) Sample(b *graph.Builder) (*G.Node, error) {
	if err := p.checkNotMarginal(b); err != nil {
		return nil, err
	}
	return b.Once(p, func() (*G.Node, error) {
		// Under a Gaussian prior in training, the sample and its KL are
		// one fused pass each way (gaussian_sample_kl.go).
		if w, err := p.sampleWithKL(b); w != nil || err != nil {
			return w, err
		}
		d, err := p.Draw(b)
		if err != nil {
			return nil, err
		}
		if err := p.AddKL(b, d); err != nil {
			return nil, err
		}
		return d.W, nil
	})
}

// klKey keys a posterior's KL term in a graph, apart from its sample.
type klKey struct{ p *Posterior }

// AddKL adds the posterior's KL term to the graph's accumulator, once per
// graph. d is the draw a Monte-Carlo estimate is taken at; with d nil (an
// estimator that samples no weights), the closed form needs none and a
// Monte-Carlo estimate draws its own weights.
func (p *Posterior) AddKL(b *graph.Builder, d *Draw) error {
	if !b.WantsKL() {
		return nil
	}
	_, err := b.Once(klKey{p}, func() (*G.Node, error) {
		kl, err := p.KLOf(b, d, p.KL)
		if err != nil {
			return nil, err
		}
		return kl, b.AddKL(kl, p.Mu.Len())
	})
	return err
}

// Moments adds the posterior's mean and standard deviation to the graph
// (for a Gaussian mu and sigma = softplus(rho); for sparse variational
// dropout theta and exp(log sigma^2 / 2)). Estimators that sample
// pre-activations rather than weights start here.
func (p *Posterior) Moments(b *graph.Builder) (mu, sigma *G.Node, err error) {
	if err := p.checkNotMarginal(b); err != nil {
		return nil, nil, err
	}
	return p.family().moments(p, b)
}

// Draw adds a weight sample to the graph without registering its KL; most
// layers want Sample instead. The sample is one fused op (see gaussian_ops.go);
// sigma becomes a node of its own only when asked for (Draw.Sigma).
func (p *Posterior) Draw(b *graph.Builder) (*Draw, error) {
	d, err := p.lazyDraw(b)
	if err != nil {
		return nil, err
	}
	if _, err := d.weights(); err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	return d, nil
}

// lazyDraw is a draw whose weights are built only when something reads
// them (a Monte-Carlo KL): an estimator that uses eps itself, as Flipout
// does, then pays nothing for a weight-sized sample it does not need. A
// sparse posterior's draw has its weights at once.
func (p *Posterior) lazyDraw(b *graph.Builder) (*Draw, error) {
	if err := p.checkNotMarginal(b); err != nil {
		return nil, err
	}
	return p.family().draw(p, b)
}

// weights returns W, adding the fused sample mu + sigma * eps on first use.
func (d *Draw) weights() (*G.Node, error) {
	if d.W == nil {
		w, err := fusedSample(d.Mu, d.Rho, d.Eps)
		if err != nil {
			return nil, err
		}
		d.W = w
	}
	return d.W, nil
}

// KLOf adds the KL term of a draw by the given method (see KLMethod). With
// d nil, the closed form uses the posterior's parameters and a Monte-Carlo
// estimate draws weights of its own. With d given, both use d's nodes, so
// a draw restricted to part of the tensor (an embedding's rows without its
// padding row) gives the KL of that part.
func (p *Posterior) KLOf(b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error) {
	return p.family().kl(p, b, d, method)
}

// SignalToNoise returns |mu| / sigma for every weight, from the current
// parameter values (nil before the posterior's first use).
func (p *Posterior) SignalToNoise() []float64 {
	f := p.family()
	mu, spread := p.Mu.Values(), f.spread(p).Values()
	if mu == nil || spread == nil {
		return nil
	}
	for i, s := range spread {
		mu[i] = math.Abs(mu[i]) / f.sigmaOf(s)
	}
	return mu
}

// LogAlphaValues returns every weight's log alpha = log(sigma^2 / mu^2),
// clipped to [LogAlphaMin, LogAlphaMax] as the KL uses it, from the current
// parameter values of a sparse or a Gaussian posterior (nil before the
// posterior's first use).
func (p *Posterior) LogAlphaValues() []float64 { return p.family().logAlpha(p) }

// Softplus returns log(1 + e^x) without overflow for large x or loss of
// precision for very negative x.
func Softplus(x float64) float64 { return softplus.Of(x) }

// InverseSoftplus returns the rho for which softplus(rho) = sigma (sigma > 0).
func InverseSoftplus(sigma float64) float64 { return softplus.Inverse(sigma) }

// Name returns the posterior's name: its parameters' names without the
// ".mu"/".rho" (".theta"/".log_sigma2") suffix. It is also the name of its
// noise input in a graph.
func (p *Posterior) Name() string {
	return strings.TrimSuffix(p.Mu.Name(), p.family().meanSuffix())
}

// family is what sets the posteriors of one family apart: how their
// parameters give the moments, a draw, the KL from a prior, sigma and log
// alpha. The Gaussian's (gaussian_posterior.go) has mu and rho, sparse
// variational dropout's (sparse.go) theta and log sigma^2. A family holds
// nothing: the posterior's parameters are its fields.
type family interface {
	meanSuffix() string             // of the mean's name
	spreadSuffix() string           // of the spread's name
	spread(*Posterior) *graph.Param // rho or log sigma^2
	sigmaOf(spread float64) float64
	spreadOf(sigma float64) float64
	moments(p *Posterior, b *graph.Builder) (mu, sigma *G.Node, err error)
	draw(p *Posterior, b *graph.Builder) (*Draw, error)
	kl(p *Posterior, b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error)
	logAlpha(*Posterior) []float64
}

// family returns p's family, which its constructor chose by the parameters
// it made: the one place that tells the families apart.
func (p *Posterior) family() family {
	if p.LogSigma2 != nil {
		return sparseFamily{}
	}
	return gaussianFamily{}
}
