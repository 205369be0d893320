// Package sigtanh computes the logistic sigmoid and tanh of float32
// vectors, the gate activations of the recurrent layers, within 1 ulp of
// the correctly rounded results: on amd64 mostly in AVX-512 or AVX2
// assembly (vector_amd64.go), elsewhere and for the tail that does not
// fill a step from the standard library's float64 functions.
//
// Each element's result depends on its position only through the
// length modulo 8 (which elements the tail takes): split the work at
// multiples of 8 for results that do not depend on the split.
package sigtanh

import "math"

// Sigmoid sets y[i] = 1/(1+e^-x[i]) for len(x) elements; y must be at
// least as long as x, and may be x. NaN stays NaN.
func Sigmoid(y, x []float32) {
	y = y[:len(x)]
	n := vectorSigmoid(y, x)
	sigmoidGo(y[n:], x[n:])
}

// Tanh sets y[i] = tanh(x[i]) for len(x) elements; y must be at least as
// long as x, and may be x. NaN stays NaN.
func Tanh(y, x []float32) {
	y = y[:len(x)]
	n := vectorTanh(y, x)
	tanhGo(y[n:], x[n:])
}

// sigmoidGo is Sigmoid in float64, from e = exp(-|x|): 1/(1+e) for x > 0,
// e/(1+e) else, so that neither overflows.
func sigmoidGo(y, x []float32) {
	for i, v := range x {
		f := float64(v)
		e := math.Exp(-math.Abs(f))
		s := e / (1 + e)
		if f > 0 {
			s = 1 / (1 + e)
		}
		if f != f {
			s = f
		}
		y[i] = float32(s)
	}
}

// tanhGo is Tanh in float64.
func tanhGo(y, x []float32) {
	for i, v := range x {
		y[i] = float32(math.Tanh(float64(v)))
	}
}
