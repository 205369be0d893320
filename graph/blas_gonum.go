//go:build !openblas

package graph

// BLAS names the implementation that runs the graphs' matrix products:
// gonum's pure Go unless built with -tags openblas.
const BLAS = "gonum"
