package bayesnodes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

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

// lstmSeqRun builds the layer by build for random inputs, reads out L =
// sum(seq R1) + sum(h R2) + sum(c R3) for fixed random R, and returns the
// outputs' values, then the gradients of L for every input that takes one.
func lstmSeqRun(t *testing.T, dt tensor.Dtype, c lstmSeq, build func(lstmSeq, G.Nodes) (*G.Node, *G.Node, *G.Node)) [][]float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 1))
	g := G.NewGraph()
	var in, wrt G.Nodes
	for i, s := range c.inputShapes() {
		v := make([]float64, s.TotalSize())
		for j := range v {
			v[j] = 0.7 * rng.NormFloat64()
		}
		diff := c.diffWRT()[i]
		if !diff { // signs
			for j := range v {
				v[j] = float64(2*rng.IntN(2) - 1)
			}
		}
		n := G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithName(fmt.Sprintf("in%d", i)), G.WithValue(denseOf(dt, s, v)))
		in = append(in, n)
		if diff {
			wrt = append(wrt, n)
		}
	}
	seq, h, cell := build(c, in)
	loss := G.NewScalar(g, dt, G.WithValue(zeroValue(dt)))
	for _, out := range []*G.Node{seq, h, cell} {
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
	vals := make([]G.Value, 3)
	for i, out := range []*G.Node{seq, h, cell} {
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

// TestLSTMSequenceMatchesUnrolled compares the sequence ops with the
// unrolled graph of Gorgonia's ops: the outputs bit for bit in float64
// (the same products, sums and activations in the same order), the
// gradients of every input to 1e-12 (summed over the steps in another
// order), for each variant, estimator and initial state; in float32 to
// float32's precision.
func TestLSTMSequenceMatchesUnrolled(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, peephole := range []bool{false, true} {
			for _, flip := range []bool{false, true} {
				for _, state := range []bool{false, true} {
					for _, bias := range []bool{false, true} {
						const B, T, In, H = 3, 4, 2, 5
						c := lstmSeq{batch: B, steps: T, hidden: H, peephole: peephole,
							ih: seqProduct{In, 4 * H, flip}, hh: seqProduct{H, 4 * H, flip}, bias: bias,
							h0: state && !peephole, c0: state}
						name := fmt.Sprintf("%v/peephole=%t/flipout=%t/state=%t/bias=%t", dt, peephole, flip, state, bias)
						checkLSTMSequence(t, name, dt, c)
					}
				}
			}
		}
	}
	// Large enough that a step's rows are split between goroutines.
	checkLSTMSequence(t, "float64/batch=16/hidden=64", tensor.Float64,
		lstmSeq{batch: 16, steps: 3, hidden: 64, ih: seqProduct{3, 256, false}, hh: seqProduct{64, 256, false}, bias: true, h0: true, c0: true})
}

func checkLSTMSequence(t *testing.T, name string, dt tensor.Dtype, c lstmSeq) {
	t.Helper()
	got := lstmSeqRun(t, dt, c, func(c lstmSeq, in G.Nodes) (*G.Node, *G.Node, *G.Node) {
		seq, h, cell, err := lstmSequence(c, in)
		if err != nil {
			t.Fatal(err)
		}
		return seq, h, cell
	})
	want := lstmSeqRun(t, dt, c, lstmUnrolled)
	valueTol, gradTol := 0.0, 1e-12
	if dt == tensor.Float32 {
		valueTol, gradTol = 1e-6, 1e-5
	}
	for k := range want {
		tol, what := gradTol, fmt.Sprintf("gradient of input %d", k-3)
		if k < 3 {
			tol, what = valueTol, []string{"seq", "h", "c"}[k]
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

// TestLSTMSequenceOpsAllocateNothing checks that a run of the forward and
// backward ops, after the first, allocates nothing: they keep their states
// and scratch in memory of their own.
func TestLSTMSequenceOpsAllocateNothing(t *testing.T) {
	for _, flip := range []bool{false, true} {
		for _, peephole := range []bool{false, true} {
			const B, T, In, H = 16, 5, 3, 64 // a step's rows split between goroutines
			c := lstmSeq{batch: B, steps: T, hidden: H, peephole: peephole,
				ih: seqProduct{In, 4 * H, flip}, hh: seqProduct{H, 4 * H, flip}, bias: true, c0: true}
			rng := rand.New(rand.NewPCG(3, 1))
			value := func(s tensor.Shape) G.Value {
				v := make([]float64, s.TotalSize())
				for i := range v {
					v[i] = rng.NormFloat64()
				}
				return denseOf(tensor.Float64, s, v)
			}
			var in []G.Value
			for _, s := range c.inputShapes() {
				in = append(in, value(s))
			}
			cell := newLSTMCell[float64](c)
			fwd := opkit.New[float64](seqFwd[float64]{cell})
			buf, err := fwd.Do(in...)
			if err != nil {
				t.Fatal(err)
			}
			bwdM := seqGrad[float64]{cell: cell, outs: 0b111}
			gin := append(append([]G.Value{}, in...), buf, value(tensor.Shape{B, T, H}), value(tensor.Shape{B, H}), value(tensor.Shape{B, H}))
			bwd := opkit.New[float64](bwdM)
			name := fmt.Sprintf("flipout=%t/peephole=%t", flip, peephole)
			allocs := testing.AllocsPerRun(5, func() {
				if _, err := fwd.Do(in...); err != nil {
					t.Fatal(err)
				}
				if _, err := bwd.Do(gin...); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s: a forward and backward run allocated %v times, want 0", name, allocs)
			}
		}
	}
}
