package graph

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"gorgonia.org/tensor"
)

// Initializer fills a new parameter's values. It is called once, when a model
// first builds a graph that uses the parameter, with the model's seeded
// initialisation generator, so the seed reproduces the initial state.
type Initializer func(dst []float64, rng *rand.Rand)

// Constant returns an Initializer that sets every value to v.
func Constant(v float64) Initializer {
	return func(dst []float64, _ *rand.Rand) {
		for i := range dst {
			dst[i] = v
		}
	}
}

// Normal returns an Initializer that draws every value from N(mean, std^2).
func Normal(mean, std float64) Initializer {
	return func(dst []float64, rng *rand.Rand) {
		for i := range dst {
			dst[i] = mean + std*rng.NormFloat64()
		}
	}
}

// Uniform returns an Initializer that draws every value from U(lo, hi).
func Uniform(lo, hi float64) Initializer {
	return func(dst []float64, rng *rand.Rand) {
		for i := range dst {
			dst[i] = lo + (hi-lo)*rng.Float64()
		}
	}
}

// Param is a trainable tensor: a layer holds its Params, and the model they
// are used in allocates and initialises them on first use. Every graph built
// from that model binds the same tensor, so one solver step updates them all.
type Param struct {
	name    string
	shape   []int
	init    Initializer
	value   *tensor.Dense
	pending []float64 // values set before the tensor exists
}

// NewParam returns a parameter of the given shape. Its name is the one it
// is saved and reported under; a model makes names unique on first use by
// numbering the first dot-separated part of later parameters that reuse a
// name (a second "linear.weight.mu" becomes "linear_1.weight.mu").
func NewParam(name string, shape []int, init Initializer) (*Param, error) {
	if name == "" || strings.HasPrefix(name, NoisePrefix) {
		return nil, fmt.Errorf("graph: parameter name %q: want a non-empty name not starting with %q", name, NoisePrefix)
	}
	if err := checkShape("parameter "+name, shape); err != nil {
		return nil, err
	}
	if init == nil {
		return nil, fmt.Errorf("graph: parameter %s has no initializer", name)
	}
	return &Param{name: name, shape: append([]int(nil), shape...), init: init}, nil
}

// Name returns the parameter's name (unique within its model once used).
func (p *Param) Name() string { return p.name }

// Shape returns a copy of the parameter's shape.
func (p *Param) Shape() []int { return append([]int(nil), p.shape...) }

// Len returns the number of values in the parameter.
func (p *Param) Len() int { return product(p.shape) }

// Values returns a float64 copy of the parameter's current values, or its
// pending values if no model has allocated it yet (nil if there are none).
func (p *Param) Values() []float64 {
	if p.value == nil {
		if p.pending == nil {
			return nil
		}
		return append([]float64(nil), p.pending...)
	}
	return copyOut(p.value, nil)
}

// SetValues overwrites the parameter's values (row-major, converted to the
// model's dtype). Before the parameter is first used the values are kept and
// replace the initializer. It refuses values CheckValues refuses.
func (p *Param) SetValues(v []float64) error {
	if err := p.CheckValues(v); err != nil {
		return err
	}
	if p.value == nil {
		p.pending = append(p.pending[:0], v...)
		return nil
	}
	copyIn(p.value, v)
	return nil
}

// CheckValues reports what SetValues would refuse in v: a length other than
// the parameter's, or a value that is NaN or infinite, or that overflows
// the dtype of the model that allocated the parameter (1e39 in a float32
// model; values set before that are checked when the model first uses the
// parameter).
func (p *Param) CheckValues(v []float64) error {
	if len(v) != p.Len() {
		return fmt.Errorf("graph: parameter %s has %d values (shape %v), got %d", p.name, p.Len(), p.shape, len(v))
	}
	dt := tensor.Float64
	if p.value != nil {
		dt = p.value.Dtype()
	}
	return checkFinite("graph: parameter "+p.name, dt, v)
}

// Tensor returns the tensor a model bound to the parameter, or nil before the
// parameter's first use. Writes to it are seen by every graph of the model.
func (p *Param) Tensor() *tensor.Dense { return p.value }

// allocate creates the parameter's tensor and fills it, from the values
// set before (which must fit dt) or from its initializer.
func (p *Param) allocate(dt tensor.Dtype, rng *rand.Rand) error {
	vals := p.pending
	if vals == nil {
		vals = make([]float64, p.Len())
		p.init(vals, rng)
	}
	if err := checkFinite("graph: parameter "+p.name, dt, vals); err != nil {
		return err
	}
	p.value = newDense(dt, p.shape)
	copyIn(p.value, vals)
	p.pending = nil
	return nil
}
