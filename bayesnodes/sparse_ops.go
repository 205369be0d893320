package bayesnodes

// Fused Gorgonia ops for the sparse variational dropout posterior, in the
// manner of gaussian_ops.go (same memory reuse, float64 arithmetic for float32
// tensors), with ls2 = log sigma^2 and la = clip(ls2 - log theta^2):
//
//	sparseHelper (theta, ls2)              -> h = [KL(la); dKL/dla, 0 where clipped], shape [2, ...]
//	sparseKLSum  (theta, ls2, h)           -> sum of h's first row
//	sparseKLGrad{wrt} (theta, h, g)        -> g dKL/dla * -2/theta (wrt 0, theta)
//	                                          or g dKL/dla (wrt 1, ls2)
//
// The helper holds everything costly (a log, two exps and a log1p per
// weight), computed once per run for the KL and both its gradients; like
// gaussian_ops.go's ss it is not differentiated, the ops that read it take theta
// and ls2's gradients themselves. Gorgonia has no clip op, and built from
// its nodes the KL would be a dozen elementwise passes per weight and run.

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
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

// sparseHelper is h = [KL(la); dKL/dla] from (theta, ls2).
type sparseHelper[T float] struct{ dims int }

func (sparseHelper[T]) String() string        { return "bayesnodes.sparseHelper" }
func (m sparseHelper[T]) Ranks() ([]int, int) { return operands(m.dims, post, post), m.dims + 1 }
func (sparseHelper[T]) DiffWRT() []bool       { return []bool{false, false} }

func (sparseHelper[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	s, err := posteriorShape(in, post, post)
	if err != nil {
		return nil, err
	}
	return pairShape(s), nil
}

func (sparseHelper[T]) Eval(a *opkit.Args[T]) error {
	n := len(a.In[0])
	sparseHelperKernel(a.Out[:n], a.Out[n:], a.In[0], a.In[1])
	return nil
}

func (m sparseHelper[T]) Grad(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiable: the ops reading it give theta and log sigma^2 their gradients", m)
}

// sparseKLSum is the log-uniform prior's KL approximation summed over the
// weights, from (theta, ls2, h).
type sparseKLSum[T float] struct{ dims int }

// sparseKL adds sum_i KL(q_i || log-uniform) to theta's graph.
func sparseKL(theta, logSigma2 *G.Node) (*G.Node, error) {
	d := theta.Dims()
	h, err := opkit.Apply(sparseHelper[float32]{d}, sparseHelper[float64]{d}, theta, logSigma2)
	if err != nil {
		return nil, err
	}
	return opkit.Apply(sparseKLSum[float32]{d}, sparseKLSum[float64]{d}, theta, logSigma2, h)
}

func (sparseKLSum[T]) String() string        { return "bayesnodes.sparseKL" }
func (m sparseKLSum[T]) Ranks() ([]int, int) { return operands(m.dims, post, post, pair), opkit.Scalar }

// DiffWRT: theta and ls2; h is a helper.
func (sparseKLSum[T]) DiffWRT() []bool { return []bool{true, true, false} }

func (sparseKLSum[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return sumShape(in, post, post, pair)
}

func (sparseKLSum[T]) Eval(a *opkit.Args[T]) error {
	a.Out[0] = T(sumOf(a.In[2][:len(a.In[0])]))
	return nil
}

func (m sparseKLSum[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, 3)
	for wrt := range 2 {
		var err error
		if out[wrt], err = opkit.ApplyOf[T](sparseKLGrad[T]{m.dims, wrt}, in[0], in[2], grad); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sparseKLGrad is sparseKLSum's gradient for theta (wrt 0) or log sigma^2
// (wrt 1), from (theta, h, g).
type sparseKLGrad[T float] struct{ dims, wrt int }

func (m sparseKLGrad[T]) String() string { return fmt.Sprintf("bayesnodes.sparseKLGrad(%d)", m.wrt) }
func (m sparseKLGrad[T]) Ranks() ([]int, int) {
	return operands(m.dims, post, pair, opkit.Scalar), m.dims
}

func (sparseKLGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, post, pair, opkit.Scalar)
}

func (m sparseKLGrad[T]) Eval(a *opkit.Args[T]) error {
	sparseKLGradKernel(a.Out, a.In[0], a.In[1][len(a.Out):], float64(a.In[2][0]), m.wrt)
	return nil
}
