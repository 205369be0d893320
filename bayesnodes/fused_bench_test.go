package bayesnodes

import (
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/softplus"
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
	softplus.WithSigmoid(ss[:benchN], ss[benchN:], rho)
	return
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

func BenchmarkKernelSoftplus32(b *testing.B) {
	_, rho, _, _, ss := benchData32()
	for b.Loop() {
		softplus.WithSigmoid(ss[:benchN], ss[benchN:], rho)
	}
}

// BenchmarkKernelSampleKL32 is the fused forward pass (softplus, the
// sample and the KL's sums), block by block as the op runs it on one core.
func BenchmarkKernelSampleKL32(b *testing.B) {
	mu, rho, eps, w, ss := benchData32()
	sg := make([]float32, benchN)
	for b.Loop() {
		for lo := 0; lo < benchN; lo += sampleKLBlock {
			hi := min(lo+sampleKLBlock, benchN)
			softplus.WithSigmoid(ss[lo:hi], sg[lo:hi], rho[lo:hi])
			sampleKLKernel(w[lo:hi], ss[lo:hi], mu[lo:hi], rho[lo:hi], eps[lo:hi], 0, outSample)
		}
	}
}

// BenchmarkKernelSampleKLGrad32 is the fused backward pass.
func BenchmarkKernelSampleKLGrad32(b *testing.B) {
	mu, _, eps, d, ss := benchData32()
	g := append([]float32(nil), eps...)
	dRho := make([]float32, benchN)
	for b.Loop() {
		sampleKLGradKernel(d, dRho, mu, ss[:benchN], ss[benchN:], eps, g, g, 1e-4, 1, 0)
	}
}
