package optim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// TestNilArguments checks that a nil context, a nil or zero Trainer and
// an annealing schedule of zero steps are each named errors, not panics
// (nor, for the schedule, a NaN weight followed by a misleading error
// about gradients).
func TestNilArguments(t *testing.T) {
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1012 the nil context is what is tested
	if _, err := tr.Fit(nil, tinyData(4), 1); err == nil || !strings.Contains(err.Error(), "nil context") {
		t.Errorf("Fit(nil context): got %v, want an error naming the nil context", err)
	}
	for _, bad := range []*optim.Trainer{nil, {}} {
		if _, err := bad.Fit(context.Background(), tinyData(4), 1); err == nil || !strings.Contains(err.Error(), "no trainer") {
			t.Errorf("Fit on %#v: got %v, want an error saying there is no trainer", bad, err)
		}
		if _, err := bad.Step([]float64{1, 2}, []float64{1}, losses.Batch{}); err == nil || !strings.Contains(err.Error(), "no trainer") {
			t.Errorf("Step on %#v: got %v, want an error saying there is no trainer", bad, err)
		}
	}

	for _, c := range []struct {
		weight losses.KLWeight
		want   string
	}{
		{losses.Annealed{Base: losses.PerExample{}, Steps: 0}, "Annealed.Steps is 0"},
		{losses.Annealed{Steps: 10}, "no Base"},
		{nil, "nil KL weighting"},
	} {
		elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		elbo.Weight = c.weight
		tr, err := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Quiet())
		if err != nil {
			t.Fatal(err)
		}
		_, err = tr.Fit(context.Background(), tinyData(4), 1)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "gradient") {
			t.Errorf("weighting %#v: got %v, want only an error saying %q", c.weight, err, c.want)
		}
	}
}
