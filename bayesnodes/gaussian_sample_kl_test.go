package bayesnodes_test

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
)

// unfusedNormal is a Normal prior the fused sample-and-KL path does not
// recognise: its layers take the unfused ops (a sample, a KL, and their
// gradients summed by Gorgonia), the definition the fused path must match.
type unfusedNormal struct{ bayesnodes.Normal }

// curvedKL is an objective in which the KL enters nonlinearly, so that the
// gradient reaching it is neither 1 nor a constant: sum(out * r) + 0.37 kl
// + 0.002 kl^2.
type curvedKL struct{}

func (curvedKL) Attach(b *graph.Builder, out, kl *G.Node) (*G.Node, error) {
	fit, err := gradcheck.Probe{}.Attach(b, out, nil)
	if err != nil {
		return nil, err
	}
	lin, err := G.Mul(kl, b.Scalar(0.37))
	if err != nil {
		return nil, err
	}
	sq, err := G.Mul(kl, kl)
	if err != nil {
		return nil, err
	}
	quad, err := G.Mul(sq, b.Scalar(0.002))
	if err != nil {
		return nil, err
	}
	sum, err := G.Add(fit, lin)
	if err != nil {
		return nil, err
	}
	return G.Add(sum, quad)
}

// sampleKLNet is two Linear layers under prior, with a tanh between,
// trained with the estimator est.
func sampleKLNet(t *testing.T, prior bayesnodes.Prior, est bayesnodes.Estimator) graph.Network {
	t.Helper()
	return sampleKLNetMap(t, prior, est, bayesnodes.DenseProduct)
}

// sampleKLNetMap is sampleKLNet with the layers' map m.
func sampleKLNetMap(t *testing.T, prior bayesnodes.Prior, est bayesnodes.Estimator, m bayesnodes.LinearMap) graph.Network {
	t.Helper()
	opts := []bayesnodes.Option{bayesnodes.WithPrior(prior), bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-1, 1.5),
		bayesnodes.WithEstimator(est)}
	l1, err := bayesnodes.NewLinear(4, 3, opts...)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := bayesnodes.NewLinear(3, 2, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := l1.Estimator.Apply(b, x, l1.Weight, l1.Bias, m)
		if err != nil {
			return nil, err
		}
		if h, err = G.Tanh(h); err != nil {
			return nil, err
		}
		return l2.Estimator.Apply(b, h, l2.Weight, l2.Bias, m)
	}
}

// runOnce builds a training graph of net with obj in dtype dt, runs it once
// and returns its loss, KL and every parameter's gradient by name, checking
// that the run left the parameters as they were.
func runOnce(t *testing.T, net graph.Network, obj graph.Objective, dt tensor.Dtype) (loss, kl float64, grads map[string][]float64) {
	t.Helper()
	m, err := graph.NewModel(net, graph.Input(4), graph.Seed(3), graph.WithDtype(dt))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(5, obj)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX(randomInput(5*4, 11)); err != nil {
		t.Fatal(err)
	}
	if err := gradcheck.FillProbe(g, 5); err != nil {
		t.Fatal(err)
	}
	before := map[string][]float64{}
	for _, p := range m.Params() {
		before[p.Name()] = p.Values()
	}
	m.ReseedNoise(99)
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() { // a run reads the parameters, never writes them
		if !slices.Equal(p.Values(), before[p.Name()]) {
			t.Errorf("%s changed in a run", p.Name())
		}
	}
	grads = map[string][]float64{}
	for _, vg := range g.Learnables() {
		gr, err := vg.Grad()
		if err != nil {
			t.Fatal(err)
		}
		var v []float64
		switch d := gr.(*tensor.Dense).Data().(type) {
		case []float64:
			v = append(v, d...)
		case []float32:
			for _, x := range d {
				v = append(v, float64(x))
			}
		}
		grads[vg.(*G.Node).Name()] = v
	}
	return g.Loss(), g.KL(), grads
}

// TestSampleKLMatchesUnfused compares the fused path with the unfused ops
// it replaces, on the same parameters and noise, in float64 and float32,
// for each estimator: the loss, the KL and every gradient, under an
// objective that weighs the KL nonlinearly.
func TestSampleKLMatchesUnfused(t *testing.T) {
	prior := bayesnodes.Normal{Mu: 0.1, Sigma: 0.8}
	for _, est := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.Flipout, bayesnodes.LocalReparameterization} {
		for _, c := range []struct {
			dt  tensor.Dtype
			tol float64
		}{{graph.Float64, 1e-13}, {graph.Float32, 2e-6}} {
			t.Run(est.String()+"/"+c.dt.String(), func(t *testing.T) {
				fusedLoss, fusedKL, fused := runOnce(t, sampleKLNet(t, prior, est), curvedKL{}, c.dt)
				loss, kl, want := runOnce(t, sampleKLNet(t, unfusedNormal{prior}, est), curvedKL{}, c.dt)
				if d := math.Abs(fusedLoss - loss); d > c.tol*math.Max(1, math.Abs(loss)) {
					t.Errorf("loss %v, unfused %v", fusedLoss, loss)
				}
				if d := math.Abs(fusedKL - kl); d > c.tol*math.Max(1, math.Abs(kl)) || kl == 0 {
					t.Errorf("KL %v, unfused %v", fusedKL, kl)
				}
				if len(fused) != len(want) || len(want) != 8 {
					t.Fatalf("%d gradients, unfused %d, want 8", len(fused), len(want))
				}
				for name, w := range want {
					f := fused[name]
					if len(f) != len(w) {
						t.Fatalf("%s: %d gradient values, unfused %d", name, len(f), len(w))
					}
					for i := range w {
						if d := math.Abs(f[i] - w[i]); d > c.tol*math.Max(1, math.Abs(w[i])) {
							t.Errorf("%s[%d]: gradient %v, unfused %v", name, i, f[i], w[i])
						}
					}
				}
			})
		}
	}
}

// TestSampleKLGradients checks the fused path's gradients by central
// differences in float64 under the nonlinear KL weighting, for each
// estimator.
func TestSampleKLGradients(t *testing.T) {
	for _, est := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.Flipout, bayesnodes.LocalReparameterization} {
		t.Run(est.String(), func(t *testing.T) {
			m, err := graph.NewModel(sampleKLNet(t, bayesnodes.Normal{Mu: 0.1, Sigma: 0.8}, est), graph.Input(4), graph.Seed(3))
			if err != nil {
				t.Fatal(err)
			}
			g, err := m.Build(5, curvedKL{})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if err := g.SetX(randomInput(5*4, 11)); err != nil {
				t.Fatal(err)
			}
			if err := gradcheck.FillProbe(g, 5); err != nil {
				t.Fatal(err)
			}
			worst, err := gradcheck.Check(g, 99, 1e-6, 1e-4)
			if err != nil {
				t.Fatal(err)
			}
			if len(worst) != 8 {
				t.Fatalf("%d parameters checked, want 8", len(worst))
			}
			for _, w := range worst {
				if w.RelErr > 1e-6 {
					t.Errorf("gradient of %s", w)
				}
			}
		})
	}
}

// TestSampleKLUserMapInPlace trains a layer whose user map passes w
// through an op that Gorgonia may run in place on its input: under Flipout
// and local reparameterisation, w is then the fused pass's mu', which must
// not be the parameter's own memory. The run must leave the parameters as
// they were and give the gradients of the unfused ops.
func TestSampleKLUserMapInPlace(t *testing.T) {
	scaled := bayesnodes.LinearFunc(func(b *graph.Builder, x, w *G.Node) (*G.Node, error) {
		w2, err := G.Mul(w, b.Scalar(2)) // may overwrite w
		if err != nil {
			return nil, err
		}
		wt, err := G.Transpose(w2)
		if err != nil {
			return nil, err
		}
		return G.Mul(x, wt)
	})
	for _, est := range []bayesnodes.Estimator{bayesnodes.Flipout, bayesnodes.LocalReparameterization} {
		t.Run(est.String(), func(t *testing.T) {
			net := func(prior bayesnodes.Prior) graph.Network {
				l, err := bayesnodes.NewLinear(4, 3, bayesnodes.WithPrior(prior), bayesnodes.WithEstimator(est))
				if err != nil {
					t.Fatal(err)
				}
				return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
					return l.Estimator.Apply(b, x, l.Weight, l.Bias, scaled)
				}
			}
			prior := bayesnodes.Normal{Sigma: 0.5}
			_, _, fused := runOnce(t, net(prior), curvedKL{}, graph.Float64)
			_, _, want := runOnce(t, net(unfusedNormal{prior}), curvedKL{}, graph.Float64)
			for name, w := range want {
				for i := range w {
					if d := math.Abs(fused[name][i] - w[i]); d > 1e-12*math.Max(1, math.Abs(w[i])) {
						t.Errorf("%s[%d]: gradient %v, unfused %v", name, i, fused[name][i], w[i])
					}
				}
			}
		})
	}
}
