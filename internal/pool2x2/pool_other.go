//go:build !amd64

package pool2x2

const available = false

func rowsMax(rows, n int, x *float32, ld int, y *float32)       { panic("unreachable") }
func rowsGrad(rows, n int, x *float32, ld int, dy, dx *float32) { panic("unreachable") }
