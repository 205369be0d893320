// Package gvalue reads Gorgonia values in the shapes the library meets them
// (op inputs, logged losses), so that every package reads them one way.
package gvalue

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Scalar returns the value of v if it holds one number: a Gorgonia scalar
// (F64 or F32) or a float tensor of one element. ok is false otherwise.
func Scalar(v G.Value) (x float64, ok bool) {
	switch v := v.(type) {
	case *G.F64:
		return float64(*v), true
	case *G.F32:
		return float64(*v), true
	case *tensor.Dense:
		if v.Shape().TotalSize() != 1 {
			return 0, false
		}
		switch d := v.Data().(type) {
		case float64:
			return d, true
		case float32:
			return float64(d), true
		case []float64:
			return d[0], true
		case []float32:
			return float64(d[0]), true
		}
	}
	return 0, false
}
