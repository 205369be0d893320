package optim_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// stateRun is a trainer of a tiny model with shuffled mini-batches.
func stateRun(t *testing.T, seed uint64) (*graph.Model, *optim.Trainer, *optim.Adam) {
	t.Helper()
	m := tinyModel(t, seed)
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	adam, err := optim.NewAdam(0.02)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := optim.NewTrainer(m, elbo, adam, optim.BatchSize(3), optim.ShuffleSeed(seed), optim.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	return m, tr, adam
}

// modelState is a model's parameter values and generator positions.
type modelState struct {
	values map[string][]float64
	rng    graph.RNGState
}

func saveModel(t *testing.T, m *graph.Model) modelState {
	t.Helper()
	ms := modelState{values: map[string][]float64{}}
	for _, p := range m.Params() {
		ms.values[p.Name()] = p.Values()
	}
	var err error
	if ms.rng, err = m.RNGState(); err != nil {
		t.Fatal(err)
	}
	return ms
}

func (ms modelState) restore(t *testing.T, m *graph.Model) {
	t.Helper()
	if err := m.InitParams(); err != nil {
		t.Fatal(err)
	}
	for name, v := range ms.values {
		if err := m.Param(name).SetValues(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.SetRNGState(ms.rng); err != nil {
		t.Fatal(err)
	}
}

func losses64(h *optim.History) []uint64 {
	out := make([]uint64, len(h.Steps))
	for i, s := range h.Steps {
		out[i] = math.Float64bits(s.Loss)
	}
	return out
}

// TestTrainerStateContinues checks that a fresh trainer given another's
// state (and a model given its model's values and generators) takes the
// same steps to the bit, whatever the order of the state's parameters.
func TestTrainerStateContinues(t *testing.T) {
	data := tinyData(10)
	ma, ta, _ := stateRun(t, 1)
	if st, err := ta.State(); err != nil || st.Params != nil || st.Solver.M != nil || st.Steps != 0 {
		t.Fatalf("state before training: %+v, %v; want no buffers", st, err)
	}
	if _, err := ta.Fit(context.Background(), data, 3); err != nil {
		t.Fatal(err)
	}
	st, err := ta.State()
	if err != nil {
		t.Fatal(err)
	}
	saved := saveModel(t, ma)
	var names []string
	for _, p := range ma.Params() {
		names = append(names, p.Name())
	}
	if st.Steps != 12 || st.Epochs != 3 || st.Solver.Steps != 12 || st.LearnRate != 0.02 || !slices.Equal(st.Params, names) {
		t.Fatalf("state %d steps, %d epochs, solver %d steps, lr %v, params %v; want 12, 3, 12, 0.02, %v",
			st.Steps, st.Epochs, st.Solver.Steps, st.LearnRate, st.Params, names)
	}
	want, err := ta.Fit(context.Background(), data, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, reversed := range []bool{false, true} {
		s := st
		if reversed {
			s.Params, s.Solver.M, s.Solver.V = slices.Clone(s.Params), slices.Clone(s.Solver.M), slices.Clone(s.Solver.V)
			slices.Reverse(s.Params)
			slices.Reverse(s.Solver.M)
			slices.Reverse(s.Solver.V)
		}
		mb, tb, _ := stateRun(t, 7)
		if err := tb.SetState(s); err != nil {
			t.Fatal(err)
		}
		saved.restore(t, mb)
		got, err := tb.Fit(context.Background(), data, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(losses64(got), losses64(want)) {
			t.Errorf("reversed %v: losses %v, uninterrupted %v", reversed, got.Steps[0].Loss, want.Steps[0].Loss)
		}
		if tb.Steps() != 20 || tb.Epochs() != 5 {
			t.Errorf("reversed %v: at step %d, epoch %d; want 20, 5", reversed, tb.Steps(), tb.Epochs())
		}
	}
}

// TestTrainerSetStateRefuses checks each bad state: refused with a message
// naming the problem, and the trainer and solver left as they were.
func TestTrainerSetStateRefuses(t *testing.T) {
	_, ta, _ := stateRun(t, 1)
	if _, err := ta.Fit(context.Background(), tinyData(10), 1); err != nil {
		t.Fatal(err)
	}
	good, err := ta.State()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(s *optim.TrainerState)) optim.TrainerState {
		s := good
		s.Params, s.Solver.M, s.Solver.V = slices.Clone(s.Params), slices.Clone(s.Solver.M), slices.Clone(s.Solver.V)
		f(&s)
		return s
	}
	cases := []struct {
		name string
		st   optim.TrainerState
		want string
	}{
		{"negative steps", edit(func(s *optim.TrainerState) { s.Steps = -1 }), "negative progress"},
		{"NaN learning rate", edit(func(s *optim.TrainerState) { s.LearnRate = math.NaN() }), "learning rate"},
		{"bad shuffle state", edit(func(s *optim.TrainerState) { s.Shuffle = []byte("pcg:") }), "shuffle generator"},
		{"unknown parameter", edit(func(s *optim.TrainerState) { s.Params[0] = "nope.mu" }), `"nope.mu"`},
		{"duplicate parameter", edit(func(s *optim.TrainerState) { s.Params[1] = s.Params[0] }), "twice"},
		{"missing parameter", edit(func(s *optim.TrainerState) {
			s.Params, s.Solver.M, s.Solver.V = s.Params[1:], s.Solver.M[1:], s.Solver.V[1:]
		}), "no solver buffers for parameter"},
		{"names and buffers", edit(func(s *optim.TrainerState) { s.Params = s.Params[1:] }), "names 7 parameters for 8"},
		{"buffer size", edit(func(s *optim.TrainerState) { s.Solver.M[0], s.Solver.V[0] = s.Solver.M[0][1:], s.Solver.V[0][1:] }), `parameter "linear.weight.mu" has 6 elements, its solver buffers in the state 5`},
		{"solver kind", edit(func(s *optim.TrainerState) { s.Solver.V = nil }), "second moment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tb, adam := stateRun(t, 2)
			err := tb.SetState(c.st)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			if tb.Steps() != 0 || tb.Epochs() != 0 || adam.Steps() != 0 || adam.LearnRate() != 0.02 || adam.State().M != nil {
				t.Error("a refused SetState changed the trainer or its solver")
			}
		})
	}
}
