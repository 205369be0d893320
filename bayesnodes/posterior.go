package bayesnodes

import (
	"fmt"
	"math"
	"slices"

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
// weight independent and Gaussian, w ~ N(mean, sigma^2). Layers use it
// through this interface alone; each family is a type of its own:
// GaussianPosterior (mu and rho, sigma = softplus(rho)) and SparsePosterior
// (sparse variational dropout's theta and log sigma^2). The KL of each
// family against each kind of prior is in kl.go.
type Posterior interface {
	// Name is the posterior's name: its parameters' names without their
	// suffix (".mu", ".theta", ...). It is also the name of its noise
	// input in a graph.
	Name() string
	// Params returns the posterior's parameters, its mean (mu, theta)
	// first and its spread (rho, log sigma^2) second.
	Params() []*graph.Param
	// Mean is the parameter of the posterior means, Params()[0]; its shape
	// is the weights'.
	Mean() *graph.Param

	// Sample draws the weights once per graph, adds their KL to the
	// graph's accumulator, and returns the weight node. Calling it again
	// in the same graph returns the same sample, so shared weights pay
	// their KL once.
	Sample(b *graph.Builder) (*G.Node, error)
	// Draw adds a weight sample to the graph without registering its KL;
	// most layers want Sample instead. Its weights are built when read
	// (Draw.Weights).
	Draw(b *graph.Builder) (*Draw, error)
	// Moments adds the posterior's mean and standard deviation to the
	// graph. Estimators that sample pre-activations rather than weights
	// start here.
	Moments(b *graph.Builder) (mean, sigma *G.Node, err error)
	// KLOf adds the KL term of a draw by the given method (see KLMethod).
	// With d nil, the closed form uses the posterior's parameters and a
	// Monte-Carlo estimate draws weights of its own. With d given, both
	// use d's nodes, so a draw restricted to part of the tensor (an
	// embedding's rows without its padding row) gives the KL of that part.
	KLOf(b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error)
	// AddKL adds the KL term, by the posterior's own method, to the
	// graph's accumulator once per graph. d is the draw a Monte-Carlo
	// estimate is taken at; with d nil (an estimator that samples no
	// weights), the closed form needs none and a Monte-Carlo estimate
	// draws its own weights.
	AddKL(b *graph.Builder, d *Draw) error

	// SignalToNoise returns |mean| / sigma for every weight, from the
	// current parameter values (nil before the posterior's first use).
	SignalToNoise() []float64
	// LogAlphaValues returns every weight's log alpha = log(sigma^2 /
	// mean^2), clipped to [LogAlphaMin, LogAlphaMax] as the KL uses it,
	// from the current parameter values (nil before the first use).
	LogAlphaValues() []float64
	// InitMOPED centres the posterior on the deterministic weights w with
	// sigma = max(delta |w|, 1e-8) (MOPED, Krishnan et al. 2020). w has
	// one value per weight, in the posterior's row-major layout.
	InitMOPED(w []float64, delta float64) error
	// Keep returns, per weight in row-major order, whether the family's
	// pruning rule keeps it at threshold (nil before the first use): a
	// Gaussian posterior keeps |mu| / sigma >= threshold, a sparse one log
	// alpha <= threshold (see the prune package).
	Keep(threshold float64) ([]bool, error)
	// Drop sets the means of the weights keep drops to zero and their
	// sigma to e^-30 (about 1e-13), so that every prediction drops them.
	Drop(keep []bool) error
}

// Draw is one reparameterised sample of a posterior in a graph: its
// parameter nodes, its noise and the weights they give, which Weights
// builds on first use, so that an estimator that uses eps itself, as
// Flipout does, pays nothing for a weight-sized sample it does not need.
type Draw struct {
	Mean, Spread *G.Node // the posterior's parameters (mu and rho; theta and log sigma^2)
	Eps          *G.Node // standard normal noise input, the posterior's shape
	w            *G.Node // mean + sigma * eps, once built
	// weightsOf builds the weights from Mean, Spread and Eps.
	weightsOf func(mean, spread, eps *G.Node) (*G.Node, error)
}

// Weights returns the sampled weights, mean + sigma * eps, adding them to
// the graph on first use.
func (d *Draw) Weights() (*G.Node, error) {
	if d.w == nil {
		if d.weightsOf == nil {
			return nil, fmt.Errorf("bayesnodes: a draw without weights")
		}
		w, err := d.weightsOf(d.Mean, d.Spread, d.Eps)
		if err != nil {
			return nil, err
		}
		d.w = w
	}
	return d.w, nil
}

// samplePosterior is Posterior.Sample for every family.
func samplePosterior(b *graph.Builder, p Posterior) (*G.Node, error) {
	if err := checkNotMarginal(b, p); err != nil {
		return nil, err
	}
	return b.Once(p, func() (*G.Node, error) {
		// Under a Gaussian prior in training, the sample and its KL are
		// one fused pass each way (gaussian_sample_kl.go).
		if f, ok, err := fuse(b, p, outSample); err != nil || ok {
			return f.out, err
		}
		d, err := p.Draw(b)
		if err != nil {
			return nil, err
		}
		w, err := d.Weights()
		if err != nil {
			return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
		}
		return w, p.AddKL(b, d)
	})
}

// fuser is a posterior whose weights as a layer reads them and whose KL
// can be one fused pass each way (GaussianPosterior; see
// gaussian_sample_kl.go). fusedKL returns ok false, having added nothing,
// where that does not apply.
type fuser interface {
	fusedKL(b *graph.Builder, kind fusedOut) (f fusedDraw, ok bool, err error)
}

// fuse is p's fused pass of the given kind, ok false where p has none or
// it does not apply.
func fuse(b *graph.Builder, p Posterior, kind fusedOut) (fusedDraw, bool, error) {
	if f, ok := p.(fuser); ok {
		return f.fusedKL(b, kind)
	}
	return fusedDraw{}, false, nil
}

// klKey keys a posterior's KL term in a graph, apart from its sample.
type klKey struct{ p Posterior }

// addKL is Posterior.AddKL for every family, by the given method.
func addKL(b *graph.Builder, p Posterior, d *Draw, method KLMethod) error {
	if !b.WantsKL() {
		return nil
	}
	_, err := b.Once(klKey{p}, func() (*G.Node, error) {
		kl, err := p.KLOf(b, d, method)
		if err != nil {
			return nil, err
		}
		return kl, b.AddKL(kl, p.Mean().Len())
	})
	return err
}

// paramNodes adds a posterior's two parameters to b's graph.
func paramNodes(b *graph.Builder, p Posterior) (mean, spread *G.Node, err error) {
	if err := checkNotMarginal(b, p); err != nil {
		return nil, nil, err
	}
	ps := p.Params()
	if mean, err = b.Param(ps[0]); err != nil {
		return nil, nil, err
	}
	if spread, err = b.Param(ps[1]); err != nil {
		return nil, nil, err
	}
	return mean, spread, nil
}

// setMoments sets a posterior's parameters to the means mean and, per
// weight, the spread spreadOf gives.
func setMoments(p Posterior, mean, spread []float64) error {
	ps := p.Params()
	if err := ps[0].SetValues(mean); err != nil {
		return err
	}
	return ps[1].SetValues(spread)
}

// initMOPED is Posterior.InitMOPED for a family whose spread of a sigma
// is spreadOf.
func initMOPED(p Posterior, w []float64, delta float64, spreadOf func(sigma float64) float64) error {
	if !(delta > 0) || math.IsInf(delta, 0) {
		return fmt.Errorf("bayesnodes: %s: MOPED delta is %v, want a finite value > 0", p.Name(), delta)
	}
	if n := p.Mean().Len(); len(w) != n {
		return fmt.Errorf("bayesnodes: %s: %d deterministic weights for a posterior of shape %v (%d weights)", p.Name(), len(w), p.Mean().Shape(), n)
	}
	spread := make([]float64, len(w))
	for i, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("bayesnodes: %s: deterministic weight %d is %v", p.Name(), i, x)
		}
		spread[i] = spreadOf(max(delta*math.Abs(x), minMOPEDSigma))
	}
	return setMoments(p, w, spread)
}

// drop is Posterior.Drop for a family whose spread of sigma e^-30 is
// negligible.
func drop(p Posterior, keep []bool, negligible float64) error {
	ps := p.Params()
	mean, spread := ps[0].Values(), ps[1].Values()
	if mean == nil || spread == nil {
		return fmt.Errorf("bayesnodes: %s: the posterior has no values yet", p.Name())
	}
	if len(keep) != len(mean) {
		return fmt.Errorf("bayesnodes: %s: %d keep decisions for %d weights", p.Name(), len(keep), len(mean))
	}
	for i, k := range keep {
		if !k {
			mean[i], spread[i] = 0, negligible
		}
	}
	return setMoments(p, mean, spread)
}

// signalToNoise returns |mean| / sigma per weight, sigmaOf giving sigma
// from the spread.
func signalToNoise(p Posterior, sigmaOf func(spread float64) float64) []float64 {
	ps := p.Params()
	mean, spread := ps[0].Values(), ps[1].Values()
	if mean == nil || spread == nil {
		return nil
	}
	for i, s := range spread {
		mean[i] = math.Abs(mean[i]) / sigmaOf(s)
	}
	return mean
}

// Softplus returns log(1 + e^x) without overflow for large x or loss of
// precision for very negative x.
func Softplus(x float64) float64 { return softplus.Of(x) }

// InverseSoftplus returns the rho for which softplus(rho) = sigma (sigma > 0).
func InverseSoftplus(sigma float64) float64 { return softplus.Inverse(sigma) }

// hasShape reports whether every parameter of p is there and of the given
// shape: a layer's exported posterior fields may have been changed.
func hasShape(p Posterior, shape []int) bool {
	for _, q := range p.Params() {
		if q == nil || !slices.Equal(q.Shape(), shape) {
			return false
		}
	}
	return true
}
