//go:build !amd64

package sigtanh

// Without the amd64 kernels (vector_amd64.go) the Go loops take every
// element.
func vectorSigmoid(y, x []float32) int { return 0 }
func vectorTanh(y, x []float32) int    { return 0 }

// lanes is 0: there is no assembly kernel here.
var lanes = 0
