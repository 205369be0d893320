package bayesnodes

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Recurrent layers (LSTM, GRU) take batch-first sequences [batch, T, In]
// and run all T steps in one op forward and one backward
// (recurrent_seq.go): Gorgonia's shapes are static, so a graph is built
// for one sequence length. The layers derive T
// from their input node, so the same layer value serves every length; a
// graph.Model fixes its input shape, so another length takes another model
// of the same network, which shares the layer's parameter tensors (see the
// LSTM godoc).
//
// The weights are drawn once per graph run, that is once per sequence, and
// every step uses the same draw; their KL is counted once.

// ErrRecurrentEstimator is returned for an estimator the recurrent layers
// do not support. Local reparameterisation samples each pre-activation
// independently, so at every time step the products x_t W and h_t U would
// see a fresh, independent weight noise: the sequence would no longer be
// run by one weight draw, and the posterior it trains would not be the one
// whose KL is paid. Flipout keeps one perturbation and one set of signs per
// example for the whole sequence, so each example's sequence is run by one
// weight draw; it is supported.
var ErrRecurrentEstimator = fmt.Errorf("recurrent layers support only the Reparameterization and Flipout estimators: %w", ErrEstimator)

// RecurrentOption configures a recurrent layer. Every Option is a
// RecurrentOption, so WithName, WithPrior, WithoutBias and the others mix
// freely with Peephole; a slice of them must have type []RecurrentOption.
type RecurrentOption interface {
	applyRecurrent(*recurrentConfig)
}

// applyRecurrent makes every layer option a recurrent option too.
func (o Option) applyRecurrent(c *recurrentConfig) { o(&c.config) }

type recurrentOption func(*recurrentConfig)

func (o recurrentOption) applyRecurrent(c *recurrentConfig) { o(c) }

type recurrentConfig struct {
	config
	peephole bool
}

// Peephole selects BLiTZ's peephole LSTM (BayesianLSTM(peephole=True)):
// the gates read the cell state instead of the hidden state,
// [i f . o] = sigmoid(x W_ih + c U + b), the candidate ignores the past,
// g = sigmoid(x W_ih + b) in its block, and h = tanh(o * c). It has no
// parameters of its own: U (WeightHH) multiplies c instead of h, and its
// candidate block is unused (it still pays its KL, as in BLiTZ). BLiTZ's
// frozen forward pass takes sigmoid instead of tanh for h; this layer uses
// tanh whatever the mode. Only the LSTM accepts it.
func Peephole() RecurrentOption {
	return recurrentOption(func(c *recurrentConfig) { c.peephole = true })
}

func newRecurrentConfig(kind string, in, hidden int, opts []RecurrentOption) (*recurrentConfig, error) {
	c := &recurrentConfig{config: *newConfig(kind, nil)}
	for _, o := range opts {
		if o == nil {
			c.errs = append(c.errs, errors.New("nil option"))
			continue
		}
		o.applyRecurrent(c)
	}
	if c.sparse {
		c.errs = append(c.errs, errors.New("WithSparseVD applies to Linear and the convolutions, not to recurrent layers"))
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if in <= 0 || hidden <= 0 {
		return nil, fmt.Errorf("bayesnodes: %s: sizes in=%d, hidden=%d, want both > 0", c.name, in, hidden)
	}
	if err := checkRecurrentEstimator(c.name, c.estimator); err != nil {
		return nil, err
	}
	return c, nil
}

func checkRecurrentEstimator(name string, e Estimator) error {
	if err := e.Accepts(rowProduct{}); err != nil {
		return fmt.Errorf("bayesnodes: %s: %w", name, err)
	}
	return nil
}

// rowProduct is the LinearMap of every weight product of the recurrent
// layers, input and recurrent: x w for x [rows, in] and w [in, out]. The
// sequence ops compute the products themselves (seqProduct), from the
// weights Estimator.drawFor draws once per graph (under Flipout one
// perturbation and one set of signs), so every step uses the same draw;
// the map says which estimators apply. With data set, x is the network's
// input, which takes no gradient.
type rowProduct struct{ data bool }

func (m rowProduct) Map(_ *graph.Builder, x, w *G.Node) (*G.Node, error) {
	if m.data {
		return gemmConstA(x, w, false, false)
	}
	return gemm(x, w, false, false)
}

// Accepts refuses local reparameterisation (see ErrRecurrentEstimator).
func (rowProduct) Accepts(e Estimator) error {
	if e == LocalReparameterization {
		return fmt.Errorf("estimator %v: %w (local reparameterisation would resample the pre-activations at every time step, not draw one set of weights per sequence)", e, ErrRecurrentEstimator)
	}
	return nil
}

// sequence is a validated recurrent input.
type sequence struct {
	x                  *G.Node
	batch, steps, feat int
	data               bool // x is the network's input, which takes no gradient
}

// checkSequence validates x as [batch, T, in] of the builder's dtype.
func checkSequence(b *graph.Builder, name string, x *G.Node, in int) (sequence, error) {
	if x == nil {
		return sequence{}, fmt.Errorf("bayesnodes: %s: nil input node", name)
	}
	if b == nil {
		return sequence{}, fmt.Errorf("bayesnodes: %s: nil builder", name)
	}
	s := x.Shape()
	if len(s) != 3 || s[2] != in || s[0] <= 0 || s[1] <= 0 {
		return sequence{}, fmt.Errorf("bayesnodes: %s: input has shape %v, want [batch, T, %d] (batch-first sequences of %d features)", name, s, in, in)
	}
	if x.Dtype() != b.Dtype() {
		return sequence{}, fmt.Errorf("bayesnodes: %s: input has dtype %v, the graph computes in %v", name, x.Dtype(), b.Dtype())
	}
	return sequence{x: x, batch: s[0], steps: s[1], feat: s[2], data: b.IsX(x)}, nil
}

// checkLayer reports a layer whose fields do not describe a layer its
// constructor could have made: a posterior missing (but for optional ones)
// or of the wrong shape. The fields are exported, and a mismatch would
// otherwise surface as a panic inside Gorgonia.
func checkLayer(name, kind string, in, hidden int, parts []layerPart) error {
	if in <= 0 || hidden <= 0 {
		return fmt.Errorf("bayesnodes: %s: sizes in=%d, hidden=%d, want both > 0 (make the layer with %s)", name, in, hidden, kind)
	}
	for _, p := range parts {
		if p.post == nil {
			if p.optional {
				continue
			}
			return fmt.Errorf("bayesnodes: %s: no %s posterior (make the layer with %s)", name, p.what, kind)
		}
		if !hasShape(p.post, p.shape) {
			return fmt.Errorf("bayesnodes: %s: %s posterior is not of shape %v (make the layer with %s)", name, p.what, p.shape, kind)
		}
	}
	return nil
}

// layerPart is one posterior of a layer as checkLayer expects it.
type layerPart struct {
	what     string
	post     Posterior
	shape    []int
	optional bool
}

// checkState validates an initial state node: nil, or [batch, hidden] of
// the builder's dtype.
func checkState(b *graph.Builder, name, what string, n *G.Node, batch, hidden int) error {
	if n == nil {
		return nil
	}
	if s := n.Shape(); len(s) != 2 || s[0] != batch || s[1] != hidden {
		return fmt.Errorf("bayesnodes: %s: initial %s has shape %v, want [%d, %d] (batch, hidden)", name, what, s, batch, hidden)
	}
	if n.Dtype() != b.Dtype() {
		return fmt.Errorf("bayesnodes: %s: initial %s has dtype %v, the graph computes in %v", name, what, n.Dtype(), b.Dtype())
	}
	return nil
}

// drawAll draws the weight posteriors, then the biases (nil ones skipped),
// in the order given, so the parameters are registered, and initialised, in
// a fixed order whatever the graph uses first; later draws of the same
// graph return these (see Estimator.drawFor).
func drawAll(b *graph.Builder, e Estimator, batch int, weights []Posterior, biases ...Posterior) error {
	for _, p := range weights {
		if err := e.drawFor(b, p, batch); err != nil {
			return err
		}
	}
	for _, p := range biases {
		if p == nil {
			continue
		}
		if _, err := p.Sample(b); err != nil {
			return err
		}
	}
	return nil
}
