//go:build !openblas

package graph

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/internal/gemm"
)

// BLAS names the implementation that runs the graphs' matrix products:
// "go-avx2" (internal/gemm's pure Go with assembly micro-kernels, on CPUs
// with AVX2 and FMA), "gonum" (gonum's pure Go, elsewhere), or "openblas"
// when built with -tags openblas.
var BLAS = pureGoBLAS()

func pureGoBLAS() string {
	if k := gemm.Kernel(); k != "gonum" {
		return "go-" + k
	}
	return "gonum"
}

// Without the openblas tag every graph multiplies matrices with
// internal/gemm: gonum's BLAS with packed, cache-blocked Sgemm and Dgemm.
func init() { G.Use(gemm.Implementation{}) }
