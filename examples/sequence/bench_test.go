package main

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// BenchmarkTrainingStep measures one training step of the example's
// default network (window 24, hidden 16, batch 32, K = 1, Adam) for each
// cell.
func BenchmarkTrainingStep(b *testing.B) {
	for _, cell := range []string{"lstm", "gru"} {
		b.Run(cell, func(b *testing.B) {
			c := testConfig(cell, 1)
			net, err := newNetwork(c)
			if err != nil {
				b.Fatal(err)
			}
			model, err := graph.NewModel(net, graph.Input(c.window, 1), graph.Seed(1))
			if err != nil {
				b.Fatal(err)
			}
			elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: noiseSD})
			if err != nil {
				b.Fatal(err)
			}
			adam, err := optim.NewAdam(c.lr)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := optim.NewTrainer(model, elbo, adam, optim.Quiet())
			if err != nil {
				b.Fatal(err)
			}
			y := series(c.window+c.batch, 1)
			x, target, _, err := windows(y, c.window, c.window, len(y))
			if err != nil {
				b.Fatal(err)
			}
			at := losses.Batch{Count: 1, Size: c.batch, DatasetSize: c.batch}
			if _, err := tr.Step(x, target, at); err != nil { // build the graph
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Step(x, target, at); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
