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
	fuseReLU[float32](x, y)
	fuseReLU[float64](x, y)
	return y, nil
}

// relu is y = x * m, m = 1 where x >= 0 and 0 elsewhere (NaN included),
// as G.Rectify computes it: x < 0 gives -0, NaN stays NaN. It runs on
// every core (a prediction's hidden layers are millions of values), and
// does x's op itself where it is its only reader and x's op lets it (see
// reluFusion).
type relu[T opkit.Float] struct {
	dims int
	run  *reluRun[T]
}

// reluRun is what a relu op's runs share.
type reluRun[T opkit.Float] struct {
	cores *cores[T]
	fused *reluFusion[T] // x's op's, if it has one
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
	if f := r.fused; f != nil && f.fused {
		f.kernel(a.Out, f.in, lo, hi)
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

// reluFusion lets a ReLU do the work of the op that computes its input x
// in the same pass over the values, so that x is not written and read
// back: the marginal draw (mean + sd * eps) and the bias add. A graph is
// complete only when it first runs, so that is when x's op decides: it
// leaves its work to the ReLU if the ReLU is x's only reader (no other
// op, no G.Read, no gradient, which reads x) and each of its inputs lives
// in memory nothing else writes (an input node's, or a kit op's own), so
// that they are as the op saw them when the ReLU runs later in the run;
// then on each run it hands the ReLU its inputs and returns.
type reluFusion[T opkit.Float] struct {
	op, relu *G.Node // relu = ReLU(op), once one is built
	// kernel sets out[lo:hi] to ReLU of the op's values from its inputs.
	kernel  func(out []T, in [][]T, lo, hi int)
	decided bool
	fused   bool
	in      [][]T // the run's inputs, while fused
}

// reluFuser is a Math whose work a ReLU of its output can do.
type reluFuser[T opkit.Float] interface{ reluFusion() *reluFusion[T] }

// fuseReLU offers x's op's work to y = ReLU(x) if x's op is a kit op of
// dtype T that allows it.
func fuseReLU[T opkit.Float](x, y *G.Node) {
	p, ok := mathOf[T](x).(reluFuser[T])
	if !ok {
		return
	}
	r, ok := mathOf[T](y).(relu[T])
	f := p.reluFusion()
	if !ok || f.relu != nil && f.relu != y {
		return // cannot happen: ReLU(x) twice is one node
	}
	f.op, f.relu = x, y
	r.run.fused = f
}

// mathOf returns the Math of n's op if it is a kit op of dtype T, else
// nil.
func mathOf[T opkit.Float](n *G.Node) opkit.Math[T] {
	if op, ok := n.Op().(interface{ Math() opkit.Math[T] }); ok {
		return op.Math()
	}
	return nil
}

// leave reports whether the op leaves its work to the ReLU, deciding on
// the first run, and if so keeps the run's inputs for it.
func (f *reluFusion[T]) leave(in [][]T) bool {
	if !f.decided {
		f.decided = true
		f.fused = f.relu != nil && onlyReader(f.op, f.relu) && inputsOwnMemory(f.op)
	}
	if f.fused {
		f.in = append(f.in[:0], in...)
	}
	return f.fused
}

// onlyReader reports whether y is the only node that reads x.
func onlyReader(x, y *G.Node) bool {
	readers := x.Graph().To(x.ID())
	return readers.Len() == 1 && readers.Next() && readers.Node().(*G.Node) == y
}

// inputsOwnMemory reports whether every input of n is an input node or
// the output of a kit op that owns its memory.
func inputsOwnMemory(n *G.Node) bool {
	for it := n.Graph().From(n.ID()); it.Next(); {
		switch op := it.Node().(*G.Node).Op().(type) {
		case nil:
		case interface{ OwnsOutput() bool }:
			if !op.OwnsOutput() {
				return false
			}
		default:
			return false
		}
	}
	return true
}
