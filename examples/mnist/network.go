package main

import (
	"fmt"

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
	m, err := bayesnodes.NewMLP([]int{784, 400, 400, 10}, opts...)
	if err != nil {
		return nil, err
	}
	return m.Apply, nil
}
