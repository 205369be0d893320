package prune_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/prune"
)

// sparseLayer returns an in->out layer whose weights are nonzero with
// probability density, with a nonzero bias.
func sparseLayer(rng *rand.Rand, in, out int, density float64) prune.Layer {
	l := prune.Layer{In: in, Out: out, Weight: make([]float64, in*out), Bias: make([]float64, out)}
	for i := range l.Weight {
		if rng.Float64() < density {
			l.Weight[i] = rng.NormFloat64()
		}
	}
	for i := range l.Bias {
		l.Bias[i] = rng.NormFloat64()
	}
	return l
}

func randomX(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestCompactKeepsOutputs: on random sparse networks, with units cut off at
// either end on purpose, the compact network computes what the dense one
// does, to 1e-12, and is smaller.
func TestCompactKeepsOutputs(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		l1, l2, l3 := sparseLayer(rng, 30, 20, 0.15), sparseLayer(rng, 20, 12, 0.2), sparseLayer(rng, 12, 4, 0.5)
		// hidden unit 3 of layer 1 has no inputs: constant ReLU(b), folded
		for i := range l1.In {
			l1.Weight[3*l1.In+i] = 0
		}
		l1.Bias[3] = 1.5
		// hidden unit 5 of layer 2 is read by nothing
		for o := range l3.Out {
			l3.Weight[o*l3.In+5] = 0
		}
		dense, err := prune.NewNet([]prune.Layer{l1, l2, l3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		compact, err := prune.Compact(dense)
		if err != nil {
			t.Fatal(err)
		}
		x := randomX(rng, 7*30)
		want, err := dense.Forward(x, 7)
		if err != nil {
			t.Fatal(err)
		}
		got, err := compact.Forward(x, 7)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(got, want); d > 1e-12 {
			t.Fatalf("seed %d: compact outputs differ by %g", seed, d)
		}
		for name, net := range map[string]*prune.SparseNet{"dense": dense.Sparse(), "compact": compact.Sparse()} {
			got, err := net.Forward(x, 7)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(got, want); d > 1e-12 {
				t.Fatalf("seed %d: sparse rows of the %s network differ by %g", seed, name, d)
			}
			if net.NonZero() != dense.NonZero() && name == "dense" {
				t.Fatalf("seed %d: %d weights stored, %d nonzero", seed, net.NonZero(), dense.NonZero())
			}
		}
		w := compact.Widths()
		if w[1] >= 20 || w[2] >= 12 || w[3] != 4 || compact.NumParams() >= dense.NumParams() {
			t.Fatalf("seed %d: compact widths %v (dense [30 20 12 4]), %d parameters of %d", seed, w, compact.NumParams(), dense.NumParams())
		}
		if compact.NonZero() > dense.NonZero() {
			t.Fatalf("seed %d: compact has more nonzero weights", seed)
		}
	}
}

// TestCompactFoldsConstantUnits: a hidden unit with no inputs feeds its
// ReLU(bias) forward through the next layer's bias; with a negative bias it
// feeds 0. Both go.
func TestCompactFoldsConstantUnits(t *testing.T) {
	l1 := prune.Layer{In: 2, Out: 3, Weight: []float64{1, 2, 0, 0, 0, 0}, Bias: []float64{0.5, 2, -1}}
	l2 := prune.Layer{In: 3, Out: 1, Weight: []float64{1, 3, 4}} // no bias: one is made
	dense, err := prune.NewNet([]prune.Layer{l1, l2}, prune.ReLU)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := prune.Compact(dense)
	if err != nil {
		t.Fatal(err)
	}
	if w := compact.Widths(); w[0] != 2 || w[1] != 1 || w[2] != 1 {
		t.Fatalf("widths %v, want [2 1 1]", w)
	}
	if b := compact.Layers[1].Bias; len(b) != 1 || b[0] != 3*2 {
		t.Fatalf("folded bias %v, want [6] (3 * ReLU(2) + 4 * ReLU(-1))", b)
	}
	got, err := compact.Forward([]float64{1, -1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1*math.Max(0, 1-2+0.5) + 6; got[0] != want {
		t.Fatalf("output %v, want %v", got[0], want)
	}
}

// TestCompactDeadNetwork: a network whose output does not depend on its
// input compacts to one cut-off unit per level and still gives the
// constant output.
func TestCompactDeadNetwork(t *testing.T) {
	l1 := prune.Layer{In: 3, Out: 2, Weight: make([]float64, 6), Bias: []float64{1, -1}}
	l2 := prune.Layer{In: 2, Out: 2, Weight: []float64{2, 5, 0, 1}, Bias: []float64{0.25, 0}}
	dense, err := prune.NewNet([]prune.Layer{l1, l2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := prune.Compact(dense)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, 4, 5, 6}
	want, _ := dense.Forward(x, 2)
	got, err := compact.Forward(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(got, want); d != 0 {
		t.Fatalf("outputs %v, dense %v", got, want)
	}
	if w := compact.Widths(); w[0] != 1 || w[1] != 1 {
		t.Fatalf("widths %v, want [1 1 2]", w)
	}
}

// TestCompactMatchesPrunedModel: a Bayesian MLP pruned in place (Zero) and
// run by the model with mean weights gives the compact network's outputs,
// to 1e-6, for both kinds of posterior.
func TestCompactMatchesPrunedModel(t *testing.T) {
	for _, c := range []struct {
		name      string
		opts      []bayesnodes.Option
		threshold float64
	}{
		{"sparse", []bayesnodes.Option{bayesnodes.WithSparseVD(0)}, 0.5},
		{"gaussian", []bayesnodes.Option{bayesnodes.WithRhoInit(-2, 1)}, 1.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			mlp, err := bayesnodes.NewMLP([]int{16, 12, 8, 3}, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			m, err := graph.NewModel(mlp.Apply, graph.Input(16), graph.Seed(4))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.InitParams(); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 3))
			var layers []prune.Layer
			var posts []bayesnodes.Posterior
			for _, l := range mlp.Layers {
				if w, ok := l.Weight.(*bayesnodes.SparsePosterior); ok { // spread log alpha around the threshold
					ls2 := randomX(rng, w.LogSigma2.Len())
					for i, th := range w.Theta.Values() {
						ls2[i] += math.Log(th * th)
					}
					if err := w.LogSigma2.SetValues(ls2); err != nil {
						t.Fatal(err)
					}
				}
				layer, _, err := prune.FromLinear(l, c.threshold)
				if err != nil {
					t.Fatal(err)
				}
				layers = append(layers, layer)
				posts = append(posts, l.Weight)
			}
			s, err := prune.Summarize(posts, c.threshold)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kept == 0 || s.Kept == s.Total {
				t.Fatalf("kept %d of %d: want a test that prunes some", s.Kept, s.Total)
			}
			for _, p := range posts {
				keep, err := prune.Keep(p, c.threshold)
				if err != nil {
					t.Fatal(err)
				}
				if err := prune.Zero(p, keep); err != nil {
					t.Fatal(err)
				}
			}
			dense, err := prune.NewNet(layers, prune.ReLU)
			if err != nil {
				t.Fatal(err)
			}
			compact, err := prune.Compact(dense)
			if err != nil {
				t.Fatal(err)
			}
			x := randomX(rng, 10*16)
			want, err := m.PredictMean(x)
			if err != nil {
				t.Fatal(err)
			}
			got, err := compact.Forward(x, 10)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(got, want); d > 1e-6 {
				t.Fatalf("compact outputs differ from the pruned model's by %g", d)
			}
			if nz := dense.NonZero(); nz != s.Kept {
				t.Errorf("%d nonzero weights, %d kept", nz, s.Kept)
			}
			t.Logf("kept %d of %d; compact widths %v, %d parameters (dense %d)", s.Kept, s.Total, compact.Widths(), compact.NumParams(), dense.NumParams())
		})
	}
}

func TestKeepRules(t *testing.T) {
	sparse, err := bayesnodes.NewSparsePosterior("s", []int{4}, nil, graph.Constant(1), graph.Constant(0))
	if err != nil {
		t.Fatal(err)
	}
	gauss, err := bayesnodes.NewPosterior("g", []int{3}, bayesnodes.DefaultPrior, graph.Constant(0), graph.Constant(0), bayesnodes.KLAuto)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		for _, p := range []bayesnodes.Posterior{sparse, gauss} {
			if _, err := p.Sample(b); err != nil {
				return nil, err
			}
		}
		return x, nil
	}, graph.Input(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.InitParams(); err != nil {
		t.Fatal(err)
	}
	if err := sparse.LogSigma2.SetValues([]float64{-5, 2.9, 3.1, 20}); err != nil { // theta 1: log alpha = log sigma^2
		t.Fatal(err)
	}
	if err := gauss.Mu.SetValues([]float64{1, -0.1, 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := gauss.Rho.SetValues([]float64{bayesnodes.InverseSoftplus(0.5), bayesnodes.InverseSoftplus(0.5), bayesnodes.InverseSoftplus(0.5)}); err != nil {
		t.Fatal(err)
	}
	check := func(p bayesnodes.Posterior, threshold float64, want []bool) {
		t.Helper()
		got, err := prune.Keep(p, threshold)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s at %v: keep %v, want %v", p.Name(), threshold, got, want)
			}
		}
	}
	check(sparse, 3, []bool{true, true, false, false})
	check(gauss, 1, []bool{true, false, true}) // SNR 2, 0.2, 1
	s, err := prune.Summarize([]bayesnodes.Posterior{sparse, gauss}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// at 3 the Gaussian keeps nothing (SNR <= 2)
	if s.Kept != 2 || s.Total != 7 || s.Tensors[1].Kept != 0 || math.Abs(s.Compression()-3.5) > 1e-12 {
		t.Fatalf("summary %+v", s)
	}
	if !strings.Contains(s.String(), "total") {
		t.Fatalf("summary text %q", s)
	}
}

func TestBadInput(t *testing.T) {
	sparse, err := bayesnodes.NewSparsePosterior("s", []int{2}, nil, graph.Constant(1), graph.Constant(0))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
		want string
		is   error
	}{
		{"NaN threshold", func() error { _, err := prune.Keep(sparse, math.NaN()); return err }, "threshold is NaN", prune.ErrThreshold},
		{"infinite threshold", func() error { _, err := prune.Keep(sparse, math.Inf(1)); return err }, "threshold is +Inf", prune.ErrThreshold},
		{"negative SNR threshold", func() error {
			g, err := bayesnodes.NewPosterior("g", []int{2}, bayesnodes.DefaultPrior, graph.Constant(0), graph.Constant(0), bayesnodes.KLAuto)
			if err != nil {
				return err
			}
			_, err = prune.Keep(g, -1)
			return err
		}, "signal-to-noise threshold is -1", prune.ErrThreshold},
		{"unused posterior", func() error {
			p, err := bayesnodes.NewSparsePosterior("u", []int{2}, nil, graph.Constant(1), graph.Constant(0))
			if err != nil {
				return err
			}
			_, err = prune.Keep(p, 3) // no model has made its values
			return err
		}, "no values yet", prune.ErrNotUsed},
		{"nil posterior", func() error { _, err := prune.Keep(nil, 3); return err }, "nil posterior", nil},
		{"keep of the wrong length", func() error {
			if err := sparse.Theta.SetValues([]float64{1, 2}); err != nil {
				return err
			}
			_, err := prune.Means(sparse, []bool{true})
			return err
		}, "1 keep decisions for 2 weights", nil},
		{"weights of the wrong size", func() error {
			_, err := prune.NewNet([]prune.Layer{{In: 3, Out: 2, Weight: make([]float64, 5)}}, nil)
			return err
		}, "5 weights for a [2, 3] layer", prune.ErrShape},
		{"bias of the wrong size", func() error {
			_, err := prune.NewNet([]prune.Layer{{In: 1, Out: 2, Weight: make([]float64, 2), Bias: []float64{1}}}, nil)
			return err
		}, "1 biases for 2 outputs", prune.ErrShape},
		{"layers that do not chain", func() error {
			_, err := prune.NewNet([]prune.Layer{{In: 1, Out: 2, Weight: make([]float64, 2)}, {In: 3, Out: 1, Weight: make([]float64, 3)}}, nil)
			return err
		}, "layer 1 takes 3 inputs, layer 0 gives 2 outputs", prune.ErrShape},
		{"no layers", func() error { _, err := prune.NewNet(nil, nil); return err }, "no layers", nil},
		{"input of the wrong width", func() error {
			n, err := prune.NewNet([]prune.Layer{{In: 3, Out: 1, Weight: make([]float64, 3)}}, nil)
			if err != nil {
				return err
			}
			_, err = n.Forward(make([]float64, 5), 2)
			return err
		}, "5 input values for 2 examples of 3", prune.ErrShape},
		{"compact nothing", func() error { _, err := prune.Compact(nil); return err }, "empty network", nil},
		{"summarize nothing", func() error { _, err := prune.Summarize(nil, 3); return err }, "no posteriors", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("error %v is not %v", err, c.is)
			}
		})
	}
}

// TestHandBuiltNetErrors checks that a Net built by hand, not by NewNet,
// gets named errors from Forward, Compact and Sparse instead of panics.
func TestHandBuiltNetErrors(t *testing.T) {
	layer := func(in, out int) prune.Layer {
		return prune.Layer{In: in, Out: out, Weight: make([]float64, in*out)}
	}
	for _, tc := range []struct {
		name string
		net  *prune.Net
		want string
	}{
		{"no layers", &prune.Net{Hidden: prune.ReLU}, "empty network"},
		{"no activation", &prune.Net{Layers: []prune.Layer{layer(2, 1)}, InputWidth: 2}, "no Hidden activation"},
		{"layers that do not chain", &prune.Net{Layers: []prune.Layer{layer(2, 3), layer(4, 1)}, Hidden: prune.ReLU, InputWidth: 2}, "layer 1 takes 4 inputs"},
		{"input out of range", &prune.Net{Layers: []prune.Layer{layer(2, 1)}, Hidden: prune.ReLU, InputWidth: 3, Inputs: []int{0, 5}}, "Inputs[1] = 5"},
		{"too few inputs", &prune.Net{Layers: []prune.Layer{layer(2, 1)}, Hidden: prune.ReLU, InputWidth: 3, Inputs: []int{1}}, "1 inputs read"},
	} {
		if _, err := tc.net.Forward(make([]float64, 3), 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Forward error %v, want one containing %q", tc.name, err, tc.want)
		}
		if _, err := prune.Compact(tc.net); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Compact error %v, want one containing %q", tc.name, err, tc.want)
		}
		if _, err := tc.net.Sparse().Forward(make([]float64, 3), 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Sparse().Forward error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if w := (&prune.Net{}).Widths(); w != nil {
		t.Errorf("Widths of an empty net: %v, want nil", w)
	}
}
