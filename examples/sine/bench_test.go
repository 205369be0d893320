package main

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// BenchmarkTrainingStep measures one full-batch training step of the sine
// network (the peers' W1 workload): 500 points, 1-100-1, K = 1, Adam.
func BenchmarkTrainingStep(b *testing.B) {
	for _, k := range []int{1, 3} {
		b.Run(map[int]string{1: "K=1", 3: "K=3"}[k], func(b *testing.B) {
			c := defaultConfig(1)
			data, err := datasets.Sine(500, 1)
			if err != nil {
				b.Fatal(err)
			}
			net, err := newNetwork(c)
			if err != nil {
				b.Fatal(err)
			}
			model, err := graph.NewModel(net, graph.Input(1), graph.Seed(1))
			if err != nil {
				b.Fatal(err)
			}
			elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
			if err != nil {
				b.Fatal(err)
			}
			adam, err := optim.NewAdam(0.01)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := optim.NewTrainer(model, elbo, adam, optim.Samples(k), optim.Quiet())
			if err != nil {
				b.Fatal(err)
			}
			at := losses.Batch{Count: 1, Size: 500, DatasetSize: 500}
			if _, err := tr.Step(data.X, data.Y, at); err != nil { // build the graph
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Step(data.X, data.Y, at); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// BenchmarkPredict measures 100 predictive passes over the 700-point grid.
func BenchmarkPredict(b *testing.B) {
	c := defaultConfig(1)
	net, err := newNetwork(c)
	if err != nil {
		b.Fatal(err)
	}
	model, err := graph.NewModel(net, graph.Input(1), graph.Seed(1))
	if err != nil {
		b.Fatal(err)
	}
	grid := linspace(-3.4, 3.4, 700)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := model.Predict(grid, 100); err != nil {
			b.Fatal(err)
		}
	}
}
