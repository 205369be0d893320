package opkit

import (
	"bytes"
	"unsafe"

	"gorgonia.org/tensor"
)

// Scratch is memory reused across runs: an op's output, or a copy of an
// input (see Memoised), and the tensor header last made on it.
// Downstream ops may reshape their input's header in place (Gorgonia's
// Reshape does, as an unsafe op), so the header is reused only while it is
// still the plain row-major tensor it was made as; otherwise a run gets a
// new one. A fresh header costs about ten allocations (Gorgonia's pool,
// shape, strides, backing reflection), a third of a small network's
// per-step allocations.
type Scratch struct {
	F64 []float64
	F32 []float32
	hdr *tensor.Dense
}

// Get returns a tensor of dtype dt (float64 or float32) and the given
// shape on the memory, made on first use or when the size changes.
func (s *Scratch) Get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	n := shape.TotalSize()
	if dt == tensor.Float32 {
		if len(s.F32) != n {
			s.F32, s.hdr = make([]float32, n), nil
		}
	} else if len(s.F64) != n {
		s.F64, s.hdr = make([]float64, n), nil
	}
	if s.intact(dt, shape) {
		return s.hdr
	}
	var backing any = s.F64
	if dt == tensor.Float32 {
		backing = s.F32
	}
	s.hdr = tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(backing))
	return s.hdr
}

// intact reports whether s.hdr, the header handed out last, can be handed
// out again for a tensor of dtype dt and the given shape: it must still
// have that shape, row-major strides and no pending transposition, view or
// mask, and point at s's memory.
func (s *Scratch) intact(dt tensor.Dtype, shape tensor.Shape) bool {
	h := s.hdr
	if h == nil || h.Dtype() != dt || !h.Shape().Eq(shape) || h.IsMaterializable() || h.IsMasked() ||
		!h.DataOrder().IsRowMajor() || !h.DataOrder().IsContiguous() {
		return false
	}
	var p unsafe.Pointer
	if dt == tensor.Float32 {
		p = unsafe.Pointer(unsafe.SliceData(s.F32))
	} else {
		p = unsafe.Pointer(unsafe.SliceData(s.F64))
	}
	if h.Uintptr() != uintptr(p) || h.DataSize() != shape.TotalSize() {
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

// SameInput reports whether s holds a copy of v, bit for bit, and
// otherwise makes it one. A prediction graph runs with the same parameters
// (and, for PredictMarginal, the same data) pass after pass, so an op of
// them alone can skip its work; in training they change every step, and
// the comparison stops at the first difference. The bytes are compared,
// by the runtime's vectorised memequal: an element-by-element float
// comparison was a tenth of PredictMarginal's time.
func SameInput[T Float](s *Scratch, v []T) bool {
	var held *[]T
	switch p := any(&s.F64).(type) {
	case *[]T:
		held = p
	default:
		held = any(&s.F32).(*[]T)
	}
	if *held != nil && bytes.Equal(bytesOf(*held), bytesOf(v)) {
		return true
	}
	*held = append((*held)[:0], v...)
	return false
}

// bytesOf returns the memory of v as bytes.
func bytesOf[T Float](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*int(unsafe.Sizeof(v[0])))
}
