package optim_test

import (
	"math"
	"testing"

	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

func TestCosineDecay(t *testing.T) {
	adam, err := optim.NewAdam(0.1)
	if err != nil {
		t.Fatal(err)
	}
	decay, err := optim.CosineDecay(adam, 0.1, 0.001, 4)
	if err != nil {
		t.Fatal(err)
	}
	// The rate set after each step is the one of the next step.
	for step, want := range []float64{
		0.001 + 0.099*(1+math.Cos(math.Pi/4))/2,
		0.001 + 0.099/2,
		0.001 + 0.099*(1+math.Cos(3*math.Pi/4))/2,
		0.001,
		0.001,
	} {
		if err := decay(optim.StepInfo{Batch: losses.Batch{Step: step}}); err != nil {
			t.Fatal(err)
		}
		if got := adam.LearnRate(); math.Abs(got-want) > 1e-15 {
			t.Errorf("after step %d: rate %v, want %v", step, got, want)
		}
	}
	for _, bad := range []struct {
		from, to float64
		steps    int
	}{{0, 0.1, 3}, {0.1, 0, 3}, {0.1, 0.01, 0}, {math.Inf(1), 0.1, 3}, {math.NaN(), 0.1, 3}} {
		if _, err := optim.CosineDecay(adam, bad.from, bad.to, bad.steps); err == nil {
			t.Errorf("CosineDecay(%v, %v, %d): no error", bad.from, bad.to, bad.steps)
		}
	}
	if _, err := optim.CosineDecay(nil, 0.1, 0.01, 3); err == nil {
		t.Error("nil solver: no error")
	}
}
