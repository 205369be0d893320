package elementwise

import "github.com/gorgonia-bnn/bnn/internal/cpuvec"

// haveVector says whether the CPU runs the AVX2 kernels. A variable, so
// that tests can run the scalar code too.
var haveVector = cpuvec.Lanes >= 4

// step32 is the float32 values a kernel step takes: four YMM registers.
const step32 = 32

// step64 is the float64 values a kernel step takes: four YMM registers.
const step64 = 16

// relu32 is ReLU on steps*32 float32 values.
//
//go:noescape
func relu32(y, x *float32, steps int)

// addMul32 is AddMul on steps*32 float32 values.
//
//go:noescape
func addMul32(out, a, b, c *float32, steps int)

// addMulReLU32 is AddMulReLU on steps*32 float32 values.
//
//go:noescape
func addMulReLU32(out, a, b, c *float32, steps int)

// addReLU32 is AddReLU on steps*32 float32 values.
//
//go:noescape
func addReLU32(out, a, b *float32, steps int)

// relu64 is ReLU on steps*16 float64 values.
//
//go:noescape
func relu64(y, x *float64, steps int)

// reluGrad64 is ReLUGrad on steps*16 float64 values.
//
//go:noescape
func reluGrad64(d, x, grad *float64, steps int)

// add64 is Add on steps*16 float64 values.
//
//go:noescape
func add64(out, a, b *float64, steps int)

// add32 is Add on steps*32 float32 values.
//
//go:noescape
func add32(out, a, b *float32, steps int)

// reluGrad32 is ReLUGrad on steps*32 float32 values.
//
//go:noescape
func reluGrad32(d, x, grad *float32, steps int)
