package bayesnodes

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// biasAddOp is z = y + b for y [batch, C] and a bias b [C] added to every
// row. Gorgonia's BroadcastAdd repeats b into a fresh [batch, C] tensor
// (an extern-flagged op, so the TapeMachine allocates for it on every run)
// before adding, and its gradient sums through a reduction that allocates
// again; on the sine network's 500 x 100 hidden layer that was a third of
// the bytes a step allocated. This op writes into memory of its own (see
// scratch), and so does its gradient for b, biasGradOp. The results are
// Gorgonia's bit for bit: the same additions in the same order.
type biasAddOp struct {
	dt  tensor.Dtype
	out *scratch
}

// fusedBiasAdd adds y + b to the graph, for y [batch, C] and b [C].
func fusedBiasAdd(y, b *G.Node) (*G.Node, error) {
	if y.Dtype() != b.Dtype() {
		return nil, fmt.Errorf("bias add of %v and %v values", y.Dtype(), b.Dtype())
	}
	op := biasAddOp{dt: y.Dtype(), out: new(scratch)}
	if err := checkFloat(op, op.dt); err != nil {
		return nil, err
	}
	if _, err := op.InferShape(y.Shape(), b.Shape()); err != nil {
		return nil, err
	}
	return G.ApplyOp(op, y, b)
}

// checkFloat reports a dtype the ops here do not compute in.
func checkFloat(op fmt.Stringer, dt tensor.Dtype) error {
	if dt != tensor.Float64 && dt != tensor.Float32 {
		return fmt.Errorf("%v: dtype %v, want float64 or float32", op, dt)
	}
	return nil
}

func (op biasAddOp) Arity() int { return 2 }

func (op biasAddOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m, v := G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(m, v, m)
}

func (op biasAddOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(in))
	}
	y, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(y) != 2 || len(b) != 1 || b[0] != y[1] {
		return nil, fmt.Errorf("%v: shapes %v and %v, want [batch, C] and [C]", op, in[0], in[1])
	}
	return y.Clone(), nil
}

func (op biasAddOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 2)
	if err != nil {
		return nil, err
	}
	y, b := ts[0], ts[1]
	if _, err := op.InferShape(y.Shape(), b.Shape()); err != nil {
		return nil, err
	}
	z := op.out.get(op.dt, y.Shape())
	if op.dt == tensor.Float32 {
		biasAddKernel(z.Float32s(), y.Float32s(), b.Float32s())
	} else {
		biasAddKernel(z.Float64s(), y.Float64s(), b.Float64s())
	}
	return z, nil
}

func (op biasAddOp) ReturnsPtr() bool     { return false }
func (op biasAddOp) CallsExtern() bool    { return false }
func (op biasAddOp) OverwritesInput() int { return -1 }

func (op biasAddOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op biasAddOp) Hashcode() uint32      { return hashOf(op) }
func (op biasAddOp) String() string        { return fmt.Sprintf("bayesnodes.biasAdd(%v)", op.dt) }

func (op biasAddOp) DiffWRT(inputs int) []bool { return []bool{true, true} }

// SymDiff returns g for y and g summed over the batch for b.
func (op biasAddOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(inputs))
	}
	db, err := G.ApplyOp(biasGradOp{dt: op.dt, out: new(scratch)}, grad)
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return G.Nodes{grad, db}, nil
}

// biasGradOp is biasAddOp's gradient for the bias: g [batch, C] summed
// over the batch into [C].
type biasGradOp struct {
	dt  tensor.Dtype
	out *scratch
}

func (op biasGradOp) Arity() int { return 1 }

func (op biasGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a})
}

func (op biasGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%v: %d inputs, want 1", op, len(in))
	}
	g, ok := in[0].(tensor.Shape)
	if !ok || len(g) != 2 {
		return nil, fmt.Errorf("%v: input has shape %v, want [batch, C]", op, in[0])
	}
	return tensor.Shape{g[1]}, nil
}

func (op biasGradOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 1)
	if err != nil {
		return nil, err
	}
	shape, err := op.InferShape(ts[0].Shape())
	if err != nil {
		return nil, err
	}
	s := op.out.get(op.dt, shape)
	if op.dt == tensor.Float32 {
		columnSumKernel(s.Float32s(), ts[0].Float32s())
	} else {
		columnSumKernel(s.Float64s(), ts[0].Float64s())
	}
	return s, nil
}

func (op biasGradOp) ReturnsPtr() bool     { return false }
func (op biasGradOp) CallsExtern() bool    { return false }
func (op biasGradOp) OverwritesInput() int { return -1 }

func (op biasGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op biasGradOp) Hashcode() uint32      { return hashOf(op) }
func (op biasGradOp) String() string        { return fmt.Sprintf("bayesnodes.biasGrad(%v)", op.dt) }

// biasAddKernel sets z[i, j] = y[i, j] + b[j], rows of len(b).
func biasAddKernel[T float](z, y, b []T) {
	c := len(b)
	z = z[:len(y)]
	for i := 0; i+c <= len(y); i += c {
		zr, yr := z[i:i+c], y[i:i+c]
		for j, v := range b {
			zr[j] = yr[j] + v
		}
	}
}

// columnSumKernel sets s[j] = sum_i g[i, j], rows of len(s), in
// Gorgonia's order (its Sum along axis 0): the first row, then each next
// row added onto it, in the dtype's own precision. Four rows are added per
// pass over s, left to right, which keeps that order (Go does not
// reassociate floating-point sums) and measured twice as fast as one.
func columnSumKernel[T float](s, g []T) {
	c := len(s)
	copy(s, g[:c])
	i := c
	for ; i+4*c <= len(g); i += 4 * c {
		r0, r1, r2, r3 := g[i:i+c], g[i+c:i+2*c], g[i+2*c:i+3*c], g[i+3*c:i+4*c]
		for j := range s {
			s[j] = s[j] + r0[j] + r1[j] + r2[j] + r3[j]
		}
	}
	for ; i+c <= len(g); i += c {
		r := g[i : i+c]
		for j := range s {
			s[j] += r[j]
		}
	}
}
