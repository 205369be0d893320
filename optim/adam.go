package optim

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// Adam is the Adam solver of Kingma & Ba (2015), with optional decoupled
// weight decay (AdamW, Loshchilov & Hutter 2019). It implements
// gorgonia.Solver. With gradient g (after the gradient scale and clipping),
// at step t:
//
//	m = beta1*m + (1-beta1)*g
//	v = beta2*v + (1-beta2)*g*g
//	w = w*(1 - lr*wd) - lr * (m/(1-beta1^t)) / (sqrt(v/(1-beta2^t)) + eps)
//
// and then g is set to zero. As in PyTorch's AdamW, the decay is multiplied by
// the learning rate, so a schedule set through SetLearnRate scales both (the
// paper's schedule multiplier with alpha folded into lr).
//
// The update is fused into one pass over the raw slices of each parameter and
// computed, like the moments, in the parameter's dtype (float32 or float64),
// as PyTorch does; the bias corrections are computed in float64. Moment buffers are
// allocated on the first step, keyed by position in the slice given to Step;
// later steps must pass parameters of the same number, dtypes and shapes, in
// the same order, and then allocate nothing.
//
// An Adam is not safe for concurrent use.
type Adam struct {
	core
	beta1, beta2, eps, wd float64
	k                     adamConsts // the current step's, read by the updaters
}

// NewAdam returns an Adam solver with learning rate lr (non-negative and
// finite), beta1 = 0.9, beta2 = 0.999 and eps = 1e-8, changed by the options
// Betas, Epsilon, WeightDecay and ClipNorm. Momentum and Nesterov are SGD's
// and are rejected. The error names the offending argument.
func NewAdam(lr float64, opts ...Option) (*Adam, error) {
	s := settings{beta1: 0.9, beta2: 0.999, eps: 1e-8}
	c, err := newCore("Adam", lr, &s, opts)
	if err != nil {
		return nil, err
	}
	c.nbuf = 2
	return &Adam{core: c, beta1: s.beta1, beta2: s.beta2, eps: s.eps, wd: s.weightDecay}, nil
}

// Step updates each parameter of vgs in place from its gradient, as described
// on Adam, and zeroes the gradients. vgs must hold the same parameters in the
// same order at every step. If Step returns an error, it has changed nothing:
// parameters, gradients, moments and the step count are as they were; but
// for a *StepError (an update that would make a value non-finite), after
// which the gradients are zero.
func (a *Adam) Step(vgs []G.ValueGrad) error {
	coef, err := a.prepare(vgs)
	if err != nil {
		return err
	}
	defer a.release()
	t := float64(a.steps + 1)
	a.k = adamConsts{
		gs:         coef,
		beta1:      a.beta1,
		beta2:      a.beta2,
		stepSize:   a.lr / (1 - math.Pow(a.beta1, t)),
		invSqrtBC2: 1 / math.Sqrt(1-math.Pow(a.beta2, t)),
		eps:        a.eps,
		decay:      1 - a.lr*a.wd,
	}
	return a.apply(vgs, a.updater, [2]string{"first moment", "second moment"})
}

// updater returns the update of p's elements [lo, hi) with the step's
// constants a.k; built once per parameter, so a step allocates nothing.
func (a *Adam) updater(p *param) func(lo, hi int) {
	return ranges(p, a.bad,
		func(l lanes[float32]) bool { return adamUpdate(l, a.k.scaled(p.lrFactor, a.lr, a.wd)) },
		func(l lanes[float64]) bool { return adamUpdate(l, a.k.scaled(p.lrFactor, a.lr, a.wd)) })
}

// scaled returns k for a parameter whose learning rate is f*lr.
func (k adamConsts) scaled(f, lr, wd float64) adamConsts {
	if f != 1 {
		k.stepSize *= f
		k.decay = 1 - f*lr*wd
	}
	return k
}

type adamConsts struct {
	gs, beta1, beta2, stepSize, invSqrtBC2, eps, decay float64
}

// adamK holds a step's constants in the parameter's dtype, in the order the
// assembly kernels (adam_*_amd64.s) read them.
type adamK[T float32 | float64] struct {
	gs, b1, omb1, b2, omb2, isb, eps, ss, decay T
}

func adamKOf[T float32 | float64](k adamConsts) adamK[T] {
	return adamK[T]{T(k.gs), T(k.beta1), T(1 - k.beta1), T(k.beta2), T(1 - k.beta2),
		T(k.invSqrtBC2), T(k.eps), T(k.stepSize), T(k.decay)}
}

// adamUpdate applies one Adam step to l.w with gradient l.g and moments
// l.a and l.b, written to l.an and l.bn, keeps l.w in l.old and zeroes
// l.g. It reports whether it wrote a non-finite value. The bulk goes to a
// vector kernel where the CPU has one (adamVector), the rest to adamGo;
// both round every operation as written, so each element's result is the
// same bits whichever computes it.
func adamUpdate[T float32 | float64](l lanes[T], k adamConsts) bool {
	c := adamKOf[T](k)
	n, bad := adamVector(l, &c)
	return adamGo(l.from(n), &c) || bad
}

// adamGo is adamUpdate in Go, the reference the vector kernels match bit
// for bit. It computes in T: for float32 this is about twice as fast as
// widening to float64, the divide and square root being the bottleneck.
// The conversions T(x*y) round each product, as the spec requires, so
// that no compiler fuses it into a multiply-add (Go does, for GOAMD64=v3
// or on arm64) and every platform gives the same bits.
func adamGo[T float32 | float64](l lanes[T], c *adamK[T]) bool {
	w := l.w
	g, m, v, mn, vn, old := l.g[:len(w)], l.a[:len(w)], l.b[:len(w)], l.an[:len(w)], l.bn[:len(w)], l.old[:len(w)]
	gs, b1, b2, omb1, omb2 := c.gs, c.b1, c.b2, c.omb1, c.omb2
	ss, isb, eps, decay := c.ss, c.isb, c.eps, c.decay
	var bad bool
	for i, wi := range w {
		gi := gs * g[i]
		mi := T(b1*m[i]) + T(omb1*gi)
		vi := T(b2*v[i]) + T(T(omb2*gi)*gi)
		mn[i], vn[i] = mi, vi
		old[i] = wi
		wi = T(decay*wi) - T(ss*mi)/(T(T(math.Sqrt(float64(vi)))*isb)+eps)
		w[i] = wi
		g[i] = 0
		if notFinite(wi) || notFinite(vi) || notFinite(mi) {
			bad = true
		}
	}
	return bad
}
