package bayesnodes

// The recurrent layers run a whole sequence as a few ops rather than a
// graph unrolled over the steps: at hidden 64, length 32 and batch 32 the
// unrolled LSTM was some 900 nodes, each with Gorgonia's per-node
// bookkeeping (5,700 allocations a training step) and its gradients summed
// over the steps by an Add node each. The ops of one layer application:
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
// The forward values are the unrolled graph's bit for bit: the same
// products (one BLAS call per step and product, of the same sizes), sums
// and activations in the same order. The gradients are summed over the
// steps by one product each rather than step by step, so they differ from
// the unrolled graph's in the last bits.

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
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
