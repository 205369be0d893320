// Package samplekl holds the kernels of a Gaussian posterior's fused
// passes (bayesnodes' sampleKL and sampleKLGrad): what the layer reads
// from the weights with the KL's sums forward, and the gradients of mu
// and rho backward. Each is a Go loop, and for float32 on amd64 an
// AVX-512 or AVX2 kernel (vector_amd64.s) with the same results bit for
// bit: the arithmetic is float64, in the same order, without fused
// multiply-adds, and the sums are taken in eight lanes (element i of each
// run of eight in lane i mod 8) combined in a fixed order, by the Go
// loops too. The sums therefore do not depend on the machine.
package samplekl

import "math"

// Float is an element type of the kernels.
type Float interface{ float32 | float64 }

// lanes is how many partial sums the reductions keep.
const lanes = 8

// Forward sets out = mu + sigma b (addMu) or out = sigma b, and returns
// sum_i sigma_i^2 + (mu_i - m)^2. b is the noise eps (a sample w = mu +
// sigma eps, or a perturbation sigma eps), or sigma itself (the variance
// sigma^2). out, sigma and b must be at least as long as mu.
func Forward[T Float](out, sigma, mu, b []T, m float64, addMu bool) (quad float64) {
	n := len(mu)
	out, sigma, b = out[:n], sigma[:n], b[:n]
	var acc [lanes]float64
	bulk := 0
	if o, s, u, e, ok := asF32(out, sigma, mu, b); ok && n >= lanes {
		bulk = forwardF32(o, s, u, e, m, addMu, &acc)
	}
	for i := bulk; i < n&^(lanes-1); i++ {
		acc[i%lanes] += quadTerm(sigma[i], mu[i], m)
		out[i] = drawn(sigma[i], mu[i], b[i], addMu)
	}
	quad = reduce(&acc)
	for i := n &^ (lanes - 1); i < n; i++ {
		quad += quadTerm(sigma[i], mu[i], m)
		out[i] = drawn(sigma[i], mu[i], b[i], addMu)
	}
	return quad
}

// quadTerm is sigma^2 + (mu - m)^2; the conversions keep Go from fusing
// the products into the sum (the assembly does not fuse them either).
func quadTerm[T Float](sigma, mu T, m float64) float64 {
	s, d := float64(sigma), float64(mu)-m
	return float64(s*s) + float64(d*d)
}

// drawn is one element of Forward's out. sigma b is exact in float64 for
// float32 operands, so adding mu rounds once, fused or not.
func drawn[T Float](sigma, mu, b T, addMu bool) T {
	p := float64(sigma) * float64(b)
	if addMu {
		return T(float64(mu) + p)
	}
	return T(p)
}

// reduce sums the lanes pairwise, as the vector kernels fold a register:
// halves, then quarters, then the last two.
func reduce(acc *[lanes]float64) float64 {
	a := [4]float64{acc[0] + acc[4], acc[1] + acc[5], acc[2] + acc[6], acc[3] + acc[7]}
	return (a[0] + a[2]) + (a[1] + a[3])
}

// SumLogSigma returns sum_i log(sigma_i), sigma = softplus(rho). Where rho
// < -20, sigma = e^rho (1 - e^rho/2 + ...), so log sigma is rho - sigma/2
// to double precision and stays finite where sigma underflows. Elsewhere
// sigma is a positive normal float64 (float32 subnormals included) and
// its log is split into its binary exponent and the log of its mantissa
// in [1, 2); each lane multiplies its mantissas together, renormalised
// every 256 factors (the product stays below 2^256), so there is one
// math.Log per call rather than one per weight. The product's relative
// error is at most n 2^-53, an absolute error of n 1.1e-16 in the sum.
// Any other sigma (0, negative, Inf, NaN: inconsistent inputs) takes
// math.Log, so NaN and Inf propagate.
func SumLogSigma[T Float](sigma, rho []T) float64 {
	n := len(sigma)
	rho = rho[:n]
	var st logState
	st.init()
	bulk := n &^ (lanes - 1)
	done := 0
	if s, r, ok := asF32Pair(sigma, rho); ok && bulk > 0 && logSigmaF32(s[:bulk], r[:bulk], &st) {
		done = bulk // else an odd sigma: the Go loop takes it all
	}
	for i := done; i < bulk; i++ {
		j := i % lanes
		st.add(j, float64(sigma[i]), float64(rho[i]))
		if i/lanes%256 == 255 {
			st.renormalise(j)
		}
	}
	var tail logState
	tail.init()
	for i := bulk; i < n; i++ {
		tail.add(0, float64(sigma[i]), float64(rho[i]))
	}
	return st.total(&tail)
}

// logState is SumLogSigma's lanes: the sum of binary exponents (exact in
// float64), the product of mantissas, and the sum of the other terms.
type logState struct {
	exp, prod, other [lanes]float64
}

func (st *logState) init() {
	for j := range st.prod {
		st.prod[j] = 1
	}
}

const (
	mantissaBits = 1<<52 - 1
	oneBits      = 1023 << 52 // exponent bits of 1.0
)

// add takes log(s) into lane j, for s = softplus(r).
func (st *logState) add(j int, s, r float64) {
	if r < -20 {
		st.other[j] += r - s/2
		return
	}
	b := math.Float64bits(s)
	if e := b >> 52; e == 0 || e >= 2047 { // 0, subnormal, Inf, NaN, negative
		st.other[j] += math.Log(s)
		return
	}
	st.exp[j] += float64(int(b>>52) - 1023)
	st.prod[j] *= math.Float64frombits(b&mantissaBits | oneBits)
}

// renormalise moves lane j's product's exponent into its sum.
func (st *logState) renormalise(j int) {
	b := math.Float64bits(st.prod[j])
	st.exp[j] += float64(int(b>>52) - 1023)
	st.prod[j] = math.Float64frombits(b&mantissaBits | oneBits)
}

// total finishes the sum: the lanes in order, then the tail's lane 0.
func (st *logState) total(tail *logState) float64 {
	var other, exp float64
	prod := 1.0
	for j := range lanes {
		st.renormalise(j)
		other += st.other[j]
		exp += st.exp[j]
		prod *= st.prod[j] // below 2^8 after eight mantissas
	}
	other += tail.other[0]
	exp += tail.exp[0]
	prod *= tail.prod[0] // tail: at most 7 more, below 2^15
	return other + exp*math.Ln2 + math.Log(prod)
}

// Grad sets dMu = gmu + gc (mu - m) and dRho = (gout scale b + gkl (c
// sigma - 1/sigma)) sg with gc = gkl c, sg = sigmoid(rho) = dsigma/drho
// and b the noise eps (dout/dsigma of a sample or a perturbation, scale 1)
// or sigma (of a variance, scale 2); sg/sigma is taken as 1 where sigma
// underflows. A nil gout or gmu is zero.
func Grad[T Float](dMu, dRho, mu, sigma, sg, b, gout, gmu []T, scale, gkl, c, m float64) {
	n := len(dMu)
	dRho, mu, sigma, sg = dRho[:n], mu[:n], sigma[:n], sg[:n]
	k := gradConsts{gc: gkl * c, gkl: gkl, m: m, scale: scale, one: 1}
	bulk := 0
	if gout != nil && gmu != nil {
		if v, ok := asF32Grad(dMu, dRho, mu, sigma, sg, b[:n], gout[:n], gmu[:n]); ok {
			bulk = gradF32(v, &k)
		}
	}
	gradKernel(dMu[bulk:], dRho[bulk:], mu[bulk:], sigma[bulk:], sg[bulk:], sub(b, bulk), sub(gout, bulk), sub(gmu, bulk), &k)
}

// gradConsts are Grad's scalars, in the order the assembly reads them.
type gradConsts struct {
	gc, gkl, m, scale, one float64
}

// gradKernel is Grad in Go.
func gradKernel[T Float](dMu, dRho, mu, sigma, sg, b, gout, gmu []T, k *gradConsts) {
	n := len(dMu)
	dRho, mu, sigma, sg = dRho[:n], mu[:n], sigma[:n], sg[:n]
	for i := range dMu {
		sd, sgd := float64(sigma[i]), float64(sg[i])
		ratio := 1.0
		if sd > 0 {
			ratio = sgd / sd
		}
		dm := k.gc * (float64(mu[i]) - k.m)
		if gmu != nil {
			dm += float64(gmu[i])
		}
		dr := float64(float64(k.gc*sd)*sgd) - float64(k.gkl*ratio)
		if gout != nil {
			dr += float64(float64(float64(gout[i])*k.scale)*float64(b[i])) * sgd
		}
		dMu[i], dRho[i] = T(dm), T(dr)
	}
}

// sub returns s[lo:], or nil for a nil s.
func sub[T any](s []T, lo int) []T {
	if s == nil {
		return nil
	}
	return s[lo:]
}

// asF32 returns the slices as []float32 where T is float32.
func asF32[T Float](out, sigma, mu, b []T) (o, s, u, e []float32, ok bool) {
	if o, ok = any(out).([]float32); !ok {
		return
	}
	return o, any(sigma).([]float32), any(mu).([]float32), any(b).([]float32), true
}

func asF32Pair[T Float](x, y []T) (a, b []float32, ok bool) {
	if a, ok = any(x).([]float32); !ok {
		return
	}
	return a, any(y).([]float32), true
}

// gradArgs are Grad's float32 slices, all of one length.
type gradArgs struct {
	dMu, dRho, mu, sigma, sg, b, gout, gmu []float32
}

func asF32Grad[T Float](dMu, dRho, mu, sigma, sg, b, gout, gmu []T) (gradArgs, bool) {
	if _, ok := any(dMu).([]float32); !ok {
		return gradArgs{}, false
	}
	f := func(s []T) []float32 { return any(s).([]float32) }
	return gradArgs{f(dMu), f(dRho), f(mu), f(sigma), f(sg), f(b), f(gout), f(gmu)}, true
}
