package optim

import "unsafe"

// adamVector runs the assembly kernel for vectorBytes on the longest
// prefix of l that fills whole registers and returns its length and
// whether it wrote a non-finite value; adamGo does the rest. The kernels
// do what adamGo does, one rounded multiply, add, divide or square root at
// a time in the same order (IEEE makes each exact to the bit), with no
// fused multiply-add.
func adamVector[T float32 | float64](l lanes[T], c *adamK[T]) (int, bool) {
	var zero T
	n := len(l.w) &^ (vectorBytes/int(unsafe.Sizeof(zero)) - 1)
	if vectorBytes == 0 || n == 0 {
		return 0, false
	}
	switch l := any(&l).(type) {
	case *lanes[float32]:
		c := any(c).(*adamK[float32])
		if vectorBytes == 64 {
			return n, adamAVX512F32(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c)
		}
		return n, adamAVX2F32(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c)
	case *lanes[float64]:
		c := any(c).(*adamK[float64])
		if vectorBytes == 64 {
			return n, adamAVX512F64(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c)
		}
		return n, adamAVX2F64(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c)
	}
	return 0, false
}

// The kernels update n elements, n a multiple of the lanes of a register
// (16 or 8 float32s, 8 or 4 float64s), and report whether any new value or
// moment is not finite.

//go:noescape
func adamAVX512F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32]) bool

//go:noescape
func adamAVX2F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32]) bool

//go:noescape
func adamAVX512F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64]) bool

//go:noescape
func adamAVX2F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64]) bool
