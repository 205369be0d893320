package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A GRU over a whole sequence as the ops of recurrent_seq.go. Its inputs,
// in this order: x [B, T, In]; W_ih's nodes, W_hh's (see seqProduct); the
// biases b_ih and b_hh [3H] if any; h0 [B, H] if given. Its outputs: the
// hidden sequence [B, T, H] and the last hidden state [B, H].

// gruSeq is one GRU application's sizes and inputs.
type gruSeq struct {
	batch, steps, hidden int
	ih, hh               seqProduct
	bias, h0             bool
	dataX                bool // x takes no gradient
}

func (c gruSeq) String() string {
	return fmt.Sprintf("gru B=%d T=%d H=%d ih=%v hh=%v bias=%t h0=%t data=%t",
		c.batch, c.steps, c.hidden, c.ih, c.hh, c.bias, c.h0, c.dataX)
}

func (c gruSeq) inputShapes() []tensor.Shape {
	B, H := c.batch, c.hidden
	s := productsShapes(B, c.steps, c.ih, c.hh)
	if c.bias {
		s = append(s, tensor.Shape{3 * H}, tensor.Shape{3 * H})
	}
	if c.h0 {
		s = append(s, tensor.Shape{B, H})
	}
	return s
}

func (c gruSeq) diffWRT() []bool {
	return productsDiffWRT(c.dataX, c.ih, c.hh, len(c.inputShapes()))
}

// gruValues are the layer's input values.
type gruValues[T float] struct {
	x            []T
	ih, hh       seqWeights[T]
	bih, bhh, h0 []T
}

// gruInputs reads the layer's inputs from in, and returns the rest.
func gruInputs[T float](c gruSeq, in [][]T) (gruValues[T], [][]T) {
	v := gruValues[T]{x: in[0]}
	v.ih, in = weights(c.ih, in[1:])
	v.hh, in = weights(c.hh, in)
	if c.bias {
		v.bih, v.bhh, in = in[0], in[1], in[2:]
	}
	if c.h0 {
		v.h0, in = in[0], in[1:]
	}
	return v, in
}

// gruFwdLayout is where the forward buffer keeps each part: the outputs
// (seq [B, T, H], hT [B, H]), then, time major, what the backward pass
// reads (xt: x [T, B, In]; act: the gates r, z, n [T, B, 3H]; hn: the n
// block of h W_hh + b_hh [T, B, H], zero where there is none; rin: h_{t-1}
// [T, B, H], zero where there is none), then scratch (hw: a step's h W_hh
// + b_hh [B, 3H]; xs, py: Flipout's).
type gruFwdLayout struct {
	seq, hT, xt, act, hn, rin, hw, xs, py, size int
}

func (c gruSeq) fwdLayout() gruFwdLayout {
	B, T, H := c.batch, c.steps, c.hidden
	var b seqBuffer
	l := gruFwdLayout{seq: b.next(B * T * H), hT: b.next(B * H), xt: b.next(B * T * c.ih.in)}
	l.act, l.hn, l.rin = b.next(B*T*3*H), b.next(B*T*H), b.next(B*T*H)
	l.hw = b.next(B * 3 * H)
	if c.ih.flip || c.hh.flip {
		l.xs, l.py = b.next(B*max(c.ih.in, H)), b.next(B*3*H)
	}
	l.size = b.size
	return l
}

// gruBwdLayout is where the backward buffer keeps each part: the
// gradients, in the order of the inputs that take one, then scratch (dxw,
// dhw: the gradients of x W_ih + b_ih and h W_hh + b_hh [T, B, 3H]; dh:
// the gradient reaching the state from the step after [B, H]; xs, ds,
// tmp: Flipout's).
type gruBwdLayout struct {
	dx, dih, dhh, dbih, dbhh, dh0 int
	dxw, dhw, dh, xs, ds, tmp     int
	size                          int
}

func (c gruSeq) bwdLayout() gruBwdLayout {
	B, T, H := c.batch, c.steps, c.hidden
	var b seqBuffer
	var l gruBwdLayout
	l.dx, l.dih, l.dhh = b.productGrads(c.dataX, B, T, c.ih, c.hh)
	if c.bias {
		l.dbih, l.dbhh = b.next(3*H), b.next(3*H)
	}
	if c.h0 {
		l.dh0 = b.next(B * H)
	}
	l.dxw, l.dhw, l.dh = b.next(B*T*3*H), b.next(B*T*3*H), b.next(B*H)
	l.xs, l.ds, l.tmp = b.flipScratch(B, T, c.ih, c.hh)
	l.size = b.size
	return l
}

// gruCell is a GRU application as the sequence ops run it (see seqCell).
type gruCell[T float] struct {
	gruSeq
	v         gruValues[T]
	fw, bw    []T
	gseq, ghT []T
	t         int
	rows      rowSplit
}

func newGRUCell[T float](c gruSeq) *gruCell[T] {
	g := &gruCell[T]{gruSeq: c}
	g.rows = newRowSplit(c.batch, c.hidden, g.forwardRows)
	return g
}

func (g *gruCell[T]) fwdSize() int { return g.fwdLayout().size }
func (g *gruCell[T]) bwdSize() int { return g.bwdLayout().size }

func (g *gruCell[T]) gradOffsets() []int {
	l := g.bwdLayout()
	offs := append([]int{l.dx}, g.ih.gradOffsets(l.dih)...)
	offs = append(offs, g.hh.gradOffsets(l.dhh)...)
	if g.bias {
		offs = append(offs, l.dbih, l.dbhh)
	}
	if g.h0 {
		offs = append(offs, l.dh0)
	}
	return offs
}

// outputs are the hidden sequence [B, T, H] and the last state [B, H].
func (g *gruCell[T]) outputs() []seqOutput {
	fl, B, H := g.fwdLayout(), g.batch, g.hidden
	return []seqOutput{
		{"gru.seq", fl.seq, tensor.Shape{B, g.steps, H}},
		{"gru.h", fl.hT, tensor.Shape{B, H}},
	}
}

func (g *gruCell[T]) forward(in [][]T, buf []T) {
	c := g.gruSeq
	v, _ := gruInputs(c, in)
	B, L, H, In := c.batch, c.steps, c.hidden, c.ih.in
	G3 := 3 * H
	l := c.fwdLayout()
	xt, act, rin, hw := buf[l.xt:], buf[l.act:], buf[l.rin:], buf[l.hw:]
	g.v, g.fw = v, buf
	startSequence(xt, rin[:B*H], v.x, v.h0, B, L, In)
	for t := range L {
		at := act[t*B*G3 : (t+1)*B*G3]
		productForward(c.ih, v.ih, at, G3, xt[t*B*In:], In, B, buf[l.xs:], buf[l.py:])
		addBiasRows(at, v.bih)
		if t > 0 || c.h0 {
			productForward(c.hh, v.hh, hw, G3, rin[t*B*H:], H, B, buf[l.xs:], buf[l.py:])
			addBiasRows(hw[:B*G3], v.bhh)
		}
		g.t = t
		g.rows.run()
	}
}

// forwardRows runs step g.t for examples [b0, b1): with r = sigmoid(x_r +
// h_r), z = sigmoid(x_z + h_z) and n = tanh(x_n + r h_n) (x_ and h_ the
// blocks of x W_ih + b_ih and h W_hh + b_hh), h' = n + z (h - n), as the
// unrolled graph computed it (n - z n for a zero h).
func (g *gruCell[T]) forwardRows(b0, b1 int) {
	c, t := g.gruSeq, g.t
	B, L, H := c.batch, c.steps, c.hidden
	G3 := 3 * H
	l := c.fwdLayout()
	buf := g.fw
	seq, hT, act, hnb, rin, hw := buf[l.seq:], buf[l.hT:], buf[l.act:], buf[l.hn:], buf[l.rin:], buf[l.hw:]
	rec := t > 0 || c.h0
	for b := b0; b < b1; b++ {
		row := t*B + b
		a := act[row*G3 : (row+1)*G3]
		var hr []T // h W_hh + b_hh, or b_hh alone for a zero h, or none
		switch {
		case rec:
			hr = hw[b*G3 : (b+1)*G3]
		case g.v.bhh != nil:
			hr = g.v.bhh
		}
		k, s := row*H, (b*L+t)*H
		rz, an, hn := a[:2*H], a[2*H:3*H], hnb[k:k+H]
		if hr != nil {
			for j, p := range hr[:2*H] {
				rz[j] = rz[j] + p
			}
			copy(hn, hr[2*H:3*H])
		} else {
			clear(hn)
		}
		gateRow(rz, rz, false) // r and z
		if hr != nil {
			for j, p := range hn {
				an[j] = an[j] + rz[j]*p
			}
		}
		gateRow(an, an, true) // n
		for j, n := range an {
			z := rz[H+j]
			var h T
			if rec {
				h = n + z*(rin[k+j]-n)
			} else {
				h = n - z*n
			}
			seq[s+j] = h
			if t+1 == L {
				hT[b*H+j] = h
			} else {
				rin[k+B*H+j] = h
			}
		}
	}
}

// backward runs back through time once, then takes each weight's gradient
// by one product over every step.
func (g *gruCell[T]) backward(in [][]T, outs uint, buf []T) {
	c := g.gruSeq
	v, rest := gruInputs(c, in)
	var gout [2][]T
	fw := splitGrads(rest, outs, gout[:])
	B, L, H := c.batch, c.steps, c.hidden
	G3 := 3 * H
	fl, l := c.fwdLayout(), c.bwdLayout()
	g.v, g.fw, g.bw, g.gseq, g.ghT = v, fw, buf, gout[0], gout[1]
	dhw, dh := buf[l.dhw:], buf[l.dh:l.dh+B*H]
	clear(dh)
	for t := L - 1; t >= 0; t-- {
		g.t = t
		g.backwardRows(0, B)
		if t > 0 || c.h0 {
			// dh_{t-1} += dhw_t W_hhᵀ
			productInputGrad(c.hh, v.hh, dh, H, dhw[t*B*G3:], G3, B, B, 1, buf[l.ds:], buf[l.tmp:])
		}
	}
	if c.h0 {
		copy(buf[l.dh0:l.dh0+B*H], dh)
	}
	n := B * L
	// h_{t-1} is zero at a first step without one.
	productWeightGrads(c.hh, v.hh, buf[l.dhh:], fw[fl.rin:], H, dhw, G3, n, B, buf[l.xs:], buf[l.ds:])
	if c.bias {
		columnSumKernel(buf[l.dbih:l.dbih+G3], buf[l.dxw:l.dxw+n*G3])
		columnSumKernel(buf[l.dbhh:l.dbhh+G3], dhw[:n*G3])
	}
	var dx []T
	if !c.dataX {
		dx = buf[l.dx:]
	}
	inputProductGrads(c.ih, v.ih, buf[l.dih:], dx, fw[fl.xt:], buf[l.dxw:], B, L, buf[l.xs:], buf[l.ds:], buf[l.tmp:])
}

// backwardRows runs step g.t's gradients back through the gates for
// examples [b0, b1): into dxw and dhw, and z g into dh.
func (g *gruCell[T]) backwardRows(b0, b1 int) {
	c, t := g.gruSeq, g.t
	B, L, H := c.batch, c.steps, c.hidden
	G3 := 3 * H
	fl, l := c.fwdLayout(), c.bwdLayout()
	act, hnb, rin := g.fw[fl.act:], g.fw[fl.hn:], g.fw[fl.rin:]
	dxw, dhw, dh := g.bw[l.dxw:], g.bw[l.dhw:], g.bw[l.dh:]
	rec := t > 0 || c.h0
	hasHW := rec || g.v.bhh != nil
	for b := b0; b < b1; b++ {
		row := t*B + b
		a, dx, dw := act[row*G3:(row+1)*G3], dxw[row*G3:(row+1)*G3], dhw[row*G3:(row+1)*G3]
		k, s := row*H, (b*L+t)*H
		for j := range H {
			gh := dh[b*H+j]
			if g.gseq != nil {
				gh += g.gseq[s+j]
			}
			if g.ghT != nil && t == L-1 {
				gh += g.ghT[b*H+j]
			}
			r, z, n := a[j], a[H+j], a[2*H+j]
			var hp T
			if rec {
				hp = rin[k+j]
			}
			dn := gh * (1 - z) * (1 - n*n)
			dz := gh * (hp - n) * z * (1 - z)
			var dr T
			if hasHW {
				dr = dn * hnb[k+j] * r * (1 - r)
				dw[j], dw[H+j], dw[2*H+j] = dr, dz, dn*r
			} else {
				dw[j], dw[H+j], dw[2*H+j] = 0, 0, 0
			}
			dx[j], dx[H+j], dx[2*H+j] = dr, dz, dn
			dh[b*H+j] = z * gh
		}
	}
}

// gruSequence adds the layer's ops for its input nodes (in gruSeq's order)
// and returns its hidden sequence and last state.
func gruSequence(c gruSeq, in G.Nodes) (seq, h *G.Node, err error) {
	out, err := seqApply(newGRUCell[float32](c), newGRUCell[float64](c), in)
	if err != nil {
		return nil, nil, err
	}
	return out[0], out[1], nil
}
