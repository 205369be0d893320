package strided

import "golang.org/x/sys/cpu"

var available = cpu.X86.HasAVX512F

//go:noescape
func copyBlock(rows, width int, dst *float32, ldd int, src *float32, lds int)
