//go:build !amd64

package samplekl

// Without the amd64 kernels (vector_amd64.go) the Go loops take
// everything.

var vectorLanes = 0

func forwardF32(out, sigma, mu, b []float32, m float64, addMu bool, acc *[lanes]float64) int {
	return 0
}

func logSigmaF32(sigma, rho []float32, st *logState) bool { return false }

func gradF32(v gradArgs, k *gradConsts) int { return 0 }
