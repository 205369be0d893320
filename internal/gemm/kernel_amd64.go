package gemm

import "github.com/gorgonia-bnn/bnn/internal/cpuvec"

// The micro-kernels (kernel_avx2_amd64.s, kernel_avx512_amd64.s). Each
// keeps its 6-row tile of C in twelve vector accumulators, two per row, so
// one k step is two loads of B, six broadcasts of A and twelve FMAs: the
// fewest loads per FMA that sixteen YMM registers allow. The AVX-512
// kernels are the same code on ZMM registers, with tiles twice as wide.

// kernel6x16f32 is the AVX2 float32 microKernel: a 6×16 tile.
//
//go:noescape
func kernel6x16f32(k int, a, b, c *float32, ldb, ldc int, alpha, beta float32)

// kernel6x8f64 is the AVX2 float64 microKernel: a 6×8 tile.
//
//go:noescape
func kernel6x8f64(k int, a, b, c *float64, ldb, ldc int, alpha, beta float64)

// kernel6x32f32 is the AVX-512 float32 microKernel: a 6×32 tile.
//
//go:noescape
func kernel6x32f32(k int, a, b, c *float32, ldb, ldc int, alpha, beta float32)

// kernel6x16f64 is the AVX-512 float64 microKernel: a 6×16 tile.
//
//go:noescape
func kernel6x16f64(k int, a, b, c *float64, ldb, ldc int, alpha, beta float64)

// dots4x4f32 is the AVX-512 float32 dotsKernel.
//
//go:noescape
func dots4x4f32(n int, a *float32, lda int, b *float32, ldb int, acc *float32)

// The kernel sets and their cache blocks, measured on an AVX-512 Xeon
// (48 KiB L1d, 2 MiB L2 per core): kc = 256 keeps a packed B micro-panel
// and an A micro-panel in L1, mc keeps the packed A block in L2; nc only
// bounds the packed B block, the networks' n being under a thousand.
// parallelMin (multiply-adds per goroutine) keeps products that take a few
// microseconds on one goroutine, where starting a second costs as much as
// it saves.
var (
	avx512Kernels = &kernelSet{
		name: "avx512",
		f32:  &plan[float32]{kernel: kernel6x32f32, dots: dots4x4f32, axpy: axpyf32, dot: dotf32, scal: scalf32, mr: 6, nr: 32, kc: 256, mc: 96, nc: 3072, parallelMin: 1 << 17},
		f64:  &plan[float64]{kernel: kernel6x16f64, axpy: axpyf64, dot: dotf64, scal: scalf64, mr: 6, nr: 16, kc: 256, mc: 96, nc: 2048, parallelMin: 1 << 17},
	}
	avx2Kernels = &kernelSet{
		name: "avx2",
		f32:  &plan[float32]{kernel: kernel6x16f32, axpy: axpyf32, dot: dotf32, scal: scalf32, mr: 6, nr: 16, kc: 256, mc: 144, nc: 3072, parallelMin: 1 << 17},
		f64:  &plan[float64]{kernel: kernel6x8f64, axpy: axpyf64, dot: dotf64, scal: scalf64, mr: 6, nr: 8, kc: 256, mc: 96, nc: 2048, parallelMin: 1 << 17},
	}
)

func init() {
	if cpuvec.Lanes >= 8 {
		supported = append(supported, avx512Kernels)
	}
	if cpuvec.Lanes >= 4 {
		supported = append(supported, avx2Kernels)
	}
	if len(supported) > 0 {
		kernels = supported[0]
	}
}
