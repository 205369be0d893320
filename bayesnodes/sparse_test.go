package bayesnodes_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

func init() { conformanceRunners["kl_log_uniform"] = checkLogUniformKLCase }

// checkLogUniformKLCase checks the KL of one weight at each reference log
// alpha, through the graph's KL path (a sparse posterior of one weight per
// value, theta = 1 and log sigma^2 = log alpha) and through LogUniformKL.
func checkLogUniformKLCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	if len(c.Input.Data) != len(c.Output.Data) || len(c.Input.Data) == 0 {
		t.Fatalf("reference has %d log alphas and %d KLs", len(c.Input.Data), len(c.Output.Data))
	}
	posts := make([]bayesnodes.Posterior, len(c.Input.Data))
	for i, la := range c.Input.Data {
		p, err := bayesnodes.NewSparsePosterior(fmt.Sprintf("w%d", i), []int{1}, bayesnodes.LogUniform{}, graph.Constant(1), graph.Constant(la))
		if err != nil {
			t.Fatal(err)
		}
		posts[i] = p
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		for i, p := range posts {
			kl, err := p.KLOf(b, nil, bayesnodes.KLAuto)
			if err != nil {
				return nil, err
			}
			if err := b.Watch(fmt.Sprint(i), kl); err != nil {
				return nil, err
			}
		}
		return x, nil
	}
	m, err := graph.NewModel(net, graph.Input(1), dt.dt)
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX([]float64{0}); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, len(posts))
	direct := make([]float64, len(posts))
	for i := range posts {
		if got[i], err = g.Value(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		direct[i] = bayesnodes.LogUniformKL(c.Input.Data[i])
	}
	checkValues(t, "graph KL", got, c.Output.Data, dt.tol)
	checkValues(t, "LogUniformKL", direct, c.Output.Data, 1e-12)
}

// setSparse sets theta to +-[0.3, 1] and log sigma^2 so that log alpha
// spreads over [-6, 6], well inside the clip, so a finite-difference step
// never crosses it.
func setSparse(t *testing.T, p bayesnodes.Posterior, seed uint64) {
	t.Helper()
	setLogAlpha(t, p, seed, func(rng *rand.Rand) float64 { return -6 + 12*rng.Float64() })
}

// setLogAlpha sets theta to +-[0.3, 1] and log sigma^2 so that each
// weight's log alpha is logAlpha's draw.
func setLogAlpha(t *testing.T, p bayesnodes.Posterior, seed uint64, logAlpha func(*rand.Rand) float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	theta := make([]float64, p.Mean().Len())
	ls2 := make([]float64, len(theta))
	for i := range theta {
		theta[i] = 0.3 + 0.7*rng.Float64()
		if rng.IntN(2) == 0 {
			theta[i] = -theta[i]
		}
		ls2[i] = logAlpha(rng) + math.Log(theta[i]*theta[i])
	}
	if err := p.Params()[0].SetValues(theta); err != nil { // theta
		t.Fatal(err)
	}
	if err := p.Params()[1].SetValues(ls2); err != nil { // log sigma^2
		t.Fatal(err)
	}
}

func TestSparseVDGradients(t *testing.T) {
	for _, est := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.LocalReparameterization, bayesnodes.Flipout} {
		t.Run("linear/"+est.String(), func(t *testing.T) {
			l, err := bayesnodes.NewLinear(4, 3, bayesnodes.WithSparseVD(-2), bayesnodes.WithEstimator(est),
				bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := l.Weight.(*bayesnodes.SparsePosterior); !ok {
				t.Fatal("WithSparseVD: want a sparse weight and a Gaussian bias")
			}
			if _, ok := l.Bias.(*bayesnodes.GaussianPosterior); !ok {
				t.Fatal("WithSparseVD: want a sparse weight and a Gaussian bias")
			}
			setSparse(t, l.Weight, 4)
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				h, err := l.Apply(b, x)
				if err != nil {
					return nil, err
				}
				return G.Tanh(h)
			}
			checkGradients(t, net, []int{4}, 5)
		})
	}
	t.Run("conv2d/local", func(t *testing.T) {
		l, err := bayesnodes.NewConv2D(2, 3, [2]int{2, 2}, bayesnodes.WithSparseVD(-2),
			bayesnodes.WithEstimator(bayesnodes.LocalReparameterization), bayesnodes.WithMuInit(0, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		setSparse(t, l.Weight, 5)
		net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
			h, err := l.Apply(b, x)
			if err != nil {
				return nil, err
			}
			return G.Tanh(h)
		}
		checkGradients(t, net, []int{2, 3, 3}, 2)
	})
}

// TestSparseVDMoments checks sigma = exp(log sigma^2 / 2), the summed KL at
// log alpha = log sigma^2 - log theta^2 (clip included) and the
// signal-to-noise ratios against values computed here.
func TestSparseVDMoments(t *testing.T) {
	theta := []float64{0.5, -2, 0, 1.5, -0.25}
	ls2 := []float64{-3, 1, 4, 12, -15}
	p, err := bayesnodes.NewSparsePosterior("w", []int{5}, nil, graph.Constant(0), graph.Constant(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Theta.SetValues(theta); err != nil {
		t.Fatal(err)
	}
	if err := p.LogSigma2.SetValues(ls2); err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		_, sigma, err := p.Moments(b)
		if err != nil {
			return nil, err
		}
		kl, err := p.KLOf(b, nil, bayesnodes.KLAuto)
		if err != nil {
			return nil, err
		}
		if err := b.Watch("kl", kl); err != nil {
			return nil, err
		}
		return G.Reshape(sigma, []int{1, 5})
	}
	m, err := graph.NewModel(net, graph.Input(1))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX([]float64{0}); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	wantKL := 0.0
	for i, s := range ls2 {
		sigma := math.Exp(s / 2)
		if got := g.Output(nil)[i]; math.Abs(got-sigma) > 1e-12*math.Max(1, sigma) {
			t.Errorf("sigma[%d] = %v, want %v", i, got, sigma)
		}
		la := math.Max(bayesnodes.LogAlphaMin, math.Min(bayesnodes.LogAlphaMax, s-math.Log(theta[i]*theta[i])))
		wantKL += bayesnodes.LogUniformKL(la)
		if got := p.LogAlphaValues()[i]; math.Abs(got-la) > 1e-12 {
			t.Errorf("log alpha[%d] = %v, want %v", i, got, la)
		}
		if got, want := p.SignalToNoise()[i], math.Abs(theta[i])/sigma; math.Abs(got-want) > 1e-12*want {
			t.Errorf("SNR[%d] = %v, want %v", i, got, want)
		}
	}
	kl, err := g.Value("kl")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(kl-wantKL) > 1e-12 {
		t.Errorf("KL = %v, want %v", kl, wantKL)
	}
}

func TestSparseVDBadInput(t *testing.T) {
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"log-uniform on a Gaussian posterior", func() error {
			_, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithPrior(bayesnodes.LogUniform{}))
			return err
		}, "needs a sparse posterior"},
		{"Gaussian prior on a sparse posterior", func() error {
			_, err := bayesnodes.NewSparsePosterior("w", []int{2}, bayesnodes.Normal{Sigma: 1}, graph.Constant(0), graph.Constant(0))
			return err
		}, "needs a prior with a KL from it"},
		{"NaN log sigma^2 init", func() error {
			_, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithSparseVD(math.NaN()))
			return err
		}, "initial log sigma^2 is NaN"},
		{"Monte-Carlo KL", func() error {
			p, err := bayesnodes.NewSparsePosterior("w", []int{2}, nil, graph.Constant(0), graph.Constant(0))
			if err != nil {
				return err
			}
			m, err := graph.NewModel(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				if _, err := p.KLOf(b, nil, bayesnodes.KLMonteCarlo); err != nil {
					return nil, err
				}
				return x, nil
			}, graph.Input(1))
			if err != nil {
				return err
			}
			_, err = m.Build(1, nil)
			if !errors.Is(err, bayesnodes.ErrImproperPrior) {
				return fmt.Errorf("error %v is not ErrImproperPrior", err)
			}
			return err
		}, "no Monte-Carlo KL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.make()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
