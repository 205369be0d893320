package optim_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// TestStepThatOverflowsIsUndone takes, with every solver and dtype, one
// good step and then one whose update overflows (a huge learning rate, or
// in float32 a gradient whose square does), and checks that the second
// fails with a *StepError naming the parameter, the buffer and the step,
// and leaves the parameters and the solver's state as the first left them.
func TestStepThatOverflowsIsUndone(t *testing.T) {
	cases := []struct {
		name   string
		mk     func() optim.Solver
		f32    bool
		bigLR  float64 // the learning rate of the bad step
		bigG   float64 // the gradient of the bad step
		scale  float64 // the gradient scale of the bad step
		what   string
		stepNo int
	}{
		{"sgd f64", func() optim.Solver { return mustSGD(t, 0.1) }, false, 1e308, 1e10, 1, "value", 2},
		{"sgd momentum f32", func() optim.Solver { return mustSGD(t, 0.1, optim.Momentum(0.9)) }, true, 0.1, 3e38, 10, "momentum", 2},
		{"adam f32", func() optim.Solver { return mustAdam(t, 1e4) }, true, 1e4, 3e38, 1, "second moment", 2},
		{"adam f64", func() optim.Solver { return mustAdam(t, 1e-3) }, false, 1e308, 1, 1, "value", 2},
		{"rmsprop f32", func() optim.Solver { return mustRMSProp(t, 0.01) }, true, 0.01, 3e38, 1, "squared average", 2},
		{"rmsprop momentum f64", func() optim.Solver { return mustRMSProp(t, 0.01, optim.Momentum(0.5)) }, false, 1e308, 1, 1, "value", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := []float64{0.5, -1, 2}
			good := vg64("ok", a, 3)
			bad := vg64("layer.weight.mu", a, 3)
			if c.f32 {
				good = vg32("ok", []float32{0.5, -1, 2}, 3)
				bad = vg32("layer.weight.mu", []float32{0.5, -1, 2}, 3)
			}
			setGrad := func(p *vgParam, g float64) {
				if c.f32 {
					p.setGrad32([]float32{float32(g), float32(-g), float32(g)})
				} else {
					p.setGrad64([]float64{g, -g, g})
				}
			}
			values := func() [][]float64 {
				var out [][]float64
				for _, p := range []*vgParam{bad, good} {
					if c.f32 {
						out = append(out, widen32(p.w32()))
					} else {
						out = append(out, slices.Clone(p.w64()))
					}
				}
				return out
			}
			s := c.mk()
			vgs := vgList(bad, good)
			setGrad(good, 0.1)
			setGrad(bad, 0.1)
			if err := s.Step(vgs); err != nil {
				t.Fatal(err)
			}
			before, state := values(), s.State()
			setGrad(good, 0.1)
			setGrad(bad, c.bigG)
			if err := s.SetLearnRate(c.bigLR); err != nil {
				t.Fatal(err)
			}
			if err := s.SetGradScale(c.scale); err != nil {
				t.Fatal(err)
			}
			err := s.Step(vgs)
			var se *optim.StepError
			if !errors.As(err, &se) || !errors.Is(err, optim.ErrNonFiniteStep) {
				t.Fatalf("got %v, want a *StepError wrapping ErrNonFiniteStep", err)
			}
			if se.Name != "layer.weight.mu" || se.Index != 0 || se.What != c.what || se.Step != c.stepNo || !math.IsInf(se.Value, 0) && !math.IsNaN(se.Value) {
				t.Errorf("error names parameter %d %q, %s[%d] = %v at step %d; want 0 %q, %s, a non-finite value, step %d (%v)",
					se.Index, se.Name, se.What, se.Element, se.Value, se.Step, "layer.weight.mu", c.what, c.stepNo, err)
			}
			if after := values(); !slices.EqualFunc(after, before, slices.Equal) {
				t.Errorf("parameters after the failed step %v, want %v", after, before)
			}
			if got := s.State(); got.Steps != state.Steps || !slices.EqualFunc(got.M, state.M, slices.Equal) || !slices.EqualFunc(got.V, state.V, slices.Equal) {
				t.Errorf("solver state changed by the failed step: %+v, want %+v", got, state)
			}
			// The solver goes on from the good state.
			if err := s.SetLearnRate(0.01); err != nil {
				t.Fatal(err)
			}
			if err := s.SetGradScale(1); err != nil {
				t.Fatal(err)
			}
			setGrad(good, 0.1)
			setGrad(bad, 0.1)
			if err := s.Step(vgs); err != nil {
				t.Fatalf("a finite step after the failed one: %v", err)
			}
			if s.Steps() != c.stepNo {
				t.Errorf("%d steps, want %d", s.Steps(), c.stepNo)
			}
		})
	}
}

func widen32(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, x := range s {
		out[i] = float64(x)
	}
	return out
}

// TestFitDivergesOnBestParameters makes a Fit diverge in its fourth epoch
// (the learning rate set absurdly high by an epoch hook) and checks that it
// returns ErrNonFiniteStep with the model on the parameters of the best
// epoch under StopRestoreBest, and on the last finite step's without it.
func TestFitDivergesOnBestParameters(t *testing.T) {
	for _, restore := range []bool{true, false} {
		m := tinyModel(t, 3)
		s := mustSGD(t, 0.05)
		var snapshots [][][]float64
		var lastStep [][]float64
		hook := optim.EpochHookFunc(func(tr *optim.Trainer, e optim.EpochInfo) error {
			snapshots = append(snapshots, params(m))
			if e.Epoch == 2 {
				return s.SetLearnRate(1e307)
			}
			return nil
		})
		onStep := optim.OnStep(func(optim.StepInfo) error { lastStep = params(m); return nil })
		elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		stop := []optim.StopOption{optim.StopMonitorMax("val_score")}
		if restore {
			stop = append(stop, optim.StopRestoreBest())
		}
		tr, err := optim.NewTrainer(m, elbo, s, optim.Quiet(), optim.BatchSize(2), onStep,
			optim.Validation(tinyData(3), scripted("score", 1, 3, 2, 0)),
			optim.EarlyStopping(5, stop...), optim.OnEpoch(hook))
		if err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(context.Background(), tinyData(6), 6)
		if !errors.Is(err, optim.ErrNonFiniteStep) && !errors.Is(err, optim.ErrNonFiniteLoss) {
			t.Fatalf("restore %v: Fit returned %v, want a divergence", restore, err)
		}
		if len(h.Epochs) != 3 {
			t.Fatalf("restore %v: %d epochs recorded, want 3", restore, len(h.Epochs))
		}
		want := lastStep
		if restore {
			want = snapshots[1]
		}
		if !equalParams(params(m), want) {
			t.Errorf("restore %v: the model is not on the expected parameters after the divergence (%v)", restore, err)
		}
		for _, p := range params(m) {
			for _, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("restore %v: a parameter is %v", restore, v)
				}
			}
		}
	}
}
