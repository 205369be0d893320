package main

import (
	"context"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// lenet is LeNet-300-100 with sparse variational dropout weights, sampled
// by local reparameterisation.
type lenet struct {
	layers []*bayesnodes.Linear
}

func newLeNet() (*lenet, error) {
	sizes := []int{28 * 28, 300, 100, 10}
	n := &lenet{}
	for i := range len(sizes) - 1 {
		l, err := bayesnodes.NewLinear(sizes[i], sizes[i+1], bayesnodes.WithName(fmt.Sprintf("fc%d", i+1)),
			bayesnodes.WithSparseVD(bayesnodes.DefaultLogSigma2Init),
			bayesnodes.WithEstimator(bayesnodes.LocalReparameterization),
			bayesnodes.WithRhoInit(-6, 0))
		if err != nil {
			return nil, err
		}
		n.layers = append(n.layers, l)
	}
	return n, nil
}

func (n *lenet) forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	h, err := G.Reshape(x, []int{x.Shape()[0], 28 * 28})
	if err != nil {
		return nil, err
	}
	for i, l := range n.layers {
		if h, err = l.Apply(b, h); err != nil {
			return nil, err
		}
		if i < len(n.layers)-1 {
			if h, err = G.Rectify(h); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
}

// pretrain trains a deterministic LeNet-300-100 of plain weights (one
// matrix product per layer, half the work of a local-reparameterisation
// step) and starts the sparse posterior from it: theta = w and sigma =
// delta |w| (MOPED), bias means = the biases.
func pretrain(ctx context.Context, net *lenet, train *datasets.Dataset, c config) error {
	var weights, biases []*graph.Param
	for _, l := range net.layers {
		w, err := graph.NewParam(l.Weight.Name(), []int{l.Out, l.In}, graph.Uniform(-1/math.Sqrt(float64(l.In)), 1/math.Sqrt(float64(l.In))))
		if err != nil {
			return err
		}
		b, err := graph.NewParam(l.Bias.Name(), []int{l.Out}, graph.Constant(0))
		if err != nil {
			return err
		}
		weights, biases = append(weights, w), append(biases, b)
	}
	forward := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := G.Reshape(x, []int{x.Shape()[0], 28 * 28})
		if err != nil {
			return nil, err
		}
		for i := range weights {
			w, err := b.Param(weights[i])
			if err != nil {
				return nil, err
			}
			bias, err := b.Param(biases[i])
			if err != nil {
				return nil, err
			}
			wt, err := G.Transpose(w)
			if err != nil {
				return nil, err
			}
			if h, err = G.Mul(h, wt); err != nil {
				return nil, err
			}
			br, err := G.Reshape(bias, []int{1, bias.Shape()[0]})
			if err != nil {
				return nil, err
			}
			if h, err = G.BroadcastAdd(h, br, nil, []byte{0}); err != nil {
				return nil, err
			}
			if i < len(weights)-1 {
				if h, err = G.Rectify(h); err != nil {
					return nil, err
				}
			}
		}
		return h, nil
	}
	model, err := graph.NewModel(forward, graph.Input(train.XShape...), graph.Seed(c.seed), graph.WithDtype(graph.Float32))
	if err != nil {
		return err
	}
	if err := fit(ctx, model, train, c, losses.Fixed(0), c.pretrain, 1e-3); err != nil {
		return err
	}
	for i, l := range net.layers {
		if err := l.Weight.InitMOPED(weights[i].Values(), c.delta); err != nil {
			return err
		}
		if err := l.Bias.Mean().SetValues(biases[i].Values()); err != nil {
			return err
		}
	}
	return nil
}

// fit trains model for epochs with the given KL weighting and Adam rate.
func fit(ctx context.Context, model *graph.Model, train *datasets.Dataset, c config, weight losses.KLWeight, epochs int, lr float64) error {
	elbo, err := losses.NewELBO(losses.CrossEntropy{}, losses.WithKLWeight(weight))
	if err != nil {
		return err
	}
	adam, err := optim.NewAdam(lr)
	if err != nil {
		return err
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.BatchSize(c.batch), optim.ShuffleSeed(c.seed), optim.ProgressOnTerminal(c.progress))
	if err != nil {
		return err
	}
	_, err = trainer.Fit(ctx, train, epochs)
	return err
}
