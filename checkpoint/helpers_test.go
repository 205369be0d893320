package checkpoint

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// newModel returns a Bayesian ReLU MLP of the given widths (the sine
// example's network, smaller), with layers fc1, fc2, ...
func newModel(t testing.TB, seed uint64, dt tensor.Dtype, sizes ...int) *graph.Model {
	t.Helper()
	mlp, err := bayesnodes.NewMLP(sizes)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(mlp.Apply, graph.Input(sizes[0]), graph.Seed(seed), graph.WithDtype(dt))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// training is a model with a trainer: ELBO with a learned noise sd (so the
// objective has a parameter of its own), K = 2 samples per step,
// mini-batches of 50 (so the shuffle generator matters).
type training struct {
	model   *graph.Model
	trainer *optim.Trainer
}

// newTraining builds a training run; every seed and the solver can differ
// between runs that are then made to agree by loading a checkpoint.
func newTraining(t testing.TB, seed uint64, solver string) *training {
	t.Helper()
	m := newModel(t, seed, graph.Float64, 1, 16, 1)
	return &training{model: m, trainer: trainerOf(t, m, seed, solver)}
}

// trainerOf returns a trainer of m with the named solver.
func trainerOf(t testing.TB, m *graph.Model, seed uint64, solver string) *optim.Trainer {
	t.Helper()
	lik, err := losses.NewLearnedGaussianNLL(0.5, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	elbo, err := losses.NewELBO(lik)
	if err != nil {
		t.Fatal(err)
	}
	var s optim.Solver
	switch solver {
	case "adam":
		s, err = optim.NewAdam(0.01, optim.ClipNorm(100))
	case "sgd":
		s, err = optim.NewSGD(0.005, optim.Momentum(0.9), optim.Nesterov())
	case "plain-sgd":
		s, err = optim.NewSGD(0.005)
	default:
		t.Fatalf("no solver %q", solver)
	}
	if err != nil {
		t.Fatal(err)
	}
	tr, err := optim.NewTrainer(m, elbo, s, optim.Samples(2), optim.BatchSize(50), optim.ShuffleSeed(seed+100), optim.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func sineData(t testing.TB) *datasets.Dataset {
	t.Helper()
	d, err := datasets.Sine(200, 7)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

func (r *training) fit(t testing.TB, data *datasets.Dataset, epochs int) *optim.History {
	t.Helper()
	h, err := r.trainer.Fit(context.Background(), data, epochs)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// values returns every parameter's values by name.
func values(m *graph.Model) map[string][]float64 {
	v := map[string][]float64{}
	for _, p := range m.Params() {
		v[p.Name()] = p.Values()
	}
	return v
}

// sameBits reports whether a and b are equal to the last bit.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func grid(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = -4 + 8*float64(i)/float64(n-1)
	}
	return x
}
