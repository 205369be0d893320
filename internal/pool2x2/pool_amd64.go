package pool2x2

import "golang.org/x/sys/cpu"

var available = cpu.X86.HasAVX512F

//go:noescape
func rowMax(n int, r0, r1, y *float32)

//go:noescape
func rowGrad(n int, r0, r1, dy, d0, d1 *float32)
