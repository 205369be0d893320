package bayesnodes

import (
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Option configures a Bayesian layer.
type Option func(*config)

type config struct {
	name      string
	prior     Prior
	bias      bool
	kl        KLMethod
	muInit    graph.Initializer
	muStd     float64 // used when muInit is nil: N(0, muStd^2), <= 0 means fan-in scaled
	rhoInit   graph.Initializer
	estimator Estimator
	sparse    bool    // weights from NewSparsePosterior (WithSparseVD)
	ls2Init   float64 // their initial log sigma^2
	errs      []error
}

// Defaults, chosen by measurement (the sine example over seeds 1-3, 2000
// full-batch Adam steps; see the README): a unit Gaussian prior with its
// closed-form KL, posterior means drawn with a fan-in scaled spread like a
// deterministic layer's, and rho around -3, an initial sigma of
// softplus(-3) ~ 0.049. Measured against rho = -5, -4 and -2: -5 and -4
// learn sigma too slowly (RMSE up to 0.094, coverage down to 0.92), -2
// starts so noisy that the fit suffers (RMSE 0.11); -3 gave RMSE
// 0.032-0.055 and coverage 0.96-0.97. BLiTZ's -7 (sigma ~ 0.0009) is why
// its predictive spread stays tiny on the peers' workloads. Layers with
// hundreds of inputs (MNIST's 784) train better from a smaller sigma:
// examples/mnist uses rho = -4 (with weight sampling, -5 gave accuracy
// 0.934-0.944 against 0.911 at -3), so set it with WithRhoInit. A sigma scaled by 1/sqrt(fan-in) instead of a flat default
// was measured and fitted the sine task worse (RMSE up to 0.078).
const (
	DefaultRhoInit = -3.0
	defaultRhoStd  = 0.1
)

// DefaultPrior is the prior layers use unless WithPrior says otherwise.
var DefaultPrior Prior = Normal{Mu: 0, Sigma: 1}

func newConfig(kind string, opts []Option) *config {
	c := &config{name: kind, prior: DefaultPrior, bias: true, kl: KLAuto,
		rhoInit: graph.Normal(DefaultRhoInit, defaultRhoStd)}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *config) err() error {
	if len(c.errs) > 0 {
		return fmt.Errorf("bayesnodes: %s: %w", c.name, c.errs[0])
	}
	return nil
}

// WithName names the layer; its parameters are named name.weight.mu,
// name.weight.rho, name.bias.mu, ... (default: the layer kind; a model makes
// repeated names unique by numbering them, linear_1, linear_2, ..., in order
// of first use).
func WithName(name string) Option {
	return func(c *config) {
		if name == "" {
			c.errs = append(c.errs, fmt.Errorf("empty layer name"))
		}
		c.name = name
	}
}

// WithPrior sets the prior of every weight and bias of the layer.
func WithPrior(p Prior) Option {
	return func(c *config) { c.prior = p }
}

// WithoutBias drops the bias.
func WithoutBias() Option {
	return func(c *config) { c.bias = false }
}

// WithKL chooses how the layer's KL is computed (default KLAuto).
func WithKL(m KLMethod) Option {
	return func(c *config) { c.kl = m }
}

// WithMuInit initialises the posterior means from N(mean, std^2), like
// BLiTZ's posterior_mu_init (which uses std 0.1). The default draws from
// U(-1/sqrt(fanIn), 1/sqrt(fanIn)), the range deterministic layers use.
func WithMuInit(mean, std float64) Option {
	return func(c *config) {
		if math.IsNaN(mean) || !(std >= 0) {
			c.errs = append(c.errs, fmt.Errorf("mu init N(%v, %v^2): want a finite mean and std >= 0", mean, std))
		}
		c.muInit = graph.Normal(mean, std)
	}
}

// WithRhoInit initialises rho from N(mean, std^2), so the initial sigma is
// about softplus(mean) (BLiTZ's posterior_rho_init; DefaultRhoInit here).
func WithRhoInit(mean, std float64) Option {
	return func(c *config) {
		if math.IsNaN(mean) || math.IsInf(mean, 0) || !(std >= 0) {
			c.errs = append(c.errs, fmt.Errorf("rho init N(%v, %v^2): want a finite mean and std >= 0", mean, std))
		}
		c.rhoInit = graph.Normal(mean, std)
	}
}

// meanInit returns the initializer of the posterior means of a tensor whose
// outputs each sum fanIn inputs.
func (c *config) meanInit(fanIn int) graph.Initializer {
	if c.muInit != nil {
		return c.muInit
	}
	bound := 1 / math.Sqrt(float64(fanIn))
	return graph.Uniform(-bound, bound)
}

// WithSparseVD gives the layer's weights (not its bias) the sparse
// variational dropout posterior N(theta, sigma^2) with the log-uniform
// prior (Molchanov et al. 2017; see NewSparsePosterior), log sigma^2
// starting at logSigma2Init everywhere (DefaultLogSigma2Init is a good
// start). theta starts as the means would (WithMuInit, or fan-in scaled).
// The bias keeps a Gaussian posterior with the layer's prior. Combine it
// with WithEstimator(LocalReparameterization), as the paper does.
func WithSparseVD(logSigma2Init float64) Option {
	return func(c *config) {
		if math.IsNaN(logSigma2Init) || math.IsInf(logSigma2Init, 0) {
			c.errs = append(c.errs, fmt.Errorf("sparse VD: initial log sigma^2 is %v, want a finite value", logSigma2Init))
		}
		c.sparse, c.ls2Init = true, logSigma2Init
	}
}

// posterior creates the posterior of one of the layer's tensors.
func (c *config) posterior(tensor string, shape []int, fanIn int) (Posterior, error) {
	if c.sparse && tensor == "weight" {
		return NewSparsePosterior(c.name+"."+tensor, shape, LogUniform{}, c.meanInit(fanIn), graph.Constant(c.ls2Init))
	}
	return NewPosterior(c.name+"."+tensor, shape, c.prior, c.meanInit(fanIn), c.rhoInit, c.kl)
}
