package bayesnodes_test

import (
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

func init() { conformanceRunners["linear_flipout"] = checkLinearFlipoutCase }

// checkLinearFlipoutCase checks Flipout against the reference: its eps hold
// the weight and bias draws and the input and output signs. A vector with
// a prior is checked on the draw's log q, log p and KLs too.
func checkLinearFlipoutCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	ws := c.Params["weight_mu"].Shape
	opts := []bayesnodes.Option{bayesnodes.WithEstimator(bayesnodes.Flipout)}
	if c.Prior != nil {
		opts = append(opts, bayesnodes.WithPrior(goldenPrior(t, c.Prior)))
	}
	l, err := bayesnodes.NewLinear(ws[1], ws[0], opts...)
	if err != nil {
		t.Fatal(err)
	}
	pp := posteriorParts{"weight": l.Weight, "bias": l.Bias}
	pp.set(t, c)
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
	pp.setNoise(t, g, c)
	for _, s := range []string{"sign_in", "sign_out"} {
		if err := g.SetNoise(l.Weight.Name()+"."+s, c.Eps[s].Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "output", g.Output(nil), c.Output.Data, dt.tol)
	m.Freeze()
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "frozen_output", g.Output(nil), c.FrozenOutput.Data, dt.tol)
	if c.Prior != nil {
		pp.checkTerms(t, c, dt)
	}
}

// outputMoments runs a fresh 3-to-2 linear layer with the given estimator
// many times on a batch of two equal inputs, and returns the first output's
// mean and variance for each example and the covariance of the two
// examples' first outputs. The layer has no bias: a bias sample is shared
// by the whole batch under every estimator. opts configure the model (its
// dtype).
func outputMoments(t *testing.T, e bayesnodes.Estimator, opts ...graph.Option) (mean, variance [2]float64, cov float64) {
	t.Helper()
	const runs = 20000
	x := []float64{0.5, -1, 2, 0.5, -1, 2}
	l, err := bayesnodes.NewLinear(3, 2, bayesnodes.WithEstimator(e), bayesnodes.WithoutBias(), bayesnodes.WithMuInit(0.2, 0.3), bayesnodes.WithRhoInit(-1, 0.3))
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, append([]graph.Option{graph.Input(3), graph.Seed(11)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX(x); err != nil {
		t.Fatal(err)
	}
	var sum, sq [2]float64
	var cross float64
	for i := 0; i < runs; i++ {
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		y := g.Output(nil) // [2 examples, 2 outputs]
		a, b := y[0], y[2]
		sum[0] += a
		sum[1] += b
		sq[0] += a * a
		sq[1] += b * b
		cross += a * b
	}
	for j := range sum {
		mean[j] = sum[j] / runs
		variance[j] = sq[j]/runs - mean[j]*mean[j]
	}
	return mean, variance, cross/runs - mean[0]*mean[1]
}

// TestFlipoutDecorrelatesExamples checks the estimator's point: each
// example's output has the distribution it has under weight sampling, while
// two examples no longer share their weight noise (weight sampling makes
// equal inputs' outputs perfectly correlated). In float64 and in float32,
// whose noise and kernels take paths of their own (the MNIST example
// trains in float32).
func TestFlipoutDecorrelatesExamples(t *testing.T) {
	for _, dt := range []tensor.Dtype{graph.Float64, graph.Float32} {
		m1, v1, c1 := outputMoments(t, bayesnodes.Reparameterization, graph.WithDtype(dt))
		m2, v2, c2 := outputMoments(t, bayesnodes.Flipout, graph.WithDtype(dt))
		for j := range m1 {
			se := math.Sqrt(v1[j] / 20000)
			if d := math.Abs(m1[j] - m2[j]); d > 6*se {
				t.Errorf("%v: example %d: mean %v by weight sampling, %v by Flipout", dt, j, m1[j], m2[j])
			}
			if r := v2[j] / v1[j]; r < 0.95 || r > 1.05 {
				t.Errorf("%v: example %d: variance %v by weight sampling, %v by Flipout", dt, j, v1[j], v2[j])
			}
		}
		if r := c1 / math.Sqrt(v1[0]*v1[1]); r < 0.999 {
			t.Errorf("%v: weight sampling: correlation of equal inputs' outputs %v, want 1", dt, r)
		}
		if r := c2 / math.Sqrt(v2[0]*v2[1]); math.Abs(r) > 0.05 {
			t.Errorf("%v: Flipout: correlation of equal inputs' outputs %v, want about 0", dt, r)
		}
	}
}

// TestFlipoutConvIsPerExampleWeights checks Flipout convolutions against
// their definition, with weight sampling (checked against the reference
// vectors) as the reference: example n's output must be the convolution of
// x_n with the weights mu + (sigma * eps) * s_out[n, o] * s_in[n, i], and
// the bias sample.
func TestFlipoutConvIsPerExampleWeights(t *testing.T) {
	const batch = 3
	for _, groups := range []int{1, 2} {
		mk := func(e bayesnodes.Estimator) *bayesnodes.Conv {
			c, err := bayesnodes.NewConv2D(4, 2, [2]int{3, 2}, bayesnodes.Padding(1), bayesnodes.Stride(1, 2),
				bayesnodes.Groups(groups), bayesnodes.WithEstimator(e), bayesnodes.WithRhoInit(-1, 0.5))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		flip, ref := mk(bayesnodes.Flipout), mk(bayesnodes.Reparameterization)
		in := []int{4, 5, 6}
		m, err := graph.NewModel(flip.Apply, graph.Input(in...), graph.WithDtype(graph.Float64), graph.Seed(5))
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.Build(batch, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := randomInput(batch*m.InputWidth(), 2)
		eps, epsB := randomInput(flip.Weight.Mean().Len(), 3), randomInput(flip.Bias.Mean().Len(), 4)
		signIn, signOut := randomSigns(batch*4, 5), randomSigns(batch*2, 6)
		for name, v := range map[string][]float64{
			flip.Weight.Name(): eps, flip.Bias.Name(): epsB,
			flip.Weight.Name() + ".sign_in": signIn, flip.Weight.Name() + ".sign_out": signOut,
		} {
			if err := g.SetNoise(name, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.SetX(x); err != nil {
			t.Fatal(err)
		}
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		got := g.Output(nil)
		g.Close()

		rm, err := graph.NewModel(ref.Apply, graph.Input(in...), graph.WithDtype(graph.Float64))
		if err != nil {
			t.Fatal(err)
		}
		rg, err := rm.Build(1, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rg.Close()
		for _, p := range [][2]*graph.Param{{flip.Weight.Mean(), ref.Weight.Mean()}, {flip.Weight.(*bayesnodes.GaussianPosterior).Rho, ref.Weight.(*bayesnodes.GaussianPosterior).Rho}, {flip.Bias.Mean(), ref.Bias.Mean()}, {flip.Bias.(*bayesnodes.GaussianPosterior).Rho, ref.Bias.(*bayesnodes.GaussianPosterior).Rho}} {
			if err := p[1].SetValues(p[0].Values()); err != nil {
				t.Fatal(err)
			}
		}
		per := len(got) / batch
		inPerGroup := 4 / groups
		for n := 0; n < batch; n++ {
			// The flipped draw: weight [out, in/groups, kh, kw].
			flipped := make([]float64, len(eps))
			k := len(eps) / (2 * inPerGroup)
			for o := 0; o < 2; o++ {
				for i := 0; i < inPerGroup; i++ {
					ch := (o/(2/groups))*inPerGroup + i
					for j := 0; j < k; j++ {
						at := (o*inPerGroup+i)*k + j
						flipped[at] = eps[at] * signOut[n*2+o] * signIn[n*4+ch]
					}
				}
			}
			if err := rg.SetNoise(ref.Weight.Name(), flipped); err != nil {
				t.Fatal(err)
			}
			if err := rg.SetNoise(ref.Bias.Name(), epsB); err != nil {
				t.Fatal(err)
			}
			if err := rg.SetX(x[n*m.InputWidth() : (n+1)*m.InputWidth()]); err != nil {
				t.Fatal(err)
			}
			if err := rg.Run(); err != nil {
				t.Fatal(err)
			}
			checkValues(t, "example output", got[n*per:(n+1)*per], rg.Output(nil), 1e-12)
		}
	}
}

func randomSigns(n int, seed uint64) []float64 {
	s := randomInput(n, seed)
	for i, v := range s {
		s[i] = 1
		if v < 0 {
			s[i] = -1
		}
	}
	return s
}

// TestFlipoutDenseMatchesGenericParts checks that a dense layer's Flipout
// op (flipout_dense.go) gives the generic parts' loss, KL and gradients
// bit for bit, in float64 and float32: the same map hidden in a
// LinearFunc takes the generic path. Two layers, so that the second
// layer's input gradient is checked too; under a fused and an unfused
// prior.
func TestFlipoutDenseMatchesGenericParts(t *testing.T) {
	generic := bayesnodes.LinearFunc(bayesnodes.DenseProduct.Map)
	net := func(prior bayesnodes.Prior, m bayesnodes.LinearMap) graph.Network {
		return sampleKLNetMap(t, prior, bayesnodes.Flipout, m)
	}
	normal := bayesnodes.Normal{Mu: 0.1, Sigma: 0.8}
	for _, prior := range []bayesnodes.Prior{normal, unfusedNormal{normal}} {
		for _, dt := range []tensor.Dtype{graph.Float64, graph.Float32} {
			loss, kl, grads := runOnce(t, net(prior, bayesnodes.DenseProduct), curvedKL{}, dt)
			wantLoss, wantKL, want := runOnce(t, net(prior, generic), curvedKL{}, dt)
			if loss != wantLoss || kl != wantKL {
				t.Errorf("%T, %v: loss %v, KL %v; generic parts %v, %v", prior, dt, loss, kl, wantLoss, wantKL)
			}
			if len(grads) != len(want) || len(want) != 8 {
				t.Fatalf("%T, %v: %d gradients, generic parts %d, want 8", prior, dt, len(grads), len(want))
			}
			for name, w := range want {
				if !slices.Equal(grads[name], w) {
					t.Errorf("%T, %v: %s: gradient %v, generic parts %v", prior, dt, name, grads[name], w)
				}
			}
		}
	}
}
