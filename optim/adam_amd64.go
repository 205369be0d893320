package optim

import "unsafe"

// vectorLen returns the length of the longest prefix of n elements of T
// that fills whole registers of the vector kernels.
func vectorLen[T float32 | float64](n int) int {
	var zero T
	if vectorBytes == 0 {
		return 0
	}
	return n &^ (vectorBytes/int(unsafe.Sizeof(zero)) - 1)
}

// adamVector runs the assembly kernel for vectorBytes on the longest
// prefix of l that fills whole registers, collecting its maxima in mx,
// and returns its length and whether it wrote a non-finite value; adamGo
// does the rest. The kernels do what adamGo does, one rounded multiply,
// add, divide or square root at a time in the same order (IEEE makes each
// exact to the bit), with no fused multiply-add.
func adamVector[T float32 | float64](l lanes[T], c *adamK[T], mx *laneMax[T]) (int, bool) {
	n := vectorLen[T](len(l.w))
	if n == 0 {
		return 0, false
	}
	switch l := any(&l).(type) {
	case *lanes[float32]:
		c, mx := any(c).(*adamK[float32]), any(mx).(*laneMax[float32])
		if vectorBytes == 64 {
			return n, adamAVX512F32(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c, mx)
		}
		return n, adamAVX2F32(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c, mx)
	case *lanes[float64]:
		c, mx := any(c).(*adamK[float64]), any(mx).(*laneMax[float64])
		if vectorBytes == 64 {
			return n, adamAVX512F64(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c, mx)
		}
		return n, adamAVX2F64(&l.w[0], &l.g[0], &l.a[0], &l.b[0], &l.an[0], &l.bn[0], &l.old[0], n, c, mx)
	}
	return 0, false
}

// scanVector runs the scan kernel on the longest prefix of x and y that
// fills whole registers, leaving each lane's largest |x| and |y| in
// mx[0] and mx[1], and returns its length and whether every element it
// read is finite.
func scanVector[T float32 | float64](x, y []T, mx *laneMax[T]) (int, bool) {
	n := vectorLen[T](len(x))
	if n == 0 {
		return 0, true
	}
	y = y[:len(x)]
	switch x := any(x).(type) {
	case []float32:
		y, mx := any(y).([]float32), any(mx).(*laneMax[float32])
		if vectorBytes == 64 {
			return n, scanAVX512F32(&x[0], &y[0], n, mx)
		}
		return n, scanAVX2F32(&x[0], &y[0], n, mx)
	case []float64:
		y, mx := any(y).([]float64), any(mx).(*laneMax[float64])
		if vectorBytes == 64 {
			return n, scanAVX512F64(&x[0], &y[0], n, mx)
		}
		return n, scanAVX2F64(&x[0], &y[0], n, mx)
	}
	return 0, true
}

// The update kernels update n elements, n a multiple of the lanes of a
// register (16 or 8 float32s, 8 or 4 float64s), and report whether any new
// value or moment is not finite; the scan kernels read as many and report
// whether all are finite.

//go:noescape
func adamAVX512F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32], mx *laneMax[float32]) bool

//go:noescape
func adamAVX2F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32], mx *laneMax[float32]) bool

//go:noescape
func adamAVX512F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64], mx *laneMax[float64]) bool

//go:noescape
func adamAVX2F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64], mx *laneMax[float64]) bool

//go:noescape
func scanAVX512F32(x, y *float32, n int, mx *laneMax[float32]) bool

//go:noescape
func scanAVX2F32(x, y *float32, n int, mx *laneMax[float32]) bool

//go:noescape
func scanAVX512F64(x, y *float64, n int, mx *laneMax[float64]) bool

//go:noescape
func scanAVX2F64(x, y *float64, n int, mx *laneMax[float64]) bool
