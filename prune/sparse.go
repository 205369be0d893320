package prune

import (
	"fmt"
	"slices"
)

// SparseNet is a Net with every layer's nonzero weights stored row by row
// (compressed sparse rows), so a forward pass costs one multiply-add per
// kept weight. Sparse variational dropout leaves scattered weights more
// than whole units: there SparseNet is the faster form, Compact the
// smaller dense one, and the two combine (Sparse of a compacted Net).
type SparseNet struct {
	hidden     Activation
	inputWidth int
	inputs     []int
	layers     []csrLayer
	err        error // the Net's, reported by Forward
}

type csrLayer struct {
	in, out  int
	rowStart []int // out+1 offsets into col and val
	col      []int32
	val      []float64
	bias     []float64 // nil for none
}

// Sparse returns n in compressed sparse rows.
func (n *Net) Sparse() *SparseNet {
	if err := n.check(); err != nil {
		return &SparseNet{err: err}
	}
	s := &SparseNet{hidden: n.Hidden, inputWidth: n.InputWidth, inputs: slices.Clone(n.Inputs)}
	for _, l := range n.Layers {
		c := csrLayer{in: l.In, out: l.Out, rowStart: make([]int, 0, l.Out+1), bias: slices.Clone(l.Bias)}
		c.rowStart = append(c.rowStart, 0)
		for o := range l.Out {
			for i, w := range l.Weight[o*l.In : (o+1)*l.In] {
				if w != 0 {
					c.col = append(c.col, int32(i))
					c.val = append(c.val, w)
				}
			}
			c.rowStart = append(c.rowStart, len(c.val))
		}
		s.layers = append(s.layers, c)
	}
	return s
}

// NonZero returns the number of stored weights.
func (s *SparseNet) NonZero() int {
	nz := 0
	for _, l := range s.layers {
		nz += len(l.val)
	}
	return nz
}

// Forward returns the outputs, rows x the last layer's Out, for x of rows
// examples of the network's input width, as Net.Forward does.
func (s *SparseNet) Forward(x []float64, rows int) ([]float64, error) {
	if s.err != nil {
		return nil, s.err
	}
	if rows <= 0 || len(x) != rows*s.inputWidth {
		return nil, fmt.Errorf("%w: Forward: %d input values for %d examples of %d", ErrShape, len(x), rows, s.inputWidth)
	}
	h, width := x, s.inputWidth
	if s.inputs != nil {
		width = len(s.inputs)
		h = make([]float64, rows*width)
		for r := range rows {
			row, src := h[r*width:(r+1)*width], x[r*s.inputWidth:]
			for j, i := range s.inputs {
				row[j] = src[i]
			}
		}
	}
	for li, l := range s.layers {
		out := make([]float64, rows*l.out)
		for r := range rows {
			in, dst := h[r*width:(r+1)*width], out[r*l.out:(r+1)*l.out]
			for o := range l.out {
				sum := 0.0
				if l.bias != nil {
					sum = l.bias[o]
				}
				cols, vals := l.col[l.rowStart[o]:l.rowStart[o+1]], l.val[l.rowStart[o]:l.rowStart[o+1]]
				for k, c := range cols {
					sum += vals[k] * in[c]
				}
				if li < len(s.layers)-1 {
					sum = s.hidden(sum)
				}
				dst[o] = sum
			}
		}
		h, width = out, l.out
	}
	return h, nil
}
