package optim_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// TestParallelSamplesMatchSequential checks that spreading a step's samples
// over several graphs changes nothing: the same seed gives bit-identical
// parameters and losses, for the ELBO and for the sample-weighted Renyi
// bound, whether the samples fill the graphs evenly or not.
func TestParallelSamplesMatchSequential(t *testing.T) {
	mse := losses.GaussianNLL{Sigma: 0.5}
	objectives := map[string]func() (optim.Objective, error){
		"elbo":  func() (optim.Objective, error) { return losses.NewELBO(mse) },
		"renyi": func() (optim.Objective, error) { return losses.NewRenyi(mse, 0.5) },
	}
	for name, newObj := range objectives {
		for _, c := range []struct{ k, parallel int }{{3, 3}, {5, 2}, {2, 4}} {
			train := func(parallel int) ([][]float64, []float64) {
				m := tinyModel(t, 7)
				obj, err := newObj()
				if err != nil {
					t.Fatal(err)
				}
				adam, err := optim.NewAdam(0.01)
				if err != nil {
					t.Fatal(err)
				}
				tr, err := optim.NewTrainer(m, obj, adam, optim.Samples(c.k), optim.Parallel(parallel),
					optim.BatchSize(16), optim.Quiet(), optim.ShuffleSeed(3))
				if err != nil {
					t.Fatal(err)
				}
				h, err := tr.Fit(context.Background(), tinyData(40), 3)
				if err != nil {
					t.Fatal(err)
				}
				var params [][]float64
				for _, p := range m.Params() {
					params = append(params, p.Values())
				}
				var lossesSeen []float64
				for _, s := range h.Steps {
					lossesSeen = append(lossesSeen, s.Loss, s.Fit, s.KL)
				}
				return params, lossesSeen
			}
			seqP, seqL := train(1)
			parP, parL := train(c.parallel)
			if !slices.Equal(seqL, parL) {
				t.Errorf("%s K=%d parallel %d: step losses differ from sequential", name, c.k, c.parallel)
			}
			for i := range seqP {
				if !slices.Equal(seqP[i], parP[i]) {
					t.Errorf("%s K=%d parallel %d: parameter %d is %v, sequential %v", name, c.k, c.parallel, i, parP[i], seqP[i])
				}
			}
		}
	}
}

func TestParallelRejectsZero(t *testing.T) {
	m := tinyModel(t, 1)
	obj, err := losses.NewELBO(losses.MSE{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := optim.NewTrainer(m, obj, sgd(t), optim.Parallel(0)); err == nil {
		t.Error("Parallel(0): no error")
	}
}
