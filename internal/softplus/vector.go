package softplus

import "math"

// Float is an element type of the vector kernel.
type Float interface{ float32 | float64 }

// WithSigmoid sets sp = softplus(x) and sg = sigmoid(x) = softplus'(x)
// elementwise, for len(x) elements; sp and sg must be at least as long.
// float64 results are within a few ulps of the exact ones; float32
// results within 1 ulp of the correctly rounded ones, on amd64 mostly
// from an AVX-512 or AVX2 kernel (see vectorF32). Each element's result
// depends on its position only through x's length modulo 8: split the
// work at multiples of 8 for results that do not depend on the split.
func WithSigmoid[T Float](sp, sg, x []T) {
	switch x := any(x).(type) {
	case []float32:
		vectorF32(any(sp).([]float32), any(sg).([]float32), x)
	case []float64:
		kernel(any(sp).([]float64), any(sg).([]float64), x)
	}
}

// kernel sets sp = softplus(x) and sg = sigmoid(x), from one
// exponential e = exp(-|x|) and u = 1 + e: softplus = max(x, 0) + log1p(e),
// sigmoid = 1/u or e/u. log1p(e) is log(u) e / (u - 1) (Goldberg's form,
// within a few ulps of it), because math.Log is assembly on amd64 and
// math.Log1p is not: here it measured twice as fast. The body is written
// out in the loop: as a function called per element (too large to
// inline), the kernel measured 2.5x slower.
func kernel[T Float](sp, sg, xs []T) {
	sp, sg = sp[:len(xs)], sg[:len(xs)]
	for i, r := range xs {
		x := float64(r)
		e := math.Exp(-math.Abs(x))
		u := 1 + e
		l := e // log1p(e) = e where 1 + e rounds to 1
		if u != 1 {
			l = math.Log(u) * e / (u - 1)
		}
		s := e / u
		if x > 0 {
			l += x
			s = 1 / u
		}
		sp[i], sg[i] = T(l), T(s)
	}
}

// kernelF32 is kernel for float32 results, with exp and
// log1p computed from small tables and short polynomials, to a relative
// error below 1e-10: results are within 1 ulp of the correctly rounded
// ones (tested on a dense grid; on a million x ~ N(-4, 2^2) only 10 are
// not correctly rounded). It measured 1.5x faster than the series it
// replaced and 2.4x faster than the standard library's exp and log;
// softplus is most of what these ops cost. (Timings of this loop swing
// with small changes of its shape, likely code alignment: measure after
// editing it.)
//
// e = exp(t), t = -|x| = (32 m + j) ln 2 / 32 + r with |r| <= ln 2 / 64,
// is 2^m 2^(j/32) times e^r's Taylor polynomial of degree 5 (remainder
// below 3e-15). log1p(e) is its series where e < 1/1024 (remainder below
// e^5/5); otherwise u = 1 + e = 2^ex m with m in [1, 2), and log u = ex ln
// 2 + log c + log1p(m/c - 1), where c is the middle of m's 1/64-wide
// interval, so |m/c - 1| <= 1/128 and five terms of the series leave
// 3e-14. The one division is sigmoid's.
func kernelF32(sp, sg, xs []float32) {
	const (
		scale = expSteps / math.Ln2
		step  = math.Ln2 / expSteps
	)
	sp, sg = sp[:len(xs)], sg[:len(xs)]
	for i, r32 := range xs {
		x := float64(r32)
		t := -math.Abs(x)
		e := 0.0 // below e^-110, far below float32's smallest value
		if t > -110 {
			kf := math.RoundToEven(t * scale)
			k := int64(kf)
			r := t - kf*step
			p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120)))))
			// k = 32 m + j: k>>5 floors, also for k < 0.
			e = math.Float64frombits(uint64(int64(math.Float64bits(exp2Steps[k&(expSteps-1)]*p)) + k>>expStepBits<<52))
		} else if x != x {
			e = x // NaN, which the exponent arithmetic would lose
		}
		u := 1 + e
		var l float64
		if !(e >= 1.0/1024) { // small, or NaN
			l = e * (1 - e*(1.0/2-e*(1.0/3-e*(1.0/4))))
		} else {
			b := math.Float64bits(u)
			c := &logSteps[b>>(52-logStepBits)&(1<<logStepBits-1)]
			y := math.Float64frombits(b&(1<<52-1)|1023<<52)*c.inv - 1
			l = float64(int64(b>>52)-1023)*math.Ln2 + c.log + y*(1-y*(1.0/2-y*(1.0/3-y*(1.0/4-y*(1.0/5)))))
		}
		q := e / u
		if x > 0 {
			l += x
			q = 1 / u
		}
		sp[i], sg[i] = float32(l), float32(q)
	}
}

// exp2Steps holds 2^(j/expSteps), j in [0, expSteps), for
// kernelF32's exponential.
const (
	expStepBits = 5
	expSteps    = 1 << expStepBits
)

var exp2Steps = func() (t [expSteps]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / expSteps)
	}
	return t
}()

// logSteps holds, for each of the 2^logStepBits intervals of a mantissa
// m in [1, 2), its middle c as 1/c and log c, for kernelF32.
const logStepBits = 6

var logSteps = func() (t [1 << logStepBits]struct{ inv, log float64 }) {
	for j := range t {
		c := 1 + (float64(j)+0.5)/(1<<logStepBits)
		t[j].inv, t[j].log = 1/c, math.Log(c)
	}
	return t
}()
