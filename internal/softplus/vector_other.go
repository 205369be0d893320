//go:build !amd64

package softplus

// vectorF32 sets sp = softplus(rho) and sg = sigmoid(rho); without the
// amd64 kernels (vector_amd64.go) it is kernelF32.
func vectorF32(sp, sg, rho []float32) { kernelF32(sp, sg, rho) }

// lanes is 0: there is no assembly kernel here.
var lanes = 0
