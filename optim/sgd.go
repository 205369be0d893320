package optim

import (
	"errors"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/internal/parallel"
)

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, in the formulation of PyTorch's torch.optim.SGD
// (Sutskever et al. 2013, with the learning rate applied outside the momentum
// buffer, so a learning-rate schedule does not rescale past velocity). It
// implements gorgonia.Solver. With gradient g (after the gradient scale and
// clipping):
//
//	d = g + wd*w
//	b = momentum*b + d       (with momentum; b starts at zero)
//	d = b                    (momentum)  or  d = d + momentum*b  (Nesterov)
//	w = w - lr*d
//
// and then g is set to zero. The update is fused into one pass over the raw
// slices and computed in the parameter's dtype (float32 or float64). Momentum
// buffers are allocated on the first step, keyed by position in the slice
// given to Step; later steps must pass parameters of the same number, dtypes
// and shapes, in the same order, and then allocate nothing.
//
// An SGD is not safe for concurrent use.
type SGD struct {
	core
	momentum, wd float64
	nesterov     bool
	coef         float64 // the current step's gradient coefficient, read by the updaters
}

// NewSGD returns an SGD solver with learning rate lr (non-negative and
// finite) and no momentum, changed by the options Momentum, Nesterov,
// WeightDecay and ClipNorm. Betas and Epsilon are Adam's and are rejected, and
// so is Nesterov without a positive momentum. The error names the offending
// argument.
func NewSGD(lr float64, opts ...Option) (*SGD, error) {
	var s settings
	c, err := newCore("SGD", lr, &s, opts)
	if err != nil {
		return nil, err
	}
	if s.nesterov && s.momentum == 0 {
		return nil, errors.New("optim: NewSGD: Nesterov() needs Momentum(m) with m > 0")
	}
	if s.momentum > 0 {
		c.nbuf = 1
	}
	return &SGD{core: c, momentum: s.momentum, wd: s.weightDecay, nesterov: s.nesterov}, nil
}

// updater returns the update of p's elements [lo, hi), built once per
// parameter so that a step allocates nothing.
func (s *SGD) updater(p *param) func(lo, hi int) {
	switch {
	case s.nbuf == 0 && p.f32:
		return func(lo, hi int) { sgdUpdate(p.w.Float32s()[lo:hi], p.g.Float32s()[lo:hi], s.lr, s.coef, s.wd) }
	case s.nbuf == 0:
		return func(lo, hi int) { sgdUpdate(p.w.Float64s()[lo:hi], p.g.Float64s()[lo:hi], s.lr, s.coef, s.wd) }
	case p.f32:
		return func(lo, hi int) {
			momentumUpdate(p.w.Float32s()[lo:hi], p.g.Float32s()[lo:hi], p.a32[lo:hi], s.lr, s.coef, s.wd, s.momentum, s.nesterov)
		}
	}
	return func(lo, hi int) {
		momentumUpdate(p.w.Float64s()[lo:hi], p.g.Float64s()[lo:hi], p.a64[lo:hi], s.lr, s.coef, s.wd, s.momentum, s.nesterov)
	}
}

// Step updates each parameter of vgs in place from its gradient, as described
// on SGD, and zeroes the gradients. vgs must hold the same parameters in the
// same order at every step. If Step returns an error, it has changed nothing:
// parameters, gradients, momentum buffers and the step count are as they were.
func (s *SGD) Step(vgs []G.ValueGrad) error {
	coef, err := s.prepare(vgs)
	if err != nil {
		return err
	}
	defer s.release()
	s.steps++
	s.coef = coef
	for i := range s.params {
		p := &s.params[i]
		if p.update == nil {
			p.update = s.updater(p)
		}
		parallel.For(p.size, p.update) // elementwise: the split changes no bit
	}
	return nil
}

// sgdUpdate sets w -= lr*(gs*g + wd*w) and zeroes g, computing in T.
func sgdUpdate[T float32 | float64](w, g []T, lr, gs, wd float64) {
	g = g[:len(w)]
	tlr, tgs, twd := T(lr), T(gs), T(wd)
	for i := range w {
		w[i] -= tlr * (tgs*g[i] + twd*w[i])
		g[i] = 0
	}
}

// momentumUpdate applies one step of (Nesterov) momentum SGD to w with
// gradient g and momentum buffer b, and zeroes g, computing in T.
func momentumUpdate[T float32 | float64](w, g, b []T, lr, gs, wd, mu float64, nesterov bool) {
	g, b = g[:len(w)], b[:len(w)]
	tlr, tgs, twd, tmu := T(lr), T(gs), T(wd), T(mu)
	if nesterov {
		for i := range w {
			d := tgs*g[i] + twd*w[i]
			bi := tmu*b[i] + d
			b[i] = bi
			w[i] -= tlr * (d + tmu*bi)
			g[i] = 0
		}
		return
	}
	for i := range w {
		bi := tmu*b[i] + tgs*g[i] + twd*w[i]
		b[i] = bi
		w[i] -= tlr * bi
		g[i] = 0
	}
}
