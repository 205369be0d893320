package opkit

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Viewer is a Math whose output is a run of its first input's elements,
// handed on as they are rather than copied: a part of an op's output that
// other nodes read as a tensor of its own (the weights of a fused sample,
// one half of a fused gradient). Its Eval is not called. The input's
// memory must outlive the run, as an op's own output does.
//
// The output shares the input's memory, so an op downstream that writes
// into its input in place (Gorgonia's unsafe elementwise ops may) writes
// into the viewed op's output: view only the parts nothing reads again
// after the view's readers.
type Viewer interface {
	// Offset returns where the output's elements start among input 0's,
	// for the input shapes Shape accepted.
	Offset(in []tensor.Shape) int
}

// view returns the output of a Viewer: a tensor of a.OutShape on input 0's
// elements from off, under a header reused while it is intact.
func (op *Op[T]) view(v Viewer) (*tensor.Dense, error) {
	a := &op.args
	off, n := v.Offset(a.Shapes), a.OutShape.TotalSize()
	if off < 0 || off+n > len(a.In[0]) {
		return nil, fmt.Errorf("%v: a view of elements [%d, %d) of an input of %d", op, off, off+n, len(a.In[0]))
	}
	part := a.In[0][off : off+n : off+n]
	switch p := any(part).(type) {
	case []float32:
		op.mem.F32 = p
	case []float64:
		op.mem.F64 = p
	}
	return op.mem.Get(Dtype[T](), a.OutShape), nil
}
