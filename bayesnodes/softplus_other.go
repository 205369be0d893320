//go:build !amd64

package bayesnodes

// softplusF32 sets sp = softplus(rho) and sg = sigmoid(rho); without the
// amd64 kernels (softplus_amd64.go) it is softplusKernelF32.
func softplusF32(sp, sg, rho []float32) { softplusKernelF32(sp, sg, rho) }

// softplusLanes is 0: there is no assembly kernel here.
var softplusLanes = 0
