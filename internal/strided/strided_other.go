//go:build !amd64

package strided

const available = false

func copyBlock(rows, width int, dst *float32, ldd int, src *float32, lds int) { panic("unreachable") }

func addShifted(dst, taps *float32, ld, oh, ow, kh, kw int) { panic("unreachable") }
