// Package pool2x2 is max-pooling over 2x2 windows of stride 2 for one row
// of windows of float32 values, forward and gradient, in AVX-512 where the
// CPU has it (LeNet's pooling, a tenth of its step in Go): eight windows a
// step, the maxima and the first-maximum masks computed in vector and mask
// registers without branches.
package pool2x2

import "fmt"

// Available reports whether RowMax and RowGrad run on this CPU (amd64
// with AVX-512F).
func Available() bool { return available }

// RowMax sets y[j] to the maximum of r0[2j], r0[2j+1], r1[2j] and r1[2j+1]
// for every j < len(y), as Go's max: a NaN if any is, +0 over -0. r0 and
// r1 must hold 2 len(y) values.
func RowMax(r0, r1, y []float32) {
	n := len(y)
	check(n, r0, r1)
	if n > 0 {
		rowMax(n, &r0[0], &r1[0], &y[0])
	}
}

// RowGrad sets, for every window j < len(dy), the first of d0[2j],
// d0[2j+1], d1[2j] and d1[2j+1] whose input (r0[2j], r0[2j+1], r1[2j],
// r1[2j+1]) is the window's maximum, or its first NaN, to dy[j], and the
// other three to zero. r0, r1, d0 and d1 must hold 2 len(dy) values.
func RowGrad(r0, r1, dy, d0, d1 []float32) {
	n := len(dy)
	check(n, r0, r1, d0, d1)
	if n > 0 {
		rowGrad(n, &r0[0], &r1[0], &dy[0], &d0[0], &d1[0])
	}
}

func check(n int, rows ...[]float32) {
	if !available {
		panic("pool2x2: no vector kernels on this CPU")
	}
	for _, r := range rows {
		if len(r) < 2*n {
			panic(fmt.Sprintf("pool2x2: a row of %d values for %d windows", len(r), n))
		}
	}
}
