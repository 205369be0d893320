package philox

import "golang.org/x/sys/cpu"

// haveBlocks8 says whether the CPU runs blocks8 (AVX2; golang.org/x/sys/cpu
// reports it only where the OS saves the YMM registers). A variable, so
// that tests can run the scalar path too.
var haveBlocks8 = cpu.X86.HasAVX2

// blocks8 sets out[w][l] to word w of block b+l of s, for l < 8: eight
// blocks in vector registers, about four times the scalar rate.
//
//go:noescape
func blocks8(s *Stream, b uint32, out *[4][8]uint32)
