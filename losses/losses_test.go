package losses_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
	"github.com/gorgonia-bnn/bnn/losses"
)

const batch, in, out = 4, 3, 2

func randoms(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// buildELBO builds a Bayesian linear layer with the given ELBO, sets random
// inputs and targets, and returns the graph and the layer.
func buildELBO(t *testing.T, elbo *losses.ELBO, targets []float64) (*graph.Graph, *bayesnodes.Linear) {
	t.Helper()
	l, err := bayesnodes.NewLinear(in, out, bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.3))
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(in), graph.Seed(4))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(batch, elbo)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetX(randoms(batch*in, 2)); err != nil {
		t.Fatal(err)
	}
	if err := elbo.Prepare(g, targets, losses.Batch{DatasetSize: 50, Size: batch, Count: 1}); err != nil {
		t.Fatal(err)
	}
	return g, l
}

func oneHot(labels []int, classes int) []float64 {
	y := make([]float64, len(labels)*classes)
	for i, c := range labels {
		y[i*classes+c] = 1
	}
	return y
}

// learnedNLL returns the mean Gaussian NLL of outputs f against targets
// with l's noise sd, computed here from l's rho (sigma = log(1 + e^rho) +
// floor, naively: rho is small) rather than by l.Sigma, which it checks:
// Sigma and the graph must both give sigma, on either side of rho = 0
// (where a stable softplus branches).
func learnedNLL(t *testing.T, l *losses.LearnedGaussianNLL, sigma float64, positive bool, targets []float64) func(f []float64) float64 {
	return func(f []float64) float64 {
		rho := l.Rho.Values()[0]
		if rho > 0 != positive {
			t.Errorf("rho is %v, want it > 0: %v", rho, positive)
		}
		own := math.Log(1+math.Exp(rho)) + l.Floor
		if math.Abs(own-sigma) > 1e-12 || math.Abs(l.Sigma()-own) > 1e-12 {
			t.Errorf("rho %v: Sigma() = %v, softplus(rho) + floor = %v, want %v", rho, l.Sigma(), own, sigma)
		}
		s := 0.0
		for i := range f {
			s += 0.5*math.Log(2*math.Pi) + math.Log(own) + (f[i]-targets[i])*(f[i]-targets[i])/(2*own*own)
		}
		return s / batch
	}
}

func TestLikelihoodValues(t *testing.T) {
	targets := randoms(batch*out, 9)
	learned, err := losses.NewLearnedGaussianNLL(0.3, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	learnedWide, err := losses.NewLearnedGaussianNLL(3, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	labels := []int{0, 1, 1, 0}
	cases := []struct {
		name    string
		lik     losses.Likelihood
		targets []float64
		want    func(f []float64) float64 // from the network output f
	}{
		{"mse", losses.MSE{}, targets, func(f []float64) float64 {
			s := 0.0
			for i := range f {
				s += (f[i] - targets[i]) * (f[i] - targets[i])
			}
			return s / float64(len(f))
		}},
		{"gaussian", losses.GaussianNLL{Sigma: 0.2}, targets, func(f []float64) float64 {
			s := 0.0
			for i := range f {
				s += -(-0.5*math.Log(2*math.Pi) - math.Log(0.2) - (f[i]-targets[i])*(f[i]-targets[i])/(2*0.04))
			}
			return s / batch
		}},
		{"learned gaussian, rho < 0", learned, targets, learnedNLL(t, learned, 0.3, false, targets)},
		{"learned gaussian, rho > 0", learnedWide, targets, learnedNLL(t, learnedWide, 3, true, targets)},
		{"cross-entropy", losses.CrossEntropy{}, oneHot(labels, out), func(f []float64) float64 {
			s := 0.0
			for b, c := range labels {
				row := f[b*out : (b+1)*out]
				lse := math.Log(math.Exp(row[0]) + math.Exp(row[1]))
				s += lse - row[c]
			}
			return s / batch
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			elbo, err := losses.NewELBO(c.lik)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := buildELBO(t, elbo, c.targets)
			if err := g.Run(); err != nil {
				t.Fatal(err)
			}
			fit, kl, err := elbo.Parts(g)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.want(g.Output(nil)); math.Abs(fit-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("fit %.15g, want %.15g", fit, want)
			}
			if kl != g.KL() || kl <= 0 {
				t.Errorf("KL part %v, accumulator %v", kl, g.KL())
			}
			if want := fit + kl/50; math.Abs(g.Loss()-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("loss %v, want fit + KL/50 = %v", g.Loss(), want)
			}
		})
	}
}

func TestKLMeanPerWeight(t *testing.T) {
	elbo, err := losses.NewELBO(losses.MSE{}, losses.WithKLReduction(losses.KLMeanPerWeight), losses.WithKLWeight(losses.Fixed(1)))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := buildELBO(t, elbo, randoms(batch*out, 1))
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	_, kl, err := elbo.Parts(g)
	if err != nil {
		t.Fatal(err)
	}
	if n := float64(in*out + out); math.Abs(kl-g.KL()/n) > 1e-12 {
		t.Fatalf("mean KL %v, want sum %v / %v weights", kl, g.KL(), n)
	}
}

func TestELBOGradients(t *testing.T) {
	learned, err := losses.NewLearnedGaussianNLL(0.4, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		lik     losses.Likelihood
		targets []float64
	}{
		"gaussian":         {losses.GaussianNLL{Sigma: 0.5}, randoms(batch*out, 3)},
		"learned gaussian": {learned, randoms(batch*out, 3)},
		"cross-entropy":    {losses.CrossEntropy{}, oneHot([]int{1, 0, 0, 1}, out)},
		"mse":              {losses.MSE{}, randoms(batch*out, 3)},
	} {
		t.Run(name, func(t *testing.T) {
			elbo, err := losses.NewELBO(c.lik)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := buildELBO(t, elbo, c.targets)
			worst, err := gradcheck.Check(g, 8, 1e-6, 1e-4)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range worst {
				if w.RelErr > 1e-6 {
					t.Errorf("gradient of %s", w)
				}
			}
		})
	}
}

func TestKLWeights(t *testing.T) {
	if w := (losses.PerExample{}).Weight(losses.Batch{DatasetSize: 500}); w != 1.0/500 {
		t.Errorf("PerExample weight %v, want 1/500", w)
	}
	for _, m := range []int{1, 3, 10, 63, 2000} {
		sum := 0.0
		for i := 0; i < m; i++ {
			w := (losses.Minibatch{}).Weight(losses.Batch{Index: i, Count: m, Size: 8})
			if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				t.Fatalf("M=%d i=%d: weight %v", m, i, w)
			}
			sum += w * 8
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("M=%d: the pi_i sum to %v, want 1", m, sum)
		}
	}
	// pi_1 = 2^(M-1) / (2^M - 1): for M = 3, 4/7.
	if w := (losses.Minibatch{}).Weight(losses.Batch{Index: 0, Count: 3, Size: 1}); math.Abs(w-4.0/7) > 1e-15 {
		t.Errorf("pi_1 of 3 = %v, want 4/7", w)
	}
	a := losses.Annealed{Base: losses.Fixed(2), Steps: 10}
	for step, want := range map[int]float64{0: 0, 5: 1, 10: 2, 50: 2} {
		if got := a.Weight(losses.Batch{Step: step}); got != want {
			t.Errorf("annealed weight at step %d = %v, want %v", step, got, want)
		}
	}
	if err := a.Check(); err != nil {
		t.Errorf("Check of a good schedule: %v", err)
	}
	for _, bad := range []losses.Annealed{{Base: losses.Fixed(2)}, {Base: losses.Fixed(2), Steps: -3}, {Steps: 10}} {
		if err := bad.Check(); err == nil || !math.IsNaN(bad.Weight(losses.Batch{Step: 1})) {
			t.Errorf("%+v: Check gives %v and the weight is %v; want an error and NaN", bad, err, bad.Weight(losses.Batch{Step: 1}))
		}
	}
}

func TestBadInput(t *testing.T) {
	elbo, err := losses.NewELBO(losses.MSE{}, losses.WithKLWeight(losses.Fixed(-1)))
	if err != nil {
		t.Fatal(err)
	}
	l, err := bayesnodes.NewLinear(in, out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(in))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(batch, elbo)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"sigma zero", func() error { _, err := losses.NewGaussianNLL(0); return err }, "sigma is 0"},
		{"sigma NaN", func() error { _, err := losses.NewGaussianNLL(math.NaN()); return err }, "sigma is NaN"},
		{"learned init below floor", func() error { _, err := losses.NewLearnedGaussianNLL(0.1, 0.2); return err }, "initial noise sigma is 0.1"},
		{"learned negative floor", func() error { _, err := losses.NewLearnedGaussianNLL(0.1, -1); return err }, "floor is -1"},
		{"no likelihood", func() error { _, err := losses.NewELBO(nil); return err }, "needs a likelihood"},
		{"nil weighting", func() error { _, err := losses.NewELBO(losses.MSE{}, losses.WithKLWeight(nil)); return err }, "KL weighting"},
		{"negative weight", func() error { return elbo.Prepare(g, make([]float64, batch*out), losses.Batch{}) }, "KL weight is -1"},
		{"wrong target count", func() error { return elbo.Prepare(g, make([]float64, 3), losses.Batch{}) }, "got 3 values"},
		{"NaN target", func() error {
			y := make([]float64, batch*out)
			y[2] = math.NaN()
			return elbo.Prepare(g, y, losses.Batch{})
		}, "value 2 is NaN"},
		{"cross-entropy of a vector", func() error {
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) { return G.Sum(x, 1) }
			m, err := graph.NewModel(net, graph.Input(2))
			if err != nil {
				return err
			}
			e, _ := losses.NewELBO(losses.CrossEntropy{})
			_, err = m.Build(2, e)
			return err
		}, "wants logits of shape [batch, classes]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
