package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/optim"
)

// Metadata keys Save writes. Keys starting with "bnn." are reserved.
const (
	versionKey = "bnn.checkpoint" // the format version, "1"
	modelKey   = "bnn.model"      // JSON: modelMeta
	trainerKey = "bnn.trainer"    // JSON: trainerMeta
	reserved   = "bnn."
	version    = "1"
)

// Solver moment buffers are stored as tensors named after their parameter
// under these prefixes; model parameters may not start with "optim/".
const (
	optimPrefix = "optim/"
	momentM     = optimPrefix + "m/"
	momentV     = optimPrefix + "v/"
)

type modelMeta struct {
	Dtype string `json:"dtype"`
	Input []int  `json:"input"`
	// The generators' positions (PCG.MarshalBinary, base64 in JSON).
	InitRNG  []byte `json:"init_rng"`
	NoiseRNG []byte `json:"noise_rng"`
}

type trainerMeta struct {
	Steps       int     `json:"steps"`
	Epochs      int     `json:"epochs"`
	ShuffleRNG  []byte  `json:"shuffle_rng"`
	LearnRate   float64 `json:"learn_rate"`
	SolverSteps int     `json:"solver_steps"`
}

// Option configures Save, Load, Snapshot and Restore.
type Option func(*options)

type options struct {
	trainer *optim.Trainer
	meta    map[string]string
	errs    []error
}

// WithTrainer saves, or restores, the trainer's progress with the model:
// steps and epochs taken, the shuffle generator, the learning rate and the
// solver's step count and moment buffers. The trainer must train the model.
// Restoring needs a trainer made as the saved one was (same objective,
// same kind of solver with the same settings). Save between calls of Fit:
// Fit starts each call with a new epoch, so a state saved in the middle of
// an epoch (from an OnStep callback) resumes at the start of the next one.
func WithTrainer(t *optim.Trainer) Option {
	return func(o *options) {
		if t == nil {
			o.errs = append(o.errs, errors.New("WithTrainer(nil)"))
		}
		o.trainer = t
	}
}

// WithMetadata records value under key in the file's metadata when saving,
// and requires the file to hold exactly that value when loading (the error
// wraps ErrMetadataMismatch). Record there what the parameters alone do not
// say, such as the layer sizes and priors, and a file made for another
// network is refused with a message saying how it differs. Keys starting
// with "bnn." are reserved.
func WithMetadata(key, value string) Option {
	return func(o *options) {
		if key == "" || strings.HasPrefix(key, reserved) {
			o.errs = append(o.errs, fmt.Errorf("WithMetadata: key %q is empty or reserved (%q...)", key, reserved))
			return
		}
		if o.meta == nil {
			o.meta = map[string]string{}
		}
		o.meta[key] = value
	}
}

func newOptions(m *graph.Model, opts []Option) (*options, error) {
	if m == nil {
		return nil, errors.New("nil model")
	}
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	if len(o.errs) > 0 {
		return nil, o.errs[0]
	}
	if o.trainer != nil && o.trainer.Model() != m {
		return nil, errors.New("the trainer given WithTrainer trains another model")
	}
	return o, nil
}

// initParams makes every parameter exist: the model learns them by building
// its network, and the objective's by building a training graph.
func (o *options) initParams(m *graph.Model) error {
	if o.trainer != nil {
		return o.trainer.InitParams()
	}
	return m.InitParams()
}

// Save writes a checkpoint of m to path atomically (see WriteFile): its
// parameters, dtype, input shape and generator positions, with the options'
// trainer state and metadata. It builds the network first if it has not
// been (see graph.Model.InitParams).
func Save(path string, m *graph.Model, opts ...Option) error {
	f, err := Snapshot(m, opts...)
	if err != nil {
		return err
	}
	return WriteFile(path, f)
}

// Load restores a checkpoint written by Save into m (and the trainer given
// WithTrainer), built as the saved one was. See Restore.
func Load(path string, m *graph.Model, opts ...Option) error {
	f, err := ReadFile(path)
	if err != nil {
		return err
	}
	if err := Restore(f, m, opts...); err != nil {
		return fmt.Errorf("%w (loading %s)", err, path)
	}
	return nil
}

// Snapshot returns the checkpoint Save would write. Parameters are stored
// in the model's dtype under their names; solver moments, with WithTrainer,
// in the same dtype as "optim/m/NAME" and "optim/v/NAME". A NaN or
// infinite value in either is an error wrapping ErrNonFinite in a
// *TensorError that names the tensor: Load would refuse the file.
func Snapshot(m *graph.Model, opts ...Option) (*File, error) {
	o, err := newOptions(m, opts)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: Snapshot: %w", err)
	}
	if err := o.initParams(m); err != nil {
		return nil, fmt.Errorf("checkpoint: Snapshot: %w", err)
	}
	dt, err := dtypeOf(m.Dtype())
	if err != nil {
		return nil, fmt.Errorf("checkpoint: Snapshot: %w", err)
	}
	f := &File{Metadata: map[string]string{versionKey: version}}
	for k, v := range o.meta {
		f.Metadata[k] = v
	}
	for _, p := range m.Params() {
		if strings.HasPrefix(p.Name(), optimPrefix) {
			return nil, fmt.Errorf("checkpoint: Snapshot: parameter %q: names starting with %q are reserved for the solver's state", p.Name(), optimPrefix)
		}
		v := p.Values()
		if err := finite(p.Name(), v); err != nil {
			return nil, fmt.Errorf("checkpoint: Snapshot: %w (a diverged model; a file that Load refuses is not written)", err)
		}
		t, err := NewTensor(p.Name(), dt, p.Shape(), v)
		if err != nil {
			return nil, fmt.Errorf("checkpoint: Snapshot: %w", err)
		}
		f.Tensors = append(f.Tensors, t)
	}
	rng, err := m.RNGState()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: Snapshot: %w", err)
	}
	mm := modelMeta{Dtype: m.Dtype().String(), Input: m.InputShape(), InitRNG: rng.Init, NoiseRNG: rng.Noise}
	if f.Metadata[modelKey], err = marshal(mm); err != nil {
		return nil, err
	}
	if o.trainer != nil {
		if err := addTrainer(f, m, o.trainer, dt); err != nil {
			return nil, fmt.Errorf("checkpoint: Snapshot: %w", err)
		}
	}
	return f, nil
}

func addTrainer(f *File, m *graph.Model, t *optim.Trainer, dt Dtype) error {
	st, err := t.State()
	if err != nil {
		return err
	}
	tm := trainerMeta{Steps: st.Steps, Epochs: st.Epochs, ShuffleRNG: st.Shuffle, LearnRate: st.LearnRate, SolverSteps: st.Solver.Steps}
	if f.Metadata[trainerKey], err = marshal(tm); err != nil {
		return err
	}
	for i, name := range st.Params {
		p := m.Param(name)
		if p == nil {
			return fmt.Errorf("the solver trains %q, which is not a parameter of the model", name)
		}
		bufs := [][]float64{st.Solver.M[i]}
		prefixes := []string{momentM}
		if st.Solver.V != nil {
			bufs, prefixes = append(bufs, st.Solver.V[i]), append(prefixes, momentV)
		}
		for k, buf := range bufs {
			if err := finite(prefixes[k]+name, buf); err != nil {
				return fmt.Errorf("the solver's state: %w", err)
			}
			t, err := NewTensor(prefixes[k]+name, dt, p.Shape(), buf)
			if err != nil {
				return err
			}
			f.Tensors = append(f.Tensors, t)
		}
	}
	return nil
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	return string(b), nil
}

func dtypeOf(dt tensor.Dtype) (Dtype, error) {
	switch dt {
	case tensor.Float64:
		return F64, nil
	case tensor.Float32:
		return F32, nil
	}
	return "", fmt.Errorf("no safetensors dtype for %v", dt)
}

// Restore loads a checkpoint made by Snapshot or Save into m, a model built
// as the saved one was (same network and dtype; its seed does not matter),
// and, WithTrainer, into that trainer. It first builds the network, or the
// trainer's training graph, so that every parameter exists (a parameter
// that only the objective uses, such as a learned likelihood noise, exists
// only then: load such a file WithTrainer, or build a training graph first).
//
// Every tensor is checked against the model before anything changes; the
// error lists every difference (a missing or an extra tensor, a shape, a
// dtype, a metadata value), each a *TensorError or an error wrapping one
// of the Err* values. Solver tensors are ignored without WithTrainer.
func Restore(f *File, m *graph.Model, opts ...Option) error {
	if err := restore(f, m, opts); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func restore(f *File, m *graph.Model, opts []Option) error {
	if f == nil {
		return errors.New("nil file")
	}
	o, err := newOptions(m, opts)
	if err != nil {
		return err
	}
	switch v, ok := f.Metadata[versionKey]; {
	case !ok:
		return fmt.Errorf("%w: no %q metadata (a peer's file? see Import)", ErrNotCheckpoint, versionKey)
	case v != version:
		return fmt.Errorf("%w: format version %q, this package reads %q", ErrNotCheckpoint, v, version)
	}
	var mm modelMeta
	if err := unmarshal(f, modelKey, &mm); err != nil {
		return err
	}
	if mm.Dtype != m.Dtype().String() {
		return fmt.Errorf("%w: the file holds a %s model, this model computes in %v", ErrDtypeMismatch, mm.Dtype, m.Dtype())
	}
	var diffs []error
	if !slices.Equal(mm.Input, m.InputShape()) {
		diffs = append(diffs, fmt.Errorf("%w: input shape %v in the file, %v in the model", ErrMetadataMismatch, mm.Input, m.InputShape()))
	}
	for _, k := range sortedKeys(o.meta) {
		switch got, ok := f.Metadata[k]; {
		case !ok:
			diffs = append(diffs, fmt.Errorf("%w: %q is not in the file, want %q", ErrMetadataMismatch, k, o.meta[k]))
		case got != o.meta[k]:
			diffs = append(diffs, fmt.Errorf("%w: %q is %q in the file, want %q", ErrMetadataMismatch, k, got, o.meta[k]))
		}
	}
	rng := graph.RNGState{Init: mm.InitRNG, Noise: mm.NoiseRNG}
	if err := rng.Check(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidHeader, modelKey, err)
	}
	var tm trainerMeta
	if o.trainer != nil {
		if _, ok := f.Metadata[trainerKey]; !ok {
			return fmt.Errorf("%w: it was saved without WithTrainer", ErrNoTrainer)
		}
		if err := unmarshal(f, trainerKey, &tm); err != nil {
			return err
		}
	}
	if err := o.initParams(m); err != nil {
		return err
	}

	// Match tensors to parameters; everything is checked before anything is set.
	dt, _ := dtypeOf(m.Dtype())
	tensors := make(map[string]Tensor, len(f.Tensors))
	for _, t := range f.Tensors {
		tensors[t.Name] = t
	}
	params := m.Params()
	values := make([][]float64, len(params))
	for i, p := range params {
		t, ok := tensors[p.Name()]
		if !ok {
			diffs = append(diffs, tensorErr(p.Name(), ErrMissingTensor, "the model has this parameter (shape %v), the file does not", p.Shape()))
			continue
		}
		delete(tensors, p.Name())
		if values[i], err = check(t, dt, p.Shape()); err != nil {
			diffs = append(diffs, err)
		}
	}
	var st optim.TrainerState
	if o.trainer != nil {
		st = optim.TrainerState{Steps: tm.Steps, Epochs: tm.Epochs, Shuffle: tm.ShuffleRNG, LearnRate: tm.LearnRate}
		st.Solver.Steps = tm.SolverSteps
		diffs = append(diffs, moments(tensors, m, dt, &st)...)
	}
	hint := ""
	if o.trainer == nil {
		hint = " (if the objective has it, restore WithTrainer, or build a training graph first)"
	}
	for _, name := range sortedKeys(tensors) {
		if !strings.HasPrefix(name, optimPrefix) {
			t := tensors[name]
			diffs = append(diffs, tensorErr(name, ErrExtraTensor, "the file has it (%s %v), the model has no such parameter%s", t.Dtype, t.Shape, hint))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("the file does not fit the model:\n%w", errors.Join(diffs...))
	}

	// The trainer goes first: its SetState is the one step left that can
	// refuse (a solver of another kind), and it changes nothing if it does.
	if o.trainer != nil {
		if err := o.trainer.SetState(st); err != nil {
			return err
		}
	}
	for i, p := range params {
		if err := p.SetValues(values[i]); err != nil {
			return err // checked above: not expected
		}
	}
	return m.SetRNGState(rng)
}

// moments moves the solver's tensors from ts into st, in a stable order,
// and returns what is wrong with them.
func moments(ts map[string]Tensor, m *graph.Model, dt Dtype, st *optim.TrainerState) []error {
	var diffs []error
	for _, name := range sortedKeys(ts) {
		if !strings.HasPrefix(name, momentM) {
			continue
		}
		param := strings.TrimPrefix(name, momentM)
		mt, vt := ts[name], ts[momentV+param]
		_, hasV := ts[momentV+param]
		delete(ts, name)
		delete(ts, momentV+param)
		p := m.Param(param)
		if p == nil {
			diffs = append(diffs, tensorErr(name, ErrExtraTensor, "solver state for %q, which is not a parameter of the model", param))
			continue
		}
		mv, err := check(mt, dt, p.Shape())
		if err != nil {
			diffs = append(diffs, err)
			continue
		}
		st.Params = append(st.Params, param)
		st.Solver.M = append(st.Solver.M, mv)
		if !hasV {
			continue
		}
		vv, err := check(vt, dt, p.Shape())
		if err != nil {
			diffs = append(diffs, err)
			continue
		}
		st.Solver.V = append(st.Solver.V, vv)
	}
	if st.Solver.V != nil && len(st.Solver.V) != len(st.Solver.M) {
		diffs = append(diffs, fmt.Errorf("%w: %d parameters have a solver's first moments, %d its second", ErrMissingTensor, len(st.Solver.M), len(st.Solver.V)))
	}
	for _, name := range sortedKeys(ts) {
		if strings.HasPrefix(name, optimPrefix) {
			diffs = append(diffs, tensorErr(name, ErrExtraTensor, "not a solver tensor of any parameter"))
			delete(ts, name)
		}
	}
	return diffs
}

// check returns t's values if it has the dtype and shape wanted and holds
// only finite numbers.
func check(t Tensor, dt Dtype, shape []int) ([]float64, error) {
	if t.Dtype != dt {
		return nil, tensorErr(t.Name, ErrDtypeMismatch, "%s in the file, %s in the model", t.Dtype, dt)
	}
	if !slices.Equal(t.Shape, shape) {
		return nil, tensorErr(t.Name, ErrShapeMismatch, "%v in the file, %v in the model", t.Shape, shape)
	}
	v, err := t.Float64s()
	if err != nil {
		return nil, err
	}
	if err := finite(t.Name, v); err != nil {
		return nil, err
	}
	return v, nil
}

// finite returns a *TensorError wrapping ErrNonFinite if a value of the
// tensor name is NaN or infinite.
func finite(name string, v []float64) error {
	if i := slices.IndexFunc(v, func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }); i >= 0 {
		return tensorErr(name, ErrNonFinite, "value %d is %v", i, v[i])
	}
	return nil
}

func unmarshal(f *File, key string, v any) error {
	s, ok := f.Metadata[key]
	if !ok {
		return fmt.Errorf("%w: no %q metadata", ErrNotCheckpoint, key)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: metadata %q: %v", ErrInvalidHeader, key, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
