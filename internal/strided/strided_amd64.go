package strided

import "github.com/gorgonia-bnn/bnn/internal/cpuvec"

// available says whether the CPU runs the AVX-512 kernels.
var available = cpuvec.Lanes >= 8

//go:noescape
func copyBlock(rows, width int, dst *float32, ldd int, src *float32, lds int)

//go:noescape
func addShifted(dst, taps *float32, ld, oh, ow, kh, kw int)
