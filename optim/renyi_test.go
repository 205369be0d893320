package optim_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// mcModel is a Bayesian 2-3-1 tanh network whose KL is the Monte-Carlo
// log q(w) - log p(w) at the sampled weights, as the Renyi bound needs,
// under a Normal(0, prior) prior.
func mcModel(t *testing.T, seed uint64, prior float64) *graph.Model {
	t.Helper()
	return mcModelOf(t, seed, prior, graph.Float64)
}

// mcModelOf is mcModel in the given dtype.
func mcModelOf(t *testing.T, seed uint64, prior float64, dt tensor.Dtype) *graph.Model {
	t.Helper()
	opts := []bayesnodes.Option{bayesnodes.WithRhoInit(-1.5, 0.1), bayesnodes.WithKL(bayesnodes.KLMonteCarlo),
		bayesnodes.WithPrior(bayesnodes.Normal{Sigma: prior})}
	l1, err := bayesnodes.NewLinear(2, 3, opts...)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := bayesnodes.NewLinear(3, 1, opts...)
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := l1.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = G.Tanh(h); err != nil {
			return nil, err
		}
		return l2.Apply(b, h)
	}
	m, err := graph.NewModel(net, graph.Input(2), graph.Seed(seed), graph.WithDtype(dt))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMonteCarloKLIsLogRatio checks that with KLMonteCarlo the graph's KL
// of a run is log q(w) - log p(w) of that run's weights, computed here
// from the noise by hand: the per-sample log-ratio the Renyi bound needs.
func TestMonteCarloKLIsLogRatio(t *testing.T) {
	const prior = 0.7
	m := mcModel(t, 3, prior)
	g, err := m.Build(4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetX(make([]float64, 8)); err != nil {
		t.Fatal(err)
	}
	var kls []float64
	for run := range 2 {
		want := 0.0
		for i, name := range g.NoiseNames() {
			mu, rho := m.Param(name+".mu").Values(), m.Param(name+".rho").Values()
			eps := make([]float64, len(mu))
			for j := range eps {
				eps[j] = math.Sin(float64(7*i + 3*j + 11*run))
			}
			if err := g.SetNoise(name, eps); err != nil {
				t.Fatal(err)
			}
			for j := range mu {
				s := bayesnodes.Softplus(rho[j])
				w := mu[j] + s*eps[j]
				logQ := -math.Log(s) - eps[j]*eps[j]/2 - math.Log(2*math.Pi)/2
				logP := -math.Log(prior) - w*w/(2*prior*prior) - math.Log(2*math.Pi)/2
				want += logQ - logP
			}
		}
		if err := g.Execute(); err != nil {
			t.Fatal(err)
		}
		if got := g.KL(); math.Abs(got-want) > 1e-10*math.Abs(want) {
			t.Fatalf("run %d: KL %v, want log q - log p = %v", run, got, want)
		}
		kls = append(kls, g.KL())
	}
	if kls[0] == kls[1] {
		t.Fatal("the KL does not depend on the sample: not a Monte-Carlo estimate")
	}
}

// renyiBound returns the trainer's Renyi loss of a full-batch step on m
// with the noise generator restarted from seed: the Monte-Carlo bound for
// fixed noise as a function of the parameters.
func renyiBound(t *testing.T, m *graph.Model, g *graph.Graph, obj *losses.Renyi, k int, seed uint64, y []float64, at losses.Batch) float64 {
	t.Helper()
	m.ReseedNoise(seed)
	if err := obj.Prepare(g, y, at); err != nil {
		t.Fatal(err)
	}
	ls := make([]float64, k)
	for i := range ls {
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		ls[i] = g.Loss()
	}
	l, err := obj.Combine(ls, at)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRenyiGradientIsFiniteDifference checks that a Trainer step on the
// Renyi objective moves the parameters by the gradient of the Monte-Carlo
// Renyi bound for its noise: SGD with learning rate 1 makes the update the
// gradient, and central differences of the bound recomputed with the same
// noise give it independently. The plain mean of the samples' gradients
// (the ELBO's) must be measurably different, so the check can fail.
func TestRenyiGradientIsFiniteDifference(t *testing.T) {
	const k, seed, h = 4, 77, 1e-6
	data := tinyData(6)
	at := losses.Batch{DatasetSize: 6, Size: 6, Count: 1}
	for _, alpha := range []float64{0.5, 0, -1, 3} {
		obj, err := losses.NewRenyi(losses.GaussianNLL{Sigma: 0.5}, alpha)
		if err != nil {
			t.Fatal(err)
		}
		mt := mcModel(t, 9, 1)
		tr, err := optim.NewTrainer(mt, obj, sgd(t), optim.Samples(k), optim.Quiet())
		if err != nil {
			t.Fatal(err)
		}
		// The finite-difference side: a model made the same way.
		mh := mcModel(t, 9, 1)
		g, err := mh.Build(6, obj)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.SetX(data.X); err != nil {
			t.Fatal(err)
		}
		bound := renyiBound(t, mh, g, obj, k, seed, data.Y, at)
		// The ELBO's gradient, for the control: the machine added K.
		mean := map[string][]float64{}
		for i, vg := range g.Learnables() {
			gr, err := vg.Grad()
			if err != nil {
				t.Fatal(err)
			}
			mean[mh.Params()[i].Name()] = append([]float64(nil), gr.Data().([]float64)...)
		}

		mt.ReseedNoise(seed)
		info, err := tr.Step(data.X, data.Y, at)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(info.Loss-bound) > 1e-12 {
			t.Fatalf("alpha %v: step loss %v, the bound %v", alpha, info.Loss, bound)
		}
		worst, differs := 0.0, 0.0
		for i, p := range mh.Params() {
			start, after := p.Values(), mt.Params()[i].Values()
			for j := range start {
				grad := start[j] - after[j]
				v := append([]float64(nil), start...)
				v[j] = start[j] + h
				if err := p.SetValues(v); err != nil {
					t.Fatal(err)
				}
				up := renyiBound(t, mh, g, obj, k, seed, data.Y, at)
				v[j] = start[j] - h
				if err := p.SetValues(v); err != nil {
					t.Fatal(err)
				}
				down := renyiBound(t, mh, g, obj, k, seed, data.Y, at)
				if err := p.SetValues(start); err != nil {
					t.Fatal(err)
				}
				fd := (up - down) / (2 * h)
				scale := math.Max(1e-3, math.Abs(fd))
				worst = math.Max(worst, math.Abs(grad-fd)/scale)
				differs = math.Max(differs, math.Abs(grad-mean[p.Name()][j]/k)/scale)
			}
		}
		t.Logf("alpha %v: loss %.6g, worst relative error %.2g, ELBO gradient off by up to %.2g", alpha, bound, worst, differs)
		if worst > 1e-6 {
			t.Errorf("alpha %v: the step's gradient is off the finite differences by %.3g (relative)", alpha, worst)
		}
		if differs < 1e-2 {
			t.Errorf("alpha %v: the Renyi gradient equals the ELBO's to %.3g: the test cannot tell them apart", alpha, differs)
		}
	}
}

// TestRenyiAlphaOneIsELBOStep checks the limit in the trainer: at alpha = 1
// every sample weighs the same, and the step is the ELBO's.
func TestRenyiAlphaOneIsELBOStep(t *testing.T) {
	const k = 3
	data := tinyData(6)
	at := losses.Batch{DatasetSize: 6, Size: 6, Count: 1}
	renyi, err := losses.NewRenyi(losses.GaussianNLL{Sigma: 0.5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var after [2][][]float64
	var loss [2]float64
	for i, obj := range []optim.Objective{renyi, renyi.ELBO} {
		m := mcModel(t, 9, 1)
		tr, err := optim.NewTrainer(m, obj, sgd(t), optim.Samples(k), optim.Quiet())
		if err != nil {
			t.Fatal(err)
		}
		info, err := tr.Step(data.X, data.Y, at)
		if err != nil {
			t.Fatal(err)
		}
		after[i], loss[i] = params(m), info.Loss
	}
	if math.Abs(loss[0]-loss[1]) > 1e-12*math.Abs(loss[1]) {
		t.Errorf("loss %v at alpha 1, the ELBO's %v", loss[0], loss[1])
	}
	for i := range after[0] {
		for j := range after[0][i] {
			if d := math.Abs(after[0][i][j] - after[1][i][j]); d > 1e-12*math.Max(1, math.Abs(after[1][i][j])) {
				t.Fatalf("parameter %d[%d]: %v after the alpha-1 step, %v after the ELBO's", i, j, after[0][i][j], after[1][i][j])
			}
		}
	}
}

// TestRenyiStepFloat32 checks the weighted step on a float32 model against
// the same step in float64.
func TestRenyiStepFloat32(t *testing.T) {
	const k = 4
	data := tinyData(6)
	at := losses.Batch{DatasetSize: 6, Size: 6, Count: 1}
	renyi, err := losses.NewRenyi(losses.GaussianNLL{Sigma: 0.5}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	var before, after [2][][]float64
	for i, dt := range []tensor.Dtype{graph.Float64, graph.Float32} {
		m := mcModelOf(t, 9, 1, dt)
		tr, err := optim.NewTrainer(m, renyi, sgd(t), optim.Samples(k), optim.Quiet())
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.InitParams(); err != nil {
			t.Fatal(err)
		}
		before[i] = params(m)
		if _, err := tr.Step(data.X, data.Y, at); err != nil {
			t.Fatal(err)
		}
		after[i] = params(m)
	}
	worst := 0.0
	for i := range after[0] {
		for j := range after[0][i] {
			g64 := before[0][i][j] - after[0][i][j]
			g32 := before[1][i][j] - after[1][i][j]
			worst = math.Max(worst, math.Abs(g64-g32)/math.Max(1e-2, math.Abs(g64)))
		}
	}
	if worst > 1e-3 {
		t.Errorf("float32 step off the float64 step by %.3g (relative)", worst)
	}
}
