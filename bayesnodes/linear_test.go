package bayesnodes_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
)

func randomInput(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// checkGradients builds net in float64 with the probe objective and fails
// on any parameter whose gradient is off by more than 1e-6 relative.
func checkGradients(t *testing.T, net graph.Network, inShape []int, batch int) {
	t.Helper()
	checkGradientsStep(t, net, inShape, batch, nil, 1e-6, 1e-4).Close()
}

// checkGradientsStep is checkGradients with a finite-difference step h and
// a floor below which gradients are compared absolutely (see
// gradcheck.Check), on input x (random normal values when nil). Every
// parameter of the model must be checked. It returns the graph, run once
// more with the checker's noise, for further checks; the caller closes it.
func checkGradientsStep(t *testing.T, net graph.Network, inShape []int, batch int, x []float64, h, floor float64) *graph.Graph {
	t.Helper()
	m, err := graph.NewModel(net, graph.Input(inShape...), graph.Seed(3))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(batch, gradcheck.Probe{})
	if err != nil {
		t.Fatal(err)
	}
	if x == nil {
		x = randomInput(batch*m.InputWidth(), 11)
	}
	if err := g.SetX(x); err != nil {
		t.Fatal(err)
	}
	if err := gradcheck.FillProbe(g, 5); err != nil {
		t.Fatal(err)
	}
	worst, err := gradcheck.Check(g, 99, h, floor)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(worst), len(m.Params()); got != want || got == 0 {
		t.Fatalf("%d parameters checked, the model has %d", got, want)
	}
	for _, w := range worst {
		if w.RelErr > 1e-6 {
			t.Errorf("gradient of %s", w)
		} else {
			t.Logf("ok %s", w)
		}
	}
	return g
}

func TestLinearGradients(t *testing.T) {
	cases := []struct {
		name  string
		prior bayesnodes.Prior
		kl    bayesnodes.KLMethod
	}{
		{"gauss/closed", bayesnodes.Normal{Sigma: 0.3}, bayesnodes.KLClosedForm},
		{"gauss/montecarlo", bayesnodes.Normal{Mu: 0.1, Sigma: 0.3}, bayesnodes.KLMonteCarlo},
		{"mixture/montecarlo", bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.05}, bayesnodes.KLMonteCarlo},
		{"mixture/auto", bayesnodes.ScaleMixture{Pi: 0.25, Sigma1: 0.8, Sigma2: 0.01}, bayesnodes.KLAuto},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := bayesnodes.NewLinear(4, 3, bayesnodes.WithPrior(c.prior), bayesnodes.WithKL(c.kl),
				bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5))
			if err != nil {
				t.Fatal(err)
			}
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				h, err := l.Apply(b, x)
				if err != nil {
					return nil, err
				}
				return G.Tanh(h) // a non-linearity, so the check is not of a linear map only
			}
			// A step of 3e-7: the narrow mixture component (sd 0.01)
			// curves the loss so sharply where a weight draw can fall that
			// at 1e-6 the difference's own error reaches 1e-6.
			checkGradientsStep(t, net, []int{4}, 5, nil, 3e-7, 1e-4).Close()
		})
	}
}

func TestLinearSharesOneSamplePerGraph(t *testing.T) {
	l, err := bayesnodes.NewLinear(2, 2, bayesnodes.WithRhoInit(-1, 0))
	if err != nil {
		t.Fatal(err)
	}
	twice := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		a, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		c, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return G.Sub(a, c)
	}
	m, err := graph.NewModel(twice, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetX([]float64{1, 2, 3, 4, 5, 6}); err != nil {
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
	if got := len(g.NoiseNames()); got != 2 {
		t.Errorf("%d noise inputs (%v), want 2 (weight and bias)", got, g.NoiseNames())
	}
	if got, want := g.KLCount(), 2*2+2; got != want {
		t.Errorf("KL counted over %d weights, want %d (once)", got, want)
	}
}

func TestLinearBadInput(t *testing.T) {
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"zero in", func() error { _, err := bayesnodes.NewLinear(0, 3); return err }, "in=0"},
		{"negative out", func() error { _, err := bayesnodes.NewLinear(3, -1); return err }, "out=-1"},
		{"sigma zero", func() error {
			_, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithPrior(bayesnodes.Normal{Sigma: 0}))
			return err
		}, "Sigma is 0"},
		{"sigma negative", func() error {
			_, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithPrior(bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: -1}))
			return err
		}, "Sigma2 is -1"},
		{"pi above one", func() error {
			_, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithPrior(bayesnodes.ScaleMixture{Pi: 1.5, Sigma1: 1, Sigma2: 0.1}))
			return err
		}, "Pi is 1.5"},
		{"pi NaN", func() error {
			_, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithPrior(bayesnodes.ScaleMixture{Pi: nan(), Sigma1: 1, Sigma2: 0.1}))
			return err
		}, "Pi is NaN"},
		{"closed form without one", func() error {
			_, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithPrior(userPrior{}), bayesnodes.WithKL(bayesnodes.KLClosedForm))
			return err
		}, "no closed form"},
		{"nil prior", func() error { _, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithPrior(nil)); return err }, "nil prior"},
		{"bad rho init", func() error { _, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithRhoInit(nan(), 1)); return err }, "rho init"},
		{"wrong input width", func() error {
			l, err := bayesnodes.NewLinear(3, 1)
			if err != nil {
				return err
			}
			m, err := graph.NewModel(l.Apply, graph.Input(4))
			if err != nil {
				return err
			}
			_, err = m.Build(2, nil)
			return err
		}, "input has shape (2, 4), want [batch, 3]"},
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
