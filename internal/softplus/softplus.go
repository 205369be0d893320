// Package softplus is the library's one softplus, log(1 + e^x), the map
// from a Gaussian posterior's rho to its standard deviation: Of for one
// number, Inverse for the way back, and WithSigmoid, the vector kernel
// that the posterior ops run over whole tensors and that gives softplus'
// derivative, the sigmoid, from the same exponential.
package softplus

import "math"

// Of returns log(1 + e^x) without overflow for large x or loss of
// precision for very negative x.
func Of(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// Inverse returns the x for which Of(x) = s (s > 0).
func Inverse(s float64) float64 {
	// log(e^s - 1) = s + log(1 - e^-s)
	return s + math.Log(-math.Expm1(-s))
}
