package bayesnodes

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Making a deterministic network Bayesian without rewriting it: Wrap gives
// chosen parameters of a model a posterior and has the model use a sample
// of it wherever the network asks for the parameter (graph.Model.Replace),
// so the network's code is untouched and the other parameters stay
// deterministic. The posterior starts at the parameter's current values
// (MOPED, Krishnan et al. 2020), so a trained network becomes a Bayesian
// one that predicts as it did.

// DefaultMOPEDDelta is the default delta of MOPED's sigma = delta |w|.
const DefaultMOPEDDelta = 0.1

// minMOPEDSigma is the smallest sigma a posterior is started at: sigma =
// delta |w| is 0 at w = 0, where rho and log sigma^2 would be -Inf.
const minMOPEDSigma = 1e-8

// ErrNotModelParam is returned by Wrap for a parameter its model's network
// does not use.
var ErrNotModelParam = errors.New("not a parameter of the model")

// WrapOption configures Wrap.
type WrapOption func(*wrapConfig)

type wrapConfig struct {
	sparse bool
	prior  Prior
	kl     KLMethod
	delta  float64
	errs   []error
}

// WrapSparse gives the parameters the sparse variational dropout posterior
// N(theta, alpha theta^2) under the log-uniform prior (see
// NewSparsePosterior) instead of the default Gaussian one.
func WrapSparse() WrapOption { return func(c *wrapConfig) { c.sparse = true } }

// WrapPrior sets the prior of the Gaussian posteriors (default
// DefaultPrior, N(0, 1)) and how their KL is computed.
func WrapPrior(p Prior, kl KLMethod) WrapOption {
	return func(c *wrapConfig) { c.prior, c.kl = p, kl }
}

// MOPED sets delta in sigma = delta |w| (default DefaultMOPEDDelta): the
// posterior starts centred on the deterministic weights with a spread
// relative to each. For a sparse posterior that is log alpha = 2 log delta.
func MOPED(delta float64) WrapOption {
	return func(c *wrapConfig) {
		if !(delta > 0) || math.IsInf(delta, 0) {
			c.errs = append(c.errs, fmt.Errorf("MOPED delta is %v, want a finite value > 0", delta))
		}
		c.delta = delta
	}
}

// Wrap replaces each of params, parameters of m, by a sample of a new
// posterior started from the parameter's current values, and returns the
// posteriors in the same order. Weights are sampled once per graph
// (reparameterisation: Wrap does not know how the network uses them) and
// their KL joins the graph's. The parameters must exist, so train the
// deterministic model or call m.InitParams first; graphs built before Wrap
// (a trainer's) are not changed: make the trainer anew. Nothing changes
// unless every parameter can be wrapped. The replaced parameters stay in
// the model (Params, checkpoints) but no graph built afterwards uses them.
func Wrap(m *graph.Model, params []*graph.Param, opts ...WrapOption) ([]Posterior, error) {
	c := &wrapConfig{prior: DefaultPrior, kl: KLAuto, delta: DefaultMOPEDDelta}
	for _, o := range opts {
		if o == nil {
			c.errs = append(c.errs, errors.New("nil option"))
			continue
		}
		o(c)
	}
	if len(c.errs) > 0 {
		return nil, fmt.Errorf("bayesnodes: Wrap: %w", c.errs[0])
	}
	if m == nil {
		return nil, errors.New("bayesnodes: Wrap: nil model")
	}
	if len(params) == 0 {
		return nil, errors.New("bayesnodes: Wrap: no parameters to wrap")
	}
	seen := map[*graph.Param]bool{}
	posts := make([]Posterior, len(params))
	for i, p := range params {
		if p == nil {
			return nil, fmt.Errorf("bayesnodes: Wrap: parameter %d is nil", i)
		}
		if m.Param(p.Name()) != p {
			return nil, fmt.Errorf("bayesnodes: Wrap: %s: %w (its parameters exist once a graph is built: call InitParams first)", p.Name(), ErrNotModelParam)
		}
		if seen[p] || m.Replaced(p) {
			return nil, fmt.Errorf("bayesnodes: Wrap: %s is wrapped already", p.Name())
		}
		seen[p] = true
		post, err := c.posterior(p)
		if err != nil {
			return nil, err
		}
		posts[i] = post
	}
	for i, p := range params {
		post := posts[i]
		if err := m.Replace(p, func(b *graph.Builder) (*G.Node, error) { return post.Sample(b) }); err != nil {
			return nil, err
		}
	}
	return posts, nil
}

// posterior returns the posterior of p, started from its values.
func (c *wrapConfig) posterior(p *graph.Param) (Posterior, error) {
	zero := graph.Constant(0)
	var post Posterior
	var err error
	if c.sparse {
		post, err = NewSparsePosterior(p.Name(), p.Shape(), LogUniform{}, zero, zero)
	} else {
		post, err = NewPosterior(p.Name(), p.Shape(), c.prior, zero, zero, c.kl)
	}
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: Wrap: %w", err)
	}
	if err := post.InitMOPED(p.Values(), c.delta); err != nil {
		return nil, err
	}
	return post, nil
}
