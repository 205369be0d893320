//go:build !amd64

package philox

// haveVector says whether there are vector kernels: not here.
var haveVector = false

// normals16 is never called without vector kernels.
func normals16(s *Stream, b uint32, out *[16]float64) {
	panic("philox: normals16 without vector kernels")
}
