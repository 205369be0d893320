package bayesnodes_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// recurrentLayer is what the tests need of LSTM and GRU.
type recurrentLayer interface {
	Apply(b *graph.Builder, x *G.Node) (*G.Node, error)
}

// stacked is two recurrent layers, one feeding the other.
type stacked [2]recurrentLayer

func (s stacked) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	h, err := s[0].Apply(b, x)
	if err != nil {
		return nil, err
	}
	return s[1].Apply(b, h)
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// matVec returns v W for v [in] and W [in, out] row-major.
func matVec(v, w []float64, out int) []float64 {
	y := make([]float64, out)
	for i, vi := range v {
		for j := range y {
			y[j] += vi * w[i*out+j]
		}
	}
	return y
}

// lstmReference runs BLiTZ's LSTM (or its peephole variant) in plain loops
// over x [batch, T, in] from h0, c0 ([batch, hidden] or nil for zeros) and
// returns the hidden sequence [batch, T, hidden].
func lstmReference(x []float64, batch, steps, in, hidden int, wih, whh, bias, h0, c0 []float64, peephole bool) []float64 {
	H := hidden
	seq := make([]float64, batch*steps*H)
	for n := range batch {
		h, c := make([]float64, H), make([]float64, H)
		if h0 != nil {
			copy(h, h0[n*H:])
		}
		if c0 != nil {
			copy(c, c0[n*H:])
		}
		for t := range steps {
			xt := x[(n*steps+t)*in : (n*steps+t+1)*in]
			xw := matVec(xt, wih, 4*H)
			for j := range xw {
				if bias != nil {
					xw[j] += bias[j]
				}
			}
			r := h
			if peephole {
				r = c
			}
			rw := matVec(r, whh, 4*H)
			for j := range H {
				i, f, o := sigmoid(xw[j]+rw[j]), sigmoid(xw[H+j]+rw[H+j]), sigmoid(xw[3*H+j]+rw[3*H+j])
				if peephole {
					c[j] = f*c[j] + i*sigmoid(xw[2*H+j])
					h[j] = math.Tanh(o * c[j])
				} else {
					c[j] = f*c[j] + i*math.Tanh(xw[2*H+j]+rw[2*H+j])
					h[j] = o * math.Tanh(c[j])
				}
			}
			copy(seq[(n*steps+t)*H:], h)
		}
	}
	return seq
}

// gruReference runs torch.nn.GRU's equations in plain loops, with weights
// in the layer's layout (x W).
func gruReference(x []float64, batch, steps, in, hidden int, wih, whh, bih, bhh, h0 []float64) []float64 {
	H := hidden
	seq := make([]float64, batch*steps*H)
	for n := range batch {
		h := make([]float64, H)
		if h0 != nil {
			copy(h, h0[n*H:])
		}
		for t := range steps {
			xt := x[(n*steps+t)*in : (n*steps+t+1)*in]
			xw, hw := matVec(xt, wih, 3*H), matVec(h, whh, 3*H)
			if bih != nil {
				for j := range xw {
					xw[j] += bih[j]
					hw[j] += bhh[j]
				}
			}
			next := make([]float64, H)
			for j := range H {
				r, z := sigmoid(xw[j]+hw[j]), sigmoid(xw[H+j]+hw[H+j])
				nn := math.Tanh(xw[2*H+j] + r*hw[2*H+j])
				next[j] = (1-z)*nn + z*h[j]
			}
			h = next
			copy(seq[(n*steps+t)*H:], h)
		}
	}
	return seq
}

func values(p bayesnodes.Posterior) []float64 {
	if p == nil {
		return nil
	}
	return p.Mean().Values()
}

// initialStateNet wraps a recurrent layer's Forward with initial states read
// from inputs h0 and c0 (the LSTM) or h0 (the GRU), filled by the caller.
func initialStateNet(layer any, hidden int, withState bool) graph.Network {
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		var h0, c0 *G.Node
		if withState {
			var err error
			if h0, err = b.Input("h0", b.Batch(), hidden); err != nil {
				return nil, err
			}
			if c0, err = b.Input("c0", b.Batch(), hidden); err != nil {
				return nil, err
			}
		}
		switch l := layer.(type) {
		case *bayesnodes.LSTM:
			seq, _, err := l.Forward(b, x, bayesnodes.LSTMState{H: h0, C: c0})
			return seq, err
		case *bayesnodes.GRU:
			seq, _, err := l.Forward(b, x, h0)
			return seq, err
		}
		panic("unknown layer")
	}
}

// TestRecurrentMatchesReference checks every variant, from zero and from
// given initial states, against plain loops at the posterior means (the
// standard LSTM and the GRU are also checked against BLiTZ and torch by
// the conformance vectors, from zero states).
func TestRecurrentMatchesReference(t *testing.T) {
	const batch, steps, in, hidden = 3, 6, 2, 4
	cases := []struct {
		name string
		make func() (any, error)
	}{
		{"lstm", func() (any, error) { return bayesnodes.NewLSTM(in, hidden, bayesnodes.WithMuInit(0, 0.6)) }},
		{"lstm/peephole", func() (any, error) {
			return bayesnodes.NewLSTM(in, hidden, bayesnodes.Peephole(), bayesnodes.WithMuInit(0, 0.6))
		}},
		{"lstm/no bias", func() (any, error) {
			return bayesnodes.NewLSTM(in, hidden, bayesnodes.WithoutBias(), bayesnodes.WithMuInit(0, 0.6))
		}},
		{"gru", func() (any, error) { return bayesnodes.NewGRU(in, hidden, bayesnodes.WithMuInit(0, 0.6)) }},
		{"gru/no bias", func() (any, error) {
			return bayesnodes.NewGRU(in, hidden, bayesnodes.WithoutBias(), bayesnodes.WithMuInit(0, 0.6))
		}},
	}
	for _, c := range cases {
		for _, withState := range []bool{false, true} {
			name := c.name
			if withState {
				name += "/initial state"
			}
			t.Run(name, func(t *testing.T) {
				layer, err := c.make()
				if err != nil {
					t.Fatal(err)
				}
				m, err := graph.NewModel(initialStateNet(layer, hidden, withState), graph.Input(steps, in), graph.Seed(5))
				if err != nil {
					t.Fatal(err)
				}
				g, err := m.Build(batch, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				x := randomInput(batch*steps*in, 21)
				var h0, c0 []float64
				if err := g.SetX(x); err != nil {
					t.Fatal(err)
				}
				if withState {
					h0, c0 = randomInput(batch*hidden, 22), randomInput(batch*hidden, 23)
					if err := g.SetInput("h0", h0); err != nil {
						t.Fatal(err)
					}
					if err := g.SetInput("c0", c0); err != nil {
						t.Fatal(err)
					}
				}
				m.Freeze()
				if err := g.Run(); err != nil {
					t.Fatal(err)
				}
				var want []float64
				switch l := layer.(type) {
				case *bayesnodes.LSTM:
					want = lstmReference(x, batch, steps, in, hidden, values(l.WeightIH), values(l.WeightHH), values(l.Bias), h0, c0, l.Peephole)
				case *bayesnodes.GRU:
					want = gruReference(x, batch, steps, in, hidden, values(l.WeightIH), values(l.WeightHH), values(l.BiasIH), values(l.BiasHH), h0)
				}
				if got := g.OutputShape(); !equalInts(got, []int{batch, steps, hidden}) {
					t.Fatalf("output shape %v, want [%d %d %d]", got, batch, steps, hidden)
				}
				checkValues(t, "hidden sequence", g.Output(nil), want, 1e-12)
			})
		}
	}
}

// checkRecurrentGradients is checkGradients with a finite-difference step of
// 1e-5 rather than 1e-6: the losses here are ~100 (the KL of ~100 weights),
// and at 1e-6 the round-off of the difference quotient, ~1e-16 * 100 / 1e-6,
// reaches 1e-6 relative on gradients of ~1e-3 (measured: peephole bias.mu[3],
// relative error 1.8e-6 at h = 1e-6, 6.7e-8 at 1e-5 and 4.4e-8 at 1e-4).
// The larger step costs truncation error where the loss is sharply curved,
// so the mixture priors here keep their narrow component at 0.05, not 0.01.
// Gradients below 1e-2 are held to 1e-8 absolute (floor 1e-2): ten times
// the round-off, ~1e-16 * 100 / 1e-5 (measured: GRU weight_ih.mu[13],
// gradient 6.1e-4, off by 1.8e-9).
func checkRecurrentGradients(t *testing.T, net graph.Network, inShape []int, batch int) {
	t.Helper()
	checkGradientsStep(t, net, inShape, batch, nil, 1e-5, 1e-2).Close()
}

// TestRecurrentGradients checks the gradient of every mu and rho (the
// peephole variant's recurrent weights multiply the cell state) by finite
// differences, through the hidden sequence and the KL.
func TestRecurrentGradients(t *testing.T) {
	opts := []bayesnodes.RecurrentOption{bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5)}
	with := func(extra ...bayesnodes.RecurrentOption) []bayesnodes.RecurrentOption {
		return append(append([]bayesnodes.RecurrentOption(nil), opts...), extra...)
	}
	cases := []struct {
		name string
		make func() (recurrentLayer, error)
	}{
		{"lstm", func() (recurrentLayer, error) { return bayesnodes.NewLSTM(2, 3, opts...) }},
		{"lstm/peephole", func() (recurrentLayer, error) { return bayesnodes.NewLSTM(2, 3, with(bayesnodes.Peephole())...) }},
		{"lstm/mixture/montecarlo", func() (recurrentLayer, error) {
			return bayesnodes.NewLSTM(2, 3, with(bayesnodes.WithPrior(bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.05}), bayesnodes.WithKL(bayesnodes.KLMonteCarlo))...)
		}},
		{"lstm/flipout", func() (recurrentLayer, error) {
			return bayesnodes.NewLSTM(2, 3, with(bayesnodes.WithEstimator(bayesnodes.Flipout))...)
		}},
		{"lstm/flipout/mixture/montecarlo", func() (recurrentLayer, error) {
			return bayesnodes.NewLSTM(2, 3, with(bayesnodes.WithEstimator(bayesnodes.Flipout),
				bayesnodes.WithPrior(bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.05}), bayesnodes.WithKL(bayesnodes.KLMonteCarlo))...)
		}},
		{"lstm/stacked", func() (recurrentLayer, error) {
			// The second layer's input gradient reaches the first's
			// parameters.
			first, err := bayesnodes.NewLSTM(2, 3, with(bayesnodes.WithName("first"))...)
			if err != nil {
				return nil, err
			}
			second, err := bayesnodes.NewLSTM(3, 2, with(bayesnodes.WithName("second"), bayesnodes.WithEstimator(bayesnodes.Flipout))...)
			return stacked{first, second}, err
		}},
		{"gru", func() (recurrentLayer, error) { return bayesnodes.NewGRU(2, 3, opts...) }},
		{"gru/flipout", func() (recurrentLayer, error) {
			return bayesnodes.NewGRU(2, 3, with(bayesnodes.WithEstimator(bayesnodes.Flipout))...)
		}},
		{"gru/mixture/montecarlo", func() (recurrentLayer, error) {
			return bayesnodes.NewGRU(2, 3, with(bayesnodes.WithPrior(bayesnodes.ScaleMixture{Pi: 0.25, Sigma1: 0.8, Sigma2: 0.05}), bayesnodes.WithKL(bayesnodes.KLMonteCarlo))...)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := c.make()
			if err != nil {
				t.Fatal(err)
			}
			checkRecurrentGradients(t, l.Apply, []int{4, 2}, 2)
		})
	}
}

// TestRecurrentInitialStateGradients checks gradients that flow through
// the initial state: it is computed by a Bayesian linear layer from the
// first step's input, and the LSTM continues from it.
func TestRecurrentInitialStateGradients(t *testing.T) {
	opts := []bayesnodes.Option{bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5)}
	enc, err := bayesnodes.NewLinear(2, 6, append(opts, bayesnodes.WithName("enc"))...)
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range []string{"lstm", "gru"} {
		t.Run(cell, func(t *testing.T) {
			lstm, err := bayesnodes.NewLSTM(2, 3, bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5))
			if err != nil {
				t.Fatal(err)
			}
			gru, err := bayesnodes.NewGRU(2, 3, bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5))
			if err != nil {
				t.Fatal(err)
			}
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				first, err := G.Slice(x, nil, G.S(0))
				if err != nil {
					return nil, err
				}
				s, err := enc.Apply(b, first)
				if err != nil {
					return nil, err
				}
				if s, err = G.Tanh(s); err != nil {
					return nil, err
				}
				h0, err := G.Slice(s, nil, G.S(0, 3))
				if err != nil {
					return nil, err
				}
				c0, err := G.Slice(s, nil, G.S(3, 6))
				if err != nil {
					return nil, err
				}
				if cell == "gru" {
					seq, _, err := gru.Forward(b, x, h0)
					return seq, err
				}
				seq, _, err := lstm.Forward(b, x, bayesnodes.LSTMState{H: h0, C: c0})
				return seq, err
			}
			checkRecurrentGradients(t, net, []int{3, 2}, 2)
		})
	}
}

// TestRecurrentSamplesOncePerSequence checks that a graph draws each weight
// tensor once, whatever the length, and counts its KL once.
func TestRecurrentSamplesOncePerSequence(t *testing.T) {
	lstm, err := bayesnodes.NewLSTM(2, 3, bayesnodes.WithRhoInit(-1, 0))
	if err != nil {
		t.Fatal(err)
	}
	gru, err := bayesnodes.NewGRU(2, 3, bayesnodes.WithRhoInit(-1, 0))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		layer  recurrentLayer
		noise  int
		params int
	}{
		{"lstm", lstm, 3, 2*12 + 3*12 + 12},
		{"gru", gru, 4, 2*9 + 3*9 + 9 + 9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := graph.NewModel(c.layer.Apply, graph.Input(7, 2))
			if err != nil {
				t.Fatal(err)
			}
			g, err := m.Build(2, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if got := len(g.NoiseNames()); got != c.noise {
				t.Errorf("%d noise inputs (%v), want %d: one per weight tensor", got, g.NoiseNames(), c.noise)
			}
			if got := g.KLCount(); got != c.params {
				t.Errorf("KL counted over %d weights, want %d (once)", got, c.params)
			}
			if got := m.NumParams(); got != 2*c.params {
				t.Errorf("%d parameters, want %d (mu and rho of every weight)", got, 2*c.params)
			}
		})
	}
}

// TestRecurrentStateCarriesOver checks the final state: running a sequence
// in two halves, the second from the first's final state, gives the same
// hidden states as running it whole, under one weight draw.
func TestRecurrentStateCarriesOver(t *testing.T) {
	const steps, split = 6, 2
	for _, peephole := range []bool{false, true} {
		var opts []bayesnodes.RecurrentOption
		if peephole {
			opts = append(opts, bayesnodes.Peephole())
		}
		lstm, err := bayesnodes.NewLSTM(2, 3, append(opts, bayesnodes.WithRhoInit(-1, 0))...)
		if err != nil {
			t.Fatal(err)
		}
		gru, err := bayesnodes.NewGRU(2, 3, bayesnodes.WithRhoInit(-1, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, cell := range []string{"lstm", "gru"} {
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				head, err := G.Slice(x, nil, G.S(0, split))
				if err != nil {
					return nil, err
				}
				tail, err := G.Slice(x, nil, G.S(split, steps))
				if err != nil {
					return nil, err
				}
				if cell == "gru" {
					_, whole, err := gru.Forward(b, x, nil)
					if err != nil {
						return nil, err
					}
					_, mid, err := gru.Forward(b, head, nil)
					if err != nil {
						return nil, err
					}
					_, last, err := gru.Forward(b, tail, mid)
					if err != nil {
						return nil, err
					}
					return G.Sub(whole, last)
				}
				_, whole, err := lstm.Forward(b, x, bayesnodes.LSTMState{})
				if err != nil {
					return nil, err
				}
				_, mid, err := lstm.Forward(b, head, bayesnodes.LSTMState{})
				if err != nil {
					return nil, err
				}
				_, last, err := lstm.Forward(b, tail, mid)
				if err != nil {
					return nil, err
				}
				dh, err := G.Sub(whole.H, last.H)
				if err != nil {
					return nil, err
				}
				dc, err := G.Sub(whole.C, last.C)
				if err != nil {
					return nil, err
				}
				return G.Concat(0, dh, dc)
			}
			m, err := graph.NewModel(net, graph.Input(steps, 2))
			if err != nil {
				t.Fatal(err)
			}
			g, err := m.Build(2, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.SetX(randomInput(2*steps*2, 4)); err != nil {
				t.Fatal(err)
			}
			if err := g.Run(); err != nil {
				t.Fatal(err)
			}
			for i, v := range g.Output(nil) {
				if math.Abs(v) > 1e-12 {
					t.Errorf("%s (peephole %v): final state %d differs by %v between whole and split runs", cell, peephole, i, v)
					break
				}
			}
			g.Close()
		}
	}
}

// TestRecurrentOtherLength checks the documented way to run another
// sequence length: a second model of the same network shares the first's
// parameter tensors.
func TestRecurrentOtherLength(t *testing.T) {
	l, err := bayesnodes.NewLSTM(1, 4)
	if err != nil {
		t.Fatal(err)
	}
	short, err := graph.NewModel(l.Apply, graph.Input(5, 1), graph.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := short.PredictMean(randomInput(2*5, 1)); err != nil {
		t.Fatal(err)
	}
	long, err := graph.NewModel(l.Apply, graph.Input(9, 1), graph.Seed(2))
	if err != nil {
		t.Fatal(err)
	}
	x := randomInput(2*9, 2)
	before, err := long.PredictMean(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 2*9*4 {
		t.Fatalf("%d outputs, want %d", len(before), 2*9*4)
	}
	sp, lp := short.Params(), long.Params()
	if len(sp) != len(lp) {
		t.Fatalf("%d and %d parameters", len(sp), len(lp))
	}
	for i := range sp {
		if sp[i] != lp[i] {
			t.Fatalf("parameter %d: %s and %s are different tensors", i, sp[i].Name(), lp[i].Name())
		}
	}
	// An update through one model is seen by the other.
	mu := l.WeightHH.Mean().Values()
	for i := range mu {
		mu[i] += 0.5
	}
	if err := l.WeightHH.Mean().SetValues(mu); err != nil {
		t.Fatal(err)
	}
	after, err := long.PredictMean(x)
	if err != nil {
		t.Fatal(err)
	}
	if after[len(after)-1] == before[len(before)-1] {
		t.Error("changing the shared weights did not change the second model's output")
	}
}

func TestRecurrentBadInput(t *testing.T) {
	// build applies a network to an input of the given example shape.
	build := func(net graph.Network, inShape ...int) error {
		m, err := graph.NewModel(net, graph.Input(inShape...))
		if err != nil {
			return err
		}
		_, err = m.Build(2, nil)
		return err
	}
	lstm := func(opts ...bayesnodes.RecurrentOption) *bayesnodes.LSTM {
		l, err := bayesnodes.NewLSTM(3, 4, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	gru := func() *bayesnodes.GRU {
		l, err := bayesnodes.NewGRU(3, 4)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	// withState builds the LSTM from an initial state of the given shapes.
	withState := func(h, c []int) func() error {
		return func() error {
			l := lstm()
			return build(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				var st bayesnodes.LSTMState
				var err error
				if h != nil {
					if st.H, err = b.Input("h0", h...); err != nil {
						return nil, err
					}
				}
				if c != nil {
					if st.C, err = b.Input("c0", c...); err != nil {
						return nil, err
					}
				}
				seq, _, err := l.Forward(b, x, st)
				return seq, err
			}, 5, 3)
		}
	}
	cases := []struct {
		name string
		run  func() error
		want string
		is   error
	}{
		{"lstm zero hidden", func() error { _, err := bayesnodes.NewLSTM(3, 0); return err }, "lstm: sizes in=3, hidden=0, want both > 0", nil},
		{"lstm negative hidden", func() error { _, err := bayesnodes.NewLSTM(3, -2); return err }, "hidden=-2", nil},
		{"gru zero in", func() error { _, err := bayesnodes.NewGRU(0, 4); return err }, "gru: sizes in=0, hidden=4", nil},
		{"gru negative hidden", func() error { _, err := bayesnodes.NewGRU(2, -1); return err }, "hidden=-1", nil},
		{"lstm local reparameterisation", func() error {
			_, err := bayesnodes.NewLSTM(3, 4, bayesnodes.WithEstimator(bayesnodes.LocalReparameterization))
			return err
		}, "estimator local-reparameterization: recurrent layers support only the Reparameterization and Flipout estimators", bayesnodes.ErrRecurrentEstimator},
		{"gru local reparameterisation", func() error {
			_, err := bayesnodes.NewGRU(3, 4, bayesnodes.WithEstimator(bayesnodes.LocalReparameterization))
			return err
		}, "not draw one set of weights per sequence", bayesnodes.ErrRecurrentEstimator},
		{"estimator changed after construction", func() error {
			l := lstm()
			l.Estimator = bayesnodes.LocalReparameterization
			return build(l.Apply, 5, 3)
		}, "lstm: estimator local-reparameterization", bayesnodes.ErrRecurrentEstimator},
		{"gru peephole", func() error { _, err := bayesnodes.NewGRU(3, 4, bayesnodes.Peephole()); return err }, "gru: Peephole applies to the LSTM only", nil},
		{"nil option", func() error { _, err := bayesnodes.NewLSTM(3, 4, nil); return err }, "lstm: nil option", nil},
		{"bad prior", func() error {
			_, err := bayesnodes.NewGRU(3, 4, bayesnodes.WithPrior(bayesnodes.Normal{Sigma: -1}))
			return err
		}, "Sigma is -1", nil},
		{"error names the layer", func() error {
			_, err := bayesnodes.NewLSTM(3, 0, bayesnodes.WithName("encoder"))
			return err
		}, "bayesnodes: encoder: sizes", nil},
		{"lstm wrong feature width", func() error { return build(lstm().Apply, 5, 2) }, "lstm: input has shape (2, 5, 2), want [batch, T, 3]", nil},
		{"gru wrong feature width", func() error { return build(gru().Apply, 5, 4) }, "gru: input has shape (2, 5, 4), want [batch, T, 3]", nil},
		{"lstm flat input", func() error { return build(lstm().Apply, 15) }, "lstm: input has shape (2, 15), want [batch, T, 3]", nil},
		{"gru 4-D input", func() error { return build(gru().Apply, 5, 3, 1) }, "gru: input has shape (2, 5, 3, 1)", nil},
		{"nil input node", func() error {
			_, err := lstm().Apply(nil, nil)
			return err
		}, "lstm: nil input node", nil},
		{"hidden state of wrong width", withState([]int{2, 3}, nil), "lstm: initial hidden state has shape (2, 3), want [2, 4] (batch, hidden)", nil},
		{"cell state of wrong batch", withState([]int{2, 4}, []int{3, 4}), "lstm: initial cell state has shape (3, 4), want [2, 4]", nil},
		{"state as a vector", withState(nil, []int{4}), "initial cell state has shape (4), want [2, 4]", nil},
		{"gru state of wrong shape", func() error {
			l := gru()
			return build(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				h0, err := b.Input("h0", 2, 1, 4)
				if err != nil {
					return nil, err
				}
				seq, _, err := l.Forward(b, x, h0)
				return seq, err
			}, 5, 3)
		}, "gru: initial hidden state has shape (2, 1, 4), want [2, 4]", nil},
		{"wrong sequence length for a built graph", func() error {
			m, err := graph.NewModel(lstm().Apply, graph.Input(5, 3))
			if err != nil {
				return err
			}
			g, err := m.Build(2, nil)
			if err != nil {
				return err
			}
			defer g.Close()
			return g.SetX(make([]float64, 2*6*3)) // two sequences of length 6
		}, "graph: input x has shape (2, 5, 3) (30 values), got 36 values", nil},
		{"layer not made by the constructor", func() error {
			return build((&bayesnodes.GRU{In: 3, Hidden: 4}).Apply, 5, 3)
		}, "bayesnodes: gru: no weight_ih posterior (make the layer with NewGRU)", nil},
		{"hidden size changed after construction", func() error {
			l := lstm()
			l.Hidden = 5
			return build(l.Apply, 5, 3)
		}, "lstm: weight_ih posterior is not of shape [3 20]", nil},
		{"hidden size zeroed after construction", func() error {
			l := gru()
			l.Hidden = 0
			return build(l.Apply, 5, 3)
		}, "gru: sizes in=3, hidden=0", nil},
		{"one GRU bias dropped", func() error {
			l := gru()
			l.BiasHH = nil
			return build(l.Apply, 5, 3)
		}, "one of the two biases is nil", nil},
		{"nil builder", func() error {
			m, err := graph.NewModel(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				return lstm().Apply(nil, x)
			}, graph.Input(5, 3))
			if err != nil {
				return err
			}
			_, err = m.Build(2, nil)
			return err
		}, "lstm: nil builder", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("error %q is not %v", err, c.is)
			}
		})
	}
}

// TestRecurrentFlipoutIsPerExampleWeights checks recurrent Flipout against
// its definition, with weight sampling as the reference: example n's
// sequence must be run by the weights mu + (sigma * eps) * s_in[n, i] *
// s_out[n, o] (layout [in, out]) at every step, and the bias samples.
func TestRecurrentFlipoutIsPerExampleWeights(t *testing.T) {
	const batch, steps, in, hidden = 3, 4, 2, 3
	for _, kind := range []string{"lstm", "gru"} {
		mk := func(e bayesnodes.Estimator) (recurrentLayer, []bayesnodes.Posterior, []bayesnodes.Posterior) {
			opts := []bayesnodes.RecurrentOption{bayesnodes.WithEstimator(e), bayesnodes.WithRhoInit(-1, 0.3)}
			if kind == "lstm" {
				l, err := bayesnodes.NewLSTM(in, hidden, opts...)
				if err != nil {
					t.Fatal(err)
				}
				return l, []bayesnodes.Posterior{l.WeightIH, l.WeightHH}, []bayesnodes.Posterior{l.Bias}
			}
			l, err := bayesnodes.NewGRU(in, hidden, opts...)
			if err != nil {
				t.Fatal(err)
			}
			return l, []bayesnodes.Posterior{l.WeightIH, l.WeightHH}, []bayesnodes.Posterior{l.BiasIH, l.BiasHH}
		}
		flip, fw, fb := mk(bayesnodes.Flipout)
		ref, rw, rb := mk(bayesnodes.Reparameterization)
		m, err := graph.NewModel(flip.Apply, graph.Input(steps, in), graph.WithDtype(graph.Float64), graph.Seed(2))
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.Build(batch, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := randomInput(batch*steps*in, 9)
		eps, signIn, signOut := map[bayesnodes.Posterior][]float64{}, map[bayesnodes.Posterior][]float64{}, map[bayesnodes.Posterior][]float64{}
		for i, p := range append(append([]bayesnodes.Posterior(nil), fw...), fb...) {
			eps[p] = randomInput(p.Mean().Len(), uint64(20+i))
			if err := g.SetNoise(p.Name(), eps[p]); err != nil {
				t.Fatal(err)
			}
		}
		for i, p := range fw {
			s := p.Mean().Shape()
			signIn[p], signOut[p] = randomSigns(batch*s[0], uint64(40+i)), randomSigns(batch*s[1], uint64(50+i))
			if err := g.SetNoise(p.Name()+".sign_in", signIn[p]); err != nil {
				t.Fatal(err)
			}
			if err := g.SetNoise(p.Name()+".sign_out", signOut[p]); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.SetX(x); err != nil {
			t.Fatal(err)
		}
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		got := g.Output(nil)
		g.Close()

		rm, err := graph.NewModel(ref.Apply, graph.Input(steps, in), graph.WithDtype(graph.Float64))
		if err != nil {
			t.Fatal(err)
		}
		rg, err := rm.Build(1, nil)
		if err != nil {
			t.Fatal(err)
		}
		pairs := append(append([]bayesnodes.Posterior(nil), fw...), fb...)
		refs := append(append([]bayesnodes.Posterior(nil), rw...), rb...)
		for i := range pairs {
			if err := refs[i].Mean().SetValues(pairs[i].Mean().Values()); err != nil {
				t.Fatal(err)
			}
			if err := refs[i].(*bayesnodes.GaussianPosterior).Rho.SetValues(pairs[i].(*bayesnodes.GaussianPosterior).Rho.Values()); err != nil {
				t.Fatal(err)
			}
		}
		per := len(got) / batch
		for n := 0; n < batch; n++ {
			for i, p := range fw {
				s := p.Mean().Shape()
				flipped := make([]float64, len(eps[p]))
				for a := 0; a < s[0]; a++ {
					for o := 0; o < s[1]; o++ {
						flipped[a*s[1]+o] = eps[p][a*s[1]+o] * signIn[p][n*s[0]+a] * signOut[p][n*s[1]+o]
					}
				}
				if err := rg.SetNoise(rw[i].Name(), flipped); err != nil {
					t.Fatal(err)
				}
			}
			for i, p := range fb {
				if err := rg.SetNoise(rb[i].Name(), eps[p]); err != nil {
					t.Fatal(err)
				}
			}
			if err := rg.SetX(x[n*steps*in : (n+1)*steps*in]); err != nil {
				t.Fatal(err)
			}
			if err := rg.Run(); err != nil {
				t.Fatal(err)
			}
			checkValues(t, kind+" example output", got[n*per:(n+1)*per], rg.Output(nil), 1e-12)
		}
		rg.Close()
	}
}
