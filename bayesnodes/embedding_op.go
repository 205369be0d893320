package bayesnodes

// Gorgonia ops for the embedding lookup.
//
//	lookupOp       (table [num, dim], idx [...]) -> out [..., dim]
//	lookupGradOp   (idx, g [..., dim])           -> dtable [num, dim], g's rows added up by index
//	withoutRowOp   t [n, dim]                    -> t without row r, [n-1, dim]
//	withRowOp      t [n-1, dim]                  -> t with a zero row inserted at r, [n, dim]
//
// Indices are values of the graph's dtype that must be whole numbers in
// [0, num); the lookup checks them on every run and returns an error
// naming the first bad one (the layer also checks an input node's values
// when they are set, before anything runs). The padding row, if any, reads
// as zeros and gets no gradient. withoutRowOp and withRowOp, each the
// other's adjoint, take the padding row out of the KL. Like the fused ops,
// these keep their output memory across runs (see scratch in fused.go),
// and every parameter is part of their hash.

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// noPadding is the padding index of an embedding without one.
const noPadding = -1

// checkIndex reports an index value that is not a whole number in [0, num).
func checkIndex(v float64, pos, num int) error {
	if !(v >= 0 && v < float64(num)) || v != math.Trunc(v) {
		return fmt.Errorf("index %v at position %d is not a whole number in [0, %d)", v, pos, num)
	}
	return nil
}

// checkIndices checks every index value of an input (see checkIndex).
func checkIndices(values []float64, num int) error {
	for i, v := range values {
		if err := checkIndex(v, i, num); err != nil {
			return err
		}
	}
	return nil
}

// lookupOp gathers rows of a table [num, dim] by an index tensor of
// idxDims axes; the padding row reads as zeros.
type lookupOp struct {
	num, dim, padding, idxDims int
	dt                         tensor.Dtype
	out                        *scratch
}

func (op lookupOp) Arity() int { return 2 }
func (op lookupOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: op.idxDims, Of: a}, G.TensorType{Dims: op.idxDims + 1, Of: a})
}
func (op lookupOp) ReturnsPtr() bool     { return false }
func (op lookupOp) CallsExtern() bool    { return false }
func (op lookupOp) OverwritesInput() int { return -1 }
func (op lookupOp) String() string {
	return fmt.Sprintf("bayesnodes.lookup(num=%d,dim=%d,padding=%d)", op.num, op.dim, op.padding)
}
func (op lookupOp) Hashcode() uint32 { return hashOf(op) }
func (op lookupOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.lookup(%d,%d,%d,%d,%v)", op.num, op.dim, op.padding, op.idxDims, op.dt)
}

// check verifies the table's and the indices' shapes and returns the
// output's.
func (op lookupOp) check(table, idx tensor.Shape) (tensor.Shape, error) {
	if !table.Eq(tensor.Shape{op.num, op.dim}) {
		return nil, fmt.Errorf("%v: table has shape %v, want (%d, %d)", op, table, op.num, op.dim)
	}
	if len(idx) != op.idxDims {
		return nil, fmt.Errorf("%v: indices have shape %v, want %d axes", op, idx, op.idxDims)
	}
	return append(idx.Clone(), op.dim), nil
}

func (op lookupOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 2)
	if err != nil {
		return nil, err
	}
	return op.check(s[0], s[1])
}

func (op lookupOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 2)
	if err != nil {
		return nil, err
	}
	shape, err := op.check(ts[0].Shape(), ts[1].Shape())
	if err != nil {
		return nil, err
	}
	y := op.out.get(op.dt, shape)
	if op.dt == tensor.Float64 {
		err = lookupKernel(y.Float64s(), ts[0].Float64s(), ts[1].Float64s(), op.num, op.dim, op.padding)
	} else {
		err = lookupKernel(y.Float32s(), ts[0].Float32s(), ts[1].Float32s(), op.num, op.dim, op.padding)
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return y, nil
}

func (op lookupOp) DiffWRT(inputs int) []bool { return []bool{true, false} }

// SymDiff returns the table's gradient; indices have none.
func (op lookupOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(inputs))
	}
	d, err := G.ApplyOp(lookupGradOp{op.num, op.dim, op.padding, op.idxDims, op.dt, new(scratch)}, inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d, nil}, nil
}

func lookupKernel[T float32 | float64](y, table, idx []T, num, dim, padding int) error {
	for i, v := range idx {
		if err := checkIndex(float64(v), i, num); err != nil {
			return err
		}
		row := y[i*dim : (i+1)*dim]
		if r := int(v); r == padding {
			clear(row)
		} else {
			copy(row, table[r*dim:(r+1)*dim])
		}
	}
	return nil
}

// lookupGradOp adds the gradient rows g [..., dim] into a [num, dim] table
// by index, leaving the padding row zero.
type lookupGradOp struct {
	num, dim, padding, idxDims int
	dt                         tensor.Dtype
	out                        *scratch
}

func (op lookupGradOp) Arity() int { return 2 }
func (op lookupGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: op.idxDims, Of: a}, G.TensorType{Dims: op.idxDims + 1, Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op lookupGradOp) ReturnsPtr() bool     { return false }
func (op lookupGradOp) CallsExtern() bool    { return false }
func (op lookupGradOp) OverwritesInput() int { return -1 }
func (op lookupGradOp) String() string {
	return fmt.Sprintf("bayesnodes.lookupGrad(num=%d,dim=%d,padding=%d)", op.num, op.dim, op.padding)
}
func (op lookupGradOp) Hashcode() uint32 { return hashOf(op) }
func (op lookupGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.lookupGrad(%d,%d,%d,%d,%v)", op.num, op.dim, op.padding, op.idxDims, op.dt)
}

func (op lookupGradOp) check(idx, g tensor.Shape) (tensor.Shape, error) {
	if len(idx) != op.idxDims || !g.Eq(append(idx.Clone(), op.dim)) {
		return nil, fmt.Errorf("%v: indices %v and gradient %v, want the gradient of shape (indices..., %d)", op, idx, g, op.dim)
	}
	return tensor.Shape{op.num, op.dim}, nil
}

func (op lookupGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 2)
	if err != nil {
		return nil, err
	}
	return op.check(s[0], s[1])
}

func (op lookupGradOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 2)
	if err != nil {
		return nil, err
	}
	shape, err := op.check(ts[0].Shape(), ts[1].Shape())
	if err != nil {
		return nil, err
	}
	d := op.out.get(op.dt, shape)
	if op.dt == tensor.Float64 {
		err = scatterKernel(d.Float64s(), ts[1].Float64s(), ts[0].Float64s(), op.num, op.dim, op.padding)
	} else {
		err = scatterKernel(d.Float32s(), ts[1].Float32s(), ts[0].Float32s(), op.num, op.dim, op.padding)
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return d, nil
}

func (op lookupGradOp) DiffWRT(inputs int) []bool { return []bool{false, false} }
func (op lookupGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated", op)
}

func scatterKernel[T float32 | float64](d, g, idx []T, num, dim, padding int) error {
	clear(d)
	for i, v := range idx {
		if err := checkIndex(float64(v), i, num); err != nil {
			return err
		}
		r := int(v)
		if r == padding {
			continue
		}
		row, gi := d[r*dim:(r+1)*dim], g[i*dim:(i+1)*dim]
		for j, x := range gi {
			row[j] += x
		}
	}
	return nil
}

// withoutRowOp drops row r of a matrix [n, dim]; withRowOp (with set) is
// its adjoint, inserting a zero row at r into [n-1, dim]. Each one's
// gradient is the other.
type withoutRowOp struct {
	n, dim, row int
	dt          tensor.Dtype
	with        bool
	out         *scratch
}

// withoutRow adds t without row r to t's graph.
func withoutRow(t *G.Node, r int) (*G.Node, error) {
	s := t.Shape()
	if len(s) != 2 || r < 0 || r >= s[0] || s[0] < 2 {
		return nil, fmt.Errorf("bayesnodes: cannot drop row %d of a tensor of shape %v", r, s)
	}
	return G.ApplyOp(withoutRowOp{n: s[0], dim: s[1], row: r, dt: t.Dtype(), out: new(scratch)}, t)
}

func (op withoutRowOp) Arity() int { return 1 }
func (op withoutRowOp) Type() hm.Type {
	t := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (op withoutRowOp) ReturnsPtr() bool     { return false }
func (op withoutRowOp) CallsExtern() bool    { return false }
func (op withoutRowOp) OverwritesInput() int { return -1 }
func (op withoutRowOp) String() string {
	if op.with {
		return fmt.Sprintf("bayesnodes.withRow(%d of %d)", op.row, op.n)
	}
	return fmt.Sprintf("bayesnodes.withoutRow(%d of %d)", op.row, op.n)
}
func (op withoutRowOp) Hashcode() uint32 { return hashOf(op) }
func (op withoutRowOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.withoutRow(%d,%d,%d,%v,%t)", op.n, op.dim, op.row, op.dt, op.with)
}

// shapes returns the input's and the output's shape.
func (op withoutRowOp) shapes() (in, out tensor.Shape) {
	in, out = tensor.Shape{op.n, op.dim}, tensor.Shape{op.n - 1, op.dim}
	if op.with {
		return out, in
	}
	return in, out
}

func (op withoutRowOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 1)
	if err != nil {
		return nil, err
	}
	want, out := op.shapes()
	if !s[0].Eq(want) {
		return nil, fmt.Errorf("%v: input has shape %v, want %v", op, s[0], want)
	}
	return out, nil
}

func (op withoutRowOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 1)
	if err != nil {
		return nil, err
	}
	want, shape := op.shapes()
	if !ts[0].Shape().Eq(want) {
		return nil, fmt.Errorf("%v: input has shape %v, want %v", op, ts[0].Shape(), want)
	}
	d := op.out.get(op.dt, shape)
	if op.dt == tensor.Float64 {
		rowKernel(d.Float64s(), ts[0].Float64s(), op.row*op.dim, op.dim, op.with)
	} else {
		rowKernel(d.Float32s(), ts[0].Float32s(), op.row*op.dim, op.dim, op.with)
	}
	return d, nil
}

// rowKernel copies src into dst leaving out (or, with, inserting zeros
// for) the dim values at offset at.
func rowKernel[T float32 | float64](dst, src []T, at, dim int, with bool) {
	if with {
		copy(dst, src[:at])
		clear(dst[at : at+dim])
		copy(dst[at+dim:], src[at:])
		return
	}
	copy(dst, src[:at])
	copy(dst[at:], src[at+dim:])
}

func (op withoutRowOp) DiffWRT(inputs int) []bool { return []bool{true} }

func (op withoutRowOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	adj := op
	adj.with, adj.out = !op.with, new(scratch)
	d, err := G.ApplyOp(adj, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}
