package graph_test

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// noisyScale is a minimal Bayesian-style network: out = x * (w + eps),
// with the KL term sum(w^2) so graphs have something to accumulate.
type noisyScale struct {
	w *graph.Param
}

func newNoisyScale(t *testing.T, width int) *noisyScale {
	t.Helper()
	w, err := graph.NewParam("scale.w", []int{1, width}, graph.Normal(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	return &noisyScale{w: w}
}

func (n *noisyScale) net(b *graph.Builder, x *G.Node) (*G.Node, error) {
	w, err := b.Param(n.w)
	if err != nil {
		return nil, err
	}
	eps, err := b.Noise("scale.w", graph.Gaussian, n.w.Shape()...)
	if err != nil {
		return nil, err
	}
	ws, err := G.Add(w, eps)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(w)
	if err != nil {
		return nil, err
	}
	kl, err := G.Sum(sq)
	if err != nil {
		return nil, err
	}
	if err := b.AddKL(kl, n.w.Len()); err != nil {
		return nil, err
	}
	return G.BroadcastHadamardProd(x, ws, nil, []byte{0})
}

type sumObjective struct{}

func (sumObjective) Attach(b *graph.Builder, out, kl *G.Node) (*G.Node, error) {
	s, err := G.Sum(out)
	if err != nil {
		return nil, err
	}
	return G.Add(s, kl)
}

func runOnce(t *testing.T, g *graph.Graph, x []float64) []float64 {
	t.Helper()
	if err := g.SetX(x); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	return g.Output(nil)
}

func TestGraphsShareParameters(t *testing.T) {
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	small, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	big, err := m.Build(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Freeze()
	if err := ns.w.SetValues([]float64{2, -3}); err != nil {
		t.Fatal(err)
	}
	if got := runOnce(t, small, []float64{1, 1}); got[0] != 2 || got[1] != -3 {
		t.Fatalf("small graph output %v, want [2 -3]", got)
	}
	if got := runOnce(t, big, []float64{1, 1, 2, 2, 0, 1}); got[2] != 4 || got[3] != -6 || got[5] != -3 {
		t.Fatalf("big graph output %v does not use the shared values", got)
	}
	if len(m.Params()) != 1 || m.NumParams() != 2 {
		t.Fatalf("model has %d params (%d values), want 1 (2)", len(m.Params()), m.NumParams())
	}
}

func TestSeedReproducesNoiseAndFreezeZeroesIt(t *testing.T) {
	outputs := func(seed uint64) []float64 {
		ns := newNoisyScale(t, 3)
		m, err := graph.NewModel(ns.net, graph.Input(3), graph.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.Build(1, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := runOnce(t, g, []float64{1, 1, 1})
		b := runOnce(t, g, []float64{1, 1, 1})
		if a[0] == b[0] {
			t.Fatalf("two runs drew the same noise: %v", a)
		}
		m.Freeze()
		f1 := runOnce(t, g, []float64{1, 1, 1})
		f2 := runOnce(t, g, []float64{1, 1, 1})
		w := ns.w.Values()
		for i := range f1 {
			if f1[i] != w[i] || f2[i] != w[i] {
				t.Fatalf("frozen output %v %v, want the mean weights %v", f1, f2, w)
			}
		}
		m.Unfreeze()
		return append(a, b...)
	}
	a, b, c := outputs(5), outputs(5), outputs(6)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 5 twice: %v vs %v", a, b)
		}
	}
	if a[0] == c[0] {
		t.Fatalf("seeds 5 and 6 gave the same output %v", a)
	}
}

func TestNoiseIsNotSharedBetweenLayers(t *testing.T) {
	a, b := newNoisyScale(t, 2), newNoisyScale(t, 2)
	net := func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
		ya, err := a.net(bd, x)
		if err != nil {
			return nil, err
		}
		yb, err := b.net(bd, x)
		if err != nil {
			return nil, err
		}
		return G.Sub(ya, yb)
	}
	m, err := graph.NewModel(net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.w.SetValues([]float64{1, 1}); err != nil {
		t.Fatal(err)
	}
	if err := b.w.SetValues([]float64{1, 1}); err != nil {
		t.Fatal(err)
	}
	out := runOnce(t, g, []float64{1, 1})
	if out[0] == 0 && out[1] == 0 {
		t.Fatal("two layers with equal weights gave equal outputs: their noise is shared")
	}
	if names := g.NoiseNames(); len(names) != 2 || names[0] == names[1] {
		t.Fatalf("noise inputs %v, want two distinct", names)
	}
	if p := m.Params(); p[0].Name() != "scale.w" || p[1].Name() != "scale_1.w" {
		t.Fatalf("parameters named %s and %s, want scale.w and scale_1.w", p[0].Name(), p[1].Name())
	}
}

func TestGradientsAccumulateAcrossRuns(t *testing.T) {
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(2, sumObjective{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ns.w.SetValues([]float64{0.5, -1}); err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, 4}
	for k := 1; k <= 2; k++ {
		runOnce(t, g, x)
		gr, err := g.Learnables()[0].Grad()
		if err != nil {
			t.Fatal(err)
		}
		// d/dw [sum_b x_b,i (w_i + eps_i) + sum w^2] = sum_b x_b,i + 2 w_i
		want := []float64{(1 + 3 + 2*0.5) * float64(k), (2 + 4 - 2) * float64(k)}
		got := gr.Data().([]float64)
		if math.Abs(got[0]-want[0]) > 1e-12 || math.Abs(got[1]-want[1]) > 1e-12 {
			t.Fatalf("after %d runs the gradient is %v, want %v", k, got, want)
		}
	}
}

func TestPredictSamplesAreCoherentAcrossChunks(t *testing.T) {
	ns := newNoisyScale(t, 1)
	m, err := graph.NewModel(ns.net, graph.Input(1), graph.Seed(2))
	if err != nil {
		t.Fatal(err)
	}
	n := graph.MaxPredictBatch + 5
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	p, err := m.Predict(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	if p.N != n || p.Width != 1 || len(p.Samples) != 4 {
		t.Fatalf("prediction N=%d Width=%d samples=%d", p.N, p.Width, len(p.Samples))
	}
	for s, out := range p.Samples {
		for i, v := range out {
			if v != out[0] {
				t.Fatalf("sample %d: example %d got %v, example 0 got %v: one pass must use one weight draw", s, i, v, out[0])
			}
		}
	}
	if p.Samples[0][0] == p.Samples[1][0] {
		t.Fatal("two passes drew the same weights")
	}
	mean, err := m.PredictMean(x[:3])
	if err != nil {
		t.Fatal(err)
	}
	if w := ns.w.Values()[0]; mean[0] != w {
		t.Fatalf("PredictMean %v, want the mean weight %v", mean[0], w)
	}
	if m.Frozen() {
		t.Fatal("PredictMean left the model frozen")
	}
}

func TestBadInput(t *testing.T) {
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(2, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"no input shape", func() error { _, err := graph.NewModel(ns.net); return err }, "graph.Input"},
		{"zero input dim", func() error { _, err := graph.NewModel(ns.net, graph.Input(0)); return err }, "dimension 0 is 0"},
		{"nil network", func() error { _, err := graph.NewModel(nil, graph.Input(1)); return err }, "network function"},
		{"bad dtype", func() error { _, err := graph.NewModel(ns.net, graph.Input(1), graph.WithDtype(G.Int)); return err }, "not supported"},
		{"zero batch", func() error { _, err := m.Build(0, nil); return err }, "batch size is 0"},
		{"wrong x length", func() error { return g.SetX([]float64{1, 2, 3}) }, "got 3 values"},
		{"NaN in x", func() error { return g.SetX([]float64{1, math.NaN(), 3, 4}) }, "value 1 is NaN"},
		{"unknown input", func() error { return g.SetInput("nope", nil) }, `no input named "nope"`},
		{"unknown noise", func() error { return g.SetNoise("x", []float64{1, 2, 3, 4}) }, `no noise input named "x"`},
		{"predict ragged", func() error { _, err := m.Predict([]float64{1, 2, 3}, 2); return err }, "not a whole number of examples"},
		{"predict no samples", func() error { _, err := m.Predict([]float64{1, 2}, 0); return err }, "samples is 0"},
		{"param wrong length", func() error { return ns.w.SetValues([]float64{1}) }, "has 2 values"},
		{"param NaN", func() error { return ns.w.SetValues([]float64{1, math.Inf(1)}) }, "value 1 is +Inf"},
		{"param bad shape", func() error { _, err := graph.NewParam("p", []int{2, -1}, graph.Constant(0)); return err }, "dimension 1 is -1"},
		{"network shape error", func() error {
			bad := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				w, err := b.Param(ns.w)
				if err != nil {
					return nil, err
				}
				return G.Mul(x, w) // [batch,2] x [1,2]: inner dimensions differ
			}
			mb, err := graph.NewModel(bad, graph.Input(2))
			if err != nil {
				return err
			}
			_, err = mb.Build(4, nil)
			return err
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestPredictionGraphsLeaveTheKLOut(t *testing.T) {
	var seen []bool
	ns := newNoisyScale(t, 1)
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		seen = append(seen, b.WantsKL())
		return ns.net(b, x)
	}
	m, err := graph.NewModel(net, graph.Input(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Build(2, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Build(2, sumObjective{}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict([]float64{1, 2}, 1); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || !seen[0] || !seen[1] || seen[2] {
		t.Fatalf("WantsKL in Build(nil), Build(objective), Predict: %v, want [true true false]", seen)
	}
}
