package bayesnodes

// Gorgonia ops for the embedding lookup.
//
//	lookup       (table [num, dim], idx [...]) -> out [..., dim]
//	lookupGrad   (idx, g [..., dim])           -> dtable [num, dim], g's rows added up by index
//	withoutRow   t [n, dim]                    -> t without row r, [n-1, dim]
//	withRow      t [n-1, dim]                  -> t with a zero row inserted at r, [n, dim]
//
// Indices are values of the graph's dtype that must be whole numbers in
// [0, num); the lookup checks them on every run and returns an error
// naming the first bad one (the layer also checks an input node's values
// when they are set, before anything runs). The padding row, if any, reads
// as zeros and gets no gradient. withoutRow and withRow, each the other's
// adjoint, take the padding row out of the KL. Every parameter is part of
// their hash.

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
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

// rows are the sizes of an embedding table [num, dim], its padding row
// (noPadding for none), and the rank of its index tensor.
type rows struct{ num, dim, padding, idxDims int }

func (r rows) String() string {
	return fmt.Sprintf("num=%d,dim=%d,padding=%d", r.num, r.dim, r.padding)
}

// lookup gathers rows of a table [num, dim] by an index tensor; the
// padding row reads as zeros.
type lookup[T float] struct{ rows }

// gatherRows adds the rows of table [num, dim] at the indices idx to the
// graph, as [idx's shape..., dim].
func gatherRows(table, idx *G.Node, num, dim, padding int) (*G.Node, error) {
	r := rows{num, dim, padding, idx.Dims()}
	return opkit.Apply(lookup[float32]{r}, lookup[float64]{r}, table, idx)
}

func (m lookup[T]) String() string      { return "bayesnodes.lookup(" + m.rows.String() + ")" }
func (m lookup[T]) Ranks() ([]int, int) { return []int{2, m.idxDims}, m.idxDims + 1 }
func (lookup[T]) DiffWRT() []bool       { return []bool{true, false} }

func (m lookup[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	table, idx := in[0], in[1]
	if !table.Eq(tensor.Shape{m.num, m.dim}) {
		return nil, fmt.Errorf("table has shape %v, want (%d, %d)", table, m.num, m.dim)
	}
	return append(idx.Clone(), m.dim), nil
}

func (m lookup[T]) Eval(a *opkit.Args[T]) error {
	return lookupKernel(a.Out, a.In[0], a.In[1], m.num, m.dim, m.padding)
}

// Grad returns the table's gradient; indices have none.
func (m lookup[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := opkit.ApplyOf[T](lookupGrad[T](m), in[1], grad)
	return G.Nodes{d, nil}, err
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

// lookupGrad adds the gradient rows g [..., dim] into a [num, dim] table
// by index, leaving the padding row zero.
type lookupGrad[T float] struct{ rows }

func (m lookupGrad[T]) String() string      { return "bayesnodes.lookupGrad(" + m.rows.String() + ")" }
func (m lookupGrad[T]) Ranks() ([]int, int) { return []int{m.idxDims, m.idxDims + 1}, 2 }
func (lookupGrad[T]) DiffWRT() []bool       { return []bool{false, false} }

func (m lookupGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	idx, g := in[0], in[1]
	if !g.Eq(append(idx.Clone(), m.dim)) {
		return nil, fmt.Errorf("indices %v and gradient %v, want the gradient of shape (indices..., %d)", idx, g, m.dim)
	}
	return tensor.Shape{m.num, m.dim}, nil
}

func (m lookupGrad[T]) Eval(a *opkit.Args[T]) error {
	return scatterKernel(a.Out, a.In[1], a.In[0], m.num, m.dim, m.padding)
}

func (m lookupGrad[T]) Grad(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated", m)
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

// rowOp drops row r of a matrix [n, dim]; with set, it is its adjoint,
// inserting a zero row at r into [n-1, dim]. Each one's gradient is the
// other.
type rowOp[T float] struct {
	n, dim, row int
	with        bool
}

// withoutRow adds t without row r to t's graph.
func withoutRow(t *G.Node, r int) (*G.Node, error) {
	s := t.Shape()
	if len(s) != 2 || r < 0 || r >= s[0] || s[0] < 2 {
		return nil, fmt.Errorf("bayesnodes: cannot drop row %d of a tensor of shape %v", r, s)
	}
	m := rowOp[float64]{n: s[0], dim: s[1], row: r}
	return opkit.Apply(rowOp[float32](m), m, t)
}

func (m rowOp[T]) String() string {
	if m.with {
		return fmt.Sprintf("bayesnodes.withRow(%d of %d, dim %d)", m.row, m.n, m.dim)
	}
	return fmt.Sprintf("bayesnodes.withoutRow(%d of %d, dim %d)", m.row, m.n, m.dim)
}

func (rowOp[T]) Ranks() ([]int, int) { return []int{2}, 2 }
func (rowOp[T]) DiffWRT() []bool     { return []bool{true} }

// shapes returns the input's and the output's shape.
func (m rowOp[T]) shapes() (in, out tensor.Shape) {
	in, out = tensor.Shape{m.n, m.dim}, tensor.Shape{m.n - 1, m.dim}
	if m.with {
		return out, in
	}
	return in, out
}

func (m rowOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	want, out := m.shapes()
	if !in[0].Eq(want) {
		return nil, fmt.Errorf("input has shape %v, want %v", in[0], want)
	}
	return out, nil
}

func (m rowOp[T]) Eval(a *opkit.Args[T]) error {
	rowKernel(a.Out, a.In[0], m.row*m.dim, m.dim, m.with)
	return nil
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

func (m rowOp[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	adj := m
	adj.with = !m.with
	d, err := opkit.ApplyOf[T](adj, grad)
	return G.Nodes{d}, err
}
