package bayesnodes_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
)

// opCounts builds a training graph of net and counts its nodes by op name.
func opCounts(t *testing.T, net graph.Network, in []int) map[string]int {
	t.Helper()
	var eg *G.ExprGraph
	wrapped := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		eg = b.ExprGraph()
		return net(b, x)
	}
	m, err := graph.NewModel(wrapped, graph.Input(in...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Build(2, gradcheck.Probe{}); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, n := range eg.AllNodes() {
		if op := n.Op(); op != nil {
			name := op.String()
			if i := strings.IndexByte(name, '('); i > 0 {
				name = name[:i]
			}
			if strings.HasPrefix(name, "+") && !n.IsScalar() {
				name = "+ over a tensor" // a pass summing two gradients, say
			}
			counts[name]++
		}
	}
	return counts
}

// TestGraphsUseTheFusedOps checks what a Linear layer's training graph is
// made of: under a closed-form KL one fused op each way per posterior,
// otherwise one softplus helper per posterior shared by the sample and the
// KL; the fused forward and backward ops, and none of Gorgonia's softplus,
// log, exp or sigmoid, whichever the KL method and estimator. (Gorgonia
// names its log "ln".)
func TestGraphsUseTheFusedOps(t *testing.T) {
	cases := []struct {
		name string
		opts []bayesnodes.Option
		want map[string]int
	}{
		// One pass each way per posterior, and no gradients summed by
		// Gorgonia (gaussian_sample_kl.go).
		{"closed form", []bayesnodes.Option{bayesnodes.WithKL(bayesnodes.KLClosedForm)}, map[string]int{
			"bayesnodes.sampleKL": 2, "bayesnodes.sampleKL.kl": 2, "bayesnodes.sampleKL.out": 2,
			"bayesnodes.sampleKLGrad": 2, "bayesnodes.pairHalf": 4, "+ over a tensor": 0,
			"bayesnodes.softplusSigmoid": 0, "bayesnodes.sample": 0, "bayesnodes.sampleRhoGrad": 0,
			"bayesnodes.gaussianKL": 0, "bayesnodes.muGrad": 0, "bayesnodes.rhoGrad": 0, "bayesnodes.logQ": 0,
		}},
		{"monte carlo", []bayesnodes.Option{bayesnodes.WithKL(bayesnodes.KLMonteCarlo)}, map[string]int{
			"bayesnodes.softplusSigmoid": 2, "bayesnodes.sample": 2, "bayesnodes.sampleRhoGrad": 2,
			"bayesnodes.logQ": 2, "bayesnodes.rhoGrad": 2, "bayesnodes.gaussianKL": 0,
		}},
		// Under local reparameterisation and Flipout, mu and sigma^2 or
		// sigma eps come from the one fused pass.
		{"local reparameterization", []bayesnodes.Option{bayesnodes.WithEstimator(bayesnodes.LocalReparameterization)}, map[string]int{
			"bayesnodes.sampleKL": 2, "bayesnodes.sampleKL.out": 2, "bayesnodes.sampleKL.mu": 2, "bayesnodes.sampleKLGrad": 2,
			"bayesnodes.softplusSigmoid": 0, "bayesnodes.sigma": 0, "bayesnodes.sigmaGrad": 0, "bayesnodes.gaussianKL": 0,
			"bayesnodes.sample": 0, "square": 1, // x^2
			// mu's and sigma^2's products and their gradients, none for the data's square
			"bayesnodes.gemm": 4,
		}},
		{"flipout", []bayesnodes.Option{bayesnodes.WithEstimator(bayesnodes.Flipout)}, map[string]int{
			"bayesnodes.sampleKL": 2, "bayesnodes.sampleKL.out": 2, "bayesnodes.sampleKL.mu": 1, "bayesnodes.sampleKLGrad": 2,
			"bayesnodes.softplusSigmoid": 0, "bayesnodes.sigma": 0, "bayesnodes.sigmaGrad": 0, "bayesnodes.gaussianKL": 0,
			"bayesnodes.sample": 0,
			// the dense layer's op each way, and mu's gradient; none for the data's signed copy
			"bayesnodes.flipoutDense": 1, "bayesnodes.flipoutGradDelta": 1, "bayesnodes.flipoutGradX": 0, "bayesnodes.gemm": 1,
			"⊙": 0,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := bayesnodes.NewLinear(3, 2, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			counts := opCounts(t, l.Apply, []int{3})
			for op, n := range c.want {
				if counts[op] != n {
					t.Errorf("%d %s nodes, want %d (graph: %v)", counts[op], op, n, counts)
				}
			}
			for _, op := range []string{"softplus", "sigmoid", "ln", "log1p", "exp"} {
				if counts[op] > 0 {
					t.Errorf("%d Gorgonia %s nodes: the posterior's maths is done outside the fused ops (graph: %v)", counts[op], op, counts)
				}
			}
			if c.name == "closed form" && counts["square"] > 0 {
				t.Errorf("%d square nodes in a closed-form graph (graph: %v)", counts["square"], counts)
			}
		})
	}
}

// TestLinearGradientsFused checks the fused ops' gradients by finite
// differences where TestLinearGradients does not reach: a prior mean other
// than 0, positive rho (the other branch of softplus), and sigma from
// Gaussian.Sigma in a user's prior.
func TestLinearGradientsFused(t *testing.T) {
	for _, c := range []struct {
		name  string
		prior bayesnodes.Prior
		kl    bayesnodes.KLMethod
	}{
		{"normal-mean/closed", bayesnodes.Normal{Mu: 0.2, Sigma: 0.7}, bayesnodes.KLClosedForm},
		{"normal-mean/montecarlo", bayesnodes.Normal{Mu: 0.2, Sigma: 0.7}, bayesnodes.KLMonteCarlo},
		{"user-closed-form", nodeNormal{Mu: -0.1, Sigma: 0.4}, bayesnodes.KLClosedForm},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := bayesnodes.NewLinear(3, 2, bayesnodes.WithPrior(c.prior), bayesnodes.WithKL(c.kl),
				bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(0.3, 1.5))
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
			checkGradients(t, net, []int{3}, 4)
		})
	}
}

// nodeNormal is a user-defined closed-form prior written in graph nodes, as
// a user would: the Normal prior's KL from mu and q.Sigma().
type nodeNormal struct{ Mu, Sigma float64 }

func (p nodeNormal) LogProb(b *graph.Builder, w *G.Node) (*G.Node, error) {
	return bayesnodes.Normal{Mu: p.Mu, Sigma: p.Sigma}.LogProb(b, w)
}

func (p nodeNormal) KLNormal(b *graph.Builder, q bayesnodes.Gaussian) (*G.Node, error) {
	sigma, err := q.Sigma()
	if err != nil {
		return nil, err
	}
	n := float64(q.Mu.Shape().TotalSize())
	d, err := G.Sub(q.Mu, b.Scalar(p.Mu))
	if err != nil {
		return nil, err
	}
	sum := func(x *G.Node) (*G.Node, error) {
		sq, err := G.Square(x)
		if err != nil {
			return nil, err
		}
		return G.Sum(sq)
	}
	ssMu, err := sum(d)
	if err != nil {
		return nil, err
	}
	ssSigma, err := sum(sigma)
	if err != nil {
		return nil, err
	}
	logSigma, err := G.Log(sigma)
	if err != nil {
		return nil, err
	}
	sumLog, err := G.Sum(logSigma)
	if err != nil {
		return nil, err
	}
	quad, err := G.Add(ssMu, ssSigma)
	if err != nil {
		return nil, err
	}
	if quad, err = G.Mul(quad, b.Scalar(1/(2*p.Sigma*p.Sigma))); err != nil {
		return nil, err
	}
	kl, err := G.Sub(quad, sumLog)
	if err != nil {
		return nil, err
	}
	return G.Add(kl, b.Scalar(n*(math.Log(p.Sigma)-0.5)))
}

// oldStylePrior has the ClosedFormPrior method as it was before it took a
// Gaussian.
// klTerms builds one posterior in a graph of dtype dt and watches the KL
// from each prior (named by index) and from the node-built Normal.
func klTerms(t *testing.T, dt tensor.Dtype, mu, rho []float64, priors []bayesnodes.Normal) (got, nodes []float64, kls int) {
	t.Helper()
	post, err := bayesnodes.NewPosterior("w", []int{len(mu)}, priors[0], graph.Constant(0), graph.Constant(0), bayesnodes.KLClosedForm)
	if err != nil {
		t.Fatal(err)
	}
	if err := post.Mu.SetValues(mu); err != nil {
		t.Fatal(err)
	}
	if err := post.Rho.SetValues(rho); err != nil {
		t.Fatal(err)
	}
	var eg *G.ExprGraph
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		eg = b.ExprGraph()
		q, err := post.Gaussian(b)
		if err != nil {
			return nil, err
		}
		for i, p := range priors {
			kl, err := p.KLNormal(b, q)
			if err != nil {
				return nil, err
			}
			if err := b.Watch(fmt.Sprintf("kl%d", i), kl); err != nil {
				return nil, err
			}
			kn, err := nodeNormal(p).KLNormal(b, q)
			if err != nil {
				return nil, err
			}
			if err := b.Watch(fmt.Sprintf("nodes%d", i), kn); err != nil {
				return nil, err
			}
		}
		return x, nil
	}
	m, err := graph.NewModel(net, graph.Input(1), graph.WithDtype(dt))
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
	for i := range priors {
		v, err := g.Value(fmt.Sprintf("kl%d", i))
		if err != nil {
			t.Fatal(err)
		}
		w, err := g.Value(fmt.Sprintf("nodes%d", i))
		if err != nil {
			t.Fatal(err)
		}
		got, nodes = append(got, v), append(nodes, w)
	}
	for _, n := range eg.AllNodes() {
		if op := n.Op(); op != nil && strings.HasPrefix(op.String(), "bayesnodes.gaussianKL") {
			kls++
		}
	}
	return got, nodes, kls
}

// TestNormalPriorsAreNotMerged: the prior's parameters are in the fused KL
// op's hash, so the KLs of one posterior from priors that differ only in
// Sigma or Mu are separate nodes with their own values.
func TestNormalPriorsAreNotMerged(t *testing.T) {
	mu := []float64{0.3, -0.2, 0.05, 1.5}
	rho := []float64{-3, -1, 0.5, -6}
	priors := []bayesnodes.Normal{{Sigma: 1}, {Sigma: 0.5}, {Mu: 0.1, Sigma: 1}}
	for _, dt := range []struct {
		dt  tensor.Dtype
		tol float64
	}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-5}} {
		got, nodes, kls := klTerms(t, dt.dt, mu, rho, priors)
		if kls != len(priors) {
			t.Errorf("%v: %d fused KL nodes, want %d", dt.dt, kls, len(priors))
		}
		for i, p := range priors {
			want := 0.0
			for j := range mu {
				s := bayesnodes.Softplus(rho[j])
				want += math.Log(p.Sigma/s) + (s*s+(mu[j]-p.Mu)*(mu[j]-p.Mu))/(2*p.Sigma*p.Sigma) - 0.5
			}
			if math.Abs(got[i]-want) > dt.tol*math.Abs(want) {
				t.Errorf("%v: KL from %+v = %.12g, want %.12g", dt.dt, p, got[i], want)
			}
			if math.Abs(nodes[i]-want) > dt.tol*math.Abs(want) {
				t.Errorf("%v: KL from %+v in graph nodes = %.12g, want %.12g", dt.dt, p, nodes[i], want)
			}
		}
	}
}

// gradsOf builds net in dt with the probe objective, runs it with the noise
// of noiseSeed and returns every parameter's gradient, keyed by name.
// Without zero, gradients accumulate from earlier runs.
func gradsOf(t *testing.T, g *graph.Graph, noiseSeed uint64, zero bool) map[string][]float64 {
	t.Helper()
	if zero {
		for _, vg := range g.Learnables() {
			gr, err := vg.Grad()
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := gr.(*tensor.Dense); ok { // nil before the first run
				d.Zero()
			}
		}
	}
	g.Model().ReseedNoise(noiseSeed)
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]float64{}
	for _, vg := range g.Learnables() {
		gr, err := vg.Grad()
		if err != nil {
			t.Fatal(err)
		}
		var vals []float64
		switch d := gr.Data().(type) {
		case []float64:
			vals = append(vals, d...)
		case []float32:
			for _, x := range d {
				vals = append(vals, float64(x))
			}
		}
		out[vg.(*G.Node).Name()] = vals
	}
	return out
}

func probeGraph(t *testing.T, net graph.Network, dt tensor.Dtype) *graph.Graph {
	t.Helper()
	m, err := graph.NewModel(net, graph.Input(4), graph.WithDtype(dt), graph.Seed(5))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(3, gradcheck.Probe{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetX(randomInput(12, 13)); err != nil {
		t.Fatal(err)
	}
	if err := gradcheck.FillProbe(g, 14); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestFusedGradientsFloat32 compares the float32 gradients with the float64
// ones (checked by finite differences elsewhere), and checks that gradients
// of two runs add up although the ops reuse their result buffers.
func TestFusedGradientsFloat32(t *testing.T) {
	for _, kl := range []bayesnodes.KLMethod{bayesnodes.KLClosedForm, bayesnodes.KLMonteCarlo} {
		t.Run(kl.String(), func(t *testing.T) {
			grads := map[tensor.Dtype][]map[string][]float64{}
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				// One layer per dtype: a model takes its parameters' dtype.
				l, err := bayesnodes.NewLinear(4, 3, bayesnodes.WithKL(kl), bayesnodes.WithPrior(bayesnodes.Normal{Mu: 0.1, Sigma: 0.5}),
					bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 1))
				if err != nil {
					t.Fatal(err)
				}
				g := probeGraph(t, l.Apply, dt)
				a := gradsOf(t, g, 21, true)
				b := gradsOf(t, g, 22, true)
				gradsOf(t, g, 21, true)
				ab := gradsOf(t, g, 22, false)
				for name, va := range a {
					for i := range va {
						if sum := va[i] + b[name][i]; math.Abs(ab[name][i]-sum) > 1e-5*math.Max(1, math.Abs(sum)) {
							t.Fatalf("%v: %s[%d]: two runs accumulated %v, the runs alone %v + %v", dt, name, i, ab[name][i], va[i], b[name][i])
						}
					}
				}
				if sameGrads(a, b) {
					t.Fatalf("%v: two noise draws gave the same gradients", dt)
				}
				grads[dt] = append(grads[dt], a)
			}
			g64, g32 := grads[tensor.Float64][0], grads[tensor.Float32][0]
			for name, v := range g64 {
				scale := 0.0
				for _, x := range v {
					scale = math.Max(scale, math.Abs(x))
				}
				for i := range v {
					if math.Abs(g32[name][i]-v[i]) > 1e-4*math.Max(scale, 1e-3) {
						t.Errorf("%s[%d]: float32 gradient %v, float64 %v", name, i, g32[name][i], v[i])
						break
					}
				}
			}
		})
	}
}

func sameGrads(a, b map[string][]float64) bool {
	for name, va := range a {
		for i := range va {
			if va[i] != b[name][i] {
				return false
			}
		}
	}
	return true
}
