package optim

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// RMSProp is Hinton's RMSProp in the formulation of PyTorch's
// torch.optim.RMSprop (not centred). It implements gorgonia.Solver. With
// gradient g (after the gradient scale and clipping):
//
//	d = g + wd*w
//	v = alpha*v + (1-alpha)*d*d
//	b = momentum*b + d/(sqrt(v) + eps);  w = w - lr*b    (with momentum)
//	w = w - lr * d/(sqrt(v) + eps)                       (without)
//
// and then g is set to zero. Like Adam and SGD, the update is one fused
// pass over the raw slices in the parameter's dtype, and its buffers are
// allocated on the first step; later steps allocate nothing.
//
// An RMSProp is not safe for concurrent use.
type RMSProp struct {
	core
	alpha, eps, momentum, wd float64
	k                        rmsConsts // the current step's, read by the updaters
}

// NewRMSProp returns an RMSProp solver with learning rate lr (non-negative
// and finite), alpha = 0.99 and eps = 1e-8 (PyTorch's defaults), changed by
// the options Alpha, Epsilon, Momentum, WeightDecay and ClipNorm. Betas and
// Nesterov are rejected. The error names the offending argument.
func NewRMSProp(lr float64, opts ...Option) (*RMSProp, error) {
	s := settings{alpha: 0.99, eps: 1e-8}
	c, err := newCore("RMSProp", lr, &s, opts)
	if err != nil {
		return nil, err
	}
	c.nbuf = 1
	if s.momentum > 0 {
		c.nbuf = 2
	}
	return &RMSProp{core: c, alpha: s.alpha, eps: s.eps, momentum: s.momentum, wd: s.weightDecay}, nil
}

// Alpha sets RMSProp's smoothing constant of the squared-gradient average
// (default 0.99). It must lie in [0, 1).
func Alpha(alpha float64) Option {
	return Option{fmt.Sprintf("Alpha(%v)", alpha), []string{"RMSProp"}, func(s *settings) error {
		if !(alpha >= 0 && alpha < 1) {
			return fmt.Errorf("alpha = %v is outside [0, 1)", alpha)
		}
		s.alpha = alpha
		return nil
	}}
}

// Step updates each parameter of vgs in place from its gradient, as described
// on RMSProp, and zeroes the gradients. vgs must hold the same parameters in
// the same order at every step. If Step returns an error, it has changed
// nothing; but for a *StepError (an update that would make a value
// non-finite), after which the gradients are zero.
func (r *RMSProp) Step(vgs []G.ValueGrad) error {
	coef, err := r.prepare(vgs)
	if err != nil {
		return err
	}
	defer r.release()
	r.k = rmsConsts{gs: coef, lr: r.lr, alpha: r.alpha, eps: r.eps, momentum: r.momentum, wd: r.wd}
	names := [2]string{"squared average", ""}
	if r.nbuf == 2 {
		names = [2]string{"momentum", "squared average"}
	}
	return r.apply(vgs, r.updater, names)
}

// updater returns the update of p's elements [lo, hi) with the step's
// constants r.k, built once per parameter so that a step allocates nothing.
// Like Adam's state, the squared average is the last buffer (V with
// momentum, whose buffer is M; M alone without).
func (r *RMSProp) updater(p *param) func(lo, hi int) {
	return ranges(p, r.bad,
		func(l lanes[float32]) bool { return rmsUpdate(l, r.k.scaled(p.lrFactor), r.nbuf == 2) },
		func(l lanes[float64]) bool { return rmsUpdate(l, r.k.scaled(p.lrFactor), r.nbuf == 2) })
}

type rmsConsts struct {
	gs, lr, alpha, eps, momentum, wd float64
}

// scaled returns k for a parameter whose learning rate is f*lr.
func (k rmsConsts) scaled(f float64) rmsConsts {
	k.lr *= f
	return k
}

// rmsUpdate applies one RMSProp step to l.w with gradient l.g, squared
// average (l.b with momentum, whose buffer is then l.a; l.a without),
// written to the matching new buffers, keeps l.w in l.old and zeroes l.g.
// It reports whether it wrote a non-finite value.
func rmsUpdate[T float32 | float64](l lanes[T], k rmsConsts, momentum bool) bool {
	w := l.w
	g, v, vn, old := l.g[:len(w)], l.a[:len(w)], l.an[:len(w)], l.old[:len(w)]
	var b, bn []T
	if momentum {
		b, bn, v, vn = l.a[:len(w)], l.an[:len(w)], l.b[:len(w)], l.bn[:len(w)]
	}
	gs, lr, a, oma, eps, wd := T(k.gs), T(k.lr), T(k.alpha), T(1-k.alpha), T(k.eps), T(k.wd)
	mom := T(k.momentum)
	var bad bool
	for i, wi := range w {
		d := gs*g[i] + wd*wi
		vi := a*v[i] + oma*d*d
		vn[i] = vi
		step := d / (T(math.Sqrt(float64(vi))) + eps)
		if momentum {
			step += mom * b[i]
			bn[i] = step
		}
		old[i] = wi
		wi -= lr * step
		w[i] = wi
		g[i] = 0
		if notFinite(wi) || notFinite(vi) || notFinite(step) {
			bad = true
		}
	}
	return bad
}
