package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// LSTM is a Bayesian long short-term memory layer over batch-first
// sequences [batch, T, In], BLiTZ's BayesianLSTM. With the weights' layout
// and gate order of BLiTZ (x W, gate blocks i, f, g, o of Hidden columns
// each), step t computes
//
//	[i f g o] = x_t WeightIH + h_{t-1} WeightHH + Bias
//	c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
//	h_t = sigmoid(o) * tanh(c_t)
//
// from h_0 = c_0 = 0 unless an initial state is given (see Peephole for the
// variant). The weights are drawn once per run and used at every step, so
// each sequence is run by one network drawn from the posterior; their KL
// is counted once.
//
// A graph is built for one sequence length T: Gorgonia's shapes are static.
// The layer reads T from its input node, so one layer serves any length,
// but a graph.Model fixes its input shape: for another length build another
// model of the same network, graph.NewModel(net, graph.Input(T2, In)). Once
// the first model has built a graph, the second shares its parameter
// tensors (training either trains both); it has its own noise generator
// and Freeze state.
//
// Its fields describe the layer; change them only through NewLSTM.
type LSTM struct {
	In, Hidden int
	Peephole   bool
	WeightIH   Posterior // [In, 4*Hidden], gate blocks i, f, g, o
	WeightHH   Posterior // [Hidden, 4*Hidden]
	Bias       Posterior // [4*Hidden]; nil without bias
	Estimator  Estimator
	name       string
}

// LSTMState is an LSTM's state: hidden H and cell C, each [batch, Hidden].
// A nil node stands for zeros.
type LSTMState struct {
	H, C *G.Node
}

// NewLSTM returns a Bayesian LSTM from in features to hidden units. The
// posterior means start uniform in ±1/sqrt(hidden), as PyTorch initialises
// its LSTM, unless WithMuInit says otherwise. The Reparameterization and
// Flipout estimators are supported (see ErrRecurrentEstimator).
func NewLSTM(in, hidden int, opts ...RecurrentOption) (*LSTM, error) {
	c, err := newRecurrentConfig("lstm", in, hidden, opts)
	if err != nil {
		return nil, err
	}
	l := &LSTM{In: in, Hidden: hidden, Peephole: c.peephole, Estimator: c.estimator, name: c.name}
	if l.WeightIH, err = c.posterior("weight_ih", []int{in, 4 * hidden}, hidden); err != nil {
		return nil, err
	}
	if l.WeightHH, err = c.posterior("weight_hh", []int{hidden, 4 * hidden}, hidden); err != nil {
		return nil, err
	}
	if c.bias {
		if l.Bias, err = c.posterior("bias", []int{4 * hidden}, hidden); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Apply adds the layer to b's graph for an input [batch, T, In] from a zero
// state and returns the hidden sequence [batch, T, Hidden].
func (l *LSTM) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	seq, _, err := l.Forward(b, x, LSTMState{})
	return seq, err
}

// Forward adds the layer to b's graph for an input [batch, T, In] from the
// initial state init (nil nodes for zeros), and returns the hidden sequence
// [batch, T, Hidden] and the state after the last step. The peephole
// variant's recurrence reads only the cell state, so it ignores init.H.
func (l *LSTM) Forward(b *graph.Builder, x *G.Node, init LSTMState) (seq *G.Node, final LSTMState, err error) {
	s, err := l.check(b, x, init)
	if err != nil {
		return nil, LSTMState{}, err
	}
	if err := drawAll(b, l.Estimator, s.batch, []Posterior{l.WeightIH, l.WeightHH}, l.Bias); err != nil {
		return nil, LSTMState{}, err
	}
	w, ih, hh, err := sequenceWeights(b, l.Estimator, l.WeightIH, l.WeightHH, s.batch)
	if err != nil {
		return nil, LSTMState{}, err
	}
	in := append(G.Nodes{x}, w...)
	c := lstmSeq{batch: s.batch, steps: s.steps, hidden: l.Hidden, peephole: l.Peephole, ih: ih, hh: hh, dataX: s.data}
	if l.Bias != nil {
		bias, err := l.Bias.Sample(b)
		if err != nil {
			return nil, LSTMState{}, err
		}
		in, c.bias = append(in, bias), true
	}
	// The peephole variant's recurrence reads only the cell state.
	if init.H != nil && !l.Peephole {
		in, c.h0 = append(in, init.H), true
	}
	if init.C != nil {
		in, c.c0 = append(in, init.C), true
	}
	seq, h, cell, err := lstmSequence(c, in)
	if err != nil {
		return nil, LSTMState{}, fmt.Errorf("bayesnodes: %s: %w", l.name, err)
	}
	return seq, LSTMState{H: h, C: cell}, nil
}

// check validates the layer, its input and the initial state before any
// node is built: Gorgonia panics in its VM on most shape errors.
func (l *LSTM) check(b *graph.Builder, x *G.Node, init LSTMState) (sequence, error) {
	if l.name == "" {
		l.name = "lstm" // a layer not made by the constructor
	}
	H := l.Hidden
	if err := checkLayer(l.name, "NewLSTM", l.In, H, []layerPart{
		{"weight_ih", l.WeightIH, []int{l.In, 4 * H}, false},
		{"weight_hh", l.WeightHH, []int{H, 4 * H}, false},
		{"bias", l.Bias, []int{4 * H}, true},
	}); err != nil {
		return sequence{}, err
	}
	if err := checkRecurrentEstimator(l.name, l.Estimator); err != nil {
		return sequence{}, err
	}
	s, err := checkSequence(b, l.name, x, l.In)
	if err != nil {
		return s, err
	}
	if err := checkState(b, l.name, "hidden state", init.H, s.batch, l.Hidden); err != nil {
		return s, err
	}
	return s, checkState(b, l.name, "cell state", init.C, s.batch, l.Hidden)
}
