package optim_test

import (
	"context"
	"fmt"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// sineNet returns a small Bayesian 1-32-1 ReLU network.
func sineNet() (graph.Network, error) {
	m, err := bayesnodes.NewMLP([]int{1, 32, 1})
	if err != nil {
		return nil, err
	}
	return m.Apply, nil
}

// ExampleTrainer fits a Bayesian regression network with the ELBO, three
// Monte-Carlo samples per step, in mini-batches of 50.
func ExampleTrainer() {
	data, err := datasets.Sine(200, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	net, err := sineNet()
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := graph.NewModel(net, graph.Input(1), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1}) // KL weight 1/N by default
	if err != nil {
		fmt.Println(err)
		return
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		fmt.Println(err)
		return
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.Samples(3), optim.BatchSize(50), optim.Quiet())
	if err != nil {
		fmt.Println(err)
		return
	}
	history, err := trainer.Fit(context.Background(), &data, 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	first, last := history.Epochs[0], history.Epochs[len(history.Epochs)-1]
	fmt.Println("steps:", len(history.Steps))
	fmt.Println("fit improved:", last.Fit < first.Fit)
	// Output:
	// steps: 400
	// fit improved: true
}

// Example_handWrittenLoop drives the same pieces by hand: resample the noise
// and run K times (the machine adds the gradients), read the loss parts,
// then step the solver on the mean gradient.
func Example_handWrittenLoop() {
	data, err := datasets.Sine(100, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	net, err := sineNet()
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := graph.NewModel(net, graph.Input(1), graph.Seed(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(data.Len(), elbo)
	if err != nil {
		fmt.Println(err)
		return
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		fmt.Println(err)
		return
	}
	const k = 2
	if err := g.SetX(data.X); err != nil {
		fmt.Println(err)
		return
	}
	var firstFit, fit float64
	for step := 0; step < 300; step++ {
		at := losses.Batch{Step: step, Count: 1, Size: data.Len(), DatasetSize: data.Len()}
		if err := elbo.Prepare(g, data.Y, at); err != nil {
			fmt.Println(err)
			return
		}
		fit = 0
		for i := 0; i < k; i++ {
			if err := g.Run(); err != nil { // fresh noise every run
				fmt.Println(err)
				return
			}
			f, _, err := elbo.Parts(g)
			if err != nil {
				fmt.Println(err)
				return
			}
			fit += f / k
		}
		if err := adam.SetGradScale(1.0 / k); err != nil {
			fmt.Println(err)
			return
		}
		if err := adam.Step(g.Learnables()); err != nil {
			fmt.Println(err)
			return
		}
		if step == 0 {
			firstFit = fit
		}
	}
	fmt.Println("fit improved:", fit < firstFit)
	// Output:
	// fit improved: true
}
