package bayesnodes

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gemmOp is C = op(A) op(B) for matrices, op transposing where asked, by
// one BLAS call on the inputs as they are (Gorgonia's BLAS: gonum's, or
// OpenBLAS with -tags openblas). Gorgonia can only multiply by a transposed
// weight matrix after copying it out with Transpose, forward and backward,
// which was a quarter of an MNIST MLP step; the gradients here are gemmOps
// with other flags, so no pass copies a matrix.
type gemmOp struct {
	dt             tensor.Dtype
	transA, transB bool
	constA         bool // A needs no gradient (see gemmConstA)
	out            *scratch
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
	if a.Dtype() != b.Dtype() {
		return nil, fmt.Errorf("matrix product of %v and %v values", a.Dtype(), b.Dtype())
	}
	op := gemmOp{dt: a.Dtype(), transA: transA, transB: transB, constA: constA, out: &scratch{}}
	if _, err := op.InferShape(a.Shape(), b.Shape()); err != nil {
		return nil, err
	}
	return G.ApplyOp(op, a, b)
}

func (op gemmOp) Arity() int { return 2 }

func (op gemmOp) Type() hm.Type {
	t := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

// dims returns the rows and columns of op(A) given A's shape.
func dims(s tensor.Shape, trans bool) (rows, cols int) {
	if trans {
		return s[1], s[0]
	}
	return s[0], s[1]
}

func (op gemmOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(in))
	}
	var s [2]tensor.Shape
	for i, d := range in {
		sh, ok := d.(tensor.Shape)
		if !ok || len(sh) != 2 {
			return nil, fmt.Errorf("%v: input %d has shape %v, want a matrix", op, i, d)
		}
		s[i] = sh
	}
	m, k := dims(s[0], op.transA)
	k2, n := dims(s[1], op.transB)
	if k != k2 {
		return nil, fmt.Errorf("%v: inner sizes differ: %v and %v", op, s[0], s[1])
	}
	return tensor.Shape{m, n}, nil
}

func (op gemmOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(in))
	}
	var t [2]*tensor.Dense
	for i, v := range in {
		d, ok := v.(*tensor.Dense)
		if !ok || d.Dtype() != op.dt || len(d.Shape()) != 2 {
			return nil, fmt.Errorf("%v: input %d is a %T of shape %v, want a %v matrix", op, i, v, shapeOf(v), op.dt)
		}
		if d.RequiresIterator() {
			d = d.Materialize().(*tensor.Dense)
		}
		t[i] = d
	}
	shape, err := op.InferShape(t[0].Shape(), t[1].Shape())
	if err != nil {
		return nil, err
	}
	m, n := shape[0], shape[1]
	_, k := dims(t[0].Shape(), op.transA)
	lda, ldb := t[0].Shape()[1], t[1].Shape()[1]
	c := op.out.get(op.dt, shape)
	ta, tb := blas.NoTrans, blas.NoTrans
	if op.transA {
		ta = blas.Trans
	}
	if op.transB {
		tb = blas.Trans
	}
	if op.dt == tensor.Float32 {
		blasGemm(ta, tb, m, n, k, t[0].Float32s(), lda, t[1].Float32s(), ldb, 0, c.Float32s(), n)
	} else {
		blasGemm(ta, tb, m, n, k, t[0].Float64s(), lda, t[1].Float64s(), ldb, 0, c.Float64s(), n)
	}
	return c, nil
}

func shapeOf(v G.Value) tensor.Shape {
	if v == nil {
		return nil
	}
	return v.Shape()
}

func (op gemmOp) ReturnsPtr() bool     { return false }
func (op gemmOp) CallsExtern() bool    { return false }
func (op gemmOp) OverwritesInput() int { return -1 }

func (op gemmOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op gemmOp) Hashcode() uint32      { return hashOf(op) }

func (op gemmOp) String() string {
	name := func(m string, t bool) string {
		if t {
			return m + "ᵀ"
		}
		return m
	}
	a := name("A", op.transA)
	if op.constA {
		a = name("const A", op.transA)
	}
	return fmt.Sprintf("bayesnodes.gemm(%s %s, %v)", a, name("B", op.transB), op.dt)
}

func (op gemmOp) DiffWRT(inputs int) []bool { return []bool{!op.constA, true} }

// SymDiff differentiates C = op(A) op(B) with products of the same kind:
// for C = A B, dA = dC Bᵀ and dB = Aᵀ dC; the other cases follow by
// transposing both sides.
func (op gemmOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(inputs))
	}
	a, b := inputs[0], inputs[1]
	// dA = x y and dB = u v, each with its operands transposed as marked.
	type product struct {
		x, y   *G.Node
		tx, ty bool
	}
	var pa, pb product
	switch {
	case !op.transA && !op.transB:
		pa, pb = product{grad, b, false, true}, product{a, grad, true, false}
	case !op.transA && op.transB:
		pa, pb = product{grad, b, false, false}, product{grad, a, true, false}
	case op.transA && !op.transB:
		pa, pb = product{b, grad, false, true}, product{a, grad, false, false}
	default:
		pa, pb = product{b, grad, true, true}, product{grad, a, true, true}
	}
	var da *G.Node
	var err error
	if !op.constA {
		da, err = gemm(pa.x, pa.y, pa.tx, pa.ty)
	}
	var db *G.Node
	if err == nil {
		db, err = gemm(pb.x, pb.y, pb.tx, pb.ty)
	}
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return G.Nodes{da, db}, nil
}
