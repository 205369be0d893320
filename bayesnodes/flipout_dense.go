package bayesnodes

// Flipout for a dense layer as one op each way.
//
// Built from the generic parts (sampleFlipout), a dense Flipout layer is
// a product for the mean, the input times its signs, a second product,
// its output times the output signs and a sum: three Gorgonia elementwise
// nodes that allocate their result on every run, and backward their
// gradients and the sum of the input's two gradients, one more. Worse, the
// signed input is not the graph's data, so where the layer reads the data
// the second product's input gradient is built and run for nothing (as
// large as the forward product). flipoutDense does the same arithmetic,
// in the same order, on memory it keeps, with the signs applied by
// internal/signs' vector kernels: its results are those of the generic
// parts bit for bit.
//
//	y  = x mu^T + ((x s_in) delta^T) s_out               flipoutDense
//	dx = dy mu + ((dy s_out) delta) s_in                 flipoutGradX (none for the data)
//	dmu = dy^T x                                         gemm
//	ddelta = (dy s_out)^T (x s_in)                       flipoutGradDelta
//
// with x [batch, in], mu and delta [out, in], and the signs s_in [batch,
// in] and s_out [batch, out] applied elementwise.

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/signs"
)

// sampleFlipoutDense is sampleFlipout for DenseProduct, with its noise
// drawn in the same order.
func sampleFlipoutDense(b *graph.Builder, x *G.Node, weight, bias Posterior) (*G.Node, error) {
	xs := x.Shape()
	if len(xs) != 2 {
		return nil, fmt.Errorf("bayesnodes: %s: a dense layer's input has shape %v, want [batch, in]", weight.Name(), xs)
	}
	f, err := flipoutIn(b, weight, xs[0], xs[1])
	if err != nil {
		return nil, err
	}
	if err := f.signOut(b, weight, weight.Mean().Shape()[0]); err != nil {
		return nil, err
	}
	constX := b.IsX(x)
	y, err := opkit.Apply(flipoutDense[float32]{constX, new(flipBufs[float32])},
		flipoutDense[float64]{constX, new(flipBufs[float64])}, x, f.mu, f.delta, f.sIn, f.sOut)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", weight.Name(), err)
	}
	return addSampledBias(b, y, bias)
}

// flipBufs is an op's memory for its signed operand and second product.
type flipBufs[T float] struct{ signed, prod []T }

// flipoutDense is (x, mu, delta, s_in, s_out) -> y; constX where x needs
// no gradient (the graph's data, see gemmConstA).
type flipoutDense[T float] struct {
	constX bool
	buf    *flipBufs[T]
}

func (m flipoutDense[T]) String() string {
	return fmt.Sprintf("bayesnodes.flipoutDense(const x %v)", m.constX)
}
func (flipoutDense[T]) Ranks() ([]int, int) { return []int{2, 2, 2, 2, 2}, 2 }
func (m flipoutDense[T]) DiffWRT() []bool   { return []bool{!m.constX, true, true, false, false} }

func (flipoutDense[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	x, mu, delta, sIn, sOut := in[0], in[1], in[2], in[3], in[4]
	batch, out := x[0], mu[0]
	if x[1] != mu[1] || !delta.Eq(mu) || !sIn.Eq(x) || sOut[0] != batch || sOut[1] != out {
		return nil, fmt.Errorf("shapes x %v, mu %v, delta %v, signs %v and %v; want [batch, in], [out, in], [out, in], [batch, in] and [batch, out]",
			x, mu, delta, sIn, sOut)
	}
	return tensor.Shape{batch, out}, nil
}

func (m flipoutDense[T]) Eval(a *opkit.Args[T]) error {
	x, mu, delta, sIn, sOut := a.In[0], a.In[1], a.In[2], a.In[3], a.In[4]
	batch, in := a.Shapes[0][0], a.Shapes[0][1]
	m.buf.products(a.Out, x, sIn, mu, delta, sOut, blas.Trans, batch, a.Shapes[1][0], in)
	return nil
}

// products sets y = a op(b) + ((a sa) op(c)) sy for a [rows, k] and the
// [rows, cols] result y, where op transposes b and c [cols, k] (tb Trans)
// or takes them as [k, cols].
func (buf *flipBufs[T]) products(y, a, sa, b, c, sy []T, tb blas.Transpose, rows, cols, k int) {
	ldb := cols
	if tb == blas.Trans {
		ldb = k
	}
	blasGemm(blas.NoTrans, tb, rows, cols, k, a, k, b, ldb, 0, y, cols)
	signed, prod := sized(&buf.signed, len(a)), sized(&buf.prod, len(y))
	signs.Mul(signed, a, sa)
	blasGemm(blas.NoTrans, tb, rows, cols, k, signed, k, c, ldb, 0, prod, cols)
	signs.AddMul(y, prod, sy)
}

func (m flipoutDense[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, mu, delta, sIn, sOut := in[0], in[1], in[2], in[3], in[4]
	var dx *G.Node
	var err error
	gd := flipoutGradDelta[T]{xSigned: m.buf, dySigned: new(flipBufs[T])}
	gdIn := G.Nodes{grad, x, sIn, sOut}
	if !m.constX {
		gx := flipoutGradX[T]{new(flipBufs[T])}
		if dx, err = opkit.ApplyOf[T](gx, grad, mu, delta, sIn, sOut); err != nil {
			return nil, err
		}
		// dx's op has signed dy already: ddelta reads it after it.
		gd.dySigned, gd.afterDX, gdIn = gx.buf, true, append(gdIn, dx)
	}
	dMu, err := gemm(grad, x, true, false)
	if err != nil {
		return nil, err
	}
	dDelta, err := opkit.ApplyOf[T](gd, gdIn...)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dMu, dDelta, nil, nil}, nil
}

// flipoutGradX is (dy, mu, delta, s_in, s_out) -> dx; its buf.signed
// holds dy s_out after it runs.
type flipoutGradX[T float] struct{ buf *flipBufs[T] }

func (flipoutGradX[T]) String() string      { return "bayesnodes.flipoutGradX" }
func (flipoutGradX[T]) Ranks() ([]int, int) { return []int{2, 2, 2, 2, 2}, 2 }

func (flipoutGradX[T]) Shape(in []tensor.Shape) (tensor.Shape, error) { return in[3].Clone(), nil }

func (m flipoutGradX[T]) Eval(a *opkit.Args[T]) error {
	dy, mu, delta, sIn, sOut := a.In[0], a.In[1], a.In[2], a.In[3], a.In[4]
	batch, out := a.Shapes[0][0], a.Shapes[0][1]
	m.buf.products(a.Out, dy, sOut, mu, delta, sIn, blas.NoTrans, batch, a.Shapes[1][1], out)
	return nil
}

// flipoutGradDelta is (dy, x, s_in, s_out[, dx]) -> ddelta. The signed
// operands are those the forward op and dx's op made this run: x s_in is
// xSigned.signed (the forward op's, which runs before any gradient), and
// with dx among the inputs, so that its op runs first, dy s_out is
// dySigned.signed; without dx (the graph's data needs none) the op signs
// dy into dySigned itself. x and s_in stay inputs for the graph's order.
type flipoutGradDelta[T float] struct {
	xSigned, dySigned *flipBufs[T]
	afterDX           bool
}

func (flipoutGradDelta[T]) String() string { return "bayesnodes.flipoutGradDelta" }

func (m flipoutGradDelta[T]) Ranks() ([]int, int) {
	if m.afterDX {
		return []int{2, 2, 2, 2, 2}, 2
	}
	return []int{2, 2, 2, 2}, 2
}

func (flipoutGradDelta[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return tensor.Shape{in[0][1], in[1][1]}, nil
}

func (m flipoutGradDelta[T]) Eval(a *opkit.Args[T]) error {
	dy, x, sOut := a.In[0], a.In[1], a.In[3]
	batch, out := a.Shapes[0][0], a.Shapes[0][1]
	in := a.Shapes[1][1]
	xSigned := m.xSigned.signed[:len(x)]
	var dySigned []T
	if m.afterDX {
		dySigned = m.dySigned.signed[:len(dy)]
	} else {
		dySigned = sized(&m.dySigned.signed, len(dy))
		signs.Mul(dySigned, dy, sOut)
	}
	blasGemm(blas.Trans, blas.NoTrans, out, in, batch, dySigned, out, xSigned, in, 0, a.Out, in)
	return nil
}
