package pool2x2

import "github.com/gorgonia-bnn/bnn/internal/cpuvec"

// available says whether the CPU runs the AVX-512 kernels.
var available = cpuvec.Lanes >= 8

//go:noescape
func rowsMax(rows, n int, x *float32, ld int, y *float32)

//go:noescape
func rowsGrad(rows, n int, x *float32, ld int, dy, dx *float32)
