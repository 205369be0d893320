package datasets

import (
	"errors"
	"fmt"
	"math"
)

// Dataset is a set of examples with fixed-shape float64 features and either
// regression targets or class labels.
//
// Example i has the features X[i*Width() : (i+1)*Width()], laid out
// row-major in the shape XShape, and either the targets
// Y[i*YWidth : (i+1)*YWidth] (regression) or the label Labels[i]
// (classification). Methods take a pointer so that a Dataset holding
// MNIST is not copied on every call; they never modify the receiver, so
// goroutines may share a Dataset as long as none of them changes it.
//
// A Dataset is plain data: build one with a struct literal and call
// [Dataset.Validate] before training on it.
type Dataset struct {
	X []float64 // features, row-major: Len() rows of Width() values
	// Pixels, when X is nil, holds the features as grey levels, feature =
	// Pixels[i] / 255, an eighth of X's memory: the compact decoders
	// ([DecodeIDXPixels]) keep images so, and [Dataset.GatherX] converts
	// a batch as it copies it. Set X or Pixels, not both.
	Pixels  []uint8
	XShape  []int     // shape of one example's features, e.g. [1] for scalar x, [4] for iris, [1, 28, 28] for MNIST
	Y       []float64 // regression targets, row-major, Len() rows of YWidth values; nil for classification
	YWidth  int       // number of targets per example; used when Y is set
	Labels  []int     // class labels in [0, Classes); nil for regression
	Classes int       // number of classes; used when Labels is set
}

// Len returns the number of examples: len(X) (or len(Pixels)) / Width(),
// or 0 when XShape is not a valid shape.
func (d *Dataset) Len() int {
	w := d.Width()
	if w == 0 {
		return 0
	}
	return d.features() / w
}

// features returns the number of feature values held, in X or Pixels.
func (d *Dataset) features() int {
	if d.X == nil {
		return len(d.Pixels)
	}
	return len(d.X)
}

// Features returns the features as float64s: X, or Pixels converted into
// a new slice.
func (d *Dataset) Features() []float64 {
	if d.X != nil || d.Pixels == nil {
		return d.X
	}
	x := make([]float64, len(d.Pixels))
	for i, p := range d.Pixels {
		x[i] = float64(p) / 255
	}
	return x
}

// Width returns the number of feature values of one example, the product
// of XShape. It returns 0 when XShape is empty, has a dimension below 1 or
// overflows int, all of which [Dataset.Validate] reports.
func (d *Dataset) Width() int {
	w, _ := shapeSize(d.XShape)
	return w
}

// Validate reports the first problem that would make d unfit for training:
// an XShape that is empty or has a dimension below 1; an X whose length is
// not a whole number of rows; no examples; Y and Labels both set or both
// nil; a Y whose length is not Len()*YWidth; a NaN or infinite value in X
// or Y (the error names the row and the column); a Labels whose length is
// not Len(); Classes below 1; a label outside [0, Classes).
func (d *Dataset) Validate() error {
	if err := d.checkShape(); err != nil {
		return err
	}
	n := d.Len()
	if n == 0 {
		return errors.New("datasets: empty dataset: X holds no examples")
	}
	switch {
	case d.Y != nil && d.Labels != nil:
		return errors.New("datasets: both Y (regression targets) and Labels (class labels) are set; keep one")
	case d.Y == nil && d.Labels == nil:
		return errors.New("datasets: neither Y (regression targets) nor Labels (class labels) is set")
	}
	if err := checkFinite("X", d.X, d.XShape); err != nil {
		return err
	}
	if d.Y != nil {
		return checkFinite("Y", d.Y, []int{d.YWidth})
	}
	if d.Classes < 1 {
		return fmt.Errorf("datasets: Classes is %d with Labels set, want at least 1", d.Classes)
	}
	for i, l := range d.Labels {
		if l < 0 || l >= d.Classes {
			return fmt.Errorf("datasets: Labels[%d] = %d, outside [0, %d)", i, l, d.Classes)
		}
	}
	return nil
}

// checkShape reports the structural problems of d, those that would make
// indexing it go out of bounds: the checks of Validate that do not look at
// the values. An empty dataset passes.
func (d *Dataset) checkShape() error {
	w, err := widthOf(d.XShape)
	if err != nil {
		return err
	}
	if d.X != nil && d.Pixels != nil {
		return errors.New("datasets: both X and Pixels are set; keep one")
	}
	field := "X"
	if d.X == nil && d.Pixels != nil {
		field = "Pixels"
	}
	if d.features()%w != 0 {
		return fmt.Errorf("datasets: len(%s) = %d is not a multiple of Width() = %d (XShape %v)", field, d.features(), w, d.XShape)
	}
	n := d.features() / w
	if d.Y != nil {
		if d.YWidth < 1 {
			return fmt.Errorf("datasets: YWidth is %d with Y set, want at least 1", d.YWidth)
		}
		if len(d.Y)/d.YWidth != n || len(d.Y)%d.YWidth != 0 {
			return fmt.Errorf("datasets: len(Y) = %d, want Len() * YWidth = %d * %d", len(d.Y), n, d.YWidth)
		}
	}
	if d.Labels != nil && len(d.Labels) != n {
		return fmt.Errorf("datasets: len(Labels) = %d, want Len() = %d", len(d.Labels), n)
	}
	return nil
}

// widthOf is shapeSize with an error that says what is wrong with shape.
func widthOf(shape []int) (int, error) {
	if len(shape) == 0 {
		return 0, errors.New("datasets: XShape is empty; a scalar feature has XShape [1]")
	}
	w, ok := shapeSize(shape)
	if ok {
		return w, nil
	}
	for i, s := range shape {
		if s < 1 {
			return 0, fmt.Errorf("datasets: XShape %v: dimension %d is %d, want at least 1", shape, i, s)
		}
	}
	return 0, fmt.Errorf("datasets: XShape %v: too many values per example", shape)
}

// shapeSize returns the product of shape and whether it is a valid shape:
// not empty, every dimension at least 1, and a product that fits in an int.
func shapeSize(shape []int) (int, bool) {
	if len(shape) == 0 {
		return 0, false
	}
	n := 1
	for _, s := range shape {
		if s < 1 || n > math.MaxInt/s {
			return 0, false
		}
		n *= s
	}
	return n, true
}

// checkFinite reports the first NaN or infinite value of v, a row-major
// array of rows of the given shape, naming the field, the row and the
// column, and for a multi-dimensional shape the element's index in it.
func checkFinite(field string, v []float64, shape []int) error {
	w, _ := shapeSize(shape)
	for i, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			continue
		}
		row, col := i/w, i%w
		if len(shape) < 2 {
			return fmt.Errorf("datasets: %s row %d, column %d is %v", field, row, col, x)
		}
		return fmt.Errorf("datasets: %s row %d, column %d (element %v of shape %v) is %v",
			field, row, col, unravel(col, shape), shape, x)
	}
	return nil
}

// unravel turns a flat row-major offset into an index of shape.
func unravel(off int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		idx[k] = off % shape[k]
		off /= shape[k]
	}
	return idx
}
