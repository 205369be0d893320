//go:build openblas

package graph

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// BLAS names the implementation that runs the graphs' matrix products.
var BLAS = "openblas"

// Built with -tags openblas, every graph multiplies matrices with OpenBLAS
// through cgo (Debian: apt-get install libopenblas-dev): 5-10x faster than
// gonum's pure Go on the MNIST networks.
func init() { G.Use(netlib.Implementation{}) }
