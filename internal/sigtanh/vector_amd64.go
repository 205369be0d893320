package sigtanh

import (
	"math"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// The assembly kernels (vector_amd64.s) take 8 float64 lanes a step with
// AVX-512, 4 with AVX2 and FMA. They compute in float64 from one
// exponential without tables (gathers cost more than a few multiply-adds):
// for t <= 0,
//
//	e^t - 1 = 2^k q + (2^k - 1),  q = e^r - 1,  k = round(t/ln2),
//
// |r| <= ln2/2, q by its Taylor polynomial of degree 10 (remainder below
// |r|^11/11! < 2.3e-13, relative to |q| < 7e-13). k comes from adding
// 1.5 2^52, which leaves it in the low bits, and 2^k from adding k << 52
// to 1's bits; r = t - k ln2 by one FMA is off by under 2^-53 |t|.
//
//   - sigmoid: t = max(-|x|, -110) (below e^-110 every result rounds as if
//     e were 0), e = 2^k (1 + q), and (x > 0 ? 1 : e)/(1 + e).
//   - tanh: t = max(-2|x|, -64) (tanh rounds to 1 long before), m = e^t - 1
//     as above, and |tanh x| = -m/(2 + m) with x's sign. m keeps its
//     relative accuracy as t goes to 0 (k = 0, m = q), and so does tanh:
//     it is not 1 - 2/(e^2x + 1), which cancels there.
//
// The relative error is below 1e-11, far under float32's half ulp (3e-8):
// results are within 1 ulp of the correctly rounded float32 ones, and
// nearly all correctly rounded (the tests count them). ±Inf, subnormals
// and ±0 need no special case; NaN lanes are copied from x.
func vectorSigmoid(y, x []float32) int {
	return run(sigmoidAVX512, sigmoidAVX2, y, x)
}

func vectorTanh(y, x []float32) int {
	return run(tanhAVX512, tanhAVX2, y, x)
}

type kernel func(y, x *float32, n int, c *[constCount][8]float64)

// run runs the widest kernel the CPU has over the bulk of x and returns
// how many elements it took.
func run(avx512, avx2 kernel, y, x []float32) int {
	bulk := len(x) &^ (lanes - 1)
	if lanes == 0 || bulk == 0 {
		return 0
	}
	if lanes == 8 {
		avx512(&y[0], &x[0], bulk, &consts)
	} else {
		avx2(&y[0], &x[0], bulk, &consts)
	}
	return bulk
}

// lanes is how many elements a step of the assembly kernels takes: 8
// with AVX-512, 4 with AVX2 and FMA, 0 without either. A variable, so
// that tests can run each kernel the CPU has.
var lanes = cpuvec.Lanes

// The kernels, on n elements, n a multiple of their lanes.
//
//go:noescape
func sigmoidAVX512(y, x *float32, n int, c *[constCount][8]float64)

//go:noescape
func sigmoidAVX2(y, x *float32, n int, c *[constCount][8]float64)

//go:noescape
func tanhAVX512(y, x *float32, n int, c *[constCount][8]float64)

//go:noescape
func tanhAVX2(y, x *float32, n int, c *[constCount][8]float64)

// consts holds the kernels' constants, each repeated across a ZMM
// register's 8 lanes, in the order the assembly's offsets name them.
const constCount = 17

var consts = func() (c [constCount][8]float64) {
	v := []float64{
		math.Copysign(0, -1), // sign bit
		-110,                 // sigmoid's least t
		-64,                  // tanh's least t
		1 / math.Ln2,
		1.5 * (1 << 52), // rounds to an integer and leaves it in the low bits
		math.Ln2,
		1,
		2,
	}
	fact := 1.0 // e^r's Taylor coefficients 1/10! ... 1/2!
	for i := 2; i <= 10; i++ {
		fact *= float64(i)
	}
	for i := 10; i >= 2; i-- {
		v = append(v, 1/fact)
		fact /= float64(i)
	}
	cpuvec.Splat("sigtanh", c[:], v)
	return c
}()
