package softplus

import (
	"math"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// vectorF32 sets sp = softplus(rho) and sg = sigmoid(rho), as
// kernelF32 does and as accurately, with the bulk of rho in an
// assembly kernel (vector_amd64.s): 8 float64 lanes per step with
// AVX-512, 4 with AVX2 and FMA. The tail that does not fill a step, and
// CPUs without either, take kernelF32.
//
// The kernel computes in float64, as kernelF32 does, but without
// tables: gathers cost more than the few extra multiply-adds that a
// table-free reduction needs, and the one division is shared by softplus
// and sigmoid. For x = float64(rho), t = max(-|x|, -110) (below e^-110
// every result rounds as if e were 0; a NaN becomes -110 here and is put
// back at the end):
//
//   - e = exp(t) = 2^k e^r with k = round(t/ln 2), |r| <= ln 2/2, e^r by
//     its Taylor polynomial of degree 9 (remainder below e^|r| |r|^10/10!
//     < 1e-11), 2^k added into the exponent bits (k >= -159, so e stays
//     normal). k comes from adding 1.5 2^52, which leaves it in the low
//     bits; r = t - k ln 2 by one FMA is off by under 2^-53 |t| < 2e-14.
//   - log1p(e) for e in (0, 1]: with u = 1 + e = 2^j m, j = 0 or 1 and m in
//     [sqrt2/2, sqrt2], log u = j ln 2 + 2 atanh(s), s = (m-1)/(m+1), which
//     is e/(2+e) for j = 0 (e < sqrt2 - 1) and (e-1)/(e+3) for j = 1: no
//     cancellation, however small e is, and |s| <= 3 - 2 sqrt2 < 0.172.
//     atanh's series to s^13 leaves s^14/15 / (1-s^2) < 1.3e-12 relative.
//   - one division: R = 1/((2+e or e+3) u) gives s = num u R and 1/u =
//     den R; sigmoid is e/u for x <= 0 and 1/u for x > 0; softplus is
//     max(x, 0) + log1p(e).
//
// With the few float64 roundings on top, the relative error is below
// 2e-11 (a float64 model of the kernel measured at most 9.5e-12 on a
// 1/4096 grid of [-110, 120], the exponential's remainder), far under
// float32's half ulp (3e-8): every result is within 1 ulp of the correctly
// rounded float32, and on a million rho ~ N(-4, 2^2) 26 are not correctly
// rounded (kernelF32: 15). AVX-512 measured 1.6x faster than AVX2,
// and VRCP14PD with two Newton steps no faster than the division. ±Inf, MaxFloat32 and subnormals need no special
// case; NaN lanes are copied from rho.
func vectorF32(sp, sg, rho []float32) {
	sp, sg = sp[:len(rho)], sg[:len(rho)]
	bulk := 0
	switch lanes {
	case 8:
		if bulk = len(rho) &^ 7; bulk > 0 {
			softplusAVX512(&sp[0], &sg[0], &rho[0], bulk, &softplusConsts)
		}
	case 4:
		if bulk = len(rho) &^ 3; bulk > 0 {
			softplusAVX2(&sp[0], &sg[0], &rho[0], bulk, &softplusConsts)
		}
	}
	kernelF32(sp[bulk:], sg[bulk:], rho[bulk:])
}

// lanes is how many elements a step of vectorF32's assembly
// kernel takes: 8 with AVX-512, 4 with AVX2 and FMA, 0 without either. A
// variable, so that tests can run each kernel the CPU has.
var lanes = cpuvec.Lanes

// softplusAVX2 runs the kernel on n elements, n a multiple of 4.
//
//go:noescape
func softplusAVX2(sp, sg, rho *float32, n int, c *[softplusConstCount][8]float64)

// softplusAVX512 runs the kernel on n elements, n a multiple of 8.
//
//go:noescape
func softplusAVX512(sp, sg, rho *float32, n int, c *[softplusConstCount][8]float64)

// softplusConsts holds the kernels' constants, each repeated across a ZMM
// register's 8 lanes, in the order the assembly's offsets name them.
const softplusConstCount = 23

var softplusConsts = func() (c [softplusConstCount][8]float64) {
	v := []float64{
		math.Copysign(0, -1), // sign bit, for -|x|
		-110,                 // least t
		1 / math.Ln2,
		1.5 * (1 << 52), // rounds to an integer and leaves it in the low bits
		math.Ln2,
		1,
		2,
		math.Sqrt2 - 1, // where u = 1 + e reaches sqrt2
	}
	fact := 1.0 // e^r's Taylor coefficients 1/9! ... 1/2!
	for i := 2; i <= 9; i++ {
		fact *= float64(i)
	}
	for i := 9; i >= 2; i-- {
		v = append(v, 1/fact)
		fact /= float64(i)
	}
	for i := 13; i >= 1; i -= 2 { // 2 atanh(s)/s = sum 2 s^2i/(2i+1)
		v = append(v, 2/float64(i))
	}
	cpuvec.Splat("softplus", c[:], v)
	return c
}()
