package samplekl

import (
	"math"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// The float32 kernels' bulk in assembly (vector_amd64.s): float32
// elements converted to float64 lanes, 8 per step with AVX-512, 4 (or a
// step of 8 in two halves, where a sum keeps eight lanes) with AVX2 and
// FMA; the Go loops take the rest. Each computes what its Go loop
// computes, in the same order and roundings (no FMA; the division is
// IEEE's), so their results are the same bit for bit.

// vectorLanes is how many float64 lanes a register of the assembly holds:
// 8 with AVX-512, 4 with AVX2 and FMA, 0 without either. A variable, so
// that tests can run each kernel the CPU has.
var vectorLanes = cpuvec.Lanes

// forwardF32 runs Forward's bulk (a multiple of 8 elements) in assembly,
// adding its lanes' sums into acc, and returns how many elements it took.
func forwardF32(out, sigma, mu, b []float32, m float64, addMu bool, acc *[lanes]float64) int {
	bulk := len(mu) &^ (lanes - 1)
	add := 0
	if addMu {
		add = 1
	}
	switch vectorLanes {
	case 8:
		forwardAVX512(&out[0], &sigma[0], &mu[0], &b[0], bulk, add, m, acc)
	case 4:
		forwardAVX2(&out[0], &sigma[0], &mu[0], &b[0], bulk, add, m, acc)
	default:
		return 0
	}
	return bulk
}

// logSigmaF32 runs SumLogSigma's bulk (len(sigma) a multiple of 8) in
// assembly into st, and reports false, st untouched, where a sigma is
// odd (see SumLogSigma) or there is no assembly kernel.
func logSigmaF32(sigma, rho []float32, st *logState) bool {
	switch vectorLanes {
	case 8:
		return logSigmaAVX512(&sigma[0], &rho[0], len(sigma), st, &logConsts)
	case 4:
		return logSigmaAVX2(&sigma[0], &rho[0], len(sigma), st, &logConsts)
	}
	return false
}

// gradF32 runs Grad's bulk in assembly and returns how many elements it
// took.
func gradF32(v gradArgs, k *gradConsts) int {
	step := vectorLanes
	if step == 0 {
		return 0
	}
	bulk := len(v.dMu) &^ (step - 1)
	if bulk == 0 {
		return 0
	}
	p := &gradPtrs{&v.dMu[0], &v.dRho[0], &v.mu[0], &v.sigma[0], &v.sg[0], &v.b[0], &v.gout[0], &v.gmu[0]}
	if step == 8 {
		gradAVX512(p, bulk, k)
	} else {
		gradAVX2(p, bulk, k)
	}
	return bulk
}

// gradPtrs are gradF32's operands, in the order the assembly reads them.
type gradPtrs struct {
	dMu, dRho, mu, sigma, sg, b, gout, gmu *float32
}

//go:noescape
func forwardAVX512(out, sigma, mu, b *float32, n, addMu int, m float64, acc *[lanes]float64)

//go:noescape
func forwardAVX2(out, sigma, mu, b *float32, n, addMu int, m float64, acc *[lanes]float64)

//go:noescape
func logSigmaAVX512(sigma, rho *float32, n int, st *logState, c *[logConstCount][8]uint64) bool

//go:noescape
func logSigmaAVX2(sigma, rho *float32, n int, st *logState, c *[logConstCount][8]uint64) bool

//go:noescape
func gradAVX512(p *gradPtrs, n int, k *gradConsts)

//go:noescape
func gradAVX2(p *gradPtrs, n int, k *gradConsts)

// logConsts holds logSigma's constants, each repeated across a ZMM
// register's 8 lanes, in the order the assembly's offsets name them.
const logConstCount = 8

var logConsts = func() (c [logConstCount][8]uint64) {
	v := []uint64{
		math.Float64bits(-20),             // below: log sigma = rho - sigma/2
		math.Float64bits(0.5),             //
		mantissaBits,                      //
		oneBits,                           //
		math.Float64bits(1 << 52),         // exponent bits e as 2^52 + e ...
		math.Float64bits(1<<52 + 1023),    // ... less this is e - 1023
		math.Float64bits(0x1p-1022),       // the least normal float64
		math.Float64bits(math.MaxFloat64), //
	}
	cpuvec.Splat("samplekl", c[:], v)
	return c
}()
