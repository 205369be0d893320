//go:build !amd64

package philox

// haveBlocks8 says whether blocks8 has a vector kernel: not here.
var haveBlocks8 = false

// blocks8 is never called without a vector kernel.
func blocks8(s *Stream, b uint32, out *[4][8]uint32) {
	panic("philox: blocks8 without a vector kernel")
}
