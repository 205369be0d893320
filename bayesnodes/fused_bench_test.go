package bayesnodes

import (
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/parallel"
)

// The kernels' cost on an MNIST-sized weight tensor (400x784, float32, rho
// around the default -3).

const benchN = 400 * 784

func benchData32() (mu, rho, eps, out, ss []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	mu, rho, eps, out, ss = make([]float32, benchN), make([]float32, benchN), make([]float32, benchN), make([]float32, benchN), make([]float32, 2*benchN)
	for i := range mu {
		mu[i] = float32(rng.NormFloat64() * 0.05)
		rho[i] = float32(-3 + 0.1*rng.NormFloat64())
		eps[i] = float32(rng.NormFloat64())
	}
	softplusKernel(ss[:benchN], ss[benchN:], rho)
	return
}

func BenchmarkKernelSoftplus32(b *testing.B) {
	_, rho, _, _, ss := benchData32()
	for b.Loop() {
		softplusKernelF32(ss[:benchN], ss[benchN:], rho)
	}
}

// BenchmarkSoftplusF32 is BenchmarkKernelSoftplus32 on softplusF32, with
// each assembly kernel the CPU has.
func BenchmarkSoftplusF32(b *testing.B) {
	_, rho, _, _, ss := benchData32()
	benchSoftplusKernels(b, func() { softplusF32(ss[:benchN], ss[benchN:], rho) })
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
		softplusKernelF32(ss[:benchN], ss[benchN:], rho)
	}
}

func BenchmarkSoftplusF32Wide(b *testing.B) {
	rho, ss := benchRhoWide32()
	benchSoftplusKernels(b, func() { softplusF32(ss[:benchN], ss[benchN:], rho) })
}

// benchSoftplusKernels runs fn as a sub-benchmark for each assembly kernel
// of softplusF32 the CPU has.
func benchSoftplusKernels(b *testing.B, fn func()) {
	detected := softplusLanes
	defer func() { softplusLanes = detected }()
	for _, lanes := range []int{8, 4} {
		if lanes > detected {
			continue
		}
		softplusLanes = lanes
		b.Run(map[int]string{8: "avx512", 4: "avx2"}[lanes], func(b *testing.B) {
			for b.Loop() {
				fn()
			}
		})
	}
}

// The standard library's exp and log on float32 data, as float64 uses.
func BenchmarkKernelSoftplus32Std(b *testing.B) {
	_, rho, _, _, ss := benchData32()
	for b.Loop() {
		softplusKernel(ss[:benchN], ss[benchN:], rho)
	}
}

func BenchmarkKernelSample32(b *testing.B) {
	mu, _, eps, w, ss := benchData32()
	for b.Loop() {
		sampleKernel(w, mu, ss[:benchN], eps)
	}
}

func BenchmarkKernelSampleRhoGrad32(b *testing.B) {
	_, _, eps, d, ss := benchData32()
	g := append([]float32(nil), eps...)
	for b.Loop() {
		sampleRhoGradKernel(d, ss[benchN:], eps, g)
	}
}

func BenchmarkKernelKL32(b *testing.B) {
	mu, rho, _, _, ss := benchData32()
	for b.Loop() {
		gaussianKLKernel(mu, ss[:benchN], rho, 0, 1)
	}
}

func BenchmarkKernelRhoGrad32(b *testing.B) {
	_, _, _, d, ss := benchData32()
	for b.Loop() {
		rhoGradKernel(d, ss[:benchN], ss[benchN:], 1e-4, 1, -1)
	}
}

func BenchmarkKernelMuGrad32(b *testing.B) {
	mu, _, _, d, _ := benchData32()
	for b.Loop() {
		muGradKernel(d, mu, 1e-4, 1, 0)
	}
}

// BenchmarkKernelSoftplus32Parallel is the op's loop: the kernel split
// across the cores.
func BenchmarkKernelSoftplus32Parallel(b *testing.B) {
	_, rho, _, _, ss := benchData32()
	for b.Loop() {
		parallel.For(benchN, func(lo, hi int) { softplusKernelF32(ss[lo:hi], ss[benchN+lo:benchN+hi], rho[lo:hi]) })
	}
}

// BenchmarkSoftplusF32Parallel is BenchmarkKernelSoftplus32Parallel on
// softplusF32.
func BenchmarkSoftplusF32Parallel(b *testing.B) {
	_, rho, _, _, ss := benchData32()
	benchSoftplusKernels(b, func() {
		parallel.For(benchN, func(lo, hi int) { softplusF32(ss[lo:hi], ss[benchN+lo:benchN+hi], rho[lo:hi]) })
	})
}
