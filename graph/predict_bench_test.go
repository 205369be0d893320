package graph_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// benchModel returns a 64-32-4 Bayesian MLP and rows examples for it.
func benchModel(b testing.TB, rows int) (*graph.Model, []float64) {
	b.Helper()
	mlp, err := bayesnodes.NewMLP([]int{64, 32, 4})
	if err != nil {
		b.Fatal(err)
	}
	m, err := graph.NewModel(mlp.Apply, graph.Input(64), graph.Seed(5))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, rows*64)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return m, x
}

func BenchmarkPredict(b *testing.B) {
	m, x := benchModel(b, 32)
	for b.Loop() {
		if _, err := m.Predict(x, 10); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredictMean(b *testing.B) {
	m, x := benchModel(b, 32)
	for b.Loop() {
		if _, err := m.PredictMean(x); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredictMarginal(b *testing.B) {
	m, x := benchModel(b, 32)
	for b.Loop() {
		if _, err := m.PredictMarginal(x, 10); err != nil {
			b.Fatal(err)
		}
	}
}
