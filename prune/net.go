package prune

import (
	"errors"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

// ErrShape is returned for layers whose sizes do not fit together.
var ErrShape = errors.New("prune: shape mismatch")

// Layer is a deterministic dense layer, x W^T + b.
type Layer struct {
	In, Out int
	Weight  []float64 // [Out, In], row-major (PyTorch's and bayesnodes.Linear's layout)
	Bias    []float64 // [Out]; nil for none
}

// Activation is applied elementwise to a hidden layer's outputs.
type Activation func(float64) float64

// ReLU is max(x, 0).
func ReLU(x float64) float64 { return max(x, 0) }

// Net is a deterministic network of dense layers: Hidden after every layer
// but the last, none after the last. It reads the inputs Inputs lists (all
// of them when nil) from examples of InputWidth values.
type Net struct {
	Layers     []Layer
	Hidden     Activation
	InputWidth int
	Inputs     []int // ascending indices into an example; nil: all
}

// NewNet returns the network of layers with activation hidden (ReLU when
// nil), checking that the layers' sizes chain.
func NewNet(layers []Layer, hidden Activation) (*Net, error) {
	if len(layers) == 0 {
		return nil, errors.New("prune: NewNet: no layers")
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
	n := &Net{Hidden: hidden, InputWidth: layers[0].In}
	for _, l := range layers {
		n.Layers = append(n.Layers, l.clone())
	}
	return n, nil
}

func (l Layer) check() error {
	switch {
	case l.In <= 0 || l.Out <= 0:
		return fmt.Errorf("%w: layer sizes in=%d, out=%d, want both > 0", ErrShape, l.In, l.Out)
	case len(l.Weight) != l.In*l.Out:
		return fmt.Errorf("%w: %d weights for a [%d, %d] layer", ErrShape, len(l.Weight), l.Out, l.In)
	case l.Bias != nil && len(l.Bias) != l.Out:
		return fmt.Errorf("%w: %d biases for %d outputs", ErrShape, len(l.Bias), l.Out)
	}
	return nil
}

func (l Layer) clone() Layer {
	l.Weight = slices.Clone(l.Weight)
	l.Bias = slices.Clone(l.Bias)
	return l
}

// FromLinear returns the layer of l's posterior means with the weights
// Keep drops at threshold set to zero, and the kept and total weight counts.
// The bias is its posterior mean, not pruned.
func FromLinear(l *bayesnodes.Linear, threshold float64) (Layer, Count, error) {
	if l == nil || l.Weight == nil {
		return Layer{}, Count{}, errors.New("prune: FromLinear: nil layer")
	}
	keep, err := Keep(l.Weight, threshold)
	if err != nil {
		return Layer{}, Count{}, err
	}
	w, err := Means(l.Weight, keep)
	if err != nil {
		return Layer{}, Count{}, err
	}
	c := Count{Name: l.Weight.Name(), Total: len(keep)}
	for _, k := range keep {
		if k {
			c.Kept++
		}
	}
	layer := Layer{In: l.In, Out: l.Out, Weight: w}
	if l.Bias != nil {
		if layer.Bias, err = Means(l.Bias, nil); err != nil {
			return Layer{}, Count{}, err
		}
	}
	if err := layer.check(); err != nil {
		return Layer{}, Count{}, fmt.Errorf("%s: %w", l.Weight.Name(), err)
	}
	return layer, c, nil
}

// NumParams returns the number of weights and biases.
func (n *Net) NumParams() int {
	total := 0
	for _, l := range n.Layers {
		total += len(l.Weight) + len(l.Bias)
	}
	return total
}

// NonZero returns the number of nonzero weights (biases not counted).
func (n *Net) NonZero() int {
	nz := 0
	for _, l := range n.Layers {
		for _, w := range l.Weight {
			if w != 0 {
				nz++
			}
		}
	}
	return nz
}

// check validates a Net, which may have been built by hand: its fields are
// exported.
func (n *Net) check() error {
	if n == nil || len(n.Layers) == 0 {
		return errors.New("prune: empty network")
	}
	if n.Hidden == nil {
		return errors.New("prune: the network has no Hidden activation (NewNet sets ReLU)")
	}
	for i, l := range n.Layers {
		if err := l.check(); err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
		if i > 0 && l.In != n.Layers[i-1].Out {
			return fmt.Errorf("%w: layer %d takes %d inputs, layer %d gives %d outputs", ErrShape, i, l.In, i-1, n.Layers[i-1].Out)
		}
	}
	return checkInputs(n.InputWidth, n.Inputs, n.Layers[0].In)
}

// checkInputs checks that inputs (nil: all) picks first inputs of a layer
// from examples of width values.
func checkInputs(width int, inputs []int, first int) error {
	if inputs == nil {
		if width != first {
			return fmt.Errorf("%w: examples of %d values for a first layer of %d inputs", ErrShape, width, first)
		}
		return nil
	}
	if len(inputs) != first {
		return fmt.Errorf("%w: %d inputs read for a first layer of %d", ErrShape, len(inputs), first)
	}
	for j, i := range inputs {
		if i < 0 || i >= width || j > 0 && i <= inputs[j-1] {
			return fmt.Errorf("%w: Inputs[%d] = %d: want ascending indices in [0, %d)", ErrShape, j, i, width)
		}
	}
	return nil
}

// Widths returns the number of inputs read and each layer's outputs (nil
// for a network without layers).
func (n *Net) Widths() []int {
	if n == nil || len(n.Layers) == 0 {
		return nil
	}
	w := []int{n.Layers[0].In}
	for _, l := range n.Layers {
		w = append(w, l.Out)
	}
	return w
}

// Forward returns the outputs, rows x the last layer's Out, for x of rows
// examples of InputWidth values each.
func (n *Net) Forward(x []float64, rows int) ([]float64, error) {
	if err := n.check(); err != nil {
		return nil, err
	}
	if rows <= 0 || len(x) != rows*n.InputWidth {
		return nil, fmt.Errorf("%w: Forward: %d input values for %d examples of %d", ErrShape, len(x), rows, n.InputWidth)
	}
	h := x
	if n.Inputs != nil {
		h = make([]float64, rows*len(n.Inputs))
		for r := range rows {
			row, src := h[r*len(n.Inputs):(r+1)*len(n.Inputs)], x[r*n.InputWidth:]
			for j, i := range n.Inputs {
				row[j] = src[i]
			}
		}
	}
	for li, l := range n.Layers {
		out := make([]float64, rows*l.Out)
		if l.Bias != nil {
			for r := range rows {
				copy(out[r*l.Out:(r+1)*l.Out], l.Bias)
			}
		}
		blas64.Gemm(blas.NoTrans, blas.Trans, 1,
			blas64.General{Rows: rows, Cols: l.In, Stride: l.In, Data: h},
			blas64.General{Rows: l.Out, Cols: l.In, Stride: l.In, Data: l.Weight},
			1, blas64.General{Rows: rows, Cols: l.Out, Stride: l.Out, Data: out})
		if li < len(n.Layers)-1 {
			for i, v := range out {
				out[i] = n.Hidden(v)
			}
		}
		h = out
	}
	return h, nil
}

// Compact returns the smaller network that computes what n does: it drops
// inputs and hidden units whose outgoing weights are all zero, and hidden
// units whose incoming weights are all zero after folding their constant
// output Hidden(bias) into the next layer's bias, repeating until no unit
// can go. Output units are all kept.
func Compact(n *Net) (*Net, error) {
	if err := n.check(); err != nil {
		return nil, fmt.Errorf("prune: Compact: %w", err)
	}
	layers := make([]Layer, len(n.Layers))
	for i, l := range n.Layers {
		layers[i] = l.clone()
	}
	// alive[k] marks the units of level k: level 0 the inputs, level k
	// the outputs of layer k-1.
	alive := make([][]bool, len(layers)+1)
	alive[0] = trues(layers[0].In)
	for k, l := range layers {
		alive[k+1] = trues(l.Out)
	}
	last := len(layers)
	for changed := true; changed; {
		changed = false
		for k := 0; k < last; k++ { // levels with a next layer
			next := layers[k]
			for j, ok := range alive[k] {
				if !ok {
					continue
				}
				if !usedBy(next, j, alive[k+1]) {
					alive[k][j], changed = false, true
					continue
				}
				if k == 0 {
					continue
				}
				// a hidden unit with no live input is the constant Hidden(b)
				prev := layers[k-1]
				if !fedBy(prev, j, alive[k-1]) {
					c := n.Hidden(0)
					if prev.Bias != nil {
						c = n.Hidden(prev.Bias[j])
					}
					if next.Bias == nil {
						next.Bias = make([]float64, next.Out)
						layers[k].Bias = next.Bias
					}
					for o := range next.Out {
						next.Bias[o] += next.Weight[o*next.In+j] * c
					}
					alive[k][j], changed = false, true
				}
			}
		}
	}
	for k := 0; k < last; k++ {
		if !slices.Contains(alive[k], true) {
			// No unit of this level matters: the output does not depend on
			// the input. Keep one, cut off, so every matrix has a shape.
			alive[k][0] = true
			for o := range layers[k].Out {
				layers[k].Weight[o*layers[k].In] = 0
			}
		}
	}
	out := &Net{Hidden: n.Hidden, InputWidth: n.InputWidth}
	for i, ok := range alive[0] {
		if ok {
			out.Inputs = append(out.Inputs, n.input(i))
		}
	}
	for k, l := range layers {
		out.Layers = append(out.Layers, l.gather(alive[k], alive[k+1]))
	}
	return out, nil
}

// input returns the index into an example of n's i-th input.
func (n *Net) input(i int) int {
	if n.Inputs == nil {
		return i
	}
	return n.Inputs[i]
}

// usedBy reports whether input j of l has a nonzero weight to a live output.
func usedBy(l Layer, j int, live []bool) bool {
	for o, ok := range live {
		if ok && l.Weight[o*l.In+j] != 0 {
			return true
		}
	}
	return false
}

// fedBy reports whether output j of l has a nonzero weight from a live input.
func fedBy(l Layer, j int, live []bool) bool {
	row := l.Weight[j*l.In : (j+1)*l.In]
	for i, ok := range live {
		if ok && row[i] != 0 {
			return true
		}
	}
	return false
}

// gather returns l restricted to live inputs and outputs.
func (l Layer) gather(in, out []bool) Layer {
	g := Layer{}
	for _, ok := range in {
		if ok {
			g.In++
		}
	}
	for o, ok := range out {
		if !ok {
			continue
		}
		g.Out++
		for i, iok := range in {
			if iok {
				g.Weight = append(g.Weight, l.Weight[o*l.In+i])
			}
		}
		if l.Bias != nil {
			g.Bias = append(g.Bias, l.Bias[o])
		}
	}
	return g
}

func trues(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}
