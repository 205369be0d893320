package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// newNetwork returns the recurrent cell over windows [batch, window, 1]
// followed by a Bayesian linear head on its last hidden state.
func newNetwork(c config) (graph.Network, error) {
	head, err := bayesnodes.NewLinear(c.hidden, 1, bayesnodes.WithName("head"))
	if err != nil {
		return nil, err
	}
	var last func(b *graph.Builder, x *G.Node) (*G.Node, error)
	switch c.cell {
	case "lstm":
		l, err := bayesnodes.NewLSTM(1, c.hidden)
		if err != nil {
			return nil, err
		}
		last = func(b *graph.Builder, x *G.Node) (*G.Node, error) {
			_, s, err := l.Forward(b, x, bayesnodes.LSTMState{})
			return s.H, err
		}
	case "gru":
		l, err := bayesnodes.NewGRU(1, c.hidden)
		if err != nil {
			return nil, err
		}
		last = func(b *graph.Builder, x *G.Node) (*G.Node, error) {
			_, h, err := l.Forward(b, x, nil)
			return h, err
		}
	default:
		return nil, fmt.Errorf("cell %q: want lstm or gru", c.cell)
	}
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := last(b, x)
		if err != nil {
			return nil, err
		}
		return head.Apply(b, h)
	}, nil
}
