package main

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// lenet is the peers' W3 network (BLiTZ's LeNet example): conv 6@5x5,
// max-pool 2, conv 16@5x5, max-pool 2, then 256-120-84-10, ReLU throughout,
// Bayesian in every layer.
func lenet(opts []bayesnodes.Option) (graph.Network, error) {
	convOpts := func(name string) []bayesnodes.ConvOption {
		c := make([]bayesnodes.ConvOption, 0, len(opts)+1)
		for _, o := range opts {
			c = append(c, o)
		}
		return append(c, bayesnodes.WithName(name))
	}
	conv1, err := bayesnodes.NewConv2D(1, 6, [2]int{5, 5}, convOpts("conv1")...)
	if err != nil {
		return nil, err
	}
	conv2, err := bayesnodes.NewConv2D(6, 16, [2]int{5, 5}, convOpts("conv2")...)
	if err != nil {
		return nil, err
	}
	sizes := []int{16 * 4 * 4, 120, 84, 10}
	dense := make([]*bayesnodes.Linear, len(sizes)-1)
	for i := range dense {
		if dense[i], err = bayesnodes.NewLinear(sizes[i], sizes[i+1], append(opts, bayesnodes.WithName([]string{"fc1", "fc2", "fc3"}[i]))...); err != nil {
			return nil, err
		}
	}
	// Pooling before the ReLU gives the same values and gradients as after
	// it (ReLU is monotone) on a quarter of the values.
	convBlock := func(b *graph.Builder, x *G.Node, conv *bayesnodes.Conv) (*G.Node, error) {
		h, err := conv.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = bayesnodes.MaxPool2D(h, [2]int{2, 2}, [2]int{2, 2}, [2]int{0, 0}); err != nil {
			return nil, err
		}
		return bayesnodes.ReLU(h)
	}
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := convBlock(b, x, conv1)
		if err != nil {
			return nil, err
		}
		if h, err = convBlock(b, h, conv2); err != nil {
			return nil, err
		}
		if h, err = bayesnodes.Flatten(h); err != nil {
			return nil, err
		}
		for i, l := range dense {
			if h, err = l.Apply(b, h); err != nil {
				return nil, err
			}
			if i < len(dense)-1 {
				if h, err = bayesnodes.ReLU(h); err != nil {
					return nil, err
				}
			}
		}
		return h, nil
	}, nil
}

// lenetDefaults sets LeNet's learning rate, initial rho, KL scale and rho
// learning-rate scale where the command line did not (set reports whether
// it did). The last two stay at 1, which LeNet's defaults were chosen
// with; the MLP's were chosen for its out-of-distribution detection.
func lenetDefaults(c *config, set func(flag string) bool) {
	if !set("kl-scale") {
		c.klScale = 1
	}
	if !set("rho-lr-scale") {
		c.rhoLRScale = 1
	}
	if !set("lr") {
		c.lr = 3e-3
	}
	if !set("rho-init") {
		c.rhoInit = -4.5
	}
}
