package bayesnodes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lstmStepUnfused is the LSTM step's elementwise part as Gorgonia's own
// ops: one step of the unrolled graph the sequence ops replace.
func lstmStepUnfused(hidden int, xw, hw, cPrev *G.Node) (h, c *G.Node, err error) {
	H := hidden
	pre := xw
	if hw != nil {
		pre = G.Must(G.Add(xw, hw))
	}
	act := G.Must(G.Sigmoid(pre))
	i := G.Must(cols(act, 0, H))
	o := G.Must(cols(act, 3*H, 4*H))
	g := G.Must(G.Tanh(G.Must(cols(pre, 2*H, 3*H))))
	c = G.Must(G.HadamardProd(i, g))
	if cPrev != nil {
		f := G.Must(cols(act, H, 2*H))
		c = G.Must(G.Add(G.Must(G.HadamardProd(f, cPrev)), c))
	}
	h = G.Must(G.HadamardProd(o, G.Must(G.Tanh(c))))
	return h, c, nil
}

// gradValues runs g twice (the second run reuses the ops' memory) and
// returns the values of outs, then the gradients of loss for wrt.
func gradValues(t *testing.T, g *G.ExprGraph, loss *G.Node, outs, wrt G.Nodes) [][]float64 {
	t.Helper()
	if _, err := G.Grad(loss, wrt...); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for range 2 {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
	}
	var res [][]float64
	for _, n := range outs {
		res = append(res, floatsOf(t, n.Value()))
	}
	for _, n := range wrt {
		d, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, floatsOf(t, d))
	}
	return res
}

// gruStepUnfused is the GRU step's elementwise part as Gorgonia's own ops,
// one step of the unrolled graph the sequence ops replace; hw is [B, 3H],
// the bias [3H] alone, or nil.
func gruStepUnfused(hidden int, xw, hw, h *G.Node) (*G.Node, error) {
	H := hidden
	if hw != nil && hw.Dims() == 1 {
		hw = G.Must(G.Reshape(hw, tensor.Shape{1, 3 * H}))
	}
	rows := func(op func(a, b *G.Node, l, r []byte) (*G.Node, error), a, b *G.Node) *G.Node {
		if b.Shape()[0] == a.Shape()[0] {
			return G.Must(op(a, b, nil, nil))
		}
		return G.Must(op(a, b, nil, []byte{0}))
	}
	rz := G.Must(cols(xw, 0, 2*H))
	n := G.Must(cols(xw, 2*H, 3*H))
	if hw != nil {
		rz = rows(G.BroadcastAdd, rz, G.Must(cols(hw, 0, 2*H)))
	}
	rz = G.Must(G.Sigmoid(rz))
	z := G.Must(cols(rz, H, 2*H))
	if hw != nil {
		rn := rows(G.BroadcastHadamardProd, G.Must(cols(rz, 0, H)), G.Must(cols(hw, 2*H, 3*H)))
		n = G.Must(G.Add(n, rn))
	}
	n = G.Must(G.Tanh(n))
	if h == nil {
		return G.Sub(n, G.Must(G.HadamardProd(z, n)))
	}
	return G.Add(n, G.Must(G.HadamardProd(z, G.Must(G.Sub(h, n)))))
}

// cols returns m[:, lo:hi], keeping the axis.
func cols(m *G.Node, lo, hi int) (*G.Node, error) { return sliceAxis(m, 1, lo, hi) }

// unrolledProduct is a seqProduct as Gorgonia's own ops: x W, or under
// Flipout x mu + ((x ∘ sIn) delta) ∘ sOut.
func unrolledProduct(x *G.Node, w G.Nodes) *G.Node {
	y := G.Must(G.Mul(x, w[0]))
	if len(w) == 1 {
		return y
	}
	pert := G.Must(G.Mul(G.Must(G.HadamardProd(x, w[2])), w[1]))
	return G.Must(G.Add(y, G.Must(G.HadamardProd(pert, w[3]))))
}

// lstmUnrolled is the LSTM the sequence ops replace: the graph unrolled
// over the steps, from Gorgonia's ops, for inputs in lstmSeq's order.
func lstmUnrolled(c lstmSeq, in G.Nodes) (seq, h, cell *G.Node) {
	B, H := c.batch, c.hidden
	ih, rest := in[1:1+c.ih.nodes()], in[1+c.ih.nodes():]
	hh, rest := rest[:c.hh.nodes()], rest[c.hh.nodes():]
	var bias, h0, c0 *G.Node
	if c.bias {
		bias, rest = rest[0], rest[1:]
	}
	if c.h0 {
		h0, rest = rest[0], rest[1:]
	}
	if c.c0 {
		c0 = rest[0]
	}
	xt := G.Must(G.Transpose(in[0], 1, 0, 2))
	h, cell = h0, c0
	var hs G.Nodes
	for t := range c.steps {
		xw := unrolledProduct(G.Must(G.Slice(xt, G.S(t))), ih)
		if bias != nil {
			xw = G.Must(G.BroadcastAdd(xw, bias, nil, []byte{0}))
		}
		if !c.peephole {
			var hw *G.Node
			if h != nil {
				hw = unrolledProduct(h, hh)
			}
			var err error
			if h, cell, err = lstmStepUnfused(H, xw, hw, cell); err != nil {
				panic(err)
			}
		} else {
			pre := xw
			if cell != nil {
				pre = G.Must(G.Add(xw, unrolledProduct(cell, hh)))
			}
			act := G.Must(G.Sigmoid(pre))
			i, o := G.Must(cols(act, 0, H)), G.Must(cols(act, 3*H, 4*H))
			g := G.Must(G.Sigmoid(G.Must(cols(xw, 2*H, 3*H))))
			next := G.Must(G.HadamardProd(i, g))
			if cell != nil {
				f := G.Must(cols(act, H, 2*H))
				next = G.Must(G.Add(G.Must(G.HadamardProd(f, cell)), next))
			}
			cell = next
			h = G.Must(G.Tanh(G.Must(G.HadamardProd(o, cell))))
		}
		hs = append(hs, G.Must(G.Reshape(h, tensor.Shape{B, 1, H})))
	}
	if len(hs) == 1 {
		return hs[0], h, cell
	}
	return G.Must(G.Concat(1, hs...)), h, cell
}

// gruUnrolled is the GRU the sequence ops replace: the graph unrolled
// over the steps, from Gorgonia's ops, for inputs in gruSeq's order.
func gruUnrolled(c gruSeq, in G.Nodes) (seq, h *G.Node) {
	B, H := c.batch, c.hidden
	ih, rest := in[1:1+c.ih.nodes()], in[1+c.ih.nodes():]
	hh, rest := rest[:c.hh.nodes()], rest[c.hh.nodes():]
	var bih, bhh *G.Node
	if c.bias {
		bih, bhh, rest = rest[0], rest[1], rest[2:]
	}
	if c.h0 {
		h = rest[0]
	}
	xt := G.Must(G.Transpose(in[0], 1, 0, 2))
	var hs G.Nodes
	for t := range c.steps {
		xw := unrolledProduct(G.Must(G.Slice(xt, G.S(t))), ih)
		hw := bhh
		if bih != nil {
			xw = G.Must(G.BroadcastAdd(xw, bih, nil, []byte{0}))
		}
		if h != nil {
			hw = unrolledProduct(h, hh)
			if bhh != nil {
				hw = G.Must(G.BroadcastAdd(hw, bhh, nil, []byte{0}))
			}
		}
		h = G.Must(gruStepUnfused(H, xw, hw, h))
		hs = append(hs, G.Must(G.Reshape(h, tensor.Shape{B, 1, H})))
	}
	if len(hs) == 1 {
		return hs[0], h
	}
	return G.Must(G.Concat(1, hs...)), h
}

// seqRun builds a layer by build for random inputs of the given shapes
// (signs where diff is false), reads out L = sum_k sum(out_k R_k) for
// fixed random R_k, and returns the outputs' values, then the gradients
// of L for every input that takes one.
func seqRun(t *testing.T, dt tensor.Dtype, shapes []tensor.Shape, diff []bool, build func(G.Nodes) G.Nodes) [][]float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 1))
	g := G.NewGraph()
	var in, wrt G.Nodes
	for i, s := range shapes {
		v := make([]float64, s.TotalSize())
		for j := range v {
			v[j] = 0.7 * rng.NormFloat64()
			if !diff[i] { // signs
				v[j] = float64(2*rng.IntN(2) - 1)
			}
		}
		n := G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithName(fmt.Sprintf("in%d", i)), G.WithValue(denseOf(dt, s, v)))
		in = append(in, n)
		if diff[i] {
			wrt = append(wrt, n)
		}
	}
	outs := build(in)
	loss := G.NewScalar(g, dt, G.WithValue(zeroValue(dt)))
	for _, out := range outs {
		s := out.Shape()
		r := make([]float64, s.TotalSize())
		for j := range r {
			r[j] = rng.NormFloat64()
		}
		w := G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithValue(denseOf(dt, s, r)))
		loss = G.Must(G.Add(loss, G.Must(G.Sum(G.Must(G.HadamardProd(out, w))))))
	}
	// Read as they are computed: the TapeMachine may overwrite an
	// intermediate value later in the run (Gorgonia #576).
	vals := make([]G.Value, len(outs))
	for i, out := range outs {
		G.Read(out, &vals[i])
	}
	grads := gradValues(t, g, loss, nil, wrt)
	var res [][]float64
	for _, v := range vals {
		res = append(res, floatsOf(t, v))
	}
	return append(res, grads...)
}

func zeroValue(dt tensor.Dtype) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(0)
	}
	return G.NewF64(0)
}

// compareUnrolled compares the sequence ops' outputs (the first nOut of
// got) and gradients with the unrolled graph's (want): the outputs bit for
// bit in float64 (the same products, sums and activations in the same
// order), the gradients to 1e-12 (summed over the steps in another
// order); in float32 to float32's precision, 1e-6 relative (the
// sequence ops' gates come from vector kernels within 1 ulp of the
// correctly rounded values, the unrolled graph's from float64 math, so
// the outputs differ in the last bits).
func compareUnrolled(t *testing.T, name string, dt tensor.Dtype, nOut int, got, want [][]float64) {
	t.Helper()
	valueTol, gradTol := 0.0, 1e-12
	if dt == tensor.Float32 {
		valueTol, gradTol = 1e-6, 1e-5
	}
	for k := range want {
		tol, what := gradTol, fmt.Sprintf("gradient of input %d", k-nOut)
		if k < nOut {
			tol, what = valueTol, fmt.Sprintf("output %d", k)
		}
		if len(got[k]) != len(want[k]) {
			t.Fatalf("%s: %s has %d values, the unrolled graph %d", name, what, len(got[k]), len(want[k]))
		}
		for i := range want[k] {
			if g, w := got[k][i], want[k][i]; math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) || math.IsNaN(g) {
				t.Errorf("%s: %s[%d] = %v, the unrolled graph gives %v", name, what, i, g, w)
				break
			}
		}
	}
}

// TestLSTMSequenceMatchesUnrolled compares the LSTM's sequence ops with
// the unrolled graph of Gorgonia's ops (see compareUnrolled), for each
// variant, estimator and initial state, in both dtypes.
func TestLSTMSequenceMatchesUnrolled(t *testing.T) {
	check := func(name string, dt tensor.Dtype, c lstmSeq) {
		t.Helper()
		got := seqRun(t, dt, c.inputShapes(), c.diffWRT(), func(in G.Nodes) G.Nodes {
			seq, h, cell, err := lstmSequence(c, in)
			if err != nil {
				t.Fatal(err)
			}
			return G.Nodes{seq, h, cell}
		})
		want := seqRun(t, dt, c.inputShapes(), c.diffWRT(), func(in G.Nodes) G.Nodes {
			seq, h, cell := lstmUnrolled(c, in)
			return G.Nodes{seq, h, cell}
		})
		compareUnrolled(t, name, dt, 3, got, want)
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, peephole := range []bool{false, true} {
			for _, flip := range []bool{false, true} {
				for _, state := range []bool{false, true} {
					for _, bias := range []bool{false, true} {
						const B, T, In, H = 3, 4, 2, 5
						c := lstmSeq{batch: B, steps: T, hidden: H, peephole: peephole,
							ih: seqProduct{In, 4 * H, flip}, hh: seqProduct{H, 4 * H, flip}, bias: bias,
							h0: state && !peephole, c0: state}
						check(fmt.Sprintf("%v/peephole=%t/flipout=%t/state=%t/bias=%t", dt, peephole, flip, state, bias), dt, c)
					}
				}
			}
		}
	}
	// Large enough that a step's rows are split between goroutines.
	check("float64/batch=16/hidden=64", tensor.Float64,
		lstmSeq{batch: 16, steps: 3, hidden: 64, ih: seqProduct{3, 256, false}, hh: seqProduct{64, 256, false}, bias: true, h0: true, c0: true})
	check("float64/steps=1", tensor.Float64,
		lstmSeq{batch: 2, steps: 1, hidden: 3, ih: seqProduct{2, 12, true}, hh: seqProduct{3, 12, true}, bias: true, h0: true, c0: true})
}

// TestGRUSequenceMatchesUnrolled is TestLSTMSequenceMatchesUnrolled for
// the GRU.
func TestGRUSequenceMatchesUnrolled(t *testing.T) {
	check := func(name string, dt tensor.Dtype, c gruSeq) {
		t.Helper()
		got := seqRun(t, dt, c.inputShapes(), c.diffWRT(), func(in G.Nodes) G.Nodes {
			seq, h, err := gruSequence(c, in)
			if err != nil {
				t.Fatal(err)
			}
			return G.Nodes{seq, h}
		})
		want := seqRun(t, dt, c.inputShapes(), c.diffWRT(), func(in G.Nodes) G.Nodes {
			seq, h := gruUnrolled(c, in)
			return G.Nodes{seq, h}
		})
		compareUnrolled(t, name, dt, 2, got, want)
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, flip := range []bool{false, true} {
			for _, state := range []bool{false, true} {
				for _, bias := range []bool{false, true} {
					const B, T, In, H = 3, 4, 2, 5
					c := gruSeq{batch: B, steps: T, hidden: H, ih: seqProduct{In, 3 * H, flip}, hh: seqProduct{H, 3 * H, flip},
						bias: bias, h0: state}
					check(fmt.Sprintf("%v/flipout=%t/state=%t/bias=%t", dt, flip, state, bias), dt, c)
				}
			}
		}
	}
	check("float64/batch=16/hidden=64", tensor.Float64,
		gruSeq{batch: 16, steps: 3, hidden: 64, ih: seqProduct{3, 192, false}, hh: seqProduct{64, 192, false}, bias: true, h0: true})
	check("float64/steps=1", tensor.Float64,
		gruSeq{batch: 2, steps: 1, hidden: 3, ih: seqProduct{2, 9, true}, hh: seqProduct{3, 9, true}, bias: true, h0: true})
}
