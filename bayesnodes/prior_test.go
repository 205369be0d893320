package bayesnodes_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

func nan() float64 { return math.NaN() }

// userPrior is a user-defined prior: a Laplace(0, 1) density, with no
// closed-form KL from a Gaussian.
type userPrior struct{}

func (userPrior) LogProb(b *graph.Builder, w *G.Node) (*G.Node, error) {
	// log p(w) = -|w| - log 2, with |w| = sqrt(w^2 + tiny) to stay smooth.
	w2, err := G.Square(w)
	if err != nil {
		return nil, err
	}
	w2, err = G.Add(w2, b.Scalar(1e-12))
	if err != nil {
		return nil, err
	}
	abs, err := G.Sqrt(w2)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(abs)
	if err != nil {
		return nil, err
	}
	n := float64(w.Shape().TotalSize())
	return G.Sub(b.Scalar(-n*math.Ln2), s)
}

// logProbOf evaluates a prior's LogProb node on the given weights.
func logProbOf(t *testing.T, p bayesnodes.Prior, w []float64) float64 {
	t.Helper()
	param, err := graph.NewParam("w", []int{len(w)}, graph.Constant(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := param.SetValues(w); err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		wn, err := b.Param(param)
		if err != nil {
			return nil, err
		}
		lp, err := p.LogProb(b, wn)
		if err != nil {
			return nil, err
		}
		if err := b.Watch("lp", lp); err != nil {
			return nil, err
		}
		return x, nil
	}
	m, err := graph.NewModel(net, graph.Input(1))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetX([]float64{0}); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	v, err := g.Value("lp")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func normalLogPDF(w, mu, s float64) float64 {
	return -0.5*math.Log(2*math.Pi) - math.Log(s) - (w-mu)*(w-mu)/(2*s*s)
}

func TestScaleMixtureLogProbIsExactAndStable(t *testing.T) {
	p := bayesnodes.ScaleMixture{Pi: 0.3, Sigma1: 1, Sigma2: 0.001}
	// Far in the tails the narrow component's density underflows to 0 in a
	// direct sum; in log space the result stays exact.
	w := []float64{0, 1e-4, 0.5, -3, 40}
	got := logProbOf(t, p, w)
	want := 0.0
	for _, x := range w {
		a := math.Log(p.Pi) + normalLogPDF(x, 0, p.Sigma1)
		b := math.Log(1-p.Pi) + normalLogPDF(x, 0, p.Sigma2)
		m := math.Max(a, b)
		want += m + math.Log(math.Exp(a-m)+math.Exp(b-m))
	}
	if math.IsInf(got, 0) || math.IsNaN(got) || math.Abs(got-want) > 1e-9*math.Abs(want) {
		t.Fatalf("log p = %v, want %v", got, want)
	}
}

func TestNormalLogProb(t *testing.T) {
	p := bayesnodes.Normal{Mu: 0.5, Sigma: 2}
	w := []float64{-1, 0, 3.5}
	want := 0.0
	for _, x := range w {
		want += normalLogPDF(x, 0.5, 2)
	}
	if got := logProbOf(t, p, w); math.Abs(got-want) > 1e-12 {
		t.Fatalf("log p = %v, want %v", got, want)
	}
}

func TestUserPriorTrainsThroughMonteCarloKL(t *testing.T) {
	l, err := bayesnodes.NewLinear(3, 2, bayesnodes.WithPrior(userPrior{}), bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	checkGradients(t, l.Apply, []int{3}, 4)
}

func TestSoftplusInverse(t *testing.T) {
	for _, s := range []float64{1e-8, 1e-3, 0.5, 1, 20, 800} {
		if got := bayesnodes.Softplus(bayesnodes.InverseSoftplus(s)); math.Abs(got-s) > 1e-12*s+1e-300 {
			t.Errorf("softplus(inverse(%v)) = %v", s, got)
		}
	}
	if got := bayesnodes.Softplus(-700); got <= 0 || got > 1e-300 {
		t.Errorf("softplus(-700) = %v, want a tiny positive value", got)
	}
}
