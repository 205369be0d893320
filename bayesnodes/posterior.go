package bayesnodes

import (
	"errors"
	"fmt"
	"math"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
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

// Posterior is the variational posterior of one parameter tensor: every
// weight independent, w ~ N(mu, sigma^2) with sigma = softplus(rho).
//
// A sparse posterior (NewSparsePosterior, the sparse variational dropout
// of Molchanov et al. 2017) has LogSigma2 in place of Rho: Mu holds theta
// and sigma = exp(log_sigma2 / 2), its log alpha = log sigma^2 - log
// theta^2. Layers see the same Sample and Moments either way.
type Posterior struct {
	Mu, Rho   *graph.Param
	LogSigma2 *graph.Param // nil unless a sparse posterior; Rho is nil then
	Prior     Prior
	KL        KLMethod
}

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
// the fused sample, KL and log q ops of the same rho (see fused.go).
// TapeMachine runs every node of a graph, used or not, so sigma is built
// only where something asks for it.
func (q Gaussian) Sigma() (*G.Node, error) {
	if q.Rho == nil {
		return nil, errors.New("bayesnodes: Gaussian.Sigma: nil rho node")
	}
	return fusedSigma(q.Rho)
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

// Gaussian adds the posterior's parameter nodes, mu and rho, to the graph.
// A sparse posterior has no rho: it returns an error.
func (p *Posterior) Gaussian(b *graph.Builder) (Gaussian, error) {
	if p.LogSigma2 != nil {
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

// Moments adds mu and sigma = softplus(rho) to the graph. Estimators that
// sample pre-activations rather than weights start here.
func (p *Posterior) Moments(b *graph.Builder) (mu, sigma *G.Node, err error) {
	if err := p.checkNotMarginal(b); err != nil {
		return nil, nil, err
	}
	if p.LogSigma2 != nil {
		return p.sparseMoments(b)
	}
	q, err := p.Gaussian(b)
	if err != nil {
		return nil, nil, err
	}
	if sigma, err = q.Sigma(); err != nil {
		return nil, nil, err
	}
	return q.Mu, sigma, nil
}

// Draw adds a weight sample to the graph without registering its KL; most
// layers want Sample instead. The sample is one fused op (see fused.go);
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
	if p.LogSigma2 != nil {
		return p.sparseDraw(b)
	}
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

// LogQ adds sum log q(w) at the drawn weights. Since (w - mu) / sigma = eps,
// it is -sum log sigma - sum eps^2 / 2 - n log(2 pi) / 2: the same function of
// mu and rho as the density at w, without the round trip through w. It is
// one fused op over rho and eps (see fused.go).
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

// KLOf adds the KL term of a draw by the given method (see KLMethod). With
// d nil, the closed form uses the posterior's parameters and a Monte-Carlo
// estimate draws weights of its own. With d given, both use d's nodes, so
// a draw restricted to part of the tensor (an embedding's rows without its
// padding row) gives the KL of that part.
func (p *Posterior) KLOf(b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error) {
	if p.LogSigma2 != nil {
		return p.sparseKLOf(b, method)
	}
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

// SignalToNoise returns |mu| / sigma for every weight, from the current
// parameter values (nil before the posterior's first use).
func (p *Posterior) SignalToNoise() []float64 {
	if p.LogSigma2 != nil {
		return p.sparseSNR()
	}
	mu, rho := p.Mu.Values(), p.Rho.Values()
	if mu == nil || rho == nil {
		return nil
	}
	out := make([]float64, len(mu))
	for i := range mu {
		out[i] = math.Abs(mu[i]) / Softplus(rho[i])
	}
	return out
}

// Softplus returns log(1 + e^x) without overflow for large x or loss of
// precision for very negative x.
func Softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// InverseSoftplus returns the rho for which softplus(rho) = sigma (sigma > 0).
func InverseSoftplus(sigma float64) float64 {
	// log(e^sigma - 1) = sigma + log(1 - e^-sigma)
	return sigma + math.Log(-math.Expm1(-sigma))
}

// Name returns the posterior's name: its parameters' names without the
// ".mu"/".rho" (".theta"/".log_sigma2") suffix. It is also the name of its
// noise input in a graph.
func (p *Posterior) Name() string {
	if p.LogSigma2 != nil {
		return strings.TrimSuffix(p.Mu.Name(), ".theta")
	}
	return strings.TrimSuffix(p.Mu.Name(), ".mu")
}
