package losses

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/gvalue"
)

// sumSqDiffOp is sum((out - target)^2), a scalar, as one op. Built from
// Gorgonia's Sub, Square and Sum it is three nodes forward and nine
// backward (the sum's gradient repeated into two fresh tensors, a product
// by 2 and by it, and a negation for the target's gradient, which nothing
// reads), each allocating. Here the backward pass is one op,
// sumSqDiffGradOp, writing into memory reused across runs, and the target
// gets no gradient. Values and gradient are Gorgonia's bit for bit: d = out
// - target, the sum of d*d from 0 in index order, and (d*2)*g.
type sumSqDiffOp struct {
	dt   tensor.Dtype
	dims int
}

// sumSquaredDiff adds sum((out - target)^2) to out's graph.
func sumSquaredDiff(out, target *G.Node) (*G.Node, error) {
	if out.Dtype() != target.Dtype() {
		return nil, fmt.Errorf("losses: output is %v, targets %v", out.Dtype(), target.Dtype())
	}
	if !out.Shape().Eq(target.Shape()) {
		return nil, fmt.Errorf("losses: output has shape %v, targets %v", out.Shape(), target.Shape())
	}
	if dt := out.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return nil, fmt.Errorf("losses: squared error of %v values, want float64 or float32", dt)
	}
	if out.Dims() == 0 {
		return nil, fmt.Errorf("losses: squared error of a scalar output, want a tensor")
	}
	return G.ApplyOp(sumSqDiffOp{out.Dtype(), out.Dims()}, out, target)
}

func (op sumSqDiffOp) Arity() int { return 2 }

func (op sumSqDiffOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: op.dims, Of: a}
	return hm.NewFnType(t, t, a)
}

func (op sumSqDiffOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if err := sameShapes(op, in); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

func (op sumSqDiffOp) Do(in ...G.Value) (G.Value, error) {
	out, target, err := pair(op, op.dt, in)
	if err != nil {
		return nil, err
	}
	if op.dt == tensor.Float32 {
		return G.NewF32(sumSqDiff(out.Float32s(), target.Float32s())), nil
	}
	return G.NewF64(sumSqDiff(out.Float64s(), target.Float64s())), nil
}

func (op sumSqDiffOp) ReturnsPtr() bool     { return false }
func (op sumSqDiffOp) CallsExtern() bool    { return false }
func (op sumSqDiffOp) OverwritesInput() int { return -1 }

func (op sumSqDiffOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op sumSqDiffOp) Hashcode() uint32      { return hashOf(op) }
func (op sumSqDiffOp) String() string {
	return fmt.Sprintf("losses.sumSqDiff(%v,%d)", op.dt, op.dims)
}

// DiffWRT: both the output and the targets, which a caller may compute
// from parameters.
func (op sumSqDiffOp) DiffWRT(inputs int) []bool { return []bool{true, true} }

// SymDiff returns (d*2)*g for the output, one op, and its negation for
// the targets.
func (op sumSqDiffOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(inputs))
	}
	d, err := G.ApplyOp(sumSqDiffGradOp{dt: op.dt, dims: op.dims, out: new(buffer)}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	dTarget, err := G.Neg(d)
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return G.Nodes{d, dTarget}, nil
}

// sumSqDiffGradOp is sumSqDiffOp's gradient for the output: (out, target,
// g) -> (d*2)*g with d = out - target and g a scalar.
type sumSqDiffGradOp struct {
	dt   tensor.Dtype
	dims int
	out  *buffer
}

func (op sumSqDiffGradOp) Arity() int { return 3 }

func (op sumSqDiffGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: op.dims, Of: a}
	return hm.NewFnType(t, t, a, t)
}

func (op sumSqDiffGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v: %d inputs, want 3", op, len(in))
	}
	if err := sameShapes(op, in[:2]); err != nil {
		return nil, err
	}
	return in[0].(tensor.Shape).Clone(), nil
}

func (op sumSqDiffGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v: %d inputs, want 3", op, len(in))
	}
	out, target, err := pair(op, op.dt, in[:2])
	if err != nil {
		return nil, err
	}
	g, err := scalarOf(op, in[2])
	if err != nil {
		return nil, err
	}
	d := op.out.get(op.dt, out.Shape())
	if op.dt == tensor.Float32 {
		sqDiffGrad(d.Float32s(), out.Float32s(), target.Float32s(), float32(g))
	} else {
		sqDiffGrad(d.Float64s(), out.Float64s(), target.Float64s(), g)
	}
	return d, nil
}

func (op sumSqDiffGradOp) ReturnsPtr() bool     { return false }
func (op sumSqDiffGradOp) CallsExtern() bool    { return false }
func (op sumSqDiffGradOp) OverwritesInput() int { return -1 }

func (op sumSqDiffGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op sumSqDiffGradOp) Hashcode() uint32      { return hashOf(op) }
func (op sumSqDiffGradOp) String() string {
	return fmt.Sprintf("losses.sumSqDiffGrad(%v,%d)", op.dt, op.dims)
}

type float interface{ ~float32 | ~float64 }

// sumSqDiff returns sum_i (out_i - target_i)^2, summed from 0 in index
// order in the dtype's precision, as Gorgonia's Sum of its Square.
func sumSqDiff[T float](out, target []T) T {
	target = target[:len(out)]
	var s T
	for i, o := range out {
		d := o - target[i]
		s += d * d
	}
	return s
}

// sqDiffGrad sets dst = ((out - target) * 2) * g.
func sqDiffGrad[T float](dst, out, target []T, g T) {
	dst, target = dst[:len(out)], target[:len(out)]
	for i, o := range out {
		dst[i] = ((o - target[i]) * 2) * g
	}
}

// buffer is an op's output memory, reused across runs, under a new tensor
// header each run (a downstream op may reshape its input's header in place).
type buffer struct {
	f64 []float64
	f32 []float32
}

func (b *buffer) get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	n := shape.TotalSize()
	if dt == tensor.Float32 {
		if len(b.f32) != n {
			b.f32 = make([]float32, n)
		}
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(b.f32))
	}
	if len(b.f64) != n {
		b.f64 = make([]float64, n)
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(b.f64))
}

// pair checks that in holds two tensors of dtype dt and equal shapes, and
// returns them contiguous.
func pair(op fmt.Stringer, dt tensor.Dtype, in []G.Value) (a, b *tensor.Dense, err error) {
	if len(in) != 2 {
		return nil, nil, fmt.Errorf("%v: %d inputs, want 2", op, len(in))
	}
	var ts [2]*tensor.Dense
	for i, v := range in {
		t, ok := v.(*tensor.Dense)
		if !ok || t.Dtype() != dt {
			return nil, nil, fmt.Errorf("%v: input %d is a %T, want a %v tensor", op, i, v, dt)
		}
		if t.RequiresIterator() {
			t = t.Materialize().(*tensor.Dense)
		}
		ts[i] = t
	}
	if !ts[0].Shape().Eq(ts[1].Shape()) {
		return nil, nil, fmt.Errorf("%v: shapes %v and %v differ", op, ts[0].Shape(), ts[1].Shape())
	}
	return ts[0], ts[1], nil
}

func sameShapes(op fmt.Stringer, in []G.DimSizer) error {
	if len(in) != 2 {
		return fmt.Errorf("%v: %d inputs, want 2", op, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || !a.Eq(b) {
		return fmt.Errorf("%v: shapes %v and %v, want equal ones", op, in[0], in[1])
	}
	return nil
}

// scalarOf returns the value of a scalar input.
func scalarOf(op fmt.Stringer, v G.Value) (float64, error) {
	if x, ok := gvalue.Scalar(v); ok {
		return x, nil
	}
	return 0, fmt.Errorf("%v: gradient is a %T, want a scalar", op, v)
}

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
