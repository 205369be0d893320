package bayesnodes

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// LinearMap is what a layer linear in its weights computes before its
// bias: y = Map(x, w), with Map(x, a w1 + c w2) = a Map(x, w1) + c Map(x,
// w2). A dense product, a convolution of any rank and a transposed
// convolution are such maps; Estimator.Apply turns any of them into a
// Bayesian layer under every estimator. The input is [batch, in, ...] and
// the output [batch, out, ...]; each weight connects one input channel to
// one output channel and enters any one output at most once, as it does in
// all of these, so that Flipout's signs per channel flip whole weights and
// local reparameterisation's variance is Map(x^2, sigma^2).
type LinearMap interface {
	Map(b *graph.Builder, x, w *G.Node) (*G.Node, error)
}

// ErrEstimator is returned, wrapped in an error that names the layer and
// the estimator, for an estimator that does not apply to a layer's map
// (see LimitedMap).
var ErrEstimator = errors.New("the estimator does not apply to this layer")

// LimitedMap is a LinearMap that only some estimators apply to: Accepts
// returns an error wrapping ErrEstimator for the others. Estimator.Apply
// asks it before building anything, and so can a layer's constructor.
type LimitedMap interface {
	LinearMap
	Accepts(e Estimator) error
}

// oneHot is a LinearMap whose input is the index form of a one-hot
// matrix (an embedding lookup): each output reads one weight, so under
// local reparameterisation its standard deviation is the map of sigma
// itself, zero where the map reads nothing (a padding row).
type oneHot interface {
	LinearMap
	oneHot()
}

// Accepts reports whether e applies to m: a known estimator that m, if a
// LimitedMap, accepts. Its error wraps ErrEstimator.
func (e Estimator) Accepts(m LinearMap) error {
	if l, ok := m.(LimitedMap); ok {
		if err := l.Accepts(e); err != nil {
			return err
		}
	}
	if e < Reparameterization || e > Flipout {
		return fmt.Errorf("estimator %v is not supported: %w", e, ErrEstimator)
	}
	return nil
}

// LinearFunc makes a function a LinearMap.
type LinearFunc func(b *graph.Builder, x, w *G.Node) (*G.Node, error)

// Map returns f(b, x, w).
func (f LinearFunc) Map(b *graph.Builder, x, w *G.Node) (*G.Node, error) { return f(b, x, w) }

// DenseProduct is the map of a fully connected layer, x w^T for x [batch,
// in] and w [out, in], with no copy of w transposed (see gemmOp). Where x is
// the graph's data, no gradient is built for it (see gemmConstA). In a
// marginal prediction graph it lets Estimator.Apply draw a layer's
// pre-activations from moments kept across passes (see sampleMarginal).
var DenseProduct LinearMap = denseProduct{}

type denseProduct struct{}

func (denseProduct) Map(b *graph.Builder, x, w *G.Node) (*G.Node, error) {
	if b.IsX(x) {
		return gemmConstA(x, w, false, true)
	}
	return gemm(x, w, false, true)
}

// Apply adds a layer linear in its weights to b's graph: y = m(x, w) +
// bias, w drawn from weight and the bias (nil for none, one value per
// output channel) from bias, by the estimator e, whose KL terms it adds to
// the graph's accumulator. It is the whole of a Bayesian layer but for
// checking shapes: Linear and every convolution are this call with their
// own map.
//
// Prediction graphs (graph.Builder.Predicting) sample the weights whatever
// e is, so each example's prediction is that of one sampled network; a
// marginal prediction graph (graph.Builder.Marginal) fed the data straight
// into a DenseProduct draws its pre-activations from their moments,
// computed once for all passes, unless the graph has already sampled the
// weights.
func (e Estimator) Apply(b *graph.Builder, x *G.Node, weight, bias Posterior, m LinearMap) (*G.Node, error) {
	if x == nil || weight == nil || m == nil {
		return nil, fmt.Errorf("bayesnodes: Estimator.Apply: nil input, weight posterior or map")
	}
	if err := e.Accepts(m); err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", weight.Name(), err)
	}
	lin := func(x, w *G.Node) (*G.Node, error) { return m.Map(b, x, w) }
	if b.Predicting() {
		if _, dense := m.(denseProduct); dense && b.Marginal() && b.IsX(x) && !b.Built(weight) && !(bias != nil && b.Built(bias)) {
			return sampleMarginal(b, x, weight, bias)
		}
		e = Reparameterization
	}
	switch e {
	case LocalReparameterization:
		_, isOneHot := m.(oneHot)
		_, dense := m.(denseProduct)
		return sampleLocal(b, x, weight, bias, lin, isOneHot, dense)
	case Flipout:
		if _, dense := m.(denseProduct); dense {
			return sampleFlipoutDense(b, x, weight, bias)
		}
		return sampleFlipout(b, x, weight, bias, lin)
	}
	w, err := weight.Sample(b)
	if err != nil {
		return nil, err
	}
	y, err := lin(x, w)
	if err != nil {
		return nil, err
	}
	return addSampledBias(b, y, bias)
}

// drawFor draws p in b's graph for a layer that applies it by this
// estimator, to a batch, more than once (a recurrent layer's steps): the
// weights, or under Flipout the perturbation and the signs, so that every
// later Apply in the graph uses this draw and the parameters and noise are
// made in the order the layer draws them.
func (e Estimator) drawFor(b *graph.Builder, p Posterior, batch int) error {
	if e.in(b) == Flipout {
		ws := p.Mean().Shape()
		_, err := flipout(b, p, batch, ws[0], ws[1])
		return err
	}
	_, err := p.Sample(b)
	return err
}

// in returns the estimator a layer uses in b's graph: weight sampling in
// prediction graphs (see graph.Builder.Predicting), e otherwise.
func (e Estimator) in(b *graph.Builder) Estimator {
	if b.Predicting() && e >= Reparameterization && e <= Flipout {
		return Reparameterization
	}
	return e
}

// addSampledBias adds a draw of bias (none if nil) to y.
func addSampledBias(b *graph.Builder, y *G.Node, bias Posterior) (*G.Node, error) {
	if bias == nil {
		return y, nil
	}
	bs, err := bias.Sample(b)
	if err != nil {
		return nil, err
	}
	return addBias(y, bs)
}

// addBias adds a [C] bias to y of shape [batch, C, ...] along axis 1: a
// [batch, C] y by the fused biasAddOp, higher ranks by channelBiasOp. Both
// allocate nothing per run.
func addBias(y, bias *G.Node) (*G.Node, error) {
	if y.Dims() == 2 && bias.Dims() == 1 {
		return fusedBiasAdd(y, bias)
	}
	return addChannelBias(y, bias)
}
