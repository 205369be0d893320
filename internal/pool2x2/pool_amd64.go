package pool2x2

import "golang.org/x/sys/cpu"

var available = cpu.X86.HasAVX512F

//go:noescape
func rowsMax(rows, n int, x *float32, ld int, y *float32)

//go:noescape
func rowsGrad(rows, n int, x *float32, ld int, dy, dx *float32)
