package optim

import (
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/internal/parallel"
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
// as PyTorch does; the bias corrections are computed in float64. A step
// first reads every gradient and value for its largest magnitude; where
// these and the moments' bounds prove the update finite (any ordinary
// step), it is made in place. Moment buffers are allocated on the first
// step, keyed by position in the slice given to Step; later steps must pass
// parameters of the same number, dtypes and shapes, in the same order, and
// then allocate nothing, except the first step not proven finite, which
// allocates, once, the buffers to undo it (see Step).
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
	a := &Adam{core: c, beta1: s.beta1, beta2: s.beta2, eps: s.eps, wd: s.weightDecay}
	a.inPlace = a.finiteAhead
	return a, nil
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
		func(l lanes[float32]) bool {
			bad, m, v := adamUpdate(l, a.k.scaled(p.lrFactor, a.lr, a.wd))
			p.noteMoments(m, v)
			return bad
		},
		func(l lanes[float64]) bool {
			bad, m, v := adamUpdate(l, a.k.scaled(p.lrFactor, a.lr, a.wd))
			p.noteMoments(m, v)
			return bad
		})
}

// finiteAhead reports whether this step's update is certain to be finite,
// so that apply can make it in place: it scans every gradient and value
// for its largest magnitude (two reads, where undoing an update that
// turns out not finite needs three more arrays written) and checks
// adamFinite's bound against them and the moments' maxima.
func (a *Adam) finiteAhead() bool {
	for i := range a.params {
		p := &a.params[i]
		p.gMax.Store(0)
		p.wMax.Store(0)
		if p.scan == nil {
			p.scan = p.scanner()
		}
	}
	if a.scanAll == nil {
		a.scanAll = func(lo, hi int) { a.forRanges(lo, hi, true) }
	}
	parallel.For(a.size(), a.scanAll)
	for i := range a.params {
		p := &a.params[i]
		g, w := math.Float64frombits(p.gMax.Load()), math.Float64frombits(p.wMax.Load())
		k := a.k.scaled(p.lrFactor, a.lr, a.wd)
		var ok bool
		if p.f32 {
			c := adamKOf[float32](k)
			ok = adamFinite(&c, g, w, p.mMax, p.vMax)
		} else {
			c := adamKOf[float64](k)
			ok = adamFinite(&c, g, w, p.mMax, p.vMax)
		}
		if !ok {
			return false
		}
	}
	return true
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

// laneMax receives, per lane of a vector kernel's registers, the largest
// m', the smallest m' and the largest v' an update wrote (adamVector), or
// the largest |x| and |y| a scan read (scanVector).
type laneMax[T float32 | float64] [3][16]T

// adamUpdate applies one Adam step to l.w with gradient l.g and moments
// l.a and l.b, written to l.an and l.bn, keeps l.w in l.old and zeroes
// l.g (in place where an, bn and old are a, b and w). It reports whether
// it wrote a non-finite value, and the largest |m'| and v' it wrote. The
// bulk goes to a vector kernel where the CPU has one (adamVector), the
// rest to adamGo; both round every operation as written, so each
// element's result is the same bits whichever computes it.
func adamUpdate[T float32 | float64](l lanes[T], k adamConsts) (bad bool, mMax, vMax float64) {
	c := adamKOf[T](k)
	var mx laneMax[T]
	n, bad := adamVector(l, &c, &mx)
	tailBad, mMax, vMax := adamGo(l.from(n), &c)
	for i := range mx[0] {
		mMax = max(mMax, float64(mx[0][i]), -float64(mx[1][i]))
		vMax = max(vMax, float64(mx[2][i]))
	}
	return bad || tailBad, mMax, vMax
}

// adamGo is adamUpdate in Go, the reference the vector kernels match bit
// for bit. It computes in T: for float32 this is about twice as fast as
// widening to float64, the divide and square root being the bottleneck.
// The conversions T(x*y) round each product, as the spec requires, so
// that no compiler fuses it into a multiply-add (Go does, for GOAMD64=v3
// or on arm64) and every platform gives the same bits.
func adamGo[T float32 | float64](l lanes[T], c *adamK[T]) (bad bool, mMax, vMax float64) {
	w := l.w
	g, m, v, mn, vn, old := l.g[:len(w)], l.a[:len(w)], l.b[:len(w)], l.an[:len(w)], l.bn[:len(w)], l.old[:len(w)]
	gs, b1, b2, omb1, omb2 := c.gs, c.b1, c.b2, c.omb1, c.omb2
	ss, isb, eps, decay := c.ss, c.isb, c.eps, c.decay
	var mHi, mLo, vHi T
	for i, wi := range w {
		gi := gs * g[i]
		mi := T(b1*m[i]) + T(omb1*gi)
		vi := T(b2*v[i]) + T(T(omb2*gi)*gi)
		mn[i], vn[i] = mi, vi
		old[i] = wi
		wi = T(decay*wi) - T(ss*mi)/(T(T(math.Sqrt(float64(vi)))*isb)+eps)
		w[i] = wi
		g[i] = 0
		mHi, mLo, vHi = max(mHi, mi), min(mLo, mi), max(vHi, vi)
		if notFinite(wi) || notFinite(vi) || notFinite(mi) {
			bad = true
		}
	}
	return bad, max(float64(mHi), -float64(mLo)), float64(vHi)
}

// scan returns the largest |x| and |y|, or +Inf for both if either holds
// a value that is not finite.
func scan[T float32 | float64](x, y []T) (xMax, yMax float64) {
	var mx laneMax[T]
	n, finite := scanVector(x, y, &mx)
	if !finite {
		return math.Inf(1), math.Inf(1)
	}
	for i := range mx[0] {
		xMax, yMax = max(xMax, float64(mx[0][i])), max(yMax, float64(mx[1][i]))
	}
	for i, xi := range x[n:] {
		yi := y[n+i]
		if notFinite(xi) || notFinite(yi) {
			return math.Inf(1), math.Inf(1)
		}
		xMax, yMax = max(xMax, math.Abs(float64(xi))), max(yMax, math.Abs(float64(yi)))
	}
	return xMax, yMax
}

// adamFinite reports whether an update with constants c is certain to
// write only finite values where every |g| <= g, |w| <= w, |m| <= m and
// 0 <= v <= v (an infinite or NaN bound proves nothing). Each bound below
// is that of one line of adamGo with every operation rounded up by the
// factor r, far more than float32's 1 + 2^-24, and 1 added for the
// absolute error of a subnormal result, which the division by eps could
// magnify: the denominator sqrt(v')*isb + eps is at least eps, as
// rounding is monotonic, and where it overflows the quotient is 0.
func adamFinite[T float32 | float64](c *adamK[T], g, w, m, v float64) bool {
	const r = 1 + 1.0/1024
	top := math.MaxFloat64 / 4
	if _, ok := any(c).(*adamK[float32]); ok {
		top = math.MaxFloat32 / 4
	}
	gs, b1, omb1, b2, omb2 := float64(c.gs), float64(c.b1), float64(c.omb1), float64(c.b2), float64(c.omb2)
	isb, eps, ss, decay := float64(c.isb), float64(c.eps), float64(c.ss), math.Abs(float64(c.decay))
	gb := gs*g*r + 1                  // |g'|, g' = gs*g
	mb := (b1*m+omb1*gb)*r*r + 1      // |m'|
	vb := (b2*v+omb2*gb*gb)*r*r*r + 1 // v'
	sb := (ss*mb*r+1)/eps*r + 1       // |(ss*m') / (sqrt(v')*isb + eps)|
	wb := (decay*w+sb)*r*r + 1        // |w'|
	return eps > 0 && isb < top && gb < top && mb < top && vb < top && sb < top && wb < top
}
