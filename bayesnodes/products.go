package bayesnodes

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// gemmOp is C = op(A) op(B) for matrices, op transposing where asked, by
// one BLAS call on the inputs as they are (Gorgonia's BLAS: gonum's, or
// OpenBLAS with -tags openblas). Gorgonia can only multiply by a transposed
// weight matrix after copying it out with Transpose, forward and backward,
// which was a quarter of an MNIST MLP step; the gradients here are gemmOps
// with other flags, so no pass copies a matrix.
type gemmOp[T float] struct {
	transA, transB bool
	constA         bool // A needs no gradient (see gemmConstA)
}

// gemm adds op(a) op(b) to the graph.
func gemm(a, b *G.Node, transA, transB bool) (*G.Node, error) {
	return newGemm(a, b, transA, transB, false)
}

// gemmConstA is gemm for an a that needs no gradient, such as the data:
// its gradient is not built, since the TapeMachine runs every node of a
// graph, read or not (for the MNIST MLP's first layer, a product as large
// as the forward one on every step).
func gemmConstA(a, b *G.Node, transA, transB bool) (*G.Node, error) {
	return newGemm(a, b, transA, transB, true)
}

func newGemm(a, b *G.Node, transA, transB, constA bool) (*G.Node, error) {
	return opkit.Apply(gemmOp[float32]{transA, transB, constA}, gemmOp[float64]{transA, transB, constA}, a, b)
}

func (m gemmOp[T]) String() string {
	name := func(m string, t bool) string {
		if t {
			return m + "ᵀ"
		}
		return m
	}
	a := name("A", m.transA)
	if m.constA {
		a = name("const A", m.transA)
	}
	return fmt.Sprintf("bayesnodes.gemm(%s %s)", a, name("B", m.transB))
}

func (gemmOp[T]) Ranks() ([]int, int) { return []int{2, 2}, 2 }
func (m gemmOp[T]) DiffWRT() []bool   { return []bool{!m.constA, true} }

// dims returns the rows and columns of op(A) given A's shape.
func dims(s tensor.Shape, trans bool) (rows, cols int) {
	if trans {
		return s[1], s[0]
	}
	return s[0], s[1]
}

func (m gemmOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	rows, k := dims(in[0], m.transA)
	k2, cols := dims(in[1], m.transB)
	if k != k2 {
		return nil, fmt.Errorf("inner sizes differ: %v and %v", in[0], in[1])
	}
	return tensor.Shape{rows, cols}, nil
}

func (m gemmOp[T]) Eval(a *opkit.Args[T]) error {
	sa, sb := a.Shapes[0], a.Shapes[1]
	rows, k := dims(sa, m.transA)
	_, cols := dims(sb, m.transB)
	ta, tb := blas.NoTrans, blas.NoTrans
	if m.transA {
		ta = blas.Trans
	}
	if m.transB {
		tb = blas.Trans
	}
	blasGemm(ta, tb, rows, cols, k, a.In[0], sa[1], a.In[1], sb[1], 0, a.Out, cols)
	return nil
}

// Grad differentiates C = op(A) op(B) with products of the same kind:
// for C = A B, dA = dC Bᵀ and dB = Aᵀ dC; the other cases follow by
// transposing both sides.
func (m gemmOp[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	a, b := in[0], in[1]
	// dA = x y and dB = u v, each with its operands transposed as marked.
	type product struct {
		x, y   *G.Node
		tx, ty bool
	}
	var pa, pb product
	switch {
	case !m.transA && !m.transB:
		pa, pb = product{grad, b, false, true}, product{a, grad, true, false}
	case !m.transA && m.transB:
		pa, pb = product{grad, b, false, false}, product{grad, a, true, false}
	case m.transA && !m.transB:
		pa, pb = product{b, grad, false, true}, product{a, grad, false, false}
	default:
		pa, pb = product{b, grad, true, true}, product{grad, a, true, true}
	}
	var da *G.Node
	var err error
	if !m.constA {
		da, err = gemm(pa.x, pa.y, pa.tx, pa.ty)
	}
	var db *G.Node
	if err == nil {
		db, err = gemm(pb.x, pb.y, pb.tx, pb.ty)
	}
	if err != nil {
		return nil, err
	}
	return G.Nodes{da, db}, nil
}
