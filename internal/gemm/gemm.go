// Package gemm multiplies matrices fast in pure Go: a BLAS Implementation
// whose Sgemm and Dgemm pack panels of A and B into contiguous buffers,
// block them for the caches and run an assembly micro-kernel over them
// (Goto and van de Geijn's scheme, as BLIS lays it out), splitting large
// products across GOMAXPROCS goroutines. Products with a dimension of one
// (outer products, matrix-vector products) skip the packing and run vector
// kernels over the operands in place. So do the products of a convolution
// with few output channels: with few rows of op(A) the micro-kernel reads
// an untransposed B in place, and A Bᵀ over a long k runs as dot products
// (dots.go), where packing would copy or transpose all of B for little
// arithmetic.
//
// The kernels use AVX-512F where the CPU has it (tiles twice as wide: 1.7x
// the AVX2 kernels' rate on one core), else AVX2 and FMA. Without those,
// and on other architectures, Sgemm and Dgemm are gonum's, as is every
// other BLAS routine.
//
// Results do not depend on the number of goroutines: each element of C
// sums its k terms in one fixed order, so a run on one core and a run on
// many agree to the last bit.
package gemm

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's BLAS with faster Sgemm and Dgemm.
type Implementation struct {
	gonum.Implementation
}

// kernelSet is one instruction set's micro-kernels with their blocking.
type kernelSet struct {
	name string
	f32  *plan[float32]
	f64  *plan[float64]
}

var (
	// supported lists the kernel sets the CPU can run, best first.
	supported []*kernelSet
	// kernels runs the products: supported[0], or nil where the CPU (or
	// the architecture) has no micro-kernel, and then gonum's routines run.
	kernels *kernelSet
)

// Kernel names the code that runs Sgemm and Dgemm: "avx512" or "avx2"
// (the assembly micro-kernels, on amd64 CPUs with AVX-512F, or AVX2 and
// FMA, whose OS saves the vector registers) or "gonum" (gonum's pure Go).
func Kernel() string {
	if kernels == nil {
		return "gonum"
	}
	return kernels.name
}

// Sgemm performs C = alpha op(A) op(B) + beta C on row-major float32
// matrices, with BLAS semantics: op(A) is m×k, op(B) is k×n, and beta == 0
// means C is not read.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ks := kernels
	if ks == nil {
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	aTrans, bTrans := checkArgs(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	gemm(ks.f32, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, runtime.GOMAXPROCS(0))
}

// Dgemm performs C = alpha op(A) op(B) + beta C on row-major float64
// matrices, with BLAS semantics: op(A) is m×k, op(B) is k×n, and beta == 0
// means C is not read.
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ks := kernels
	if ks == nil {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	aTrans, bTrans := checkArgs(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	gemm(ks.f64, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, runtime.GOMAXPROCS(0))
}
