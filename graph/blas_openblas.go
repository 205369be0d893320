//go:build openblas

package graph

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// BLAS names the implementation that runs the graphs' matrix products.
func BLAS() string { return "openblas" }

// Built with -tags openblas, importing graph sets Gorgonia's BLAS for every
// graph of the process to OpenBLAS, through cgo (Debian: apt-get install
// libopenblas-dev): faster than gonum's pure Go on CPUs without AVX2, where
// internal/gemm falls back to it.
func init() { G.Use(netlib.Implementation{}) }
