// Package strided copies blocks of float32 rows, each block's rows a
// stride apart in memory (a submatrix), and adds shifted blocks into a
// plane, in AVX-512 where the CPU has it: the short rows of a
// convolution's im2col (LeNet's are 8 and 24 values), which copy hands to
// memmove one row at a time, and of its adjoint, col2im.
package strided

import "fmt"

// Available reports whether Copy and AddShifted run on this CPU (amd64 with
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

// MaxShiftedWidth is the widest plane AddShifted takes: one vector.
const MaxShiftedWidth = 16

// AddShifted adds kh*kw blocks of oh x ow values (rows ow apart; block
// (b, e) at taps[(b*kw+e)*ld:]) into the (oh+kh-1) x iw plane dst, iw =
// ow+kw-1 at most MaxShiftedWidth: dst[(y+b)*iw+x+e] += block(b, e)[y*ow+x],
// every value's terms added one by one in the order of (b, e), as the
// loop over blocks, rows and values adds them (a convolution's col2im).
// It keeps a row of dst in a register while it adds the blocks' rows that
// land on it: adding block by block in vectors, each load would overlap
// the previous block's store, shifted by a value, and wait for it.
func AddShifted(dst, taps []float32, ld, oh, ow, kh, kw int) {
	if !available {
		panic("strided: no vector kernels on this CPU")
	}
	if oh <= 0 || ow <= 0 || kh <= 0 || kw <= 0 {
		return
	}
	iw := ow + kw - 1
	if iw > MaxShiftedWidth || ld < oh*ow || (oh+kh-1)*iw > len(dst) || (kh*kw-1)*ld+oh*ow > len(taps) {
		panic(fmt.Sprintf("strided: %dx%d blocks of %dx%d, %d apart, into %d values from %d", kh, kw, oh, ow, ld, len(dst), len(taps)))
	}
	addShifted(&dst[0], &taps[0], ld, oh, ow, kh, kw)
}
