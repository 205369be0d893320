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

// TestApplyUserMap checks that a user's map run through Estimator.Apply is
// the layer it describes: x w^T written with Gorgonia's own ops gives what
// Linear gives, under every estimator, with the same parameters and noise.
func TestApplyUserMap(t *testing.T) {
	userProduct := bayesnodes.LinearFunc(func(_ *graph.Builder, x, w *G.Node) (*G.Node, error) {
		wt, err := G.Transpose(w)
		if err != nil {
			return nil, err
		}
		return G.Mul(x, wt)
	})
	x := []float64{0.5, -1, 2, 0.25, 1.5, -0.75, 0, 3, -2, 1, 0.1, -0.3}
	for _, e := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.LocalReparameterization, bayesnodes.Flipout} {
		t.Run(e.String(), func(t *testing.T) {
			run := func(user bool) ([]float64, float64) {
				l, err := bayesnodes.NewLinear(3, 2, bayesnodes.WithEstimator(e))
				if err != nil {
					t.Fatal(err)
				}
				net := l.Apply
				if user {
					net = func(b *graph.Builder, x *G.Node) (*G.Node, error) {
						return l.Estimator.Apply(b, x, l.Weight, l.Bias, userProduct)
					}
				}
				m, err := graph.NewModel(net, graph.Input(3), graph.Seed(7))
				if err != nil {
					t.Fatal(err)
				}
				g, err := m.Build(4, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				if err := g.SetX(x); err != nil {
					t.Fatal(err)
				}
				if err := g.Run(); err != nil {
					t.Fatal(err)
				}
				return g.Output(nil), g.KL()
			}
			want, wantKL := run(false)
			got, gotKL := run(true)
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("output %d: user map %v, Linear %v", i, got[i], want[i])
				}
			}
			if gotKL != wantKL {
				t.Errorf("KL: user map %v, Linear %v", gotKL, wantKL)
			}
		})
	}
}

// TestApplyBadArguments checks that Estimator.Apply names what is missing
// or wrong instead of panicking.
func TestApplyBadArguments(t *testing.T) {
	l, err := bayesnodes.NewLinear(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		e    bayesnodes.Estimator
		m    bayesnodes.LinearMap
		want string
	}{
		"nil map":           {bayesnodes.Reparameterization, nil, "nil input, weight posterior or map"},
		"unknown estimator": {bayesnodes.Estimator(9), bayesnodes.DenseProduct, "estimator Estimator(9) is not supported"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				return c.e.Apply(b, x, l.Weight, l.Bias, c.m)
			}
			m, err := graph.NewModel(net, graph.Input(2))
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Build(1, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestErrEstimator checks that every estimator a layer's map refuses is
// reported with ErrEstimator before any graph runs: Flipout for an
// embedding (its input holds indices, not channels), local
// reparameterisation for a recurrent layer, and an unknown estimator for a
// dense map.
func TestErrEstimator(t *testing.T) {
	build := func(net graph.Network, input ...int) error {
		m, err := graph.NewModel(net, graph.Input(input...))
		if err != nil {
			return err
		}
		_, err = m.Build(2, nil)
		return err
	}
	emb, err := bayesnodes.NewEmbedding(5, 3, bayesnodes.WithEstimator(bayesnodes.Flipout))
	if err != nil {
		t.Fatal(err)
	}
	lin, err := bayesnodes.NewLinear(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	for name, run := range map[string]func() error{
		"embedding flipout": func() error { return build(emb.Apply, 4) },
		"lstm local": func() error {
			_, err := bayesnodes.NewLSTM(3, 4, bayesnodes.WithEstimator(bayesnodes.LocalReparameterization))
			return err
		},
		"unknown estimator": func() error {
			return build(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				return bayesnodes.Estimator(7).Apply(b, x, lin.Weight, lin.Bias, bayesnodes.DenseProduct)
			}, 2)
		},
	} {
		if err := run(); !errors.Is(err, bayesnodes.ErrEstimator) {
			t.Errorf("%s: error %v, want ErrEstimator", name, err)
		}
	}
}
