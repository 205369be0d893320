package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// MLP is a stack of Bayesian Linear layers with ReLU between them and none
// after the last: the usual fully connected network.
type MLP struct {
	Layers []*Linear
}

// NewMLP returns the network of the given widths, e.g. {784, 400, 400, 10}.
// The options apply to every layer; the layers are named fc1, fc2, ... (or
// name1, name2, ... with WithName(name)).
func NewMLP(sizes []int, opts ...Option) (*MLP, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("bayesnodes: NewMLP: sizes %v: want an input and at least one layer", sizes)
	}
	base := newConfig("fc", opts).name
	m := &MLP{Layers: make([]*Linear, len(sizes)-1)}
	for i := range m.Layers {
		var err error
		name := WithName(fmt.Sprintf("%s%d", base, i+1))
		if m.Layers[i], err = NewLinear(sizes[i], sizes[i+1], append(opts[:len(opts):len(opts)], name)...); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Apply adds the network to b's graph for an input of shape [batch, sizes[0]].
func (m *MLP) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	h := x
	for i, l := range m.Layers {
		var err error
		if h, err = l.Apply(b, h); err != nil {
			return nil, err
		}
		if i < len(m.Layers)-1 {
			if h, err = ReLU(h); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
}
