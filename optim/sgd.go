package optim

import (
	"errors"

	G "gorgonia.org/gorgonia"
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
// updater returns the update of p's elements [lo, hi) with the step's
// settings, built once per parameter so that a step allocates nothing.
func (s *SGD) updater(p *param) func(lo, hi int) {
	if s.nbuf == 0 {
		return ranges(p, s.bad,
			func(l lanes[float32]) bool { return sgdUpdate(l, s.lr*p.lrFactor, s.coef, s.wd) },
			func(l lanes[float64]) bool { return sgdUpdate(l, s.lr*p.lrFactor, s.coef, s.wd) })
	}
	return ranges(p, s.bad,
		func(l lanes[float32]) bool {
			return momentumUpdate(l, s.lr*p.lrFactor, s.coef, s.wd, s.momentum, s.nesterov)
		},
		func(l lanes[float64]) bool {
			return momentumUpdate(l, s.lr*p.lrFactor, s.coef, s.wd, s.momentum, s.nesterov)
		})
}

// Step updates each parameter of vgs in place from its gradient, as described
// on SGD, and zeroes the gradients. vgs must hold the same parameters in the
// same order at every step. If Step returns an error, it has changed nothing:
// parameters, gradients, momentum buffers and the step count are as they were;
// but for a *StepError (an update that would make a value non-finite), after
// which the gradients are zero.
func (s *SGD) Step(vgs []G.ValueGrad) error {
	coef, err := s.prepare(vgs)
	if err != nil {
		return err
	}
	defer s.release()
	s.coef = coef
	return s.apply(vgs, s.updater, [2]string{"momentum", ""})
}

// sgdUpdate sets w -= lr*(gs*g + wd*w), keeping w in l.old, and zeroes g,
// computing in T. It reports whether it wrote a non-finite value.
func sgdUpdate[T float32 | float64](l lanes[T], lr, gs, wd float64) bool {
	w := l.w
	g, old := l.g[:len(w)], l.old[:len(w)]
	tlr, tgs, twd := T(lr), T(gs), T(wd)
	var bad bool
	for i, wi := range w {
		old[i] = wi
		wi -= tlr * (tgs*g[i] + twd*wi)
		w[i] = wi
		g[i] = 0
		if notFinite(wi) {
			bad = true
		}
	}
	return bad
}

// momentumUpdate applies one step of (Nesterov) momentum SGD to l.w with
// gradient l.g and momentum buffer l.a, written to l.an, keeps l.w in
// l.old and zeroes l.g, computing in T. It returns 0, or NaN if it wrote a
// non-finite value.
func momentumUpdate[T float32 | float64](l lanes[T], lr, gs, wd, mu float64, nesterov bool) bool {
	w := l.w
	g, b, bn, old := l.g[:len(w)], l.a[:len(w)], l.an[:len(w)], l.old[:len(w)]
	tlr, tgs, twd, tmu := T(lr), T(gs), T(wd), T(mu)
	var bad bool
	if nesterov {
		for i, wi := range w {
			d := tgs*g[i] + twd*wi
			bi := tmu*b[i] + d
			bn[i] = bi
			old[i] = wi
			wi -= tlr * (d + tmu*bi)
			w[i] = wi
			g[i] = 0
			if notFinite(wi) || notFinite(bi) {
				bad = true
			}
		}
		return bad
	}
	for i, wi := range w {
		bi := tmu*b[i] + tgs*g[i] + twd*wi
		bn[i] = bi
		old[i] = wi
		wi -= tlr * bi
		w[i] = wi
		g[i] = 0
		if notFinite(wi) || notFinite(bi) {
			bad = true
		}
	}
	return bad
}
