package bayesnodes

import (
	"fmt"
	"math"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// gateSigmoid is Gorgonia's sigmoid: 1/(1+e^-x), cut to 0 and 1 where its float
// rounds, in float64 for both widths. The width is told by the size, which
// the compiler knows for each instantiation: a type switch on any(x) cost
// as much as the exponential.
func gateSigmoid[T float](x T) T {
	lo, hi := T(-709), T(19)
	if unsafe.Sizeof(x) == 4 {
		lo, hi = -88, 15
	}
	switch {
	case x < lo:
		return 0
	case x > hi:
		return 1
	}
	return T(1 / (1 + math.Exp(-float64(x))))
}

func gateTanh[T float](x T) T { return T(math.Tanh(float64(x))) }

// The GRU step's elementwise part, likewise: one op for the new hidden
// state and one per input for its gradient.

// gruPart says which quantity of the step a gruOp computes.
type gruPart int

const (
	gruHidden gruPart = iota // h' = n + z (h - n)
	gruDXW                   // dh'/dxw · g: [B, 3H]
	gruDHW                   // dh'/dhw · g: hw's shape, summed over the rows for a bias vector
	gruDH                    // dh'/dh · g = z g
)

var gruPartNames = [...]string{"hidden", "dxw", "dhw", "dh"}

// gruHW says what a GRU step has for hw = h W_hh + b_hh.
type gruHW int

const (
	gruNoHW   gruHW = iota // nothing: no bias and a zero state
	gruBiasHW              // b_hh [3H] alone, for every row: a zero state
	gruFullHW              // [B, 3H]
)

// gruOp is one part of a GRU step with Hidden units and gate blocks r, z,
// n. Its inputs are xw = x_t W_ih + b_ih [B, 3H], then hw as its kind
// says, then h [B, H] if hasH, then the output's gradient [B, H] for the
// gradient parts. With r = sigmoid(xw_r + hw_r), z = sigmoid(xw_z + hw_z)
// and n = tanh(xw_n + r hw_n), h' = n + z (h - n), as the unfused graph
// computes it (n - z n for a zero h), so the forward values are its bit
// for bit.
type gruOp[T float] struct {
	part   gruPart
	hidden int
	hw     gruHW
	hasH   bool
}

func (m gruOp[T]) String() string {
	return fmt.Sprintf("bayesnodes.gru.%s(H=%d hw=%d h=%t)", gruPartNames[m.part], m.hidden, m.hw, m.hasH)
}

func (m gruOp[T]) Ranks() ([]int, int) {
	in := []int{2}
	switch m.hw {
	case gruBiasHW:
		in = append(in, 1)
	case gruFullHW:
		in = append(in, 2)
	}
	if m.hasH {
		in = append(in, 2)
	}
	if m.part != gruHidden {
		in = append(in, 2)
	}
	if m.part == gruDHW && m.hw == gruBiasHW {
		return in, 1
	}
	return in, 2
}

func (m gruOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	rows, H := in[0][0], m.hidden
	want := []tensor.Shape{{rows, 3 * H}}
	switch m.hw {
	case gruBiasHW:
		want = append(want, tensor.Shape{3 * H})
	case gruFullHW:
		want = append(want, tensor.Shape{rows, 3 * H})
	}
	for len(want) < len(in) {
		want = append(want, tensor.Shape{rows, H})
	}
	for i, s := range in {
		if !s.Eq(want[i]) {
			return nil, fmt.Errorf("input %d has shape %v, want %v", i, s, want[i])
		}
	}
	switch m.part {
	case gruDXW:
		return want[0].Clone(), nil
	case gruDHW:
		return want[1].Clone(), nil
	}
	return tensor.Shape{rows, H}, nil
}

func (m gruOp[T]) Eval(a *opkit.Args[T]) error {
	xw, in := a.In[0], a.In[1:]
	var hw, h, g []T
	if m.hw != gruNoHW {
		hw, in = in[0], in[1:]
	}
	if m.hasH {
		h, in = in[0], in[1:]
	}
	if len(in) > 0 {
		g = in[0]
	}
	if m.part == gruDHW && m.hw == gruBiasHW {
		clear(a.Out) // a sum over the rows
	}
	gruKernel(m.part, m.hidden, m.hw == gruBiasHW, a.Out, xw, hw, h, g)
	return nil
}

// gruKernel computes part into out; hw, h and g may be nil where the step
// or the part has none, and hw is one row for every row when biasOnly.
func gruKernel[T float](part gruPart, H int, biasOnly bool, out, xw, hw, h, g []T) {
	rows := len(xw) / (3 * H)
	for r := range rows {
		base, row := r*3*H, r*H
		hwBase := base
		if biasOnly {
			hwBase = 0
		}
		for j := range H {
			q, k := base+j, row+j
			xr, xz, xn := xw[q], xw[q+H], xw[q+2*H]
			var hr, hz, hn T
			if hw != nil {
				p := hwBase + j
				hr, hz, hn = hw[p], hw[p+H], hw[p+2*H]
				xr, xz = xr+hr, xz+hz
			}
			z := gateSigmoid(xz)
			if part == gruDH {
				out[k] = z * g[k]
				continue
			}
			rg := gateSigmoid(xr)
			npre := xn
			if hw != nil {
				npre = xn + rg*hn
			}
			n := gateTanh(npre)
			var hp T
			if h != nil {
				hp = h[k]
			}
			switch part {
			case gruHidden:
				if h != nil {
					out[k] = n + z*(hp-n)
				} else {
					out[k] = n - z*n
				}
				continue
			}
			dn := g[k] * (1 - z) * (1 - n*n)
			dz := g[k] * (hp - n) * z * (1 - z)
			var dr T
			if hw != nil {
				dr = dn * hn * rg * (1 - rg)
			}
			switch part {
			case gruDXW:
				out[q], out[q+H], out[q+2*H] = dr, dz, dn
			case gruDHW:
				p := hwBase + j
				if biasOnly {
					out[p] += dr
					out[p+H] += dz
					out[p+2*H] += dn * rg
				} else {
					out[p], out[p+H], out[p+2*H] = dr, dz, dn*rg
				}
			}
		}
	}
}

func (m gruOp[T]) DiffWRT() []bool {
	in, _ := m.Ranks()
	d := make([]bool, len(in))
	if m.part == gruHidden {
		for i := range d {
			d[i] = true
		}
	}
	return d
}

func (m gruOp[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if m.part != gruHidden {
		return nil, fmt.Errorf("%v is itself a gradient and has none", m)
	}
	args := append(append(G.Nodes{}, in...), grad)
	out := make(G.Nodes, 0, len(in))
	parts := []gruPart{gruDXW}
	if m.hw != gruNoHW {
		parts = append(parts, gruDHW)
	}
	if m.hasH {
		parts = append(parts, gruDH)
	}
	for _, p := range parts {
		d, err := opkit.ApplyOf[T](gruOp[T]{p, m.hidden, m.hw, m.hasH}, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// gruStepOp adds a step's new hidden state to the graph: xw [B, 3H], hw
// [B, 3H] or the bias b_hh [3H] alone or nil, h nil for zero.
func gruStepOp(hidden int, xw, hw, h *G.Node) (*G.Node, error) {
	m := gruOp[float64]{part: gruHidden, hidden: hidden, hasH: h != nil}
	in := G.Nodes{xw}
	if hw != nil {
		m.hw = gruFullHW
		if hw.Dims() == 1 {
			m.hw = gruBiasHW
		}
		in = append(in, hw)
	}
	if h != nil {
		in = append(in, h)
	}
	return opkit.Apply(gruOp[float32](m), m, in...)
}

// stackOp lays the steps' states h_t [B, H] out as the batch-first
// sequence [B, T, H] in one pass; Gorgonia's Concat, Reshape and Transpose
// took two fresh copies on every run, read or not. Its gradient for h_t
// is the slice [:, t, :] of the sequence's (stepOfOp).
type stackOp[T float] struct{ steps int }

func (m stackOp[T]) String() string { return fmt.Sprintf("bayesnodes.stackSteps(%d)", m.steps) }

func (m stackOp[T]) Ranks() ([]int, int) {
	in := make([]int, m.steps)
	for i := range in {
		in[i] = 2
	}
	return in, 3
}

func (m stackOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	s, err := opkit.SameShapes(in...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], m.steps, s[1]}, nil
}

func (m stackOp[T]) Eval(a *opkit.Args[T]) error {
	rows, width := a.Shapes[0][0], a.Shapes[0][1]
	for t, h := range a.In {
		for r := range rows {
			copy(a.Out[(r*m.steps+t)*width:][:width], h[r*width:][:width])
		}
	}
	return nil
}

func (m stackOp[T]) DiffWRT() []bool {
	d := make([]bool, m.steps)
	for i := range d {
		d[i] = true
	}
	return d
}

func (m stackOp[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, m.steps)
	for t := range out {
		var err error
		if out[t], err = opkit.ApplyOf[T](stepOfOp[T]{t}, grad); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stepOfOp is seq[:, t, :] of a sequence [B, T, H], as a [B, H] matrix of
// its own.
type stepOfOp[T float] struct{ step int }

func (m stepOfOp[T]) String() string      { return fmt.Sprintf("bayesnodes.stepOf(%d)", m.step) }
func (m stepOfOp[T]) Ranks() ([]int, int) { return []int{3}, 2 }

func (m stepOfOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if m.step >= in[0][1] {
		return nil, fmt.Errorf("step %d of a sequence of shape %v", m.step, in[0])
	}
	return tensor.Shape{in[0][0], in[0][2]}, nil
}

func (m stepOfOp[T]) Eval(a *opkit.Args[T]) error {
	s := a.Shapes[0]
	steps, width := s[1], s[2]
	for r := range s[0] {
		copy(a.Out[r*width:][:width], a.In[0][(r*steps+m.step)*width:][:width])
	}
	return nil
}
