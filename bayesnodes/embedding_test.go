package bayesnodes_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

func init() { conformanceRunners["embedding"] = checkEmbeddingCase }

func checkEmbeddingCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	num, dim := configInts(t, c.Config, "num_embeddings")[0], configInts(t, c.Config, "embedding_dim")[0]
	opts := []bayesnodes.EmbeddingOption{bayesnodes.WithPrior(goldenPrior(t, c.Prior))}
	if p, ok := c.Config["padding_idx"].(float64); ok {
		opts = append(opts, bayesnodes.PaddingIndex(int(p)))
	}
	l, err := bayesnodes.NewEmbedding(num, dim, opts...)
	if err != nil {
		t.Fatal(err)
	}
	runLayerCase(t, c, dt, posteriorParts{"weight": l.Weight}, l.Apply)
}

// indices returns n whole numbers in [0, num), every one of them when n
// allows, in a scrambled order.
func indices(n, num int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64((i*7 + 3) % num)
	}
	return out
}

// TestEmbeddingLookup checks the output against the sampled table row by
// row, for a 3-axis index input, with and without padding, under both
// estimators and dtypes.
func TestEmbeddingLookup(t *testing.T) {
	const num, dim, batch = 6, 3, 2
	inShape := []int{2, 4} // indices [batch, 2, 4]
	for _, pad := range []int{-1, 0, 4} {
		for _, est := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.LocalReparameterization} {
			for _, dt := range conformanceDtypes {
				t.Run(fmt.Sprintf("%v/padding=%d/%s", est, pad, dt.name), func(t *testing.T) {
					opts := []bayesnodes.EmbeddingOption{bayesnodes.WithEstimator(est), bayesnodes.WithRhoInit(-1, 0.3)}
					if pad >= 0 {
						opts = append(opts, bayesnodes.PaddingIndex(pad))
					}
					l, err := bayesnodes.NewEmbedding(num, dim, opts...)
					if err != nil {
						t.Fatal(err)
					}
					m, err := graph.NewModel(l.Apply, graph.Input(inShape...), dt.dt, graph.Seed(4))
					if err != nil {
						t.Fatal(err)
					}
					g, err := m.Build(batch, nil)
					if err != nil {
						t.Fatal(err)
					}
					defer g.Close()
					idx := indices(batch*8, num)
					if err := g.SetX(idx); err != nil {
						t.Fatal(err)
					}
					outShape := []int{batch, 2, 4, dim}
					var eps []float64
					if est == bayesnodes.LocalReparameterization {
						eps = randomInput(batch*8*dim, 31)
						if err := g.SetNoise(l.Weight.Name()+".output", eps); err != nil {
							t.Fatal(err)
						}
					} else {
						eps = randomInput(num*dim, 32)
						if err := g.SetNoise(l.Weight.Name(), eps); err != nil {
							t.Fatal(err)
						}
					}
					if err := g.Run(); err != nil {
						t.Fatal(err)
					}
					if !equalInts(g.OutputShape(), outShape) {
						t.Fatalf("output shape %v, want %v", g.OutputShape(), outShape)
					}
					mu, rho := l.Weight.Mu.Values(), l.Weight.Rho.Values()
					if pad >= 0 {
						for j := range dim {
							if mu[pad*dim+j] != 0 {
								t.Fatalf("padding row's mean starts at %v, want 0", mu[pad*dim:(pad+1)*dim])
							}
						}
					}
					want := make([]float64, 0, batch*8*dim)
					for i, v := range idx {
						r := int(v)
						for j := range dim {
							k := r*dim + j
							e := eps[k] // the table's noise
							if est == bayesnodes.LocalReparameterization {
								e = eps[i*dim+j] // the output's
							}
							if r == pad {
								want = append(want, 0)
							} else {
								want = append(want, mu[k]+bayesnodes.Softplus(rho[k])*e)
							}
						}
					}
					checkValues(t, "output", g.Output(nil), want, dt.tol)
					m.Freeze()
					if err := g.Run(); err != nil {
						t.Fatal(err)
					}
					for i, v := range idx {
						for j := range dim {
							want[i*dim+j] = mu[int(v)*dim+j]
						}
					}
					checkValues(t, "frozen output", g.Output(nil), want, dt.tol)
				})
			}
		}
	}
}

// TestEmbeddingGradients checks every mu and rho gradient against central
// differences in float64, and that the padding row's stay exactly zero
// through every run of the check.
func TestEmbeddingGradients(t *testing.T) {
	normal := bayesnodes.Normal{Sigma: 0.5}
	mixture := bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.05}
	cases := []struct {
		name  string
		est   bayesnodes.Estimator
		prior bayesnodes.Prior
		kl    bayesnodes.KLMethod
		pad   int
	}{
		{"reparam/normal-closed", bayesnodes.Reparameterization, normal, bayesnodes.KLClosedForm, -1},
		{"reparam/mixture-mc/padding", bayesnodes.Reparameterization, mixture, bayesnodes.KLMonteCarlo, 2},
		{"reparam/normal-closed/padding", bayesnodes.Reparameterization, normal, bayesnodes.KLAuto, 0},
		{"local/normal-closed/padding", bayesnodes.LocalReparameterization, normal, bayesnodes.KLClosedForm, 4},
		{"local/mixture-auto/padding", bayesnodes.LocalReparameterization, mixture, bayesnodes.KLAuto, 1},
		{"local/mixture-mc", bayesnodes.LocalReparameterization, mixture, bayesnodes.KLMonteCarlo, -1},
	}
	const num, dim, batch = 5, 3, 2
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []bayesnodes.EmbeddingOption{bayesnodes.WithEstimator(c.est), bayesnodes.WithPrior(c.prior), bayesnodes.WithKL(c.kl),
				bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5)}
			if c.pad >= 0 {
				opts = append(opts, bayesnodes.PaddingIndex(c.pad))
			}
			l, err := bayesnodes.NewEmbedding(num, dim, opts...)
			if err != nil {
				t.Fatal(err)
			}
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				h, err := l.Apply(b, x)
				if err != nil {
					return nil, err
				}
				return G.Tanh(h) // not a linear map only
			}
			// Every index appears, some twice, so gradients add up.
			g := checkGradientsAbs(t, net, []int{4}, batch, indices(batch*4, num))
			if c.pad < 0 {
				return
			}
			for _, vg := range g.Learnables() {
				grad, err := vg.Grad()
				if err != nil {
					t.Fatal(err)
				}
				d := grad.Data().([]float64)
				nonzero := false
				for i, v := range d {
					if i/dim == c.pad && v != 0 {
						t.Errorf("%s: gradient %v in the padding row", vg.(*G.Node).Name(), d[c.pad*dim:(c.pad+1)*dim])
						break
					}
					nonzero = nonzero || v != 0
				}
				if !nonzero {
					t.Errorf("%s: every gradient is 0", vg.(*G.Node).Name())
				}
			}
			if want := (num - 1) * dim; g.KLCount() != want {
				t.Errorf("KL counted over %d weights, want %d (the padding row pays none)", g.KLCount(), want)
			}
		})
	}
}

// TestEmbeddingPaddingKL checks the closed-form KL with a padding row
// against a sum over the other rows, and that the layer shares one table
// sample when applied twice.
func TestEmbeddingPaddingKL(t *testing.T) {
	const num, dim, pad = 4, 2, 3
	prior := bayesnodes.Normal{Mu: 0.1, Sigma: 0.7}
	l, err := bayesnodes.NewEmbedding(num, dim, bayesnodes.PaddingIndex(pad), bayesnodes.WithPrior(prior), bayesnodes.WithRhoInit(-1, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	twice := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		y1, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		y2, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return G.Sub(y1, y2)
	}
	m, err := graph.NewModel(twice, graph.Input(3))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX([]float64{0, 1, 2, 3, 2, 1}); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	for i, v := range g.Output(nil) {
		if v != 0 {
			t.Fatalf("output %d of a layer applied twice differs by %v: two samples were drawn", i, v)
		}
	}
	mu, rho := l.Weight.Mu.Values(), l.Weight.Rho.Values()
	want := 0.0
	for i := range mu {
		if i/dim == pad {
			continue
		}
		s := bayesnodes.Softplus(rho[i])
		d := mu[i] - prior.Mu
		want += math.Log(prior.Sigma/s) + (s*s+d*d)/(2*prior.Sigma*prior.Sigma) - 0.5
	}
	if got := g.KL(); !closeTo(got, want, 1e-12) {
		t.Errorf("KL %.15g, want %.15g over the rows other than the padding", got, want)
	}
	if got := g.KLCount(); got != (num-1)*dim {
		t.Errorf("KL counted over %d weights, want %d", got, (num-1)*dim)
	}
	if n := len(g.NoiseNames()); n != 1 {
		t.Errorf("noise inputs %v, want the table's only", g.NoiseNames())
	}
}

func TestEmbeddingBadInput(t *testing.T) {
	// build applies a valid embedding of 5 rows to an input of the given
	// example shape, and sets x.
	build := func(dt graph.Option, net func(*bayesnodes.Embedding) graph.Network, x ...float64) func() error {
		return func() error {
			l, err := bayesnodes.NewEmbedding(5, 2, bayesnodes.PaddingIndex(0))
			if err != nil {
				return err
			}
			apply := graph.Network(l.Apply)
			if net != nil {
				apply = net(l)
			}
			m, err := graph.NewModel(apply, graph.Input(len(x)), dt)
			if err != nil {
				return err
			}
			g, err := m.Build(1, nil)
			if err != nil {
				return err
			}
			defer g.Close()
			if err := g.SetX(x); err != nil {
				return err
			}
			return g.Run()
		}
	}
	f64 := graph.WithDtype(graph.Float64)
	// scaled looks up 2x: indices computed in the graph, checked as the op runs.
	scaled := func(l *bayesnodes.Embedding) graph.Network {
		return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
			x2, err := G.Mul(x, b.Scalar(2))
			if err != nil {
				return nil, err
			}
			return l.Apply(b, x2)
		}
	}
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"zero rows", func() error { _, err := bayesnodes.NewEmbedding(0, 3); return err }, "embedding: sizes num=0, dim=3"},
		{"negative dim", func() error { _, err := bayesnodes.NewEmbedding(3, -1); return err }, "embedding: sizes num=3, dim=-1"},
		{"negative padding index", func() error { _, err := bayesnodes.NewEmbedding(3, 2, bayesnodes.PaddingIndex(-1)); return err }, "padding index -1, want >= 0"},
		{"padding index out of range", func() error { _, err := bayesnodes.NewEmbedding(3, 2, bayesnodes.PaddingIndex(3)); return err }, "embedding: padding index 3, want one in [0, 3)"},
		{"nil option", func() error { _, err := bayesnodes.NewEmbedding(3, 2, nil); return err }, "embedding: nil option"},
		{"bad prior", func() error {
			_, err := bayesnodes.NewEmbedding(3, 2, bayesnodes.WithPrior(bayesnodes.Normal{Sigma: 0}))
			return err
		}, "Sigma is 0"},
		{"index above range", build(f64, nil, 1, 5, 2), "graph: input x: index 5 at position 1 is not a whole number in [0, 5)"},
		{"negative index", build(f64, nil, -1, 2), "index -1 at position 0 is not a whole number in [0, 5)"},
		{"fractional index", build(f64, nil, 0, 1, 2.5), "index 2.5 at position 2 is not a whole number"},
		{"float32 index above range", build(graph.WithDtype(graph.Float32), nil, 7), "index 7 at position 0 is not a whole number in [0, 5)"},
		{"computed index out of range", build(f64, scaled, 1, 3), "index 6 at position 1 is not a whole number in [0, 5)"},
		{"unknown estimator", build(f64, func(l *bayesnodes.Embedding) graph.Network {
			l.Estimator = bayesnodes.Estimator(9)
			return l.Apply
		}, 1), "embedding: estimator Estimator(9) is not supported by Embedding"},
		{"padding field out of range", build(f64, func(l *bayesnodes.Embedding) graph.Network {
			l.Padding = 5
			return l.Apply
		}, 1), "embedding: padding index 5, want one in [0, 5) or -1 for none"},
		{"scalar index node", build(f64, func(l *bayesnodes.Embedding) graph.Network {
			return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				s, err := G.Sum(x)
				if err != nil {
					return nil, err
				}
				return l.Apply(b, s)
			}
		}, 1), "embedding: input has shape (), want indices with at least one axis"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.make()
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// TestEmbeddingPredictRejectsBadIndex checks the check reaches Predict.
func TestEmbeddingPredictRejectsBadIndex(t *testing.T) {
	l, err := bayesnodes.NewEmbedding(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict([]float64{0, 1, 3, 4}, 2); err == nil || !strings.Contains(err.Error(), "index 4 at position 3") {
		t.Fatalf("Predict with index 4 of 4 rows: error %v, want one naming it", err)
	}
	p, err := m.Predict([]float64{0, 1, 3, 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 4 || len(p.Samples) != 2 {
		t.Fatalf("prediction of width %d with %d samples, want 4 and 2", p.Width, len(p.Samples))
	}
}

// BenchmarkEmbeddingTrainStep times a forward and backward pass of a
// 10,000 x 64 embedding over a batch of 32 sequences of 20 tokens.
func BenchmarkEmbeddingTrainStep(b *testing.B) {
	l, err := bayesnodes.NewEmbedding(10000, 64, bayesnodes.PaddingIndex(0))
	if err != nil {
		b.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(20), graph.WithDtype(tensor.Float32))
	if err != nil {
		b.Fatal(err)
	}
	g, err := m.Build(32, sumObjective{})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX(indices(32*20, 10000)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := g.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmbeddingLocalNoise checks what the local reparameterisation draws:
// one noise value per output, plus a table only where the KL with a padding
// row is a Monte-Carlo estimate.
func TestEmbeddingLocalNoise(t *testing.T) {
	cases := []struct {
		name  string
		prior bayesnodes.Prior
		pad   bool
		want  []string
	}{
		{"normal", bayesnodes.Normal{Sigma: 1}, false, []string{"embedding.weight.output"}},
		{"normal/padding", bayesnodes.Normal{Sigma: 1}, true, []string{"embedding.weight.output"}},
		{"mixture", bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.1}, false, []string{"embedding.weight", "embedding.weight.output"}},
		{"mixture/padding", bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.1}, true, []string{"embedding.weight", "embedding.weight.output"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []bayesnodes.EmbeddingOption{bayesnodes.WithEstimator(bayesnodes.LocalReparameterization), bayesnodes.WithPrior(c.prior)}
			if c.pad {
				opts = append(opts, bayesnodes.PaddingIndex(1))
			}
			l, err := bayesnodes.NewEmbedding(4, 2, opts...)
			if err != nil {
				t.Fatal(err)
			}
			m, err := graph.NewModel(l.Apply, graph.Input(3))
			if err != nil {
				t.Fatal(err)
			}
			g, err := m.Build(2, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			got := g.NoiseNames()
			sort.Strings(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("noise inputs %v, want %v", got, c.want)
			}
		})
	}
}
