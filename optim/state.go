package optim

import (
	"fmt"
	"math/rand/v2"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TrainerState is a Trainer's progress. With the model's parameters and
// generators (graph.Model.RNGState) it is what training needs to continue
// exactly as if it had not stopped: the same batches, the same noise, the
// same solver updates.
type TrainerState struct {
	Steps     int     // steps taken, over every Fit
	Epochs    int     // epochs completed, over every Fit
	Shuffle   []byte  // position of the shuffle generator (PCG.MarshalBinary)
	LearnRate float64 // the solver's learning rate, which a schedule may have changed
	Solver    SolverState
	// Params names the parameter each of Solver's moment buffers belongs
	// to, in order; nil when the solver keeps none. SetState matches
	// buffers to parameters by these names, not by position.
	Params []string
}

// Model returns the model the trainer trains.
func (t *Trainer) Model() *graph.Model { return t.model }

// Epochs returns the number of epochs completed so far.
func (t *Trainer) Epochs() int { return t.epochs }

// InitParams builds the trainer's training graph if it has none (for its
// batch size, or for one example when a batch is the whole data set), so
// that every parameter of the model and of the objective exists, as before
// a first step. Restoring a checkpoint into fresh objects needs it.
func (t *Trainer) InitParams() error {
	if len(t.graphs) > 0 {
		return nil
	}
	_, err := t.graphFor(max(t.batch, 1))
	return err
}

// State returns the trainer's progress. Training goes on unchanged after it.
func (t *Trainer) State() (TrainerState, error) {
	shuffle, err := t.shuffle.MarshalBinary()
	if err != nil {
		return TrainerState{}, fmt.Errorf("optim: Trainer.State: shuffle generator: %w", err)
	}
	st := TrainerState{Steps: t.steps, Epochs: t.epochs, Shuffle: shuffle,
		LearnRate: t.solver.LearnRate(), Solver: t.solver.State()}
	if n := len(st.Solver.M); n > 0 {
		order, _, err := t.paramOrder()
		if err != nil {
			return TrainerState{}, fmt.Errorf("optim: Trainer.State: %w", err)
		}
		if len(order) != n {
			return TrainerState{}, fmt.Errorf("optim: Trainer.State: the solver has buffers for %d parameters, the trainer trains %d", n, len(order))
		}
		st.Params = order
	}
	return st, nil
}

// SetState restores a state returned by State, into a trainer made the same
// way (same model architecture, objective, solver kind and settings). It
// builds the training graph first if need be (see InitParams). On error the
// trainer and its solver are unchanged.
func (t *Trainer) SetState(st TrainerState) error {
	const op = "optim: Trainer.SetState"
	if st.Steps < 0 || st.Epochs < 0 {
		return fmt.Errorf("%s: negative progress: %d steps, %d epochs", op, st.Steps, st.Epochs)
	}
	if err := checkLearnRate(st.LearnRate); err != nil {
		return fmt.Errorf("%s: %v", op, err)
	}
	shuffle := new(rand.PCG)
	if err := shuffle.UnmarshalBinary(st.Shuffle); err != nil {
		return fmt.Errorf("%s: shuffle generator state: %w", op, err)
	}
	solver := st.Solver
	if len(st.Solver.M) > 0 || len(st.Solver.V) > 0 || len(st.Params) > 0 {
		var err error
		if solver, err = t.reorder(st); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := t.solver.SetState(solver); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// Nothing below can fail: the learning rate was checked above.
	_ = t.solver.SetLearnRate(st.LearnRate)
	t.steps, t.epochs = st.Steps, st.Epochs
	t.shuffle, t.rng = shuffle, rand.New(shuffle)
	return nil
}

// reorder returns st's solver buffers in the order this trainer steps its
// parameters, matched by name.
func (t *Trainer) reorder(st TrainerState) (SolverState, error) {
	s := st.Solver
	if len(st.Params) != len(s.M) || (s.V != nil && len(s.V) != len(s.M)) {
		return SolverState{}, fmt.Errorf("the state names %d parameters for %d first and %d second moment buffers", len(st.Params), len(s.M), len(s.V))
	}
	at := make(map[string]int, len(st.Params))
	for i, name := range st.Params {
		if _, dup := at[name]; dup {
			return SolverState{}, fmt.Errorf("the state names parameter %q twice", name)
		}
		at[name] = i
	}
	order, sizes, err := t.paramOrder()
	if err != nil {
		return SolverState{}, err
	}
	for _, name := range st.Params {
		if !slices.Contains(order, name) {
			return SolverState{}, fmt.Errorf("the state has solver buffers for parameter %q, which the trainer does not train", name)
		}
	}
	out := SolverState{Steps: s.Steps, M: make([][]float64, len(order))}
	if s.V != nil {
		out.V = make([][]float64, len(order))
	}
	for j, name := range order {
		i, ok := at[name]
		if !ok {
			return SolverState{}, fmt.Errorf("the state has no solver buffers for parameter %q", name)
		}
		// Checked here, not only at the solver's next step, so that a bad
		// state is refused while the error can still name the parameter.
		if len(s.M[i]) != sizes[j] || (s.V != nil && len(s.V[i]) != sizes[j]) {
			return SolverState{}, fmt.Errorf("parameter %q has %d elements, its solver buffers in the state %d", name, sizes[j], len(s.M[i]))
		}
		out.M[j] = s.M[i]
		if s.V != nil {
			out.V[j] = s.V[i]
		}
	}
	return out, nil
}

// paramOrder returns the names and sizes of the parameters in the order
// Step passes them to the solver: that of the training graphs' learnables
// (every graph of one trainer lists them alike).
func (t *Trainer) paramOrder() ([]string, []int, error) {
	if err := t.InitParams(); err != nil {
		return nil, nil, err
	}
	batches := make([]int, 0, len(t.graphs))
	for b := range t.graphs {
		batches = append(batches, b)
	}
	vgs := t.graphs[slices.Min(batches)].Learnables()
	names, sizes := make([]string, len(vgs)), make([]int, len(vgs))
	for i, vg := range vgs {
		n, ok := vg.(*G.Node)
		if !ok {
			return nil, nil, fmt.Errorf("learnable %d is a %T, not a node", i, vg)
		}
		names[i], sizes[i] = n.Name(), n.Shape().TotalSize()
	}
	return names, sizes, nil
}
