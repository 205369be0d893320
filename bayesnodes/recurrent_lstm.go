package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// An LSTM over a whole sequence as the ops of recurrent_seq.go. Its
// inputs, in this order: x [B, T, In]; W_ih's nodes, W_hh's (see
// seqProduct); the bias [4H] if any; h0 [B, H] (not for the peephole
// variant, which ignores it) and c0 [B, H], if given. Its outputs: the
// hidden sequence [B, T, H], and the last step's hidden and cell states
// [B, H].

// lstmSeq is one LSTM application's sizes and inputs.
type lstmSeq struct {
	batch, steps, hidden int
	peephole             bool
	ih, hh               seqProduct
	bias, h0, c0         bool
	dataX                bool // x takes no gradient
}

func (c lstmSeq) String() string {
	return fmt.Sprintf("B=%d T=%d H=%d peephole=%t ih=%v hh=%v bias=%t h0=%t c0=%t data=%t",
		c.batch, c.steps, c.hidden, c.peephole, c.ih, c.hh, c.bias, c.h0, c.c0, c.dataX)
}

// recInit reports whether the first step has a recurrent input: h0, or
// for the peephole variant c0.
func (c lstmSeq) recInit() bool {
	if c.peephole {
		return c.c0
	}
	return c.h0
}

// inputShapes returns the shapes of the layer's inputs.
func (c lstmSeq) inputShapes() []tensor.Shape {
	B, H := c.batch, c.hidden
	s := productsShapes(B, c.steps, c.ih, c.hh)
	if c.bias {
		s = append(s, tensor.Shape{4 * H})
	}
	if c.h0 {
		s = append(s, tensor.Shape{B, H})
	}
	if c.c0 {
		s = append(s, tensor.Shape{B, H})
	}
	return s
}

// diffWRT returns which of the layer's inputs take a gradient.
func (c lstmSeq) diffWRT() []bool {
	return productsDiffWRT(c.dataX, c.ih, c.hh, len(c.inputShapes()))
}

// lstmValues are the layer's input values.
type lstmValues[T float] struct {
	x          []T
	ih, hh     seqWeights[T]
	bias       []T
	h0, c0, fw []T
}

// values reads the layer's inputs from in, and returns the rest.
func lstmInputs[T float](c lstmSeq, in [][]T) (lstmValues[T], [][]T) {
	v := lstmValues[T]{x: in[0]}
	v.ih, in = weights(c.ih, in[1:])
	v.hh, in = weights(c.hh, in)
	if c.bias {
		v.bias, in = in[0], in[1:]
	}
	if c.h0 {
		v.h0, in = in[0], in[1:]
	}
	if c.c0 {
		v.c0, in = in[0], in[1:]
	}
	return v, in
}

// lstmFwdLayout is where the forward buffer keeps each part: the outputs
// (seq [B, T, H], hT, cT [B, H]), then what the backward pass reads, time
// major so that a step's rows are one block (xt: x [T, B, In]; act: the
// gates' activations [T, B, 4H]; cell: c_t [T, B, H]; tc: tanh(c_t), or
// h_t for the peephole variant; rin: each step's recurrent input h_{t-1},
// or c_{t-1} for the peephole variant, zero where there is none), then
// scratch (hw: a step's recurrent product [B, 4H]; xs, py: Flipout's).
type lstmFwdLayout struct {
	seq, hT, cT, xt, act, cell, tc, rin, hw, xs, py, size int
}

func (c lstmSeq) fwdLayout() lstmFwdLayout {
	B, T, H := c.batch, c.steps, c.hidden
	var b seqBuffer
	l := lstmFwdLayout{seq: b.next(B * T * H), hT: b.next(B * H), cT: b.next(B * H), xt: b.next(B * T * c.ih.in)}
	l.act, l.cell, l.tc, l.rin = b.next(B*T*4*H), b.next(B*T*H), b.next(B*T*H), b.next(B*T*H)
	l.hw = b.next(B * 4 * H)
	if c.ih.flip || c.hh.flip {
		l.xs, l.py = b.next(B*max(c.ih.in, H)), b.next(B*4*H)
	}
	l.size = b.size
	return l
}

// lstmCell is an LSTM application as the sequence ops run it (see
// seqCell): its sizes and inputs, and a run's state, read by the rows of
// a step.
type lstmCell[T float] struct {
	lstmSeq
	v         lstmValues[T]
	fw, bw    []T // the forward and backward buffers
	gseq, ghT []T // the outputs' gradients read by backward, nil for none
	t         int // the step the rows run
	rows      rowSplit
}

func newLSTMCell[T float](c lstmSeq) *lstmCell[T] {
	l := &lstmCell[T]{lstmSeq: c}
	l.rows = newRowSplit(c.batch, c.hidden, l.forwardRows)
	return l
}

func (l *lstmCell[T]) fwdSize() int       { return l.fwdLayout().size }
func (l *lstmCell[T]) bwdSize() int       { return l.bwdLayout().size }
func (l *lstmCell[T]) gradOffsets() []int { return l.bwdLayout().grads(l.lstmSeq) }

// outputs are the hidden sequence [B, T, H] and the last states [B, H].
func (l *lstmCell[T]) outputs() []seqOutput {
	fl, B, H := l.fwdLayout(), l.batch, l.hidden
	return []seqOutput{
		{"lstm.seq", fl.seq, tensor.Shape{B, l.steps, H}},
		{"lstm.h", fl.hT, tensor.Shape{B, H}},
		{"lstm.c", fl.cT, tensor.Shape{B, H}},
	}
}

func (lc *lstmCell[T]) forward(in [][]T, buf []T) {
	c := lc.lstmSeq
	v, _ := lstmInputs(c, in)
	B, L, H, In := c.batch, c.steps, c.hidden, c.ih.in
	G4 := 4 * H
	l := c.fwdLayout()
	xt, act, rin, hw := buf[l.xt:], buf[l.act:], buf[l.rin:], buf[l.hw:]
	xs, py := buf[l.xs:], buf[l.py:]
	lc.v, lc.fw = v, buf
	init := v.h0
	if c.peephole {
		init = v.c0
	}
	startSequence(xt, rin[:B*H], v.x, init, B, L, In)
	for t := range L {
		// x_t W_ih + bias into the step's rows of act, then the
		// recurrent product.
		at := act[t*B*G4 : (t+1)*B*G4]
		productForward(c.ih, v.ih, at, G4, xt[t*B*In:], In, B, xs, py)
		addBiasRows(at, v.bias)
		if t > 0 || c.recInit() {
			productForward(c.hh, v.hh, hw, G4, rin[t*B*H:], H, B, xs, py)
		}
		lc.t = t
		lc.rows.run()
	}
}

// forwardRows runs step lc.t's gates, cell and hidden state for
// examples [b0, b1).
func (lc *lstmCell[T]) forwardRows(b0, b1 int) {
	c, t := lc.lstmSeq, lc.t
	v, B, L, H := lc.v, c.batch, c.steps, c.hidden
	G4 := 4 * H
	l := c.fwdLayout()
	buf := lc.fw
	seq, hT, cT := buf[l.seq:], buf[l.hT:], buf[l.cT:]
	act, cell, tc, rin, hw := buf[l.act:], buf[l.cell:], buf[l.tc:], buf[l.rin:], buf[l.hw:]
	rec := t > 0 || c.recInit()
	for b := b0; b < b1; b++ {
		row := t*B + b
		ac := act[row*G4 : (row+1)*G4]
		var hr []T
		if rec {
			hr = hw[b*G4 : (b+1)*G4]
		}
		lstmGates(ac, hr, H, c.peephole)
		k, s := row*H, (b*L+t)*H
		ai, af, ag, ao := ac[:H], ac[H:2*H], ac[2*H:3*H], ac[3*H:4*H]
		cr, tcr, hs := cell[k:k+H], tc[k:k+H], seq[s:s+H]
		cp := prevCell(cell, v.c0, t, b, B, H)
		for j, i := range ai {
			cv := i * ag[j]
			if cp != nil {
				cv = af[j]*cp[j] + cv
			}
			cr[j] = cv
		}
		// tc is tanh(c), h = o tc; for the peephole variant tc = h = tanh(o c).
		if c.peephole {
			for j, o := range ao {
				tcr[j] = o * cr[j]
			}
			gateRow(tcr, tcr, true)
			copy(hs, tcr)
		} else {
			gateRow(tcr, cr, true)
			for j, o := range ao {
				hs[j] = o * tcr[j]
			}
		}
		switch {
		case t+1 == L:
			copy(hT[b*H:(b+1)*H], hs)
			copy(cT[b*H:(b+1)*H], cr)
		case c.peephole:
			copy(rin[k+B*H:k+B*H+H], cr)
		default:
			copy(rin[k+B*H:k+B*H+H], hs)
		}
	}
}

// prevCell returns c_{t-1} of example b: a row of cell [T, B, H], or of
// c0 at the first step, nil where it is zero.
func prevCell[T float](cell, c0 []T, t, b, B, H int) []T {
	switch {
	case t > 0:
		return cell[((t-1)*B+b)*H : ((t-1)*B+b+1)*H]
	case c0 != nil:
		return c0[b*H : (b+1)*H]
	}
	return nil
}

// lstmGates sets one row's activations [i f g o] in place from its input
// pre-activations (x W_ih + b) and, if given, its recurrent ones hr: the
// sigmoid of the i, f and o blocks of their sum, and of the g block the
// tanh, or for the peephole variant the sigmoid of the input's alone.
func lstmGates[T float](ac, hr []T, H int, peephole bool) {
	for blk := range 4 {
		a := ac[blk*H : (blk+1)*H]
		var h []T
		if hr != nil && !(peephole && blk == 2) {
			h = hr[blk*H : (blk+1)*H][:len(a)]
		}
		for j, p := range h {
			a[j] = a[j] + p
		}
		gateRow(a, a, blk == 2 && !peephole)
	}
}

// lstmSequence adds the layer's ops for its input nodes (in lstmSeq's
// order) and returns its hidden sequence and last states.
func lstmSequence(c lstmSeq, in G.Nodes) (seq, h, cell *G.Node, err error) {
	out, err := seqApply(newLSTMCell[float32](c), newLSTMCell[float64](c), in)
	if err != nil {
		return nil, nil, nil, err
	}
	return out[0], out[1], out[2], nil
}

// lstmBwdLayout is where the backward buffer keeps each part: the
// gradients, in the order of the inputs that take one, then scratch (dxw:
// the gradient of every step's pre-activations [T, B, 4H], the one
// product of x and of the recurrent input; dh, dc: the gradients reaching
// the state from the step after [B, H]; drec: the peephole variant's
// recurrent pre-activation gradient [B, 4H]; xs, ds, tmp: Flipout's).
type lstmBwdLayout struct {
	dx, dih, dhh, db, dh0, dc0     int
	dxw, dh, dc, drec, xs, ds, tmp int
	size                           int
}

func (c lstmSeq) bwdLayout() lstmBwdLayout {
	B, T, H := c.batch, c.steps, c.hidden
	var b seqBuffer
	var l lstmBwdLayout
	l.dx, l.dih, l.dhh = b.productGrads(c.dataX, B, T, c.ih, c.hh)
	if c.bias {
		l.db = b.next(4 * H)
	}
	if c.h0 {
		l.dh0 = b.next(B * H)
	}
	if c.c0 {
		l.dc0 = b.next(B * H)
	}
	l.dxw, l.dh, l.dc = b.next(B*T*4*H), b.next(B*H), b.next(B*H)
	if c.peephole {
		l.drec = b.next(B * 4 * H)
	}
	l.xs, l.ds, l.tmp = b.flipScratch(B, T, c.ih, c.hh)
	l.size = b.size
	return l
}

// grads returns the offset of each input's gradient, in input order
// (see seqCell.gradOffsets).
func (l lstmBwdLayout) grads(c lstmSeq) []int {
	offs := append([]int{l.dx}, c.ih.gradOffsets(l.dih)...)
	offs = append(offs, c.hh.gradOffsets(l.dhh)...)
	if c.bias {
		offs = append(offs, l.db)
	}
	if c.h0 {
		offs = append(offs, l.dh0)
	}
	if c.c0 {
		offs = append(offs, l.dc0)
	}
	return offs
}

// backward runs back through time once, then takes each weight's gradient
// by one product over every step.
func (lc *lstmCell[T]) backward(in [][]T, outs uint, buf []T) {
	c := lc.lstmSeq
	v, rest := lstmInputs(c, in)
	var gout [3][]T
	fw := splitGrads(rest, outs, gout[:])
	gcT := gout[2]
	B, L, H := c.batch, c.steps, c.hidden
	G4 := 4 * H
	fl, l := c.fwdLayout(), c.bwdLayout()
	xt, rin := fw[fl.xt:], fw[fl.rin:]
	lc.v, lc.fw, lc.bw, lc.gseq, lc.ghT = v, fw, buf, gout[0], gout[1]
	dxw, dh, dc := buf[l.dxw:], buf[l.dh:l.dh+B*H], buf[l.dc:l.dc+B*H]
	xs, ds, tmp := buf[l.xs:], buf[l.ds:], buf[l.tmp:]
	clear(dh)
	if gcT != nil {
		copy(dc, gcT)
	} else {
		clear(dc)
	}
	for t := L - 1; t >= 0; t-- {
		// Little work per row without the exponentials: not worth a
		// hand-over.
		lc.t = t
		lc.backwardRows(0, B)
		if t == 0 && !c.recInit() {
			break
		}
		dt := dxw[t*B*G4 : (t+1)*B*G4]
		if !c.peephole {
			// dh_{t-1} = dpre_t W_hhᵀ
			productInputGrad(c.hh, v.hh, dh, H, dt, G4, B, B, 0, ds, tmp)
			continue
		}
		// The peephole variant's recurrent pre-activation has no
		// candidate block: dc_{t-1} += dpre_t Uᵀ without it.
		drec := buf[l.drec : l.drec+B*G4]
		copy(drec, dt)
		clearCandidate(drec, H)
		productInputGrad(c.hh, v.hh, dc, H, drec, G4, B, B, 1, ds, tmp)
	}
	if c.h0 {
		// Only the plain LSTM reads h0 (see lstmSeq).
		copy(buf[l.dh0:l.dh0+B*H], dh)
	}
	if c.c0 {
		copy(buf[l.dc0:l.dc0+B*H], dc)
	}
	n := B * L
	// The recurrent input is zero at a first step without one.
	productWeightGrads(c.hh, v.hh, buf[l.dhh:], rin, H, dxw, G4, n, B, xs, ds)
	if c.peephole {
		// Not the candidate block: its pre-activation is x W_ih + b alone.
		clearCandidate(buf[l.dhh:l.dhh+c.hh.gradSize()], H)
	}
	if c.bias {
		columnSumKernel(buf[l.db:l.db+G4], dxw[:n*G4])
	}
	var dx []T
	if !c.dataX {
		dx = buf[l.dx:]
	}
	inputProductGrads(c.ih, v.ih, buf[l.dih:], dx, xt, dxw, B, L, xs, ds, tmp)
}

// clearCandidate zeroes the candidate (g) block of every row of m [.., 4H].
func clearCandidate[T float](m []T, H int) {
	for r := 0; r < len(m); r += 4 * H {
		clear(m[r+2*H : r+3*H])
	}
}

// backwardRows runs step lc.t's gradients back through the gates and the
// cell for examples [b0, b1): the pre-activations' into dxw, the cell
// state's into dc.
func (lc *lstmCell[T]) backwardRows(b0, b1 int) {
	c, t := lc.lstmSeq, lc.t
	v, B, L, H := lc.v, c.batch, c.steps, c.hidden
	G4 := 4 * H
	fl, l := c.fwdLayout(), c.bwdLayout()
	act, cell, tc := lc.fw[fl.act:], lc.fw[fl.cell:], lc.fw[fl.tc:]
	dxw, dh, dc := lc.bw[l.dxw:], lc.bw[l.dh:], lc.bw[l.dc:]
	gseq, ghT := lc.gseq, lc.ghT
	for b := b0; b < b1; b++ {
		row := t*B + b
		k := row * H
		// The gradient reaching h_t: from the step after, the sequence
		// and the last state.
		gh := dh[b*H : (b+1)*H]
		if gseq != nil {
			for j, g := range gseq[(b*L+t)*H : (b*L+t+1)*H] {
				gh[j] += g
			}
		}
		if ghT != nil && t == L-1 {
			for j, g := range ghT[b*H : (b+1)*H] {
				gh[j] += g
			}
		}
		// Each block and state as a row of its own, so that the loop
		// checks no bounds.
		ac, dp := act[row*G4:(row+1)*G4], dxw[row*G4:(row+1)*G4]
		ai, af, ag, ao := ac[:H], ac[H:2*H], ac[2*H:3*H], ac[3*H:4*H]
		di, df, dg, do := dp[:H], dp[H:2*H], dp[2*H:3*H], dp[3*H:4*H]
		tcr, cr, dcr := tc[k:k+H], cell[k:k+H], dc[b*H:(b+1)*H]
		cp := prevCell(cell, v.c0, t, b, B, H)
		for j, i := range ai {
			f, g, o, dcv := af[j], ag[j], ao[j], dcr[j]
			var dor T
			if c.peephole {
				// h = tanh(o c), g = sigmoid(x W_ih + b)
				du := gh[j] * (1 - tcr[j]*tcr[j])
				dor = du * cr[j]
				dcv += du * o
				dg[j] = dcv * i * g * (1 - g)
			} else {
				th := tcr[j]
				dcv += gh[j] * o * (1 - th*th)
				dor = gh[j] * th
				dg[j] = dcv * i * (1 - g*g)
			}
			var dfv T
			if cp != nil {
				dfv = dcv * cp[j]
			}
			di[j] = dcv * g * i * (1 - i)
			df[j] = dfv * f * (1 - f)
			do[j] = dor * o * (1 - o)
			dcr[j] = dcv * f
		}
		if c.peephole {
			clear(gh) // h_t does not feed the next step
		}
	}
}
