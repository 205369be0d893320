package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// newNetwork returns the named network and the shape of its input.
func newNetwork(name string, opts ...bayesnodes.Option) (graph.Network, []int, error) {
	switch name {
	case "mlp":
		net, err := mlp(opts)
		return net, []int{784}, err
	case "lenet":
		net, err := lenet(opts)
		return net, []int{1, 28, 28}, err
	}
	return nil, nil, fmt.Errorf("unknown network %q", name)
}

// mlp is the peers' W2 network: 784-400-400-10 with ReLU, Bayesian
// throughout.
func mlp(opts []bayesnodes.Option) (graph.Network, error) {
	sizes := []int{784, 400, 400, 10}
	layers := make([]*bayesnodes.Linear, len(sizes)-1)
	for i := range layers {
		var err error
		if layers[i], err = bayesnodes.NewLinear(sizes[i], sizes[i+1], append(opts, bayesnodes.WithName(fmt.Sprintf("fc%d", i+1)))...); err != nil {
			return nil, err
		}
	}
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h := x
		for i, l := range layers {
			var err error
			if h, err = l.Apply(b, h); err != nil {
				return nil, err
			}
			if i < len(layers)-1 {
				if h, err = G.Rectify(h); err != nil {
					return nil, err
				}
			}
		}
		return h, nil
	}, nil
}
