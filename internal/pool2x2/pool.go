// Package pool2x2 is max-pooling over 2x2 windows of stride 2 for rows of
// windows of float32 values, forward and gradient, in AVX-512 where the
// CPU has it (LeNet's pooling, a tenth of its step in Go): eight windows a
// step, the maxima and the first-maximum masks computed in vector and mask
// registers without branches.
package pool2x2

import "fmt"

// Available reports whether Max and Grad run on this CPU (amd64 with
// AVX-512F).
func Available() bool { return available }

// Max pools rows rows of n windows: window j of row i covers x[2i ld +
// 2j], x[2i ld + 2j+1], x[(2i+1) ld + 2j] and x[(2i+1) ld + 2j+1], and
// y[i n + j] is set to their maximum as Go's max gives it: a NaN if any
// is, +0 over -0. A whole stack of planes is one call when each plane has
// an even number of rows.
func Max(rows, n int, x []float32, ld int, y []float32) {
	if check(rows, n, x, ld, y) {
		rowsMax(rows, n, &x[0], ld, &y[0])
	}
}

// Grad sets, for every window of Max, the first of its four values in dx
// (laid out as x) whose input is the window's maximum, or its first NaN,
// to the window's dy, and the other three to zero; values of dx in no
// window are left alone.
func Grad(rows, n int, x []float32, ld int, dy, dx []float32) {
	if check(rows, n, x, ld, dy) && check(rows, n, dx, ld, dy) {
		rowsGrad(rows, n, &x[0], ld, &dy[0], &dx[0])
	}
}

// check panics where the windows do not fit x or the rows y and reports
// whether there are any.
func check(rows, n int, x []float32, ld int, y []float32) bool {
	if !available {
		panic("pool2x2: no vector kernels on this CPU")
	}
	if rows <= 0 || n <= 0 {
		return false
	}
	if 2*n > ld || (2*rows-1)*ld+2*n > len(x) || rows*n > len(y) {
		panic(fmt.Sprintf("pool2x2: %d rows of %d windows, input rows %d apart, in %d and %d values", rows, n, ld, len(x), len(y)))
	}
	return true
}
