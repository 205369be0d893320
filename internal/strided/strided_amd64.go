package strided

import "golang.org/x/sys/cpu"

var available = cpu.X86.HasAVX512F

//go:noescape
func copyBlock(rows, width int, dst *float32, ldd int, src *float32, lds int)

//go:noescape
func addShifted(dst, taps *float32, ld, oh, ow, kh, kw int)
