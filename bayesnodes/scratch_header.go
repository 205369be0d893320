package bayesnodes

import (
	"unsafe"

	"gorgonia.org/tensor"
)

// header reports whether s.hdr, the header handed out last run, can be
// handed out again for a tensor of dtype dt and the given shape on s's
// memory: it must still have that shape, row-major strides and no pending
// transposition, view or mask, and point at s's memory. A fresh header
// costs about ten allocations (Gorgonia's pool, shape, strides, backing
// reflection), a third of a small network's per-step allocations.
func (s *scratch) header(dt tensor.Dtype, shape tensor.Shape) bool {
	h := s.hdr
	if h == nil || h.Dtype() != dt || !h.Shape().Eq(shape) || h.IsMaterializable() || h.IsMasked() ||
		!h.DataOrder().IsRowMajor() || !h.DataOrder().IsContiguous() {
		return false
	}
	var p unsafe.Pointer
	n := shape.TotalSize()
	if dt == tensor.Float32 {
		p = unsafe.Pointer(unsafe.SliceData(s.f32))
	} else {
		p = unsafe.Pointer(unsafe.SliceData(s.f64))
	}
	if h.Uintptr() != uintptr(p) || h.DataSize() != n {
		return false
	}
	// Row-major strides of shape: the last axis 1, each other the
	// product of the sizes after it.
	strides := h.Strides()
	if len(strides) != len(shape) {
		return len(shape) == 0 && len(strides) <= 1
	}
	step := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && strides[i] != step {
			return false
		}
		step *= shape[i]
	}
	return true
}
