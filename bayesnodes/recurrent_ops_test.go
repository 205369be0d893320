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
// ops, the definition the fused lstmOps replace.
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

// lstmStepRun builds one step with step, reads out L = sum(h wh) + sum(c wc)
// for fixed random wh and wc, and returns h, c and the gradients of L for
// xw, hw and c_prev (those present).
func lstmStepRun(t *testing.T, dt tensor.Dtype, step func(int, *G.Node, *G.Node, *G.Node) (*G.Node, *G.Node, error),
	H, rows int, hasHW, hasPrev bool, seed uint64) [][]float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	g := G.NewGraph()
	matrix := func(name string, cols int, scale float64) *G.Node {
		v := make([]float64, rows*cols)
		for i := range v {
			v[i] = scale * rng.NormFloat64()
		}
		// Large pre-activations reach the sigmoid's cut-offs.
		if len(v) > 3 {
			v[0], v[1], v[2] = 40, -40, 800
		}
		return G.NewMatrix(g, dt, G.WithShape(rows, cols), G.WithName(name), G.WithValue(denseOf(dt, tensor.Shape{rows, cols}, v)))
	}
	xw := matrix("xw", 4*H, 1.5)
	var hw, cPrev *G.Node
	wrt := G.Nodes{xw}
	if hasHW {
		hw = matrix("hw", 4*H, 1)
		wrt = append(wrt, hw)
	}
	if hasPrev {
		cPrev = matrix("c_prev", H, 2)
		wrt = append(wrt, cPrev)
	}
	wh, wc := matrix("wh", H, 1), matrix("wc", H, 1)
	h, c, err := step(H, xw, hw, cPrev)
	if err != nil {
		t.Fatal(err)
	}
	loss := G.Must(G.Add(G.Must(G.Sum(G.Must(G.HadamardProd(h, wh)))), G.Must(G.Sum(G.Must(G.HadamardProd(c, wc))))))
	return gradValues(t, g, loss, G.Nodes{h, c}, wrt)
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
// the definition gruStepOp replaces; hw is [B, 3H], the bias [3H] alone,
// or nil.
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

// TestGRUStepOpMatchesUnfused compares the fused step's state and
// gradients with Gorgonia's ops in both dtypes, for each kind of
// recurrent input: none, the bias alone, and h W_hh + b_hh with h.
func TestGRUStepOpMatchesUnfused(t *testing.T) {
	const H, rows = 4, 3
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		// Saturated gates: Gorgonia's sigmoid gradient leaves ~1e-14
		// where y (1 - y) is 0.
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		for hw := gruNoHW; hw <= gruFullHW; hw++ {
			run := func(step func(int, *G.Node, *G.Node, *G.Node) (*G.Node, error)) [][]float64 {
				rng := rand.New(rand.NewPCG(5, uint64(hw)))
				g := G.NewGraph()
				node := func(name string, shape ...int) *G.Node {
					v := make([]float64, tensor.Shape(shape).TotalSize())
					for i := range v {
						v[i] = 1.5 * rng.NormFloat64()
					}
					v[0] = 30 // past the sigmoid's cut-offs
					return G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(denseOf(dt, shape, v)))
				}
				xw := node("xw", rows, 3*H)
				wrt := G.Nodes{xw}
				var hwn, h *G.Node
				switch hw {
				case gruBiasHW:
					hwn = node("b_hh", 3*H)
				case gruFullHW:
					hwn, h = node("hw", rows, 3*H), node("h", rows, H)
				}
				for _, n := range []*G.Node{hwn, h} {
					if n != nil {
						wrt = append(wrt, n)
					}
				}
				out, err := step(H, xw, hwn, h)
				if err != nil {
					t.Fatal(err)
				}
				loss := G.Must(G.Sum(G.Must(G.HadamardProd(out, node("w", rows, H)))))
				return gradValues(t, g, loss, G.Nodes{out}, wrt)
			}
			got, want := run(gruStepOp), run(gruStepUnfused)
			for k := range want {
				for i := range want[k] {
					if g, w := got[k][i], want[k][i]; math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) {
						t.Errorf("%v/hw=%d: output %d (h', then gradients of xw, hw, h)[%d] = %v, Gorgonia's ops give %v", dt, hw, k, i, g, w)
					}
				}
			}
		}
	}
}

// TestStackStepsLaysOutSequence checks stackSteps' sequence and its
// gradients for the steps against the definition seq[b, t, j] = h_t[b, j],
// in both dtypes.
func TestStackStepsLaysOutSequence(t *testing.T) {
	const steps, rows, H = 3, 2, 4
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		value := func(i int) float64 { return float64(i%7) - 2.5 }
		hs := make(G.Nodes, steps)
		for s := range hs {
			v := make([]float64, rows*H)
			for i := range v {
				v[i] = value(100*s + i)
			}
			hs[s] = G.NewMatrix(g, dt, G.WithShape(rows, H), G.WithName(fmt.Sprint("h", s)), G.WithValue(denseOf(dt, tensor.Shape{rows, H}, v)))
		}
		seq, err := stackSteps(hs)
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, rows*steps*H)
		for i := range w {
			w[i] = float64(i) + 1
		}
		wn := G.NewTensor(g, dt, 3, G.WithShape(rows, steps, H), G.WithName("w"), G.WithValue(denseOf(dt, tensor.Shape{rows, steps, H}, w)))
		got := gradValues(t, g, G.Must(G.Sum(G.Must(G.HadamardProd(seq, wn)))), G.Nodes{seq}, hs)
		for b := range rows {
			for s := range steps {
				for j := range H {
					if v, want := got[0][(b*steps+s)*H+j], value(100*s+b*H+j); v != want {
						t.Errorf("%v: seq[%d, %d, %d] = %v, want h_%d[%d, %d] = %v", dt, b, s, j, v, s, b, j, want)
					}
					if d, want := got[1+s][b*H+j], w[(b*steps+s)*H+j]; d != want {
						t.Errorf("%v: gradient of h_%d[%d, %d] = %v, want %v", dt, s, b, j, d, want)
					}
				}
			}
		}
	}
}
