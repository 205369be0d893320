//go:build !amd64

package pool2x2

const available = false

func rowMax(n int, r0, r1, y *float32)           { panic("unreachable") }
func rowGrad(n int, r0, r1, dy, d0, d1 *float32) { panic("unreachable") }
