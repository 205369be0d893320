package optim

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GlobalNorm returns the L2 norm of all the gradients of vgs taken together,
// sqrt(sum over parameters and elements of g^2), the quantity that ClipNorm
// bounds (before any gradient scale). Float32 gradients are summed in
// float64. Every element of vgs must have a contiguous float32 or float64
// *tensor.Dense value and gradient of the same dtype and shape; otherwise the
// error is a *ParamError naming the parameter. GlobalNorm does not allocate.
func GlobalNorm(vgs []G.ValueGrad) (float64, error) {
	var s float64
	for i, vg := range vgs {
		_, g, err := denseOf("GlobalNorm", i, vg)
		if err != nil {
			return 0, err
		}
		if g.Dtype() == tensor.Float32 {
			s += sumSquares(g.Float32s())
		} else {
			s += sumSquares(g.Float64s())
		}
	}
	return math.Sqrt(s), nil
}

// sumSquares returns the sum of the squares of x, accumulated in float64
// over four lanes.
func sumSquares[T float32 | float64](x []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a, b, c, d := float64(x[i]), float64(x[i+1]), float64(x[i+2]), float64(x[i+3])
		s0 += a * a
		s1 += b * b
		s2 += c * c
		s3 += d * d
	}
	for ; i < len(x); i++ {
		a := float64(x[i])
		s0 += a * a
	}
	return (s0 + s1) + (s2 + s3)
}
