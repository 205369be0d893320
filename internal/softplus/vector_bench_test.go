package softplus

import (
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
)

// The kernels' cost on an MNIST-sized weight tensor (400x784, float32, x
// around the posteriors' default rho, -3).

const benchN = 400 * 784

func benchData32() (rho, ss []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	rho, ss = make([]float32, benchN), make([]float32, 2*benchN)
	for i := range rho {
		rho[i] = float32(-3 + 0.1*rng.NormFloat64())
	}
	return rho, ss
}

func BenchmarkKernelSoftplus32(b *testing.B) {
	rho, ss := benchData32()
	for b.Loop() {
		kernelF32(ss[:benchN], ss[benchN:], rho)
	}
}

// BenchmarkSoftplusF32 is BenchmarkKernelSoftplus32 on vectorF32, with
// each assembly kernel the CPU has.
func BenchmarkSoftplusF32(b *testing.B) {
	rho, ss := benchData32()
	benchSoftplusKernels(b, func() { vectorF32(ss[:benchN], ss[benchN:], rho) })
}

// benchRhoWide32 is rho ~ N(-4, 2^2), which reaches both branches of the
// kernels' log1p.
func benchRhoWide32() (rho, ss []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	rho, ss = make([]float32, benchN), make([]float32, 2*benchN)
	for i := range rho {
		rho[i] = float32(-4 + 2*rng.NormFloat64())
	}
	return rho, ss
}

func BenchmarkKernelSoftplus32Wide(b *testing.B) {
	rho, ss := benchRhoWide32()
	for b.Loop() {
		kernelF32(ss[:benchN], ss[benchN:], rho)
	}
}

func BenchmarkSoftplusF32Wide(b *testing.B) {
	rho, ss := benchRhoWide32()
	benchSoftplusKernels(b, func() { vectorF32(ss[:benchN], ss[benchN:], rho) })
}

// benchSoftplusKernels runs fn as a sub-benchmark for each assembly kernel
// of vectorF32 the CPU has.
func benchSoftplusKernels(b *testing.B, fn func()) {
	cpuvec.Each(&lanes, 1, func(name string) {
		if name == "go" {
			return // BenchmarkKernelSoftplus32
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				fn()
			}
		})
	})
}

// The standard library's exp and log on float32 data, as float64 uses.
func BenchmarkKernelSoftplus32Std(b *testing.B) {
	rho, ss := benchData32()
	for b.Loop() {
		kernel(ss[:benchN], ss[benchN:], rho)
	}
}

// BenchmarkKernelSoftplus32Parallel is the op's loop: the kernel split
// across the cores.
func BenchmarkKernelSoftplus32Parallel(b *testing.B) {
	rho, ss := benchData32()
	for b.Loop() {
		parallel.For(benchN, func(lo, hi int) { kernelF32(ss[lo:hi], ss[benchN+lo:benchN+hi], rho[lo:hi]) })
	}
}

// BenchmarkSoftplusF32Parallel is BenchmarkKernelSoftplus32Parallel on
// vectorF32.
func BenchmarkSoftplusF32Parallel(b *testing.B) {
	rho, ss := benchData32()
	benchSoftplusKernels(b, func() {
		parallel.For(benchN, func(lo, hi int) { vectorF32(ss[lo:hi], ss[benchN+lo:benchN+hi], rho[lo:hi]) })
	})
}
