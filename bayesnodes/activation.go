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
	y, err := opkit.Apply(newReLU[float32](x.Dims()), newReLU[float64](x.Dims()), x)
	if err != nil {
		return nil, err
	}
	fuseDrawReLU[float32](x, y)
	fuseDrawReLU[float64](x, y)
	return y, nil
}

// relu is y = x * m, m = 1 where x >= 0 and 0 elsewhere (NaN included),
// as G.Rectify computes it: x < 0 gives -0, NaN stays NaN. It runs on
// every core (a prediction's hidden layers are millions of values), and
// computes a marginal draw x itself where it is the draw's only reader
// (see drawFusion).
type relu[T opkit.Float] struct {
	dims int
	run  *reluRun[T]
}

// reluRun is what a relu op's runs share.
type reluRun[T opkit.Float] struct {
	cores *cores[T]
	draw  *drawFusion[T] // x's, if x is a marginal draw
}

func newReLU[T opkit.Float](dims int) relu[T] {
	r := &reluRun[T]{}
	r.cores = newCores(r.kernel)
	return relu[T]{dims, r}
}

func (relu[T]) String() string                                { return "bayesnodes.relu" }
func (m relu[T]) Ranks() ([]int, int)                         { return []int{m.dims}, m.dims }
func (relu[T]) Shape(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
func (relu[T]) DiffWRT() []bool                               { return []bool{true} }

func (m relu[T]) Eval(a *opkit.Args[T]) error {
	m.run.cores.each(a)
	return nil
}

// kernel sets elements [lo, hi) of relu's output.
func (r *reluRun[T]) kernel(a *opkit.Args[T], lo, hi int) {
	if d := r.draw; d != nil && d.fused {
		n := len(d.eps)
		elementwise.AddMulReLU(a.Out[lo:hi], d.moments[lo:hi], d.moments[n+lo:n+hi], d.eps[lo:hi])
		return
	}
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
