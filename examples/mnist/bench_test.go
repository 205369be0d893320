package main

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// benchmarkStep measures one training step of a network on a batch of the
// embedded digits, in float32 (the examples' default).
func benchmarkStep(b *testing.B, name string, batch, k int, opts ...optim.TrainerOption) {
	benchmarkStepWith(b, name, nil, batch, k, opts...)
}

// benchmarkStepWith is benchmarkStep with the network's layer options.
func benchmarkStepWith(b *testing.B, name string, layer []bayesnodes.Option, batch, k int, opts ...optim.TrainerOption) {
	train, _, err := mnist10k.Load()
	if err != nil {
		b.Fatal(err)
	}
	net, input, err := newNetwork(name, layer...)
	if err != nil {
		b.Fatal(err)
	}
	model, err := graph.NewModel(net, graph.Input(input...), graph.WithDtype(graph.Float32))
	if err != nil {
		b.Fatal(err)
	}
	elbo, err := losses.NewELBO(losses.CrossEntropy{})
	if err != nil {
		b.Fatal(err)
	}
	adam, err := optim.NewAdam(1e-3)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := optim.NewTrainer(model, elbo, adam, append(opts, optim.Samples(k), optim.Quiet())...)
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	x, y := train.GatherX(idx, nil), train.GatherOneHot(idx, nil)
	at := losses.Batch{Count: 63, Size: batch, DatasetSize: train.Len()}
	if _, err := tr.Step(x, y, at); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(x, y, at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// The peers' W2 (MLP, batch 128) and W3 (LeNet, batch 64) steps.
func BenchmarkStepMLP(b *testing.B)   { benchmarkStep(b, "mlp", 128, 1) }
func BenchmarkStepMLPK3(b *testing.B) { benchmarkStep(b, "mlp", 128, 3) }

// BenchmarkStepMLPFlipout is the W2 step with Flipout in every layer.
func BenchmarkStepMLPFlipout(b *testing.B) {
	benchmarkStepWith(b, "mlp", []bayesnodes.Option{bayesnodes.WithEstimator(bayesnodes.Flipout)}, 128, 1)
}

// BenchmarkStepMLPK3Sequential runs the K = 3 samples one after another
// (the default runs them on GOMAXPROCS graphs at once).
func BenchmarkStepMLPK3Sequential(b *testing.B) { benchmarkStep(b, "mlp", 128, 3, optim.Parallel(1)) }
func BenchmarkStepLeNet(b *testing.B)           { benchmarkStep(b, "lenet", 64, 1) }

// BenchmarkPredictW4 is the peers' W4 workload: 100 predictive passes of
// the MLP over the 2,000 test digits, each pass one sampled network.
func BenchmarkPredictW4(b *testing.B) { benchmarkW4(b, (*graph.Model).Predict) }

// BenchmarkPredictMarginalW4 is W4 as the example's evaluation runs it:
// per-example draws, the first layer's moments computed once.
func BenchmarkPredictMarginalW4(b *testing.B) { benchmarkW4(b, (*graph.Model).PredictMarginal) }

func benchmarkW4(b *testing.B, predict func(*graph.Model, []float64, int, ...graph.PredictOption) (*graph.Prediction, error)) {
	_, test, err := mnist10k.Load()
	if err != nil {
		b.Fatal(err)
	}
	net, input, err := newNetwork("mlp")
	if err != nil {
		b.Fatal(err)
	}
	model, err := graph.NewModel(net, graph.Input(input...), graph.WithDtype(graph.Float32))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := predict(model, test.X, 100); err != nil {
			b.Fatal(err)
		}
	}
}
