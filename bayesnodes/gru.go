package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// GRU is a Bayesian gated recurrent unit over batch-first sequences
// [batch, T, In], in torch.nn.GRU's formulation with every weight and bias
// Bayesian. With gate blocks r, z, n of Hidden columns each, step t computes
//
//	[r_x z_x n_x] = x_t WeightIH + BiasIH
//	[r_h z_h n_h] = h_{t-1} WeightHH + BiasHH
//	r = sigmoid(r_x + r_h), z = sigmoid(z_x + z_h)
//	n = tanh(n_x + r * n_h)
//	h_t = (1 - z) * n + z * h_{t-1}
//
// from h_0 = 0 unless an initial state is given. The weights are
// torch.nn.GRU's transposed (x W rather than W x, the layout of the LSTM):
// torch's weight_ih_l0 [3H, In] is WeightIH^T. Both biases are kept, as in
// torch: b_hn sits inside r * (...), so it is not redundant with b_in.
// The weights are drawn once per run, used at every step, and their KL is
// counted once. A graph is built for one sequence length; see LSTM for
// running other lengths. Its fields describe the layer; change them only
// through NewGRU.
type GRU struct {
	In, Hidden int
	WeightIH   Posterior // [In, 3*Hidden], gate blocks r, z, n
	WeightHH   Posterior // [Hidden, 3*Hidden]
	BiasIH     Posterior // [3*Hidden]; nil without bias
	BiasHH     Posterior // [3*Hidden]; nil without bias
	Estimator  Estimator
	name       string
}

// NewGRU returns a Bayesian GRU from in features to hidden units. The
// posterior means start uniform in ±1/sqrt(hidden), as PyTorch initialises
// its GRU, unless WithMuInit says otherwise. The Reparameterization and
// Flipout estimators are supported (see ErrRecurrentEstimator), and Peephole
// is an LSTM option.
func NewGRU(in, hidden int, opts ...RecurrentOption) (*GRU, error) {
	c, err := newRecurrentConfig("gru", in, hidden, opts)
	if err != nil {
		return nil, err
	}
	if c.peephole {
		return nil, fmt.Errorf("bayesnodes: %s: Peephole applies to the LSTM only", c.name)
	}
	l := &GRU{In: in, Hidden: hidden, Estimator: c.estimator, name: c.name}
	if l.WeightIH, err = c.posterior("weight_ih", []int{in, 3 * hidden}, hidden); err != nil {
		return nil, err
	}
	if l.WeightHH, err = c.posterior("weight_hh", []int{hidden, 3 * hidden}, hidden); err != nil {
		return nil, err
	}
	if c.bias {
		if l.BiasIH, err = c.posterior("bias_ih", []int{3 * hidden}, hidden); err != nil {
			return nil, err
		}
		if l.BiasHH, err = c.posterior("bias_hh", []int{3 * hidden}, hidden); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Apply adds the layer to b's graph for an input [batch, T, In] from a zero
// state and returns the hidden sequence [batch, T, Hidden].
func (l *GRU) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	seq, _, err := l.Forward(b, x, nil)
	return seq, err
}

// Forward adds the layer to b's graph for an input [batch, T, In] from the
// initial hidden state h0 ([batch, Hidden], nil for zeros), and returns the
// hidden sequence [batch, T, Hidden] and the last hidden state.
func (l *GRU) Forward(b *graph.Builder, x, h0 *G.Node) (seq, last *G.Node, err error) {
	s, err := l.check(b, x, h0)
	if err != nil {
		return nil, nil, err
	}
	if err := drawAll(b, l.Estimator, s.batch, []Posterior{l.WeightIH, l.WeightHH}, l.BiasIH, l.BiasHH); err != nil {
		return nil, nil, err
	}
	w, ih, hh, err := sequenceWeights(b, l.Estimator, l.WeightIH, l.WeightHH, s.batch)
	if err != nil {
		return nil, nil, err
	}
	in := append(G.Nodes{x}, w...)
	c := gruSeq{batch: s.batch, steps: s.steps, hidden: l.Hidden, ih: ih, hh: hh, dataX: s.data}
	if l.BiasIH != nil {
		for _, p := range []Posterior{l.BiasIH, l.BiasHH} {
			bias, err := p.Sample(b)
			if err != nil {
				return nil, nil, err
			}
			in = append(in, bias)
		}
		c.bias = true
	}
	if h0 != nil {
		in, c.h0 = append(in, h0), true
	}
	if seq, last, err = gruSequence(c, in); err != nil {
		return nil, nil, fmt.Errorf("bayesnodes: %s: %w", l.name, err)
	}
	return seq, last, nil
}

func (l *GRU) check(b *graph.Builder, x, h0 *G.Node) (sequence, error) {
	if l.name == "" {
		l.name = "gru" // a layer not made by the constructor
	}
	H := l.Hidden
	if err := checkLayer(l.name, "NewGRU", l.In, H, []layerPart{
		{"weight_ih", l.WeightIH, []int{l.In, 3 * H}, false},
		{"weight_hh", l.WeightHH, []int{H, 3 * H}, false},
		{"bias_ih", l.BiasIH, []int{3 * H}, true},
		{"bias_hh", l.BiasHH, []int{3 * H}, true},
	}); err != nil {
		return sequence{}, err
	}
	if (l.BiasIH == nil) != (l.BiasHH == nil) {
		return sequence{}, fmt.Errorf("bayesnodes: %s: one of the two biases is nil, want both or neither (make the layer with NewGRU)", l.name)
	}
	if err := checkRecurrentEstimator(l.name, l.Estimator); err != nil {
		return sequence{}, err
	}
	s, err := checkSequence(b, l.name, x, l.In)
	if err != nil {
		return s, err
	}
	return s, checkState(b, l.name, "hidden state", h0, s.batch, l.Hidden)
}
