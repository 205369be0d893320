package datasets

import (
	"fmt"
	"slices"
)

// Subset returns a new Dataset of the examples idx, in that order, with
// its own copy of their features, targets and labels. An index may appear
// more than once (as in a bootstrap sample). It is an error for d to be
// malformed (see [Dataset.Validate]) or for an index to be outside
// [0, Len()); the error names the position and the value.
func (d *Dataset) Subset(idx []int) (Dataset, error) {
	if err := d.checkShape(); err != nil {
		return Dataset{}, err
	}
	if err := checkIndices("Subset", idx, d.Len()); err != nil {
		return Dataset{}, err
	}
	out := Dataset{
		XShape:  slices.Clone(d.XShape),
		YWidth:  d.YWidth,
		Classes: d.Classes,
	}
	if d.X == nil && d.Pixels != nil {
		w := d.Width()
		out.Pixels = make([]uint8, len(idx)*w)
		for k, i := range idx {
			copy(out.Pixels[k*w:(k+1)*w], d.Pixels[i*w:(i+1)*w])
		}
	} else {
		out.X = d.GatherX(idx, nil)
	}
	if d.Y != nil {
		out.Y = d.GatherY(idx, make([]float64, 0, len(idx)*d.YWidth))
	}
	if d.Labels != nil {
		out.Labels = make([]int, len(idx))
		for k, i := range idx {
			out.Labels[k] = d.Labels[i]
		}
	}
	return out, nil
}

// Slice returns the examples from, from+1, ..., to-1 of d, as a Dataset
// that shares d's storage, like the Go slice expression d.X[from:to]: a
// change to the values of one is seen by the other (copy with
// [Dataset.Subset] to avoid this). It is an error for d to be malformed or
// for the range to be outside [0, Len()] or reversed.
func (d *Dataset) Slice(from, to int) (Dataset, error) {
	if err := d.checkShape(); err != nil {
		return Dataset{}, err
	}
	if n := d.Len(); from < 0 || to > n || from > to {
		return Dataset{}, fmt.Errorf("datasets: Slice(%d, %d) outside [0, %d]", from, to, n)
	}
	w := d.Width()
	out := Dataset{
		XShape:  slices.Clone(d.XShape),
		YWidth:  d.YWidth,
		Classes: d.Classes,
	}
	if d.X == nil && d.Pixels != nil {
		out.Pixels = d.Pixels[from*w : to*w : to*w]
	} else {
		out.X = d.X[from*w : to*w : to*w]
	}
	if d.Y != nil {
		out.Y = d.Y[from*d.YWidth : to*d.YWidth : to*d.YWidth]
	}
	if d.Labels != nil {
		out.Labels = d.Labels[from:to:to]
	}
	return out, nil
}

// checkIndices reports the first index of idx outside [0, n), naming the
// method, the position and the value.
func checkIndices(method string, idx []int, n int) error {
	for k, i := range idx {
		if i < 0 || i >= n {
			return fmt.Errorf("datasets: %s: idx[%d] = %d, outside [0, %d)", method, k, i, n)
		}
	}
	return nil
}
