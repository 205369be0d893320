// Package signs applies random signs to a tensor elementwise, the two
// passes of Flipout that are not matrix products: d = a s (an operand
// times its signs) and y += p s (a product's signed output added in).
// s holds Rademacher signs, ±1, so a s only flips signs and y + p s
// rounds once. For float32 on amd64 the bulk runs in an AVX-512 or AVX2
// kernel (vector_amd64.s) with the Go loop's results bit for bit.
package signs

// Float is an element type of the kernels.
type Float interface{ float32 | float64 }

// Mul sets d = a s elementwise over len(s) elements; d and a must be at
// least as long.
func Mul[T Float](d, a, s []T) {
	n := len(s)
	d, a = d[:n], a[:n]
	bulk := 0
	if d32, ok := any(d).([]float32); ok {
		bulk = mulF32(d32, any(a).([]float32), any(s).([]float32))
	}
	for i := bulk; i < n; i++ {
		d[i] = a[i] * s[i]
	}
}

// AddMul sets y += p s elementwise over len(s) elements; y and p must be
// at least as long.
func AddMul[T Float](y, p, s []T) {
	n := len(s)
	y, p = y[:n], p[:n]
	bulk := 0
	if y32, ok := any(y).([]float32); ok {
		bulk = addMulF32(y32, any(p).([]float32), any(s).([]float32))
	}
	for i := bulk; i < n; i++ {
		y[i] += p[i] * s[i]
	}
}
