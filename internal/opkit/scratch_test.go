package opkit

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestScratchReusesIntactHeader(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		var s Scratch
		a := s.Get(dt, tensor.Shape{3, 4})
		if b := s.Get(dt, tensor.Shape{3, 4}); b != a {
			t.Errorf("%v: an intact header was not reused", dt)
		}
		// A downstream op reshaping the header in place (as Gorgonia's
		// unsafe Reshape does) must not leak into the next run.
		if err := a.Reshape(4, 3); err != nil {
			t.Fatal(err)
		}
		b := s.Get(dt, tensor.Shape{3, 4})
		if b == a || !b.Shape().Eq(tensor.Shape{3, 4}) || b.Strides()[0] != 4 {
			t.Errorf("%v: after an in-place reshape got shape %v strides %v (same header: %v)", dt, b.Shape(), b.Strides(), b == a)
		}
		// A transposition pending on the header, likewise.
		if err := b.T(); err != nil {
			t.Fatal(err)
		}
		if c := s.Get(dt, tensor.Shape{3, 4}); c == b || !c.Shape().Eq(tensor.Shape{3, 4}) || c.IsMaterializable() {
			t.Errorf("%v: after a transposition got shape %v (same header: %v)", dt, c.Shape(), c == b)
		}
		// A new size gets new memory and a new header.
		d := s.Get(dt, tensor.Shape{5})
		if d.Shape().TotalSize() != 5 || d.DataSize() != 5 {
			t.Errorf("%v: shape [5] gave %v with %d values", dt, d.Shape(), d.DataSize())
		}
	}
}
