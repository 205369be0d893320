// Package strided copies blocks of float32 rows, each block's rows a
// stride apart in memory (a submatrix), in AVX-512 where the CPU has it:
// the short rows of a convolution's im2col (LeNet's are 8 and 24 values),
// which copy hands to memmove one row at a time.
package strided

import "fmt"

// Available reports whether Copy runs on this CPU (amd64 with
// AVX-512F).
func Available() bool { return available }

// Copy sets dst[i*ldd+j] = src[i*lds+j] for i < rows, j < width.
func Copy(rows, width int, dst []float32, ldd int, src []float32, lds int) {
	if check(rows, width, dst, ldd, src, lds) {
		copyBlock(rows, width, &dst[0], ldd, &src[0], lds)
	}
}

// check panics on a block that does not fit dst or src and reports
// whether it has values.
func check(rows, width int, dst []float32, ldd int, src []float32, lds int) bool {
	if !available {
		panic("strided: no vector kernels on this CPU")
	}
	if rows <= 0 || width <= 0 {
		return false
	}
	if width > ldd || width > lds || (rows-1)*ldd+width > len(dst) || (rows-1)*lds+width > len(src) {
		panic(fmt.Sprintf("strided: %dx%d block, strides %d and %d, in %d and %d values", rows, width, ldd, lds, len(dst), len(src)))
	}
	return true
}
