package prune

import (
	"errors"
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
	layers     []SparseLayer
	err        error // the Net's, reported by Forward
}

// SparseLayer is a dense layer x W^T + b whose weights are stored in
// compressed sparse rows: the weights of output o are Values[RowStart[o]:
// RowStart[o+1]], in the input columns Cols[RowStart[o]:RowStart[o+1]].
type SparseLayer struct {
	In, Out  int
	RowStart []int // Out+1 ascending offsets into Cols and Values, from 0
	Cols     []int32
	Values   []float64
	Bias     []float64 // [Out]; nil for none
}

// NewSparseNet returns the network of sparse layers with activation hidden
// (ReLU when nil) after every layer but the last. It reads the inputs
// listed in inputs (ascending indices; nil: all) from examples of
// inputWidth values. It checks that the layers are well formed and chain.
func NewSparseNet(inputWidth int, inputs []int, layers []SparseLayer, hidden Activation) (*SparseNet, error) {
	if len(layers) == 0 {
		return nil, errors.New("prune: NewSparseNet: no layers")
	}
	if hidden == nil {
		hidden = ReLU
	}
	for i, l := range layers {
		if err := l.check(); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		if i > 0 && l.In != layers[i-1].Out {
			return nil, fmt.Errorf("%w: layer %d takes %d inputs, layer %d gives %d outputs", ErrShape, i, l.In, i-1, layers[i-1].Out)
		}
	}
	if err := checkInputs(inputWidth, inputs, layers[0].In); err != nil {
		return nil, err
	}
	s := &SparseNet{hidden: hidden, inputWidth: inputWidth, inputs: slices.Clone(inputs)}
	for _, l := range layers {
		s.layers = append(s.layers, l.clone())
	}
	return s, nil
}

func (l SparseLayer) check() error {
	switch {
	case l.In <= 0 || l.Out <= 0:
		return fmt.Errorf("%w: layer sizes in=%d, out=%d, want both > 0", ErrShape, l.In, l.Out)
	case len(l.RowStart) != l.Out+1 || l.RowStart[0] != 0:
		return fmt.Errorf("%w: %d row offsets for %d outputs, want %d starting at 0", ErrShape, len(l.RowStart), l.Out, l.Out+1)
	case len(l.Cols) != len(l.Values) || l.RowStart[l.Out] != len(l.Values):
		return fmt.Errorf("%w: %d columns and %d values for %d stored weights", ErrShape, len(l.Cols), len(l.Values), l.RowStart[l.Out])
	case l.Bias != nil && len(l.Bias) != l.Out:
		return fmt.Errorf("%w: %d biases for %d outputs", ErrShape, len(l.Bias), l.Out)
	}
	for o := range l.Out {
		if l.RowStart[o+1] < l.RowStart[o] {
			return fmt.Errorf("%w: row offsets decrease at output %d", ErrShape, o)
		}
	}
	for k, c := range l.Cols {
		if c < 0 || int(c) >= l.In {
			return fmt.Errorf("%w: stored weight %d is in column %d of a layer of %d inputs", ErrShape, k, c, l.In)
		}
	}
	return nil
}

func (l SparseLayer) clone() SparseLayer {
	l.RowStart, l.Cols = slices.Clone(l.RowStart), slices.Clone(l.Cols)
	l.Values, l.Bias = slices.Clone(l.Values), slices.Clone(l.Bias)
	return l
}

// Sparse returns n in compressed sparse rows.
func (n *Net) Sparse() *SparseNet {
	if err := n.check(); err != nil {
		return &SparseNet{err: err}
	}
	s := &SparseNet{hidden: n.Hidden, inputWidth: n.InputWidth, inputs: slices.Clone(n.Inputs)}
	for _, l := range n.Layers {
		c := SparseLayer{In: l.In, Out: l.Out, RowStart: make([]int, 0, l.Out+1), Bias: slices.Clone(l.Bias)}
		c.RowStart = append(c.RowStart, 0)
		for o := range l.Out {
			for i, w := range l.Weight[o*l.In : (o+1)*l.In] {
				if w != 0 {
					c.Cols = append(c.Cols, int32(i))
					c.Values = append(c.Values, w)
				}
			}
			c.RowStart = append(c.RowStart, len(c.Values))
		}
		s.layers = append(s.layers, c)
	}
	return s
}

// Layers returns copies of the network's layers.
func (s *SparseNet) Layers() []SparseLayer {
	out := make([]SparseLayer, len(s.layers))
	for i, l := range s.layers {
		out[i] = l.clone()
	}
	return out
}

// InputWidth returns the number of values in one example.
func (s *SparseNet) InputWidth() int { return s.inputWidth }

// Inputs returns the indices of the example values the network reads (nil:
// all of them).
func (s *SparseNet) Inputs() []int { return slices.Clone(s.inputs) }

// NonZero returns the number of stored weights.
func (s *SparseNet) NonZero() int {
	nz := 0
	for _, l := range s.layers {
		nz += len(l.Values)
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
		out := make([]float64, rows*l.Out)
		for r := range rows {
			in, dst := h[r*width:(r+1)*width], out[r*l.Out:(r+1)*l.Out]
			for o := range l.Out {
				sum := 0.0
				if l.Bias != nil {
					sum = l.Bias[o]
				}
				cols, vals := l.Cols[l.RowStart[o]:l.RowStart[o+1]], l.Values[l.RowStart[o]:l.RowStart[o+1]]
				for k, c := range cols {
					sum += vals[k] * in[c]
				}
				if li < len(s.layers)-1 {
					sum = s.hidden(sum)
				}
				dst[o] = sum
			}
		}
		h, width = out, l.Out
	}
	return h, nil
}
