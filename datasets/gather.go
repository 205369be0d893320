package datasets

import "fmt"

// GatherX copies the features of the examples idx, in that order, into
// dst and returns dst[:len(idx)*Width()].
//
// The Gather methods fill a buffer that the caller keeps from one batch
// to the next: dst is reused when its capacity is large enough, so that a
// training loop does not allocate per batch, and replaced by a new slice
// otherwise (its old contents are not kept).
//
// Their indices are meant to come from [Dataset.Batches] on a dataset
// that passed [Dataset.Validate], so they check only the bounds: like a
// Go slice expression, they panic, with a message naming the position and
// the value, on an index outside [0, Len()) or, for GatherOneHot, a label
// outside [0, Classes). [Dataset.Subset] is the error-returning
// alternative.
func (d *Dataset) GatherX(idx []int, dst []float64) []float64 {
	if d.X == nil && d.Pixels != nil {
		return gatherRows("GatherX", d.Pixels, d.Width(), idx, dst)
	}
	return gatherRows("GatherX", d.X, d.Width(), idx, dst)
}

// GatherY copies the regression targets of the examples idx, in that
// order, into dst and returns dst[:len(idx)*YWidth], reusing dst as
// [Dataset.GatherX] does. It returns dst[:0] when d has no Y.
func (d *Dataset) GatherY(idx []int, dst []float64) []float64 {
	if d.Y == nil || d.YWidth < 1 {
		return dst[:0]
	}
	return gatherRows("GatherY", d.Y, d.YWidth, idx, dst)
}

// GatherOneHot writes the labels of the examples idx, in that order, as
// one-hot rows of width Classes into dst and returns
// dst[:len(idx)*Classes], reusing dst as [Dataset.GatherX] does. It
// returns dst[:0] when d has no Labels.
func (d *Dataset) GatherOneHot(idx []int, dst []float64) []float64 {
	c := d.Classes
	if d.Labels == nil || c < 1 {
		return dst[:0]
	}
	dst = resize(dst, len(idx)*c)
	clear(dst)
	n := len(d.Labels)
	for k, i := range idx {
		if uint(i) >= uint(n) {
			panic(fmt.Sprintf("datasets: GatherOneHot: idx[%d] = %d, outside [0, %d)", k, i, n))
		}
		l := d.Labels[i]
		if uint(l) >= uint(c) {
			panic(fmt.Sprintf("datasets: GatherOneHot: Labels[%d] = %d, outside [0, %d)", i, l, c))
		}
		dst[k*c+l] = 1
	}
	return dst
}

// gatherRows copies the rows idx of src, rows of w values, into dst,
// grey levels converted to the features they stand for.
func gatherRows[T float64 | uint8](method string, src []T, w int, idx []int, dst []float64) []float64 {
	if w < 1 {
		return dst[:0]
	}
	dst = resize(dst, len(idx)*w)
	n := len(src) / w
	for k, i := range idx {
		if uint(i) >= uint(n) {
			panic(fmt.Sprintf("datasets: %s: idx[%d] = %d, outside [0, %d)", method, k, i, n))
		}
		switch from := any(src[i*w : (i+1)*w]).(type) {
		case []float64:
			copy(dst[k*w:(k+1)*w], from)
		case []uint8:
			row := dst[k*w : (k+1)*w]
			for j, p := range from {
				row[j] = float64(p) / 255
			}
		}
	}
	return dst
}

// resize returns dst[:n] when dst has the capacity, a new slice otherwise.
func resize(dst []float64, n int) []float64 {
	if cap(dst) < n {
		return make([]float64, n)
	}
	return dst[:n]
}
