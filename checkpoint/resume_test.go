package checkpoint

import (
	"errors"
	"maps"
	"math"
	"path/filepath"
	"testing"
)

// TestResumeIsExact trains for N = 20 steps (5 epochs of 4 shuffled
// mini-batches, K = 2 samples per step, learned noise), saves the model,
// trainer and solver, and trains on to 2N. Fresh objects made with other
// seeds load the checkpoint and train N more steps: every loss and its
// parts, and the final parameters, must equal the uninterrupted run's to
// the last bit.
func TestResumeIsExact(t *testing.T) {
	data := sineData(t)
	const epochs = 5
	for _, solver := range []string{"adam", "sgd", "plain-sgd"} {
		t.Run(solver, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.safetensors")
			a := newTraining(t, 1, solver)
			a.fit(t, data, epochs)
			if err := Save(path, a.model, WithTrainer(a.trainer), WithMetadata("net", "1-16-1 relu")); err != nil {
				t.Fatal(err)
			}
			want := a.fit(t, data, epochs)

			b := newTraining(t, 2, solver)
			if err := Load(path, b.model, WithTrainer(b.trainer), WithMetadata("net", "1-16-1 relu")); err != nil {
				t.Fatal(err)
			}
			if b.trainer.Steps() != 20 || b.trainer.Epochs() != epochs {
				t.Fatalf("restored trainer at step %d, epoch %d; want 20, %d", b.trainer.Steps(), b.trainer.Epochs(), epochs)
			}
			got := b.fit(t, data, epochs)
			if len(got.Steps) != 20 || len(want.Steps) != 20 {
				t.Fatalf("%d and %d steps, want 20", len(got.Steps), len(want.Steps))
			}
			for i, w := range want.Steps {
				g := got.Steps[i]
				if g.Batch != w.Batch {
					t.Fatalf("step %d: position %+v, want %+v", i, g.Batch, w.Batch)
				}
				if !sameBits([]float64{g.Loss, g.Fit, g.KL}, []float64{w.Loss, w.Fit, w.KL}) {
					t.Fatalf("step %d: loss %v (fit %v, KL %v), uninterrupted %v (fit %v, KL %v)", w.Step, g.Loss, g.Fit, g.KL, w.Loss, w.Fit, w.KL)
				}
			}
			if !maps.EqualFunc(values(b.model), values(a.model), sameBits) {
				t.Error("final parameters differ from the uninterrupted run's")
			}

			// Control: the same run without the trainer's state (fresh
			// solver, shuffle generator at its start) goes another way,
			// so the comparison above can fail.
			c := newTraining(t, 1, solver)
			if err := c.trainer.InitParams(); err != nil {
				t.Fatal(err)
			}
			if err := Load(path, c.model); err != nil {
				t.Fatal(err)
			}
			ctrl := c.fit(t, data, epochs)
			differ := 0
			for i := range ctrl.Steps {
				if math.Float64bits(ctrl.Steps[i].Loss) != math.Float64bits(want.Steps[i].Loss) {
					differ++
				}
			}
			if differ < len(ctrl.Steps)/2 {
				t.Errorf("without the trainer's state %d of %d losses differ: the test does not see that state", differ, len(ctrl.Steps))
			}
		})
	}
}

// TestRestoreTrainerOfAnotherSolver loads an Adam run into a trainer with
// momentum SGD: the solver refuses the state, and neither the trainer nor
// the model changes.
func TestRestoreTrainerOfAnotherSolver(t *testing.T) {
	data := sineData(t)
	a := newTraining(t, 1, "adam")
	a.fit(t, data, 1)
	f, err := Snapshot(a.model, WithTrainer(a.trainer))
	if err != nil {
		t.Fatal(err)
	}
	b := newTraining(t, 2, "sgd")
	if err := b.trainer.InitParams(); err != nil {
		t.Fatal(err)
	}
	before := values(b.model)
	if err := Restore(f, b.model, WithTrainer(b.trainer)); err == nil {
		t.Fatal("an SGD trainer took an Adam state")
	}
	if b.trainer.Steps() != 0 || b.trainer.Epochs() != 0 || !maps.EqualFunc(values(b.model), before, sameBits) {
		t.Error("a refused Restore changed the trainer or the model")
	}

	// A solver tensor of a parameter the model lacks is named.
	bad, err := NewTensor(momentM+"fc9.weight.mu", F64, []int{1}, []float64{0})
	if err != nil {
		t.Fatal(err)
	}
	f.Tensors = append(f.Tensors, bad)
	c := newTraining(t, 3, "adam")
	err = Restore(f, c.model, WithTrainer(c.trainer))
	var te *TensorError
	if !errors.Is(err, ErrExtraTensor) || !errors.As(err, &te) || te.Name != bad.Name {
		t.Errorf("stray solver tensor: %v, want ErrExtraTensor naming %s", err, bad.Name)
	}
}
