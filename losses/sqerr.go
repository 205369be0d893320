package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// sumSqDiffOp is sum((out - target)^2), a scalar, as one op. Built from
// Gorgonia's Sub, Square and Sum it is three nodes forward and nine
// backward (the sum's gradient repeated into two fresh tensors, a product
// by 2 and by it, and a negation for the target's gradient, which nothing
// reads), each allocating. Here the backward pass is one op,
// sumSqDiffGrad, writing into memory reused across runs, and the target
// gets no gradient. Values and gradient are Gorgonia's bit for bit: d = out
// - target, the sum of d*d from 0 in index order, and (d*2)*g.
type sumSqDiffOp[T opkit.Float] struct{ dims int }

// sumSquaredDiff adds sum((out - target)^2) to out's graph.
func sumSquaredDiff(out, target *G.Node) (*G.Node, error) {
	if out.Dtype() != target.Dtype() {
		return nil, fmt.Errorf("losses: output is %v, targets %v", out.Dtype(), target.Dtype())
	}
	if !out.Shape().Eq(target.Shape()) {
		return nil, fmt.Errorf("losses: output has shape %v, targets %v", out.Shape(), target.Shape())
	}
	if out.Dims() == 0 {
		return nil, fmt.Errorf("losses: squared error of a scalar output, want a tensor")
	}
	d := out.Dims()
	n, err := opkit.Apply(sumSqDiffOp[float32]{d}, sumSqDiffOp[float64]{d}, out, target)
	if err != nil {
		return nil, fmt.Errorf("losses: squared error: %w", err)
	}
	return n, nil
}

func (sumSqDiffOp[T]) String() string        { return "losses.sumSqDiff" }
func (m sumSqDiffOp[T]) Ranks() ([]int, int) { return []int{m.dims, m.dims}, opkit.Scalar }

// DiffWRT: both the output and the targets, which a caller may compute
// from parameters.
func (sumSqDiffOp[T]) DiffWRT() []bool { return []bool{true, true} }

func (sumSqDiffOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if _, err := opkit.SameShapes(in...); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

func (sumSqDiffOp[T]) Eval(a *opkit.Args[T]) error {
	a.Out[0] = sumSqDiff(a.In[0], a.In[1])
	return nil
}

// Grad returns (d*2)*g for the output, one op, and its negation for the
// targets.
func (m sumSqDiffOp[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := opkit.ApplyOf[T](sumSqDiffGrad[T](m), in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	dTarget, err := G.Neg(d)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d, dTarget}, nil
}

// sumSqDiffGrad is sumSqDiffOp's gradient for the output: (out, target,
// g) -> (d*2)*g with d = out - target and g a scalar.
type sumSqDiffGrad[T opkit.Float] struct{ dims int }

func (sumSqDiffGrad[T]) String() string { return "losses.sumSqDiffGrad" }
func (m sumSqDiffGrad[T]) Ranks() ([]int, int) {
	return []int{m.dims, m.dims, opkit.Scalar}, m.dims
}

func (sumSqDiffGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return opkit.SameShapes(in[:2]...)
}

func (sumSqDiffGrad[T]) Eval(a *opkit.Args[T]) error {
	sqDiffGrad(a.Out, a.In[0], a.In[1], a.In[2][0])
	return nil
}

// sumSqDiff returns sum_i (out_i - target_i)^2, summed from 0 in index
// order in the dtype's precision, as Gorgonia's Sum of its Square.
func sumSqDiff[T opkit.Float](out, target []T) T {
	target = target[:len(out)]
	var s T
	for i, o := range out {
		d := o - target[i]
		s += d * d
	}
	return s
}

// sqDiffGrad sets dst = ((out - target) * 2) * g.
func sqDiffGrad[T opkit.Float](dst, out, target []T, g T) {
	dst, target = dst[:len(out)], target[:len(out)]
	for i, o := range out {
		dst[i] = ((o - target[i]) * 2) * g
	}
}
