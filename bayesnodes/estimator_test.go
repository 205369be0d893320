package bayesnodes_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
)

// checkLinearLRTCase checks the local reparameterisation against the
// reference: its eps are the output draws. A vector with a (Gaussian)
// prior must give the layer's closed-form KL too.
func checkLinearLRTCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	ws := c.Params["weight_mu"].Shape
	opts := []bayesnodes.Option{bayesnodes.WithEstimator(bayesnodes.LocalReparameterization)}
	if c.Prior != nil {
		if c.KLClosed == nil {
			t.Fatalf("reference %s has a prior and no kl_closed", c.Name)
		}
		opts = append(opts, bayesnodes.WithPrior(goldenPrior(t, c.Prior)))
	}
	l, err := bayesnodes.NewLinear(ws[1], ws[0], opts...)
	if err != nil {
		t.Fatal(err)
	}
	posteriorParts{"weight": l.Weight, "bias": l.Bias}.set(t, c)
	m, err := graph.NewModel(l.Apply, graph.Input(c.Input.Shape[1:]...), dt.dt)
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(c.Input.Shape[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX(c.Input.Data); err != nil {
		t.Fatal(err)
	}
	if names := g.NoiseNames(); len(names) != 1 {
		t.Fatalf("noise inputs %v, want one of the output's shape", names)
	}
	if err := g.SetNoise(l.Weight.Name()+".output", c.Eps["output"].Data); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "output", g.Output(nil), c.Output.Data, dt.tol)
	checkScalar(t, "layer KL", g.KL(), c.KLClosed, dt.tol)
	m.Freeze()
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "frozen_output", g.Output(nil), c.FrozenOutput.Data, dt.tol)
}

// TestEstimatorGradients checks every estimator's gradients in every layer
// it serves, under a closed-form and a Monte-Carlo KL.
func TestEstimatorGradients(t *testing.T) {
	priors := map[string]bayesnodes.Prior{
		"gauss/closed":       bayesnodes.Normal{Sigma: 0.5},
		"mixture/montecarlo": bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.05},
	}
	for _, e := range []bayesnodes.Estimator{bayesnodes.LocalReparameterization, bayesnodes.Flipout} {
		for name, prior := range priors {
			opts := []bayesnodes.Option{bayesnodes.WithPrior(prior), bayesnodes.WithEstimator(e),
				bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5)}
			convOpts := func(extra ...bayesnodes.ConvOption) []bayesnodes.ConvOption {
				for _, o := range opts {
					extra = append(extra, o)
				}
				return extra
			}
			t.Run(e.String()+"/linear/"+name, func(t *testing.T) {
				l, err := bayesnodes.NewLinear(4, 3, opts...)
				if err != nil {
					t.Fatal(err)
				}
				net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
					h, err := l.Apply(b, x)
					if err != nil {
						return nil, err
					}
					return G.Tanh(h)
				}
				checkGradients(t, net, []int{4}, 5)
			})
			t.Run(e.String()+"/conv2d/"+name, func(t *testing.T) {
				c, err := bayesnodes.NewConv2D(2, 3, [2]int{3, 3}, convOpts(bayesnodes.Padding(1), bayesnodes.Stride(2))...)
				if err != nil {
					t.Fatal(err)
				}
				// A step of 1e-5: at 1e-6 the difference's rounding error
				// reaches 1.5e-6 of the smallest gradients (a noise draw's luck).
				checkGradientsStep(t, c.Apply, []int{2, 5, 5}, 2, nil, 1e-5, 1e-4).Close()
			})
			t.Run(e.String()+"/conv3d/"+name, func(t *testing.T) {
				c, err := bayesnodes.NewConv3D(2, 2, [3]int{2, 2, 2}, convOpts(bayesnodes.Padding(1, 0, 1), bayesnodes.Stride(2))...)
				if err != nil {
					t.Fatal(err)
				}
				checkGradients(t, c.Apply, []int{2, 3, 3, 3}, 2)
			})
			t.Run(e.String()+"/conv1d/"+name, func(t *testing.T) {
				c, err := bayesnodes.NewConv1D(2, 3, 3, convOpts(bayesnodes.Dilation(2))...)
				if err != nil {
					t.Fatal(err)
				}
				checkGradients(t, c.Apply, []int{2, 7}, 3)
			})
		}
	}
}

// TestLocalReparameterizationMatchesWeightSampling checks the estimator's
// point: for a fixed input, outputs under LocalReparameterization have the
// mean and variance they have when the weights themselves are sampled.
func TestLocalReparameterizationMatchesWeightSampling(t *testing.T) {
	const runs = 10000
	x := []float64{0.5, -1, 2}
	moments := func(e bayesnodes.Estimator) (mean, variance []float64) {
		l, err := bayesnodes.NewLinear(3, 2, bayesnodes.WithEstimator(e), bayesnodes.WithMuInit(0.2, 0.3), bayesnodes.WithRhoInit(-1, 0.3))
		if err != nil {
			t.Fatal(err)
		}
		m, err := graph.NewModel(l.Apply, graph.Input(3), graph.Seed(11))
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.Build(1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.SetX(x); err != nil {
			t.Fatal(err)
		}
		sum, sq := make([]float64, 2), make([]float64, 2)
		for i := 0; i < runs; i++ {
			if err := g.Run(); err != nil {
				t.Fatal(err)
			}
			for j, v := range g.Output(nil) {
				sum[j] += v
				sq[j] += v * v
			}
		}
		for j := range sum {
			mean = append(mean, sum[j]/runs)
			variance = append(variance, sq[j]/runs-(sum[j]/runs)*(sum[j]/runs))
		}
		return mean, variance
	}
	// Same seed, same initial parameters: the two estimators differ only
	// in how they sample.
	m1, v1 := moments(bayesnodes.Reparameterization)
	m2, v2 := moments(bayesnodes.LocalReparameterization)
	for j := range m1 {
		se := 4 * math.Sqrt(v1[j]/runs) // 4 standard errors
		if d := m1[j] - m2[j]; d > 2*se || d < -2*se {
			t.Errorf("output %d: mean %v by weight sampling, %v by local reparameterisation", j, m1[j], m2[j])
		}
		if r := v2[j] / v1[j]; r < 0.95 || r > 1.05 {
			t.Errorf("output %d: variance %v by weight sampling, %v by local reparameterisation", j, v1[j], v2[j])
		}
	}
}

// TestEstimatorReachesGraph checks that every layer builds the noise inputs
// of the estimator it was given: a layer that dropped the option would
// silently fall back to weight sampling.
func TestEstimatorReachesGraph(t *testing.T) {
	want := map[bayesnodes.Estimator][]string{
		bayesnodes.Reparameterization:      {".weight", ".bias"},
		bayesnodes.LocalReparameterization: {".weight.output"},
		bayesnodes.Flipout:                 {".weight", ".weight.sign_in", ".weight.sign_out", ".bias"},
	}
	for e, suffixes := range want {
		opt := func(name string) []bayesnodes.ConvOption {
			return []bayesnodes.ConvOption{bayesnodes.WithEstimator(e), bayesnodes.WithName(name)}
		}
		l, err1 := bayesnodes.NewLinear(3, 2, bayesnodes.WithEstimator(e), bayesnodes.WithName("l"))
		c1, err2 := bayesnodes.NewConv1D(2, 2, 3, opt("c1")...)
		c2, err3 := bayesnodes.NewConv2D(2, 2, [2]int{3, 3}, opt("c2")...)
		c3, err4 := bayesnodes.NewConv3D(2, 2, [3]int{2, 2, 2}, opt("c3")...)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatal(err)
		}
		for _, layer := range []struct {
			name string
			net  graph.Network
			in   []int
		}{{"l", l.Apply, []int{3}}, {"c1", c1.Apply, []int{2, 5}}, {"c2", c2.Apply, []int{2, 5, 5}}, {"c3", c3.Apply, []int{2, 3, 3, 3}}} {
			m, err := graph.NewModel(layer.net, graph.Input(layer.in...))
			if err != nil {
				t.Fatal(err)
			}
			g, err := m.Build(2, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := g.NoiseNames()
			g.Close()
			var exp []string
			for _, s := range suffixes {
				exp = append(exp, layer.name+s)
			}
			slices.Sort(got)
			slices.Sort(exp)
			if !slices.Equal(got, exp) {
				t.Errorf("%s with %v: noise inputs %v, want %v", layer.name, e, got, exp)
			}
		}
	}
}

func TestEstimatorText(t *testing.T) {
	for _, e := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.LocalReparameterization, bayesnodes.Flipout} {
		text, err := e.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back bayesnodes.Estimator
		if err := back.UnmarshalText(text); err != nil || back != e {
			t.Errorf("%v: round trip through %q gave %v, %v", e, text, back, err)
		}
	}
	var e bayesnodes.Estimator
	if err := e.UnmarshalText([]byte("flip")); err == nil || !strings.Contains(err.Error(), `"flip"`) {
		t.Errorf("unknown name: error %v, want one naming it", err)
	}
	if _, err := bayesnodes.Estimator(7).MarshalText(); err == nil {
		t.Error("unknown estimator marshalled without error")
	}
}

// TestGradientsAccumulateAcrossRuns checks, for every estimator, what a
// K-sample step relies on: two runs without a solver step in between leave
// the sum of the two runs' gradients. An op that handed Gorgonia memory it
// reuses as a parameter's gradient would leave only the last run's.
func TestGradientsAccumulateAcrossRuns(t *testing.T) {
	for _, e := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.LocalReparameterization, bayesnodes.Flipout} {
		l, err := bayesnodes.NewLinear(3, 2, bayesnodes.WithEstimator(e))
		if err != nil {
			t.Fatal(err)
		}
		m, err := graph.NewModel(l.Apply, graph.Input(3), graph.WithDtype(graph.Float64), graph.Seed(4))
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.Build(4, gradcheck.Probe{})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.SetX(randomInput(12, 1)); err != nil {
			t.Fatal(err)
		}
		if err := gradcheck.FillProbe(g, 2); err != nil {
			t.Fatal(err)
		}
		read := func(zero bool) [][]float64 {
			var out [][]float64
			for _, vg := range g.Learnables() {
				gv, err := vg.Grad()
				if err != nil {
					t.Fatal(err)
				}
				d := gv.(*tensor.Dense)
				out = append(out, slices.Clone(d.Float64s()))
				if zero {
					d.Zero()
				}
			}
			return out
		}
		run := func() {
			if err := g.Run(); err != nil {
				t.Fatal(err)
			}
		}
		m.ReseedNoise(8)
		run()
		first := read(true)
		run()
		second := read(true)
		m.ReseedNoise(8)
		run()
		run()
		both := read(true)
		for i := range both {
			for j := range both[i] {
				if want := first[i][j] + second[i][j]; math.Abs(both[i][j]-want) > 1e-12*(1+math.Abs(want)) {
					t.Fatalf("%v: parameter %d[%d]: gradient after two runs %v, want the sum %v", e, i, j, both[i][j], want)
				}
			}
		}
		g.Close()
	}
}

// TestPredictSamplesWeights checks that prediction graphs sample weights
// under every estimator: within a pass, equal inputs get equal outputs (one
// network per pass), and passes differ.
func TestPredictSamplesWeights(t *testing.T) {
	for _, e := range []bayesnodes.Estimator{bayesnodes.LocalReparameterization, bayesnodes.Flipout} {
		c, err := bayesnodes.NewConv1D(2, 2, 3, bayesnodes.WithEstimator(e), bayesnodes.WithRhoInit(-1, 0.1))
		if err != nil {
			t.Fatal(err)
		}
		m, err := graph.NewModel(c.Apply, graph.Input(2, 5), graph.Seed(3))
		if err != nil {
			t.Fatal(err)
		}
		row := randomInput(10, 5)
		p, err := m.Predict(slices.Concat(row, row), 3)
		if err != nil {
			t.Fatal(err)
		}
		for s, out := range p.Samples {
			if !slices.Equal(out[:p.Width], out[p.Width:]) {
				t.Errorf("%v: pass %d gives equal inputs different outputs %v and %v", e, s, out[:p.Width], out[p.Width:])
			}
		}
		if slices.Equal(p.Samples[0], p.Samples[1]) {
			t.Errorf("%v: two passes gave the same outputs", e)
		}
	}
}

// TestSparseVDRejectedWhereUnsupported checks that layers without a sparse
// form refuse WithSparseVD instead of ignoring it.
func TestSparseVDRejectedWhereUnsupported(t *testing.T) {
	sparse := bayesnodes.WithSparseVD(bayesnodes.DefaultLogSigma2Init)
	_, e1 := bayesnodes.NewLSTM(2, 3, sparse)
	_, e2 := bayesnodes.NewGRU(2, 3, sparse)
	_, e3 := bayesnodes.NewEmbedding(5, 3, sparse)
	for i, err := range []error{e1, e2, e3} {
		if err == nil || !strings.Contains(err.Error(), "WithSparseVD applies to Linear") {
			t.Errorf("layer %d: error %v, want one refusing WithSparseVD", i, err)
		}
	}
}

// TestEmbeddingPredictSamplesTable checks that an embedding trained with
// local reparameterisation still predicts with one table per pass: an
// index repeated in a pass gets the same row.
func TestEmbeddingPredictSamplesTable(t *testing.T) {
	e, err := bayesnodes.NewEmbedding(5, 3, bayesnodes.WithEstimator(bayesnodes.LocalReparameterization), bayesnodes.WithRhoInit(-1, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(e.Apply, graph.Input(2), graph.Seed(4))
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict([]float64{2, 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for s, out := range p.Samples {
		if !slices.Equal(out[:3], out[3:]) {
			t.Errorf("pass %d: index 2 looked up twice gives %v and %v", s, out[:3], out[3:])
		}
	}
}
