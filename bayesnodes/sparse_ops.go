package bayesnodes

// Fused Gorgonia ops for the sparse variational dropout posterior, in the
// manner of fused.go (same memory reuse, float64 arithmetic for float32
// tensors), with ls2 = log sigma^2 and la = clip(ls2 - log theta^2):
//
//	sparseHelperOp (theta, ls2)       -> h = [KL(la); dKL/dla, 0 where clipped], shape [2, ...]
//	sparseKLOp     (theta, ls2, h)    -> sum of h's first row
//	sparseKLGradOp{wrt} (theta, h, g) -> g dKL/dla * -2/theta (wrt 0, theta)
//	                                     or g dKL/dla (wrt 1, ls2)
//
// The helper holds everything costly (a log, two exps and a log1p per
// weight), computed once per run for the KL and both its gradients; like
// fused.go's ss it is not differentiated, the ops that read it take theta
// and ls2's gradients themselves. Gorgonia has no clip op, and built from
// its nodes the KL would be a dozen elementwise passes per weight and run.

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// clipLogAlpha returns la clipped to [LogAlphaMin, LogAlphaMax] and whether
// it was inside (where the clip passes gradients).
func clipLogAlpha(la float64) (float64, bool) {
	switch {
	case la < LogAlphaMin:
		return LogAlphaMin, false
	case la > LogAlphaMax || math.IsNaN(la):
		return LogAlphaMax, false
	}
	return la, true
}

// logAlphaOf returns log alpha = log sigma^2 - log theta^2: +Inf at theta = 0.
func logAlphaOf(theta, logSigma2 float64) float64 {
	return logSigma2 - math.Log(theta*theta)
}

// sparseHelperKernel sets kl = KL(la) and d = dKL/dla (0 where clipped).
func sparseHelperKernel[T float](kl, d, theta, ls2 []T) {
	kl, d, theta = kl[:len(ls2)], d[:len(ls2)], theta[:len(ls2)]
	for i, s := range ls2 {
		c, inside := clipLogAlpha(logAlphaOf(float64(theta[i]), float64(s)))
		kl[i] = T(LogUniformKL(c))
		d[i] = 0
		if inside {
			d[i] = T(logUniformKLDeriv(c))
		}
	}
}

func sumOf[T float](x []T) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}

// sparseKLGradKernel sets dst = g d dla/dx for x = theta (wrt 0, dla/dtheta
// = -2/theta) or x = ls2 (wrt 1, dla/dls2 = 1).
func sparseKLGradKernel[T float](dst, theta, d []T, g float64, wrt int) {
	dst, theta = dst[:len(d)], theta[:len(d)]
	for i, di := range d {
		v := g * float64(di)
		if wrt == 0 && v != 0 {
			v *= -2 / float64(theta[i])
		}
		dst[i] = T(v)
	}
}

// sparseHelperOp is h = [KL(la); dKL/dla] from (theta, ls2).
type sparseHelperOp struct {
	opCommon
	out *scratch
}

func sparseHelper(theta, ls2 *G.Node) (*G.Node, error) {
	return G.ApplyOp(sparseHelperOp{opCommon{theta.Dtype(), theta.Dims()}, new(scratch)}, theta, ls2)
}

func (op sparseHelperOp) Arity() int { return 2 }
func (op sparseHelperOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, t, op.tensorType(1))
}
func (op sparseHelperOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op, in, 0, 0)
	if err != nil {
		return nil, err
	}
	return append(tensor.Shape{2}, s...), nil
}

func (op sparseHelperOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, shape, err := op.values(op, in, 0, 0)
	if err != nil {
		return nil, err
	}
	n := shape.TotalSize()
	h := op.out.get(op.dt, append(tensor.Shape{2}, shape...))
	if f64 != nil {
		b := h.Float64s()
		sparseHelperKernel(b[:n], b[n:], f64[0], f64[1])
	} else {
		b := h.Float32s()
		sparseHelperKernel(b[:n], b[n:], f32[0], f32[1])
	}
	return h, nil
}

func (op sparseHelperOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.sparseHelper(%v,%d)", op.dt, op.dims)
}
func (op sparseHelperOp) Hashcode() uint32          { return hashOf(op) }
func (op sparseHelperOp) String() string            { return "bayesnodes.sparseHelper" }
func (op sparseHelperOp) DiffWRT(inputs int) []bool { return []bool{false, false} }
func (op sparseHelperOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiable: the ops reading it give theta and log sigma^2 their gradients", op)
}

// sparseKLOp is the log-uniform prior's KL approximation summed over the
// weights, from (theta, ls2, h).
type sparseKLOp struct {
	opCommon
}

// sparseKL adds sum_i KL(q_i || log-uniform) to theta's graph.
func sparseKL(theta, logSigma2 *G.Node) (*G.Node, error) {
	h, err := sparseHelper(theta, logSigma2)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(sparseKLOp{opCommon{theta.Dtype(), theta.Dims()}}, theta, logSigma2, h)
}

func (op sparseKLOp) Arity() int { return 3 }
func (op sparseKLOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, t, op.tensorType(1), hm.TypeVariable('a'))
}
func (op sparseKLOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := shapes(op, in, 0, 0, 1); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

func (op sparseKLOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, shape, err := op.values(op, in, 0, 0, 1)
	if err != nil {
		return nil, err
	}
	n := shape.TotalSize()
	if f64 != nil {
		return scalarValue(op.dt, sumOf(f64[2][:n])), nil
	}
	return scalarValue(op.dt, sumOf(f32[2][:n])), nil
}

func (op sparseKLOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.sparseKL(%v,%d)", op.dt, op.dims)
}
func (op sparseKLOp) Hashcode() uint32 { return hashOf(op) }
func (op sparseKLOp) String() string   { return "bayesnodes.sparseKL" }

// DiffWRT: theta and ls2; h is a helper.
func (op sparseKLOp) DiffWRT(inputs int) []bool { return []bool{true, true, false} }

func (op sparseKLOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("%v: %d inputs, want 3", op, len(inputs))
	}
	out := make(G.Nodes, 3)
	for wrt := range 2 {
		var err error
		if out[wrt], err = G.ApplyOp(sparseKLGradOp{op.opCommon, wrt, new(scratch)}, inputs[0], inputs[2], grad); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sparseKLGradOp is sparseKLOp's gradient for theta (wrt 0) or log sigma^2
// (wrt 1), from (theta, h, g).
type sparseKLGradOp struct {
	opCommon
	wrt int
	out *scratch
}

func (op sparseKLGradOp) Arity() int { return 3 }
func (op sparseKLGradOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, op.tensorType(1), hm.TypeVariable('a'), t)
}
func (op sparseKLGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapes(op, in, 0, 1, -1)
}

func (op sparseKLGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v: %d inputs, want 3", op, len(in))
	}
	g, err := scalarOf(op, 2, in[2])
	if err != nil {
		return nil, err
	}
	f64, f32, shape, err := op.values(op, in[:2], 0, 1)
	if err != nil {
		return nil, err
	}
	n := shape.TotalSize()
	d := op.out.get(op.dt, shape)
	if f64 != nil {
		sparseKLGradKernel(d.Float64s(), f64[0], f64[1][n:], g, op.wrt)
	} else {
		sparseKLGradKernel(d.Float32s(), f32[0], f32[1][n:], g, op.wrt)
	}
	return d, nil
}

func (op sparseKLGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.sparseKLGrad(%d,%v,%d)", op.wrt, op.dt, op.dims)
}
func (op sparseKLGradOp) Hashcode() uint32 { return hashOf(op) }
func (op sparseKLGradOp) String() string {
	return fmt.Sprintf("bayesnodes.sparseKLGrad(%d)", op.wrt)
}
