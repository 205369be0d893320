package opkit

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Float is the element type an op computes in.
type Float interface{ float32 | float64 }

// Scalar is the rank of a scalar input or output, whose Gorgonia type is
// the element type itself rather than a tensor type.
const Scalar = -1

// Math is an op's mathematics over elements of type T.
type Math[T Float] interface {
	// String names the op and every parameter that tells two ops apart,
	// floats exactly (%v does): it is the op's String and part of its hash.
	fmt.Stringer
	// Ranks returns the ranks of the inputs and of the output, each a
	// number of axes or Scalar.
	Ranks() (in []int, out int)
	// Shape checks the input shapes and returns the output's. A Scalar
	// input's shape is tensor.ScalarShape().
	Shape(in []tensor.Shape) (tensor.Shape, error)
	// Eval sets a.Out from a.In.
	Eval(a *Args[T]) error
}

// Args is what Eval computes with: the inputs' elements, contiguous and
// row-major (a Scalar input's one value), their shapes as Shape accepted
// them, and the output's memory and shape (Shape's result; one element for
// a Scalar output). Out holds the previous run's output, or zeros on the
// first run: an op that accumulates must clear it first. Eval must not
// keep or change In or Shapes.
type Args[T Float] struct {
	In       [][]T
	Shapes   []tensor.Shape
	Out      []T
	OutShape tensor.Shape
}

// Differentiable is a Math with a gradient. DiffWRT reports, per input,
// whether it has one; Grad returns the gradient nodes, nil where DiffWRT
// is false, given the inputs, the output and the output's gradient. A
// Math whose gradient Gorgonia must not ask for (a helper whose readers
// differentiate its inputs themselves) returns all false and an error.
type Differentiable interface {
	DiffWRT() []bool
	Grad(in G.Nodes, out, grad *G.Node) (G.Nodes, error)
}

// Memoised is a Math whose output depends on its inputs alone, and costs
// enough that a run on the very same inputs (compared bit for bit, as a
// prediction graph sees its parameters pass after pass) should skip Eval
// and return the output it already holds.
type Memoised interface {
	Memoised()
}

// Epoch spares a memoised op its comparison of inputs on runs where the
// graph running it knows they cannot have changed. Comparing megabytes of
// data and parameters bit for bit on every run was a fifth of a
// prediction's time. A graph binds an op to an epoch (Op.Vouch) only if
// the op's inputs are computed from nothing but the graph's data inputs,
// parameters and constants (no noise, nothing random), and advances the
// epoch wherever any of those may have changed since the last run: a new
// call, a new input, any writer of the parameters (a training step, a
// checkpoint, a user's write into a tensor) come between. Between two
// Advances the op compares its inputs once, on its first run; a bound op
// never goes stale however its parameters were written, because nothing
// but the graph's own runs happen between two Advances. The zero Epoch is
// ready to use; an Epoch must not be used by two goroutines at once.
type Epoch struct{ n uint64 }

// Advance starts a new epoch: the next run of each op bound to e compares
// its inputs again.
func (e *Epoch) Advance() { e.n++ }
