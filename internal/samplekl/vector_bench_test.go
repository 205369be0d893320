package samplekl

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// The kernels' cost on an MNIST-sized weight tensor (400x784, float32, rho
// around the posteriors' default -3), one forward block at a time as
// bayesnodes' sampleKL runs them, with each kernel the CPU has.

const benchN = 400 * 784

// benchKernels runs fn as a sub-benchmark for each kernel: AVX-512, AVX2,
// and the Go loops.
func benchKernels(b *testing.B, fn func()) {
	cpuvec.Each(&vectorLanes, 1, func(name string) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				fn()
			}
		})
	})
}

func BenchmarkForward(b *testing.B) {
	p := newPosterior(benchN, 1, false)
	out := make([]float32, benchN)
	benchKernels(b, func() {
		for lo := 0; lo < benchN; lo += 2048 {
			hi := min(lo+2048, benchN)
			Forward(out[lo:hi], p.sigma[lo:hi], p.mu[lo:hi], p.eps[lo:hi], 0, true)
		}
	})
}

func BenchmarkSumLogSigma(b *testing.B) {
	p := newPosterior(benchN, 1, false)
	benchKernels(b, func() {
		for lo := 0; lo < benchN; lo += 2048 {
			hi := min(lo+2048, benchN)
			SumLogSigma(p.sigma[lo:hi], p.rho[lo:hi])
		}
	})
}

func BenchmarkGrad(b *testing.B) {
	p := newPosterior(benchN, 1, false)
	dMu, dRho := make([]float32, benchN), make([]float32, benchN)
	benchKernels(b, func() { Grad(dMu, dRho, p.mu, p.sigma, p.sg, p.eps, p.g, p.g, 1, 1e-4, 1, 0) })
}
