package ensemble_test

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/ensemble"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// sineMember trains a small 1-16-1 network on 100 noisy points of sin x
// for 300 full-batch steps; deterministic members are frozen at their
// means and trained without KL.
func sineMember(deterministic bool) ensemble.TrainFunc {
	return func(ctx context.Context, seed uint64) (*graph.Model, error) {
		data, err := datasets.Sine(100, 7) // the same data for every member
		if err != nil {
			return nil, err
		}
		mlp, err := bayesnodes.NewMLP([]int{1, 16, 1}, bayesnodes.WithRhoInit(-5, 0.1))
		if err != nil {
			return nil, err
		}
		m, err := graph.NewModel(mlp.Apply, graph.Input(1), graph.Seed(seed))
		if err != nil {
			return nil, err
		}
		var opts []losses.ELBOOption
		if deterministic {
			m.Freeze()
			opts = append(opts, losses.WithKLWeight(losses.Fixed(0)))
		}
		elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1}, opts...)
		if err != nil {
			return nil, err
		}
		adam, err := optim.NewAdam(0.02)
		if err != nil {
			return nil, err
		}
		tr, err := optim.NewTrainer(m, elbo, adam, optim.Progress(io.Discard), optim.ShuffleSeed(seed), optim.Parallel(1))
		if err != nil {
			return nil, err
		}
		_, err = tr.Fit(ctx, &data, 300)
		return m, err
	}
}

func grid() ([]float64, []float64) {
	x, truth := make([]float64, 61), make([]float64, 61)
	for i := range x {
		x[i] = -3 + 0.1*float64(i)
		truth[i] = math.Sin(x[i])
	}
	return x, truth
}

func TestDeterministicEnsemble(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	e, err := ensemble.Train(context.Background(), seeds, sineMember(true), ensemble.Parallel(2))
	if err != nil {
		t.Fatal(err)
	}
	x, truth := grid()
	p, err := e.PredictMarginal(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Samples) != len(seeds) || p.N != len(x) || p.Width != 1 {
		t.Fatalf("pooled %d samples of %d x %d, want %d of %d x 1", len(p.Samples), p.N, p.Width, len(seeds), len(x))
	}
	// Each pooled sample is its member's mean-weight prediction.
	var memberRMSE float64
	for i, m := range e.Models {
		want, err := m.PredictMean(x)
		if err != nil {
			t.Fatal(err)
		}
		for j := range want {
			if p.Samples[i][j] != want[j] {
				t.Fatalf("member %d, point %d: pooled %v, member's own %v", i, j, p.Samples[i][j], want[j])
			}
		}
		r, err := uncertainty.RMSE(want, truth)
		if err != nil {
			t.Fatal(err)
		}
		memberRMSE += r / float64(len(seeds))
	}
	s, err := uncertainty.Summarize(p.Samples)
	if err != nil {
		t.Fatal(err)
	}
	ensRMSE, err := uncertainty.RMSE(s.Mean, truth)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ensemble RMSE %.4f, mean member RMSE %.4f, mean spread %.4f", ensRMSE, memberRMSE, avg(s.Std))
	if ensRMSE >= memberRMSE {
		t.Errorf("ensemble RMSE %.4f, want below the members' mean %.4f", ensRMSE, memberRMSE)
	}
	if avg(s.Std) < 1e-3 {
		t.Errorf("members agree to %.2g: seeds did not make them independent", avg(s.Std))
	}
}

// Training in parallel gives the members that training one at a time
// gives: each member depends on its seed only.
func TestParallelTrainingIsReproducible(t *testing.T) {
	seeds := []uint64{5, 6}
	a, err := ensemble.Train(context.Background(), seeds, sineMember(false), ensemble.Parallel(2))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ensemble.Train(context.Background(), seeds, sineMember(false), ensemble.Parallel(1))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := grid()
	pa, err := a.PredictMarginal(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.PredictMarginal(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(pa.Samples) != 6 {
		t.Fatalf("%d pooled samples, want 2 members x 3", len(pa.Samples))
	}
	for s := range pa.Samples {
		for i := range pa.Samples[s] {
			if pa.Samples[s][i] != pb.Samples[s][i] {
				t.Fatalf("sample %d, point %d: %v in parallel, %v one at a time", s, i, pa.Samples[s][i], pb.Samples[s][i])
			}
		}
	}
}

func TestTrainErrors(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	failing := func(_ context.Context, seed uint64) (*graph.Model, error) {
		if seed == 3 {
			return nil, boom
		}
		return sineMember(true)(ctx, seed)
	}
	if _, err := ensemble.Train(ctx, []uint64{1, 3}, failing, ensemble.Parallel(1)); !errors.Is(err, boom) || !strings.Contains(err.Error(), "seed 3") {
		t.Errorf("failing member: error %v, want boom naming seed 3", err)
	}
	for name, err := range map[string]error{
		"same seed": second(ensemble.Train(ctx, []uint64{1, 1}, failing)),
		"no seeds":  second(ensemble.Train(ctx, nil, failing)),
		"nil func":  second(ensemble.Train(ctx, []uint64{1}, nil)),
		"parallel":  second(ensemble.Train(ctx, []uint64{1}, failing, ensemble.Parallel(0))),
		"no model": second(ensemble.Train(ctx, []uint64{1}, func(context.Context, uint64) (*graph.Model, error) {
			return nil, nil
		})),
		"empty": second((&ensemble.Ensemble{}).PredictMarginal([]float64{1}, 1)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func avg(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
