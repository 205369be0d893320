package bayesnodes

// The recurrent layers run a whole sequence as a few ops rather than a
// graph unrolled over the steps: at hidden 64, length 32 and batch 32 the
// unrolled LSTM was some 900 nodes, each with Gorgonia's per-node
// bookkeeping (5,700 allocations a training step) and its weights'
// gradients summed over the steps by an Add node each. The ops of one
// layer application:
//
//	fwd    = seq(x, weights..., [bias], [h0], [c0])   -> one flat buffer
//	anchor = seq.anchor(x, weights..., ..., fwd)      -> a scalar zero
//	out    = seqPart(fwd, anchor)                     -> views of fwd: the hidden sequence, the final states
//	bwd    = seq.grad(x, weights..., ..., fwd, gout...) -> one flat buffer
//	dIn    = seqPart(bwd)                             -> views of bwd: each input's gradient
//
// fwd runs every step and keeps, beside the outputs, what the backward
// pass reads (the gates' activations, the states), in memory of its own;
// bwd runs back through time once and writes every input's gradient. The
// pattern is the fused sample's (gaussian_sample_kl.go): fwd is not
// differentiated; the anchor is what the inputs are differentiated
// through; the output views record the gradients reaching them and hand
// the anchor a zero, and the anchor's gradient is then bwd, whose parts
// are handed to the inputs as views. The views' readers see fwd's memory;
// the backward pass reads only fwd's other parts, so an op that writes
// into its input in place may take a view.
//
// In float64 the forward values are the unrolled graph's bit for bit: the
// same products (one BLAS call per step and product, of the same sizes),
// sums and activations in the same order. In float32 the gates'
// activations come from vector kernels (gateRow), within 1 ulp of the
// correctly rounded ones: the rest is the unrolled graph's arithmetic. The gradients are summed over the
// steps by one product each rather than step by step, so they differ from
// the unrolled graph's in the last bits.

import (
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
	"github.com/gorgonia-bnn/bnn/internal/sigtanh"
)

// seqProduct is a recurrent layer's weight product y = x W for rows x
// [rows, in] and weights [in, out], as the sequence ops compute it: by a
// sampled W, or under Flipout (flip) as the unrolled graph's sampleFlipout
// did,
//
//	y = x mu + ((x ∘ sIn) delta) ∘ sOut
//
// with each example's signs sIn [batch, in] and sOut [batch, out].
type seqProduct struct {
	in, out int
	flip    bool
}

// nodes returns the number of input nodes the product takes: W, or mu,
// delta, sIn and sOut.
func (p seqProduct) nodes() int {
	if p.flip {
		return 4
	}
	return 1
}

// diffWRT returns which of its nodes take a gradient: not the signs.
func (p seqProduct) diffWRT() []bool {
	if p.flip {
		return []bool{true, true, false, false}
	}
	return []bool{true}
}

// shapes returns its nodes' shapes for a batch.
func (p seqProduct) shapes(batch int) []tensor.Shape {
	w := tensor.Shape{p.in, p.out}
	if p.flip {
		return []tensor.Shape{w, w, {batch, p.in}, {batch, p.out}}
	}
	return []tensor.Shape{w}
}

// gradSize returns the size of its weights' gradients: W's, or mu's and
// delta's.
func (p seqProduct) gradSize() int {
	if p.flip {
		return 2 * p.in * p.out
	}
	return p.in * p.out
}

// gradOffsets returns where its nodes' gradients lie in a buffer whose
// weight gradients start at off (0 for the signs, which take none).
func (p seqProduct) gradOffsets(off int) []int {
	if p.flip {
		return []int{off, off + p.in*p.out, 0, 0}
	}
	return []int{off}
}

// productsShapes returns the shapes of a recurrent layer's first inputs:
// x [B, T, In], then the input and recurrent products' nodes.
func productsShapes(B, T int, ih, hh seqProduct) []tensor.Shape {
	s := []tensor.Shape{{B, T, ih.in}}
	s = append(s, ih.shapes(B)...)
	return append(s, hh.shapes(B)...)
}

// productsDiffWRT returns which of a recurrent layer's inputs take a
// gradient: x unless it is the data, the products' nodes but the signs,
// and the rest (biases, initial states) up to inputs in all.
func productsDiffWRT(data bool, ih, hh seqProduct, inputs int) []bool {
	d := []bool{!data}
	d = append(d, ih.diffWRT()...)
	d = append(d, hh.diffWRT()...)
	for len(d) < inputs {
		d = append(d, true)
	}
	return d
}

// weightNodes returns p's draw in b's graph as a seqProduct reads it (see
// Estimator.drawFor, which made it): the sampled weights, or under Flipout
// mu, the perturbation and the signs.
func weightNodes(b *graph.Builder, e Estimator, p Posterior, batch int) (G.Nodes, seqProduct, error) {
	ws := p.Mean().Shape()
	prod := seqProduct{in: ws[0], out: ws[1], flip: e.in(b) == Flipout}
	if prod.flip {
		f, err := flipout(b, p, batch, ws[0], ws[1])
		return G.Nodes{f.mu, f.delta, f.sIn, f.sOut}, prod, err
	}
	w, err := p.Sample(b)
	return G.Nodes{w}, prod, err
}

// sequenceWeights returns the nodes of a recurrent layer's input and
// recurrent products, ih's then hh's (see weightNodes), and the products.
func sequenceWeights(b *graph.Builder, e Estimator, ih, hh Posterior, batch int) (G.Nodes, seqProduct, seqProduct, error) {
	in, pi, err := weightNodes(b, e, ih, batch)
	if err != nil {
		return nil, pi, pi, err
	}
	w, ph, err := weightNodes(b, e, hh, batch)
	return append(in, w...), pi, ph, err
}

// seqWeights are a product's input values: W (mu under Flipout), and
// under Flipout delta and the signs.
type seqWeights[T float] struct {
	w, delta, sIn, sOut []T
}

// weights reads a product's values from in, and returns the rest.
func weights[T float](p seqProduct, in [][]T) (seqWeights[T], [][]T) {
	if p.flip {
		return seqWeights[T]{in[0], in[1], in[2], in[3]}, in[4:]
	}
	return seqWeights[T]{w: in[0]}, in[1:]
}

// productForward sets y [rows, out] (rows ldy apart) to x W for x's rows
// (ldx apart), row r being example r. Under Flipout xs [rows, in] and py
// [rows, out] are scratch.
func productForward[T float](p seqProduct, v seqWeights[T], y []T, ldy int, x []T, ldx, rows int, xs, py []T) {
	blasGemm(blas.NoTrans, blas.NoTrans, rows, p.out, p.in, x, ldx, v.w, p.out, 0, y, ldy)
	if !p.flip {
		return
	}
	signRows(xs, x, ldx, v.sIn, p.in, rows, rows)
	blasGemm(blas.NoTrans, blas.NoTrans, rows, p.out, p.in, xs, p.in, v.delta, p.out, 0, py, p.out)
	for r := range rows {
		yr, pr, sr := y[r*ldy:r*ldy+p.out], py[r*p.out:(r+1)*p.out], v.sOut[r*p.out:(r+1)*p.out]
		for j, q := range pr {
			yr[j] = yr[j] + q*sr[j]
		}
	}
}

// productWeightGrads sets g, the weights' gradients (W's, or mu's then
// delta's), from n rows x [n, in] (ldx apart) and the output's gradient
// dy [n, out] (ldy apart), row r being example r % batch. Under Flipout
// xs [n, in] and ds [n, out] are scratch.
func productWeightGrads[T float](p seqProduct, v seqWeights[T], g, x []T, ldx int, dy []T, ldy, n, batch int, xs, ds []T) {
	size := p.in * p.out
	blasGemm(blas.Trans, blas.NoTrans, p.in, p.out, n, x, ldx, dy, ldy, 0, g[:size], p.out)
	if !p.flip {
		return
	}
	signRows(xs, x, ldx, v.sIn, p.in, n, batch)
	signRows(ds, dy, ldy, v.sOut, p.out, n, batch)
	blasGemm(blas.Trans, blas.NoTrans, p.in, p.out, n, xs, p.in, ds, p.out, 0, g[size:2*size], p.out)
}

// productInputGrad sets dx [n, in] (rows lddx apart) to beta dx + dy Wᵀ
// (+ ((dy ∘ sOut) deltaᵀ) ∘ sIn under Flipout) for the output's gradient
// dy [n, out] (ldy apart), row r being example r % batch. Under Flipout
// ds [n, out] and tmp [n, in] are scratch.
func productInputGrad[T float](p seqProduct, v seqWeights[T], dx []T, lddx int, dy []T, ldy, n, batch int, beta T, ds, tmp []T) {
	blasGemm(blas.NoTrans, blas.Trans, n, p.in, p.out, dy, ldy, v.w, p.out, beta, dx, lddx)
	if !p.flip {
		return
	}
	signRows(ds, dy, ldy, v.sOut, p.out, n, batch)
	blasGemm(blas.NoTrans, blas.Trans, n, p.in, p.out, ds, p.out, v.delta, p.out, 0, tmp, p.in)
	for r := range n {
		e := r % batch
		dr, tr, sr := dx[r*lddx:r*lddx+p.in], tmp[r*p.in:(r+1)*p.in], v.sIn[e*p.in:(e+1)*p.in]
		for k, q := range tr {
			dr[k] += q * sr[k]
		}
	}
}

// signRows sets dst [n, cols] to src's rows (ld apart) times their
// example's signs, s [batch, cols], row r being example r % batch.
func signRows[T float](dst, src []T, ld int, s []T, cols, n, batch int) {
	for r := range n {
		e := r % batch
		d, x, sr := dst[r*cols:(r+1)*cols], src[r*ld:r*ld+cols], s[e*cols:(e+1)*cols]
		for k, v := range x {
			d[k] = v * sr[k]
		}
	}
}

// startSequence lays out x [B, T, In] time major in xt [T, B, In], and
// sets the first step's recurrent input rin0 [B, H] to init, or zeros.
func startSequence[T float](xt, rin0, x, init []T, B, L, In int) {
	for b := range B {
		for t := range L {
			copy(xt[(t*B+b)*In:(t*B+b+1)*In], x[(b*L+t)*In:(b*L+t+1)*In])
		}
	}
	if init != nil {
		copy(rin0, init)
	} else {
		clear(rin0)
	}
}

// addBiasRows adds bias (none if nil) to every row of m, rows of
// len(bias), as fusedBiasAdd does.
func addBiasRows[T float](m, bias []T) {
	if bias == nil {
		return
	}
	for r := 0; r+len(bias) <= len(m); r += len(bias) {
		row := m[r : r+len(bias)]
		for j, w := range bias {
			row[j] = row[j] + w
		}
	}
}

// inputProductGrads sets, from the gradient dxw [T, B, out] of every
// step's x_t W_ih, the gradient of W_ih (dw) and, unless dx is nil, of x
// [B, T, In]; xt is x time major [T, B, In]. xs, ds and tmp are Flipout's
// scratch.
func inputProductGrads[T float](p seqProduct, v seqWeights[T], dw, dx, xt, dxw []T, B, L int, xs, ds, tmp []T) {
	productWeightGrads(p, v, dw, xt, p.in, dxw, p.out, B*L, B, xs, ds)
	if dx == nil {
		return
	}
	// dx is batch first: a step's rows are L*In apart.
	for t := range L {
		productInputGrad(p, v, dx[t*p.in:], L*p.in, dxw[t*B*p.out:], p.out, B, B, 0, ds, tmp)
	}
}

// gateRow sets y to sigmoid(x), or to tanh(x); y may be x. In float32
// by package sigtanh's vector kernels, within 1 ulp of the correctly
// rounded results (a gate's exponential or tanh one by one was a third of
// a step); in float64 element by element as the unrolled graph computed
// them: Gorgonia's sigmoid, 1/(1+e^-x) cut to 0 and 1 where it rounds,
// and math.Tanh.
func gateRow[T float](y, x []T, tanh bool) {
	if x32, ok := any(x).([]float32); ok {
		if y32 := any(y).([]float32); tanh {
			sigtanh.Tanh(y32, x32)
		} else {
			sigtanh.Sigmoid(y32, x32)
		}
		return
	}
	x64, y64 := any(x).([]float64), any(y).([]float64)[:len(x)]
	for j, v := range x64 {
		switch {
		case tanh:
			y64[j] = math.Tanh(v)
		case v < -709:
			y64[j] = 0
		case v > 19:
			y64[j] = 1
		default:
			y64[j] = 1 / (1 + math.Exp(-v))
		}
	}
}

// seqLink is what the ops of one layer application share: the gradients
// reaching its output views, recorded by their Grads for the anchor's.
type seqLink struct {
	grads []*G.Node // one per output view, nil where none reaches a loss
}

// seqPart is a view of elements [off, off+size) of a flat buffer as a
// tensor of its own: with slot, an output of the forward op, read from
// (fwd, anchor), whose gradient it records in the link (see recordGrad);
// without, a gradient, read from bwd.
type seqPart[T float] struct {
	name  string
	off   int
	shape tensor.Shape
	link  *seqLink
	slot  int // the output's index in link.grads
}

func (m seqPart[T]) String() string {
	return fmt.Sprintf("bayesnodes.seqPart(%s, %d, %v)", m.name, m.off, m.shape)
}

func (m seqPart[T]) Ranks() ([]int, int) {
	if m.link != nil {
		return []int{1, opkit.Scalar}, len(m.shape)
	}
	return []int{1}, len(m.shape)
}

func (m seqPart[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if n := in[0].TotalSize(); n < m.off+m.shape.TotalSize() {
		return nil, fmt.Errorf("a view of elements [%d, %d) of a buffer of %d", m.off, m.off+m.shape.TotalSize(), n)
	}
	return m.shape.Clone(), nil
}

func (m seqPart[T]) Offset([]tensor.Shape) int { return m.off }

func (m seqPart[T]) Eval(*opkit.Args[T]) error {
	return fmt.Errorf("%v is a view: it has no Eval", m)
}

func (m seqPart[T]) DiffWRT() []bool {
	if m.link != nil {
		return []bool{false, true}
	}
	return []bool{false}
}

// Grad records an output's gradient for the anchor's Grad.
func (m seqPart[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if m.link == nil {
		return nil, fmt.Errorf("%v is a gradient and has none", m)
	}
	return recordGrad[T](&m.link.grads[m.slot], len(m.shape), grad)
}

// seqBuffer lays out a flat buffer part by part: next returns the
// elements of the next part of n elements.
type seqBuffer struct{ size int }

func (l *seqBuffer) next(n int) int {
	off := l.size
	l.size += n
	return off
}

// productGrads lays out the gradients of x [B, T, In] (none for data) and
// of the input and recurrent products' weights.
func (l *seqBuffer) productGrads(data bool, B, T int, ih, hh seqProduct) (dx, dih, dhh int) {
	if !data {
		dx = l.next(B * T * ih.in)
	}
	return dx, l.next(ih.gradSize()), l.next(hh.gradSize())
}

// flipScratch lays out the backward pass's scratch for Flipout, if either
// product is Flipout's, over the rows of every step.
func (l *seqBuffer) flipScratch(B, T int, ih, hh seqProduct) (xs, ds, tmp int) {
	if !ih.flip && !hh.flip {
		return 0, 0, 0
	}
	w := B * T * max(ih.in, hh.in)
	return l.next(w), l.next(B * T * ih.out), l.next(w)
}

// checkShapes reports the first of in that is not the shape want says.
func checkShapes(in, want []tensor.Shape) error {
	if len(in) != len(want) {
		return fmt.Errorf("%d inputs, want %d", len(in), len(want))
	}
	for i, s := range in {
		if !s.Eq(want[i]) {
			return fmt.Errorf("input %d has shape %v, want %v", i, s, want[i])
		}
	}
	return nil
}

// seqCell is a recurrent layer as the sequence ops run it: its inputs, the
// outputs and size of its forward buffer, the size of its backward buffer
// and where each input's gradient lies in it, and its two passes. Its
// values may keep a run's state: the ops of one application share one,
// and never run at once.
type seqCell[T float] interface {
	fmt.Stringer // every parameter, for the ops' hash
	inputShapes() []tensor.Shape
	diffWRT() []bool // per input
	outputs() []seqOutput
	fwdSize() int
	bwdSize() int
	gradOffsets() []int // per input; those without a gradient are ignored
	// forward sets the forward buffer fw from the inputs.
	forward(in [][]T, fw []T)
	// backward sets the backward buffer bw from in: the inputs, the
	// forward buffer, then the gradients of the outputs in outs (a bit
	// per output), in order.
	backward(in [][]T, outs uint, bw []T)
}

// seqOutput is one output of a forward buffer: elements [off,
// off+shape.TotalSize()).
type seqOutput struct {
	name  string
	off   int
	shape tensor.Shape
}

// seqApply adds a layer application's ops for its input nodes (c32 and c64
// are the cell for either dtype) and returns its outputs.
func seqApply(c32 seqCell[float32], c64 seqCell[float64], in G.Nodes) ([]*G.Node, error) {
	fwd, err := opkit.Apply(seqFwd[float32]{c32}, seqFwd[float64]{c64}, in...)
	if err != nil {
		return nil, err
	}
	outs := c64.outputs()
	link := &seqLink{grads: make([]*G.Node, len(outs))}
	anchor, err := opkit.Apply(seqAnchor[float32]{c32, link}, seqAnchor[float64]{c64, link}, append(append(G.Nodes{}, in...), fwd)...)
	if err != nil {
		return nil, err
	}
	nodes := make([]*G.Node, len(outs))
	for i, o := range outs {
		m := seqPart[float64]{name: o.name, off: o.off, shape: o.shape, link: link, slot: i}
		if nodes[i], err = opkit.Apply(seqPart[float32](m), m, fwd, anchor); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

// seqFwd runs a cell forward: (inputs...) -> the forward buffer. It is
// not differentiated: the anchor is.
type seqFwd[T float] struct{ cell seqCell[T] }

func (m seqFwd[T]) String() string      { return fmt.Sprintf("bayesnodes.seq(%v)", m.cell) }
func (m seqFwd[T]) Ranks() ([]int, int) { return ranks(m.cell.inputShapes()), 1 }
func (m seqFwd[T]) DiffWRT() []bool     { return make([]bool, len(m.cell.inputShapes())) }

func (m seqFwd[T]) Grad(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated: its anchor is", m)
}

func (m seqFwd[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := checkShapes(in, m.cell.inputShapes()); err != nil {
		return nil, err
	}
	return tensor.Shape{m.cell.fwdSize()}, nil
}

func (m seqFwd[T]) Eval(a *opkit.Args[T]) error {
	m.cell.forward(a.In, a.Out)
	return nil
}

// seqAnchor is (inputs..., fwd) -> 0, what the inputs are differentiated
// through (see the file's comment).
type seqAnchor[T float] struct {
	cell seqCell[T]
	link *seqLink
}

func (m seqAnchor[T]) String() string { return fmt.Sprintf("bayesnodes.seq.anchor(%v)", m.cell) }

func (m seqAnchor[T]) Ranks() ([]int, int) {
	return append(ranks(m.cell.inputShapes()), 1), opkit.Scalar
}

func (m seqAnchor[T]) DiffWRT() []bool { return append(m.cell.diffWRT(), false) }

func (m seqAnchor[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := checkShapes(in[:len(in)-1], m.cell.inputShapes()); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

func (m seqAnchor[T]) Eval(a *opkit.Args[T]) error {
	a.Out[0] = 0
	return nil
}

// Grad adds the backward pass, from the gradients the output views
// recorded, and hands each input a view of its gradient.
func (m seqAnchor[T]) Grad(in G.Nodes, _, _ *G.Node) (G.Nodes, error) {
	g := seqGrad[T]{cell: m.cell}
	args := append(G.Nodes{}, in...)
	for i, n := range m.link.grads {
		if n != nil {
			g.outs |= 1 << i
			args = append(args, n)
		}
	}
	bwd, err := opkit.ApplyOf[T](g, args...)
	if err != nil {
		return nil, err
	}
	out := make(G.Nodes, len(in))
	shapes, offs := m.cell.inputShapes(), m.cell.gradOffsets()
	for i, d := range m.cell.diffWRT() {
		if !d {
			continue
		}
		v := seqPart[T]{name: fmt.Sprintf("grad%d", i), off: offs[i], shape: shapes[i]}
		if out[i], err = opkit.ApplyOf[T](v, bwd); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// seqGrad is (inputs..., fwd, gradients of the outputs in outs) -> the
// backward buffer.
type seqGrad[T float] struct {
	cell seqCell[T]
	outs uint // a bit per output whose gradient is given
}

func (m seqGrad[T]) String() string {
	return fmt.Sprintf("bayesnodes.seq.grad(%v, %b)", m.cell, m.outs)
}

func (m seqGrad[T]) shapes() []tensor.Shape {
	s := append(m.cell.inputShapes(), tensor.Shape{m.cell.fwdSize()})
	for i, o := range m.cell.outputs() {
		if m.outs&(1<<i) != 0 {
			s = append(s, o.shape)
		}
	}
	return s
}

func (m seqGrad[T]) Ranks() ([]int, int) { return ranks(m.shapes()), 1 }

func (m seqGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := checkShapes(in, m.shapes()); err != nil {
		return nil, err
	}
	return tensor.Shape{m.cell.bwdSize()}, nil
}

func (m seqGrad[T]) Eval(a *opkit.Args[T]) error {
	m.cell.backward(a.In, m.outs, a.Out)
	return nil
}

// splitGrads returns, from the backward op's inputs past the layer's
// (the forward buffer, then the given outputs' gradients), the forward
// buffer and the gradient of each output, nil where not given.
func splitGrads[T float](rest [][]T, outs uint, gout [][]T) (fw []T) {
	fw, rest = rest[0], rest[1:]
	for i := range gout {
		gout[i] = nil
		if outs&(1<<i) != 0 {
			gout[i], rest = rest[0], rest[1:]
		}
	}
	return fw
}

// ranks returns the ranks of shapes.
func ranks(shapes []tensor.Shape) []int {
	r := make([]int, len(shapes))
	for i, s := range shapes {
		r[i] = len(s)
	}
	return r
}

// rowSplit runs a step's elementwise work over the batch's rows: on two
// goroutines where a step's rows hold enough work to pay for the hand-over
// (parallelRows), else on the caller's. The examples are independent, so
// the results do not depend on the split. part is bound once, so a step
// allocates nothing.
type rowSplit struct {
	parts int
	part  func(part, _ int) // runs the rows of one part
}

// parallelRows is the least batch × hidden worth a second goroutine: at
// hidden 64 a step's rows of 16 examples take some 70 µs forward (five
// exponentials or tanh of ~13 ns per unit) in float64, against a few µs
// to hand half of them over. In float32 the vector kernels take a tenth of
// that, and one goroutine measured level with two (within the noise of a
// shared two-core machine), so the split stays.
const parallelRows = 1024

func newRowSplit(batch, hidden int, rows func(b0, b1 int)) rowSplit {
	s := rowSplit{parts: 1}
	if batch >= 2 && batch*hidden >= parallelRows {
		s.parts = 2
	}
	s.part = func(part, _ int) { rows(part*batch/s.parts, (part+1)*batch/s.parts) }
	return s
}

// run runs every part.
func (s rowSplit) run() {
	if s.parts == 1 || runtime.GOMAXPROCS(0) == 1 {
		for p := range s.parts {
			s.part(p, p+1)
		}
		return
	}
	parallel.Each(s.parts, s.part)
}
