package graph

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Network is a model's forward pass: it applies layers to the input node x
// (shape [batch, Input...]) through b and returns the output node.
type Network func(b *Builder, x *G.Node) (*G.Node, error)

// Model owns a network's parameters, its noise generator and its mode, and
// builds graphs of any batch size that share them.
//
// Concurrency: the prediction methods (Predict, PredictMean and
// PredictMarginal) are safe for concurrent use by many goroutines on one
// model. Each call runs graphs of its own (a model keeps a pool of them per
// batch size, since a Gorgonia graph must never run in two goroutines at
// once) and only reads the parameters. Without PredictSeed, concurrent
// calls take their passes' noise from the model's one run counter in the
// order they reach it, so their answers depend on that order; with it,
// they do not. Freeze, Unfreeze and ReseedNoise may be called meanwhile;
// they apply to the calls that start after them. Everything else that
// changes the model must not run concurrently with anything, predictions
// included: training (running graphs from Build, a solver step, optim's
// Trainer), SetValues, SetRNGState, Replace and loading a checkpoint.
type Model struct {
	net   Network
	input []int
	dtype tensor.Dtype
	seed  uint64

	initRNG *rand.Rand // parameter initialisation
	// initRNG's source, kept so that checkpoints can save and restore its
	// position (see RNGState).
	initSrc *rand.PCG
	// The noise generator (see noise.go): its key and the number of the
	// next run, which every draw of noise advances.
	noiseSeed, noiseRun uint64

	params      []*Param
	names       map[string]*Param
	substitutes map[*Param]Substitute
	revision    int // counts Replace calls; graphs built before one are stale
	frozen      bool

	// mu serialises what prediction calls share: taking graphs from
	// inference (and building them, which registers parameters) and
	// taking runs from the noise counter. Graphs run outside it, each in
	// one call at a time.
	mu        sync.Mutex
	inference map[predictKey][]*Graph // free prediction graphs by kind and batch size
}

// Option configures a Model.
type Option func(*Model) error

// Seed sets the seed of the model's generators (default 1). The same seed and
// the same sequence of calls reproduce parameters, noise and therefore runs.
func Seed(seed uint64) Option {
	return func(m *Model) error { m.seed = seed; return nil }
}

// Input sets the shape of one example of the network's input, e.g. Input(1)
// for scalar regression, Input(784) for flat MNIST, Input(1, 28, 28) for
// images. It is required.
func Input(shape ...int) Option {
	return func(m *Model) error {
		if err := checkShape("model input", shape); err != nil {
			return err
		}
		m.input = append([]int(nil), shape...)
		return nil
	}
}

// WithDtype sets the dtype the model computes in: Float64 (the default) or
// Float32.
func WithDtype(dt tensor.Dtype) Option {
	return func(m *Model) error {
		if err := checkDtype(dt); err != nil {
			return err
		}
		m.dtype = dt
		return nil
	}
}

// NewModel returns a model of net. Parameters are created when the first
// graph is built.
func NewModel(net Network, opts ...Option) (*Model, error) {
	if net == nil {
		return nil, fmt.Errorf("graph: NewModel needs a network function")
	}
	m := &Model{net: net, dtype: tensor.Float64, seed: 1, names: map[string]*Param{}, inference: map[predictKey][]*Graph{}}
	for _, opt := range opts {
		if err := opt(m); err != nil {
			return nil, err
		}
	}
	if m.input == nil {
		return nil, fmt.Errorf("graph: NewModel needs the input shape of one example: add graph.Input(...)")
	}
	// Two generators of one seed: initialisation does not depend on how
	// much noise was drawn before a parameter's first use, nor the reverse.
	m.initSrc = rand.NewPCG(m.seed, 0x5eed0001)
	m.initRNG = rand.New(m.initSrc)
	m.noiseSeed = m.seed
	return m, nil
}

// ErrNoModel is returned by a Model's methods called on a nil *Model or
// on a Model not made by NewModel (the zero Model{} has no network).
var ErrNoModel = errors.New("graph: no model: a nil *Model, or a Model not made by NewModel")

// usable returns ErrNoModel, naming fn, unless m was made by NewModel.
func (m *Model) usable(fn string) error {
	if m == nil || m.net == nil || m.inference == nil {
		return fmt.Errorf("%w (in %s)", ErrNoModel, fn)
	}
	return nil
}

// Dtype returns the dtype the model computes in.
func (m *Model) Dtype() tensor.Dtype { return m.dtype }

// InputShape returns a copy of the shape of one input example.
func (m *Model) InputShape() []int { return append([]int(nil), m.input...) }

// InputWidth returns the number of values in one input example.
func (m *Model) InputWidth() int { return product(m.input) }

// Params returns the model's parameters in order of first use. It is empty
// until the first graph is built.
func (m *Model) Params() []*Param { return append([]*Param(nil), m.params...) }

// Param returns the parameter of the given name, or nil.
func (m *Model) Param(name string) *Param { return m.names[name] }

// NumParams returns the number of trainable values in the model.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += p.Len()
	}
	return n
}

// Freeze makes every graph of the model use the posterior mean weights: noise
// inputs are filled with zeros, so a run is deterministic (BLiTZ's freeze_).
func (m *Model) Freeze() { m.setFrozen(true) }

// Unfreeze returns the model to sampled weights.
func (m *Model) Unfreeze() { m.setFrozen(false) }

func (m *Model) setFrozen(f bool) {
	m.mu.Lock()
	m.frozen = f
	m.mu.Unlock()
}

// Frozen reports whether the model uses mean weights.
func (m *Model) Frozen() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.frozen
}

// CloseIdleGraphs closes the prediction graphs the model keeps between
// calls, so that their memory (a graph holds its batch's activations,
// tens of megabytes for a thousand images) can be collected; later
// predictions build new ones. Graphs of calls running meanwhile are kept
// when those calls end. Like http.Transport's CloseIdleConnections, it is
// for a program done predicting at one size, or short of memory.
func (m *Model) CloseIdleGraphs() {
	if m == nil || m.inference == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closeIdleGraphs()
}

// closeIdleGraphs is CloseIdleGraphs for a caller holding m.mu or running
// alone.
func (m *Model) closeIdleGraphs() {
	for key, free := range m.inference {
		for _, g := range free {
			g.Close()
		}
		delete(m.inference, key)
	}
}

// ReseedNoise restarts the noise generator from seed, so a run can be
// repeated from a known point (for example the same predictive samples).
func (m *Model) ReseedNoise(seed uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.noiseSeed, m.noiseRun = seed, 0
}

// nextDraw returns the noise of the model's next run and counts the run;
// a frozen model draws zeros and counts nothing.
func (m *Model) nextDraw() noiseDraw {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := noiseDraw{frozen: m.frozen, key: m.noiseSeed, run: m.noiseRun}
	if !m.frozen {
		m.noiseRun++
	}
	return d
}

// register adds p to the model on its first use in it. A parameter first
// used by this model is renamed if its name is taken and allocated from the
// model's initialisation stream; one already allocated by another model of
// the same dtype is shared as it is (both models then train one tensor).
func (m *Model) register(p *Param) error {
	if other, ok := m.names[p.name]; ok {
		if other == p {
			return nil
		}
		if p.value != nil {
			return fmt.Errorf("graph: parameter %s is shared with another model, and this model has a different parameter of that name", p.name)
		}
	}
	if p.value != nil {
		if p.value.Dtype() != m.dtype {
			return fmt.Errorf("graph: parameter %s is %v in another model, this model computes in %v", p.name, p.value.Dtype(), m.dtype)
		}
	} else {
		name := p.name
		for i := 1; m.names[name] != nil; i++ {
			name = numbered(p.name, i)
		}
		if err := p.allocate(m.dtype, m.initRNG); err != nil {
			return err
		}
		p.name = name
	}
	m.params = append(m.params, p)
	m.names[p.name] = p
	return nil
}

// numbered returns name with _i after its first dot-separated part, so the
// parameters of a repeated layer name ("linear.weight.mu", "linear.bias.mu")
// are all renamed alike ("linear_1.weight.mu", "linear_1.bias.mu").
func numbered(name string, i int) string {
	if dot := strings.IndexByte(name, '.'); dot > 0 {
		return fmt.Sprintf("%s_%d%s", name[:dot], i, name[dot:])
	}
	return fmt.Sprintf("%s_%d", name, i)
}
