package graph

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// Dtypes a model can compute in. They are Gorgonia's own, re-exported so that
// user code need not import gorgonia.org/tensor.
var (
	Float64 = tensor.Float64
	Float32 = tensor.Float32
)

// checkDtype reports whether dt is one a model computes in.
func checkDtype(dt tensor.Dtype) error {
	if dt != tensor.Float64 && dt != tensor.Float32 {
		return fmt.Errorf("graph: dtype %v is not supported (use graph.Float64 or graph.Float32)", dt)
	}
	return nil
}

// newDense allocates a zeroed tensor of the given dtype and shape.
func newDense(dt tensor.Dtype, shape []int) *tensor.Dense {
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
}

// copyIn copies src into the backing slice of t, converting to t's dtype.
func copyIn(t *tensor.Dense, src []float64) {
	switch d := t.Data().(type) {
	case []float64:
		copy(d, src)
	case []float32:
		for i, v := range src {
			d[i] = float32(v)
		}
	}
}

// copyOut copies t's backing slice into dst as float64, growing dst if needed.
func copyOut(t *tensor.Dense, dst []float64) []float64 {
	n := t.Shape().TotalSize()
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	switch d := t.Data().(type) {
	case []float64:
		copy(dst, d)
	case []float32:
		for i, v := range d {
			dst[i] = float64(v)
		}
	case float64:
		dst[0] = d
	case float32:
		dst[0] = float64(d)
	}
	return dst
}

// product returns the number of elements of a shape.
func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// checkShape reports a shape with a non-positive dimension.
func checkShape(what string, shape []int) error {
	if len(shape) == 0 {
		return fmt.Errorf("graph: %s has an empty shape", what)
	}
	for i, d := range shape {
		if d <= 0 {
			return fmt.Errorf("graph: %s has shape %v: dimension %d is %d, want > 0", what, shape, i, d)
		}
	}
	return nil
}

// checkFinite returns an error naming what and the first value of data that
// is NaN or infinite, or that would become infinite in dt: a float32 model
// cannot hold 1e39, and converting it silently would give +Inf.
func checkFinite(what string, dt tensor.Dtype, data []float64) error {
	// Inputs are checked on every run, so a finite value passes with one
	// comparison, false for NaN: below +Inf, or in float32 below the
	// least value that rounds to +Inf (MaxFloat32 and half its ulp).
	f32 := dt == tensor.Float32
	limit := math.Inf(1)
	if f32 {
		limit = 0x1p128 - 0x1p103
	}
	for i, v := range data {
		if math.Abs(v) < limit {
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: value %d is %v", what, i, v)
		}
		if f32 && math.IsInf(float64(float32(v)), 0) {
			return fmt.Errorf("%s: value %d is %v, beyond float32's range (±%g): the model computes in float32", what, i, v, math.MaxFloat32)
		}
	}
	return nil
}
