// Package elementwise holds the vector kernels of elementwise ops whose
// results must be those of Go's scalar code bit for bit: each kernel does
// the scalar code's operations, one rounding each, in its order, on many
// lanes at once. Where the CPU has no vector kernel, or for the tail that
// does not fill a step, the scalar code runs.
package elementwise

import "math"

// Float is the element type of a kernel.
type Float interface{ float32 | float64 }

// ReLU sets y[i] = x[i] * m, m = 1 where x[i] >= 0 and 0 elsewhere (NaN
// included), as Gorgonia's Rectify computes it: x < 0 gives -0, NaN stays
// NaN. y must be at least as long as x.
func ReLU[T Float](y, x []T) {
	y = y[:len(x)]
	if y32, ok := any(y).([]float32); ok && haveVector {
		n := len(x) / step32 * step32
		if n > 0 {
			relu32(&y32[0], &any(x).([]float32)[0], n/step32)
		}
		y, x = y[n:], x[n:]
	}
	if y64, ok := any(y).([]float64); ok && haveVector {
		n := len(x) / step64 * step64
		if n > 0 {
			relu64(&y64[0], &any(x).([]float64)[0], n/step64)
		}
		y, x = y[n:], x[n:]
	}
	for i, v := range x {
		y[i] = v * mask[T](v >= 0)
	}
}

// ReLUGrad sets d[i] = m * g[i] with ReLU's m for x[i]: the gradient of
// ReLU, which y cannot give (x = 0 has m = 1, x < 0 m = 0, both y = ±0).
// d and g must be at least as long as x.
func ReLUGrad[T Float](d, x, g []T) {
	d, g = d[:len(x)], g[:len(x)]
	if d32, ok := any(d).([]float32); ok && haveVector {
		n := len(x) / step32 * step32
		if n > 0 {
			reluGrad32(&d32[0], &any(x).([]float32)[0], &any(g).([]float32)[0], n/step32)
		}
		d, x, g = d[n:], x[n:], g[n:]
	}
	if d64, ok := any(d).([]float64); ok && haveVector {
		n := len(x) / step64 * step64
		if n > 0 {
			reluGrad64(&d64[0], &any(x).([]float64)[0], &any(g).([]float64)[0], n/step64)
		}
		d, x, g = d[n:], x[n:], g[n:]
	}
	for i, v := range x {
		d[i] = mask[T](v >= 0) * g[i]
	}
}

// Add sets out[i] = a[i] + b[i]. b and out must be at least as long as a.
func Add[T Float](out, a, b []T) {
	out, b = out[:len(a)], b[:len(a)]
	if o32, ok := any(out).([]float32); ok && haveVector {
		n := len(a) / step32 * step32
		if n > 0 {
			add32(&o32[0], &any(a).([]float32)[0], &any(b).([]float32)[0], n/step32)
		}
		out, a, b = out[n:], a[n:], b[n:]
	}
	if o64, ok := any(out).([]float64); ok && haveVector {
		n := len(a) / step64 * step64
		if n > 0 {
			add64(&o64[0], &any(a).([]float64)[0], &any(b).([]float64)[0], n/step64)
		}
		out, a, b = out[n:], a[n:], b[n:]
	}
	for i, v := range a {
		out[i] = v + b[i]
	}
}

// AddMul sets out[i] = a[i] + b[i]*c[i], the product rounded before the
// sum (never one fused multiply-add). b, c and out must be at least as
// long as a.
func AddMul[T Float](out, a, b, c []T) {
	out, b, c = out[:len(a)], b[:len(a)], c[:len(a)]
	if o32, ok := any(out).([]float32); ok && haveVector {
		n := len(a) / step32 * step32
		if n > 0 {
			addMul32(&o32[0], &any(a).([]float32)[0], &any(b).([]float32)[0], &any(c).([]float32)[0], n/step32)
		}
		out, a, b, c = out[n:], a[n:], b[n:], c[n:]
	}
	for i, v := range a {
		out[i] = v + T(b[i]*c[i]) // the conversion rounds: no fusing
	}
}

// mask returns 1 if keep, else 0, as a choice between two bit patterns,
// which the compiler makes a conditional move: a float chosen by a branch
// measured 5x slower on inputs of random sign.
func mask[T Float](keep bool) T {
	var z T
	if _, ok := any(z).(float32); ok {
		m := uint32(0)
		if keep {
			m = 0x3f800000 // 1.0
		}
		return T(math.Float32frombits(m))
	}
	m := uint64(0)
	if keep {
		m = 0x3ff0000000000000
	}
	return T(math.Float64frombits(m))
}

// AddMulReLU sets out[i] to ReLU of a[i] + b[i]*c[i]: AddMul and ReLU in
// one pass, the same bits as the two one after the other. b, c and out
// must be at least as long as a.
func AddMulReLU[T Float](out, a, b, c []T) {
	out, b, c = out[:len(a)], b[:len(a)], c[:len(a)]
	if o32, ok := any(out).([]float32); ok && haveVector {
		n := len(a) / step32 * step32
		if n > 0 {
			addMulReLU32(&o32[0], &any(a).([]float32)[0], &any(b).([]float32)[0], &any(c).([]float32)[0], n/step32)
		}
		out, a, b, c = out[n:], a[n:], b[n:], c[n:]
	}
	for i, v := range a {
		s := v + T(b[i]*c[i])
		out[i] = s * mask[T](s >= 0)
	}
}

// AddReLU sets out[i] to ReLU of a[i] + b[i]: the sum and ReLU in one
// pass, the same bits as the two one after the other. b and out must be
// at least as long as a.
func AddReLU[T Float](out, a, b []T) {
	out, b = out[:len(a)], b[:len(a)]
	if o32, ok := any(out).([]float32); ok && haveVector {
		n := len(a) / step32 * step32
		if n > 0 {
			addReLU32(&o32[0], &any(a).([]float32)[0], &any(b).([]float32)[0], n/step32)
		}
		out, a, b = out[n:], a[n:], b[n:]
	}
	for i, v := range a {
		s := v + b[i]
		out[i] = s * mask[T](s >= 0)
	}
}
