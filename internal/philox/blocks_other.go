//go:build !amd64

package philox

// haveVector says whether there are vector kernels: not here.
var haveVector = false

// normals16 is never called without vector kernels.
func normals16(s *Stream, b uint32, out *[16]float64) {
	panic("philox: normals16 without vector kernels")
}

// haveWide says whether there are AVX-512 kernels: not here.
var haveWide = false

// normalsWide is never called without AVX-512 kernels.
func normalsWide[T float32 | float64](dst []T, s *Stream, b uint32) {
	panic("philox: normalsWide without AVX-512 kernels")
}
