//go:build !openblas

package graph

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/internal/gemm"
)

// BLAS names the implementation that runs the graphs' matrix products:
// "go-avx512" or "go-avx2" (internal/gemm's pure Go with assembly
// micro-kernels, on CPUs with AVX-512F, or AVX2 and FMA), "gonum" (gonum's
// pure Go, elsewhere), or "openblas" when built with -tags openblas.
// Results agree to the last bit whatever the number of cores, but not
// between these: the order of a product's additions differs.
func BLAS() string {
	if k := gemm.Kernel(); k != "gonum" {
		return "go-" + k
	}
	return "gonum"
}

// Importing graph sets Gorgonia's BLAS, for every graph of the process, to
// internal/gemm: gonum's BLAS with packed, cache-blocked Sgemm and Dgemm.
func init() { G.Use(gemm.Implementation{}) }
