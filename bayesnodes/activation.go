package bayesnodes

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/elementwise"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// ReLU adds max(x, 0) elementwise to x's graph: the values and gradients
// of G.Rectify, bit for bit, at a fraction of the cost. G.Rectify is
// x ⊙ (x >= 0), three tensors allocated on every run (the mask, the
// product, and in the backward pass the mask times the gradient) plus a
// product for the mask's unused gradient; this is one op writing into
// memory of its own, and one for its gradient. x must be float64 or
// float32.
func ReLU(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, errors.New("bayesnodes: ReLU: nil input node")
	}
	if x.Dims() == 0 {
		return nil, fmt.Errorf("bayesnodes: ReLU: input is a scalar, want a tensor")
	}
	return opkit.Apply(newReLU[float32](x.Dims()), newReLU[float64](x.Dims()), x)
}

// relu is y = x * m, m = 1 where x >= 0 and 0 elsewhere (NaN included),
// as G.Rectify computes it: x < 0 gives -0, NaN stays NaN. It runs on
// every core (a prediction's hidden layers are millions of values).
type relu[T opkit.Float] struct {
	dims  int
	cores *cores[T]
}

func newReLU[T opkit.Float](dims int) relu[T] { return relu[T]{dims, newCores(reluRange[T])} }

func (relu[T]) String() string                                { return "bayesnodes.relu" }
func (m relu[T]) Ranks() ([]int, int)                         { return []int{m.dims}, m.dims }
func (relu[T]) Shape(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
func (relu[T]) DiffWRT() []bool                               { return []bool{true} }

func (m relu[T]) Eval(a *opkit.Args[T]) error {
	m.cores.each(a)
	return nil
}

// reluRange sets elements [lo, hi) of relu's output.
func reluRange[T opkit.Float](a *opkit.Args[T], lo, hi int) {
	elementwise.ReLU(a.Out[lo:hi], a.In[0][lo:hi])
}

// Grad returns g * m for x, from x itself: y cannot tell x = 0 (m = 1)
// from x < 0 (m = 0, y = -0).
func (m relu[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := opkit.ApplyOf[T](reluGrad[T]{m.dims}, in[0], grad)
	return G.Nodes{dx}, err
}

// reluGrad is relu's gradient: (x, g) -> m * g.
type reluGrad[T opkit.Float] struct{ dims int }

func (reluGrad[T]) String() string        { return "bayesnodes.reluGrad" }
func (m reluGrad[T]) Ranks() ([]int, int) { return []int{m.dims, m.dims}, m.dims }

func (reluGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return opkit.SameShapes(in...)
}

func (reluGrad[T]) Eval(a *opkit.Args[T]) error {
	elementwise.ReLUGrad(a.Out, a.In[0], a.In[1])
	return nil
}
