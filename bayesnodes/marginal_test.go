package bayesnodes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// marginalNet is a stack of Linear layers with ReLU between them that
// records the marginal ops its graphs get.
type marginalNet struct {
	layers   []*Linear
	ops      []*int // each marginal draw's count of moment computations
	opLayers []int  // the layer of each op
}

func newMarginalNet(t *testing.T, sizes []int, opts ...Option) *marginalNet {
	t.Helper()
	n := &marginalNet{}
	for i := 1; i < len(sizes); i++ {
		l, err := NewLinear(sizes[i-1], sizes[i], append(opts[:len(opts):len(opts)], WithName(fmt.Sprintf("fc%d", i)))...)
		if err != nil {
			t.Fatal(err)
		}
		n.layers = append(n.layers, l)
	}
	return n
}

func (n *marginalNet) apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	h := x
	for i, l := range n.layers {
		if i > 0 {
			var err error
			if h, err = G.Rectify(h); err != nil {
				return nil, err
			}
		}
		var err error
		if h, err = l.Apply(b, h); err != nil {
			return nil, err
		}
		if r := marginalRecomputed(h); r != nil {
			n.ops, n.opLayers = append(n.ops, r), append(n.opLayers, i)
		}
	}
	return h, nil
}

// recomputed returns how often each recorded op computed its moments.
func (n *marginalNet) recomputed() []int {
	r := make([]int, len(n.ops))
	for i, op := range n.ops {
		r[i] = *op
	}
	return r
}

// marginalRecomputed returns the count of moment computations of the
// marginal draw h, nil if h is not one.
func marginalRecomputed(h *G.Node) *int {
	if _, ok := h.Op().(interface{ Math() opkit.Math[float64] }); !ok {
		if _, ok := h.Op().(interface{ Math() opkit.Math[float32] }); !ok {
			return nil
		}
	}
	for it := h.Graph().From(h.ID()); it.Next(); {
		switch op := it.Node().(*G.Node).Op().(type) {
		case *opkit.Op[float64]:
			if m, ok := op.Math().(marginalMoments[float64]); ok {
				return m.recomputed
			}
		case *opkit.Op[float32]:
			if m, ok := op.Math().(marginalMoments[float32]); ok {
				return m.recomputed
			}
		}
	}
	return nil
}

func newMarginalModel(t *testing.T, net *marginalNet, width int, dt tensor.Dtype) *graph.Model {
	t.Helper()
	m, err := graph.NewModel(net.apply, graph.Input(width), graph.WithDtype(dt))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func randomInputs(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 9))
	x := make([]float64, n)
	for i := range x {
		x[i] = 4*rng.Float64() - 2
	}
	return x
}

func predictMarginal(t *testing.T, m *graph.Model, x []float64, samples int) [][]float64 {
	t.Helper()
	p, err := m.PredictMarginal(x, samples)
	if err != nil {
		t.Fatal(err)
	}
	return p.Samples
}

// sigmaOf returns a posterior's standard deviations from its parameters.
func sigmaOf(p Posterior) []float64 {
	if s, ok := p.(*SparsePosterior); ok {
		v := s.LogSigma2.Values()
		for i := range v {
			v[i] = math.Exp(v[i] / 2)
		}
		return v
	}
	v := p.(*GaussianPosterior).Rho.Values()
	for i := range v {
		v[i] = Softplus(v[i])
	}
	return v
}

// sampleMoments returns the mean and variance of every output over the
// passes, and the standard errors of both.
func sampleMoments(samples [][]float64) (mean, variance, seMean, seVar []float64) {
	n, s := len(samples[0]), float64(len(samples))
	mean, variance, seMean, seVar = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		for _, out := range samples {
			mean[i] += out[i] / s
		}
		m2, m4 := 0.0, 0.0
		for _, out := range samples {
			d := (out[i] - mean[i]) * (out[i] - mean[i])
			m2 += d / s
			m4 += d * d / s
		}
		variance[i] = m2 * s / (s - 1)
		seMean[i] = math.Sqrt(variance[i] / s)
		seVar[i] = math.Sqrt(max(m4-m2*m2, 0) / s)
	}
	return mean, variance, seMean, seVar
}

// TestMarginalMomentsOfOneLayer checks PredictMarginal's outputs of one
// Linear layer against their exact distribution, N(x mu^T + b_mu, x^2
// (sigma^2)^T + sigma_b^2), with Gaussian and sparse weight posteriors:
// the sample mean and variance of 20,000 passes within 5 standard errors.
// A variance formula with sigma in place of sigma^2 is off by 20 or more.
func TestMarginalMomentsOfOneLayer(t *testing.T) {
	for name, opts := range map[string][]Option{
		"gaussian": {WithMuInit(0, 0.5), WithRhoInit(0, 0.5)},
		"sparse":   {WithMuInit(0, 0.5), WithRhoInit(-0.5, 0.5), WithSparseVD(-1)},
	} {
		t.Run(name, func(t *testing.T) {
			const in, out, n, samples = 3, 2, 4, 20000
			net := newMarginalNet(t, []int{in, out}, opts...)
			m := newMarginalModel(t, net, in, tensor.Float64)
			x := randomInputs(n*in, 1)
			got := predictMarginal(t, m, x, samples)
			if len(net.ops) != 1 {
				t.Fatalf("%d marginal ops, want the layer's one", len(net.ops))
			}
			l := net.layers[0]
			mu, sigma := l.Weight.Mean().Values(), sigmaOf(l.Weight)
			bmu, bsigma := l.Bias.Mean().Values(), sigmaOf(l.Bias)
			mean, variance, seMean, seVar := sampleMoments(got)
			for e := range n {
				for j := range out {
					wantMean, wantVar := bmu[j], bsigma[j]*bsigma[j]
					for k := range in {
						xv := x[e*in+k]
						wantMean += xv * mu[j*in+k]
						wantVar += xv * xv * sigma[j*in+k] * sigma[j*in+k]
					}
					i := e*out + j
					if d := math.Abs(mean[i] - wantMean); d > 5*seMean[i] {
						t.Errorf("example %d output %d: mean %.5f, want %.5f (%.1f standard errors)", e, j, mean[i], wantMean, d/seMean[i])
					}
					if d := math.Abs(variance[i] - wantVar); d > 5*seVar[i] {
						t.Errorf("example %d output %d: variance %.5f, want %.5f (%.1f standard errors)", e, j, variance[i], wantVar, d/seVar[i])
					}
				}
			}
		})
	}
}

// TestMarginalAgreesWithPredict checks that every example's predictive
// distribution is Predict's: mean and variance of each output of a
// three-layer network over 20,000 passes of both agree within 5 standard
// errors of their difference.
func TestMarginalAgreesWithPredict(t *testing.T) {
	const in, n, samples = 3, 4, 20000
	net := newMarginalNet(t, []int{in, 6, 5, 2}, WithMuInit(0, 0.6), WithRhoInit(-0.5, 0.3))
	m := newMarginalModel(t, net, in, tensor.Float64)
	x := randomInputs(n*in, 2)
	p, err := m.Predict(x, samples)
	if err != nil {
		t.Fatal(err)
	}
	got := predictMarginal(t, m, x, samples)
	if len(net.ops) != 1 {
		t.Fatalf("%d marginal ops, want one (the first layer's)", len(net.ops))
	}
	wm, wv, wsm, wsv := sampleMoments(p.Samples)
	gm, gv, gsm, gsv := sampleMoments(got)
	for i := range gm {
		if d, se := math.Abs(gm[i]-wm[i]), math.Hypot(gsm[i], wsm[i]); d > 5*se {
			t.Errorf("output %d: mean %.5f, Predict's %.5f (%.1f standard errors)", i, gm[i], wm[i], d/se)
		}
		if d, se := math.Abs(gv[i]-wv[i]), math.Hypot(gsv[i], wsv[i]); d > 5*se {
			t.Errorf("output %d: variance %.5f, Predict's %.5f (%.1f standard errors)", i, gv[i], wv[i], d/se)
		}
	}
}

// TestMarginalFrozenIsPredictMean checks that the frozen model's passes are
// PredictMean's outputs exactly, in both dtypes, over three chunks of which
// two share a graph (so a moment kept from one chunk would show).
func TestMarginalFrozenIsPredictMean(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for name, opts := range map[string][]Option{"gaussian": nil, "sparse": {WithSparseVD(-2)}, "nobias": {WithoutBias()}} {
			t.Run(fmt.Sprintf("%v/%s", dt, name), func(t *testing.T) {
				const in = 5
				net := newMarginalNet(t, []int{in, 7, 3}, opts...)
				m := newMarginalModel(t, net, in, dt)
				x := randomInputs((2*graph.MaxPredictBatch+5)*in, 3)
				m.Freeze()
				got := predictMarginal(t, m, x, 2)
				want, err := m.PredictMean(x)
				if err != nil {
					t.Fatal(err)
				}
				for s, out := range got {
					if !slices.Equal(out, want) {
						t.Fatalf("pass %d differs from PredictMean", s)
					}
				}
				// Once per chunk, not per pass: the batch-1024 graph for
				// chunks 0 and 1, the batch-5 graph for chunk 2.
				if r := net.recomputed(); !slices.Equal(r, []int{2, 1}) {
					t.Fatalf("moments computed %v times by the two graphs, want [2 1]", r)
				}
			})
		}
	}
}

// TestMarginalMemoIsInvalidated checks that the kept moments follow every
// change of what they are computed from: the input, each parameter of the
// first layer (by SetValues and by a write into its tensor), and a
// training step. After each change the model's samples
// must be those of a new model with the same parameters and noise.
func TestMarginalMemoIsInvalidated(t *testing.T) {
	for name, opts := range map[string][]Option{
		"gaussian": {WithRhoInit(-1, 0.3)},
		"sparse":   {WithSparseVD(-2)},
	} {
		t.Run(name, func(t *testing.T) {
			const in = 4
			net := newMarginalNet(t, []int{in, 6, 3}, opts...)
			m := newMarginalModel(t, net, in, tensor.Float64)
			x := randomInputs(5*in, 4)
			check := func(what string, x []float64, wantRecomputed int) {
				t.Helper()
				fresh := newMarginalNet(t, []int{in, 6, 3}, opts...)
				fm := newMarginalModel(t, fresh, in, tensor.Float64)
				if err := fm.InitParams(); err != nil {
					t.Fatal(err)
				}
				for _, p := range m.Params() {
					if err := fm.Param(p.Name()).SetValues(p.Values()); err != nil {
						t.Fatal(err)
					}
				}
				m.ReseedNoise(21)
				fm.ReseedNoise(21)
				got, want := predictMarginal(t, m, x, 3), predictMarginal(t, fm, x, 3)
				if !sameSamples(got, want) {
					t.Fatalf("after %s: samples differ from a new model's with the same parameters", what)
				}
				if r := net.recomputed(); !slices.Equal(r, []int{wantRecomputed}) {
					t.Fatalf("after %s: moments computed %v times, want %d", what, r, wantRecomputed)
				}
			}
			check("the first call", x, 1)
			check("a second call", x, 1)
			x2 := slices.Clone(x)
			x2[7] += 1e-9
			check("a new input", x2, 2)
			want := 2
			for _, p := range m.Params() {
				if !strings.HasPrefix(p.Name(), "fc1.") {
					continue
				}
				v := p.Values()
				v[len(v)-1] += 1e-3
				if err := p.SetValues(v); err != nil {
					t.Fatal(err)
				}
				want++
				check("setting "+p.Name(), x2, want)
			}
			if want != 6 {
				t.Fatalf("changed %d parameters of fc1, want 4", want-2)
			}
			// A write straight into a parameter's tensor, which no setter
			// or counter sees (a solver's, a checkpoint's, a user's).
			p := m.Params()[0]
			p.Tensor().Float64s()[0] += 1e-3
			want++
			check("a write into "+p.Name()+"'s tensor", x2, want)
			elbo, err := losses.NewELBO(losses.CrossEntropy{})
			if err != nil {
				t.Fatal(err)
			}
			sgd, err := optim.NewSGD(0.1)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := optim.NewTrainer(m, elbo, sgd, optim.Quiet())
			if err != nil {
				t.Fatal(err)
			}
			y := []float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0}
			if _, err := tr.Step(x2, y, losses.Batch{Count: 1, Size: 5, DatasetSize: 5}); err != nil {
				t.Fatal(err)
			}
			check("a training step", x2, want+1)
		})
	}
}

func sameSamples(a, b [][]float64) bool { return slices.EqualFunc(a, b, slices.Equal) }

// TestMarginalEveryEstimator checks that the first layer shares its
// moments whatever its training estimator, and that only a layer fed the
// data does.
func TestMarginalEveryEstimator(t *testing.T) {
	for _, e := range []Estimator{Reparameterization, LocalReparameterization, Flipout} {
		net := newMarginalNet(t, []int{2, 4, 4, 2}, WithEstimator(e))
		m := newMarginalModel(t, net, 2, tensor.Float64)
		predictMarginal(t, m, randomInputs(6, 5), 2)
		if !slices.Equal(net.opLayers, []int{0}) {
			t.Fatalf("%v: marginal ops in layers %v, want in the first alone", e, net.opLayers)
		}
	}
}

// TestMarginalConvFallsBack checks that a network whose first layer is a
// convolution samples its weights: with no dense layer fed the data, one
// chunk of PredictMarginal is Predict, draw for draw.
func TestMarginalConvFallsBack(t *testing.T) {
	conv, err := NewConv2D(1, 2, [2]int{3, 3})
	if err != nil {
		t.Fatal(err)
	}
	head := newMarginalNet(t, []int{18, 3})
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := conv.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = G.Rectify(h); err != nil {
			return nil, err
		}
		if h, err = Flatten(h); err != nil {
			return nil, err
		}
		return head.apply(b, h)
	}
	m, err := graph.NewModel(net, graph.Input(1, 5, 5))
	if err != nil {
		t.Fatal(err)
	}
	x := randomInputs(3*25, 6)
	m.ReseedNoise(5)
	want, err := m.Predict(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	m.ReseedNoise(5)
	got := predictMarginal(t, m, x, 4)
	if !sameSamples(got, want.Samples) {
		t.Fatal("PredictMarginal of a convolutional network differs from Predict")
	}
	if len(head.ops) != 0 {
		t.Fatalf("%d marginal ops in a network whose first layer is a convolution", len(head.ops))
	}
	m.Freeze()
	mean, err := m.PredictMean(x)
	if err != nil {
		t.Fatal(err)
	}
	if frozen := predictMarginal(t, m, x, 1); !slices.Equal(frozen[0], mean) {
		t.Fatal("frozen PredictMarginal differs from PredictMean")
	}
}

// TestMarginalOpIsLocalReparameterization checks the op against the
// graph sampleLocal builds for training: given the same noise, the same
// outputs.
func TestMarginalOpIsLocalReparameterization(t *testing.T) {
	const in, out, batch = 3, 2, 4
	l, err := NewLinear(in, out, WithEstimator(LocalReparameterization), WithMuInit(0, 0.5), WithRhoInit(-1, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(in))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	x, eps := randomInputs(batch*in, 7), randomInputs(batch*out, 8)
	if err := g.SetX(x); err != nil {
		t.Fatal(err)
	}
	if err := g.SetNoise(localNoiseName(l.Weight), eps); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	want := g.Output(nil)

	eg := G.NewGraph()
	node := func(name string, v []float64, shape ...int) *G.Node {
		return G.NewTensor(eg, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
	}
	y, err := marginalSample(G.Nodes{
		node("x", x, batch, in), node("mu", l.Weight.Mean().Values(), out, in), node("sigma", sigmaOf(l.Weight), out, in),
		node("bmu", l.Bias.Mean().Values(), out), node("bsigma", sigmaOf(l.Bias), out)}, node("eps", eps, batch, out), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got G.Value
	G.Read(y, &got)
	vm := G.NewTapeMachine(eg)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	for i, v := range got.Data().([]float64) {
		if math.Abs(v-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Fatalf("output %d: %v, the local reparameterisation gives %v", i, v, want[i])
		}
	}
}

// TestMarginalSharedWeights covers layers whose weights are used more than
// once in a graph: applied twice to the data, a layer gives one draw, as
// its shared weights would; sampled before, it keeps weight sampling (and
// PredictMarginal of one chunk is Predict); sampled after, the network is
// refused with an error naming the posterior.
func TestMarginalSharedWeights(t *testing.T) {
	l, err := NewLinear(4, 3)
	if err != nil {
		t.Fatal(err)
	}
	x := randomInputs(5*4, 8)
	build := func(net graph.Network) *graph.Model {
		m, err := graph.NewModel(net, graph.Input(4))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	twice := build(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		y1, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		y2, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return G.Sub(y1, y2)
	})
	for s, out := range predictMarginal(t, twice, x, 3) {
		if i := slices.IndexFunc(out, func(v float64) bool { return v != 0 }); i >= 0 {
			t.Fatalf("pass %d: l(x) - l(x) = %v at %d, want 0", s, out[i], i)
		}
	}

	sampledFirst := build(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		if _, err := l.Weight.Sample(b); err != nil {
			return nil, err
		}
		return l.Apply(b, x)
	})
	sampledFirst.ReseedNoise(3)
	want, err := sampledFirst.Predict(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	sampledFirst.ReseedNoise(3)
	if got := predictMarginal(t, sampledFirst, x, 3); !sameSamples(got, want.Samples) {
		t.Fatal("weights sampled before the layer: PredictMarginal differs from Predict")
	}

	sampledAfter := build(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		y, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if _, err := l.Weight.Sample(b); err != nil {
			return nil, err
		}
		return y, nil
	})
	if _, err := sampledAfter.PredictMarginal(x, 2); err == nil || !strings.Contains(err.Error(), l.Weight.Name()) {
		t.Fatalf("tied weights sampled after a marginal draw: error %v, want one naming %s", err, l.Weight.Name())
	}
	if _, err := sampledAfter.Predict(x, 2); err != nil {
		t.Fatalf("Predict of the same network: %v", err)
	}
}

// drawDoneByReLU reports whether the ReLU node y did its marginal draw itself
// on its graph's runs.
func drawDoneByReLU(y *G.Node) bool {
	if r, ok := mathOf[float64](y).(relu[float64]); ok {
		return r.run.fused != nil && r.run.fused.fused
	}
	if r, ok := mathOf[float32](y).(relu[float32]); ok {
		return r.run.fused != nil && r.run.fused.fused
	}
	return false
}

// reluNet is l1, a ReLU (G.Rectify if rectify) and l2, l1's output added
// to l2's if alsoRead; it records its ReLU nodes in relus.
func reluNet(l1, l2 *Linear, rectify, alsoRead bool, relus *[]*G.Node) graph.Network {
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := l1.Apply(b, x)
		if err != nil {
			return nil, err
		}
		var r *G.Node
		if rectify {
			r, err = G.Rectify(h)
		} else if r, err = ReLU(h); err == nil {
			*relus = append(*relus, r)
		}
		if err != nil {
			return nil, err
		}
		out, err := l2.Apply(b, r)
		if err != nil || !alsoRead {
			return out, err
		}
		return G.Add(out, h)
	}
}

// TestMarginalDrawReLUFused checks that a ReLU that is its marginal
// draw's only reader does the draw itself, with the bits of the draw and
// G.Rectify one after the other, and that a draw read elsewhere too does
// its own work, in both dtypes and over two chunks of one graph.
func TestMarginalDrawReLUFused(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, alsoRead := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/also-read-%t", dt, alsoRead), func(t *testing.T) {
				const in, hidden = 5, 7
				l1, err := NewLinear(in, hidden, WithName("fc1"))
				if err != nil {
					t.Fatal(err)
				}
				l2, err := NewLinear(hidden, hidden, WithName("fc2"))
				if err != nil {
					t.Fatal(err)
				}
				var relus []*G.Node
				fused, err := graph.NewModel(reluNet(l1, l2, false, alsoRead, &relus), graph.Input(in), graph.WithDtype(dt))
				if err != nil {
					t.Fatal(err)
				}
				plain, err := graph.NewModel(reluNet(l1, l2, true, alsoRead, &relus), graph.Input(in), graph.WithDtype(dt))
				if err != nil {
					t.Fatal(err)
				}
				x := randomInputs((graph.MaxPredictBatch+40)*in, 5)
				got, err := fused.PredictMarginal(x, 3, graph.PredictSeed(8))
				if err != nil {
					t.Fatal(err)
				}
				want, err := plain.PredictMarginal(x, 3, graph.PredictSeed(8))
				if err != nil {
					t.Fatal(err)
				}
				if !sameSamples(got.Samples, want.Samples) {
					t.Fatal("the ReLU's samples differ from the draw and G.Rectify's")
				}
				if len(relus) != 2 {
					t.Fatalf("%d ReLU nodes built, want one for each of two batch sizes", len(relus))
				}
				for _, r := range relus {
					if drawDoneByReLU(r) == alsoRead {
						t.Fatalf("ReLU did the draw: %t, want %t", drawDoneByReLU(r), !alsoRead)
					}
				}
			})
		}
	}
}

// TestBiasAddReLUFused checks that a ReLU that is its bias add's only
// reader adds and rectifies in one pass in prediction graphs, with the
// bits of the two passes (G.Rectify after the layer), and that in a
// training graph, where the gradient reads the sum too, the bias add does
// its own work and the gradients are G.Rectify's.
func TestBiasAddReLUFused(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			const in, hidden = 5, 40
			l1, err := NewLinear(in, hidden, WithName("fc1"))
			if err != nil {
				t.Fatal(err)
			}
			l2, err := NewLinear(hidden, 3, WithName("fc2"))
			if err != nil {
				t.Fatal(err)
			}
			var relus []*G.Node
			models := [2]*graph.Model{}
			for i, rectify := range []bool{false, true} {
				if models[i], err = graph.NewModel(reluNet(l1, l2, rectify, false, &relus), graph.Input(in), graph.WithDtype(dt)); err != nil {
					t.Fatal(err)
				}
			}
			x := randomInputs(70*in, 6)
			var samples [2][][]float64
			for i, m := range models {
				p, err := m.Predict(x, 3, graph.PredictSeed(4))
				if err != nil {
					t.Fatal(err)
				}
				samples[i] = p.Samples
			}
			if !sameSamples(samples[0], samples[1]) {
				t.Fatal("the ReLU's samples differ from the bias add and G.Rectify's")
			}
			if len(relus) != 1 || !drawDoneByReLU(relus[0]) {
				t.Fatal("the prediction graph's ReLU did not do the bias add")
			}
			// A training graph: the gradients must be G.Rectify's.
			elbo, err := losses.NewELBO(losses.CrossEntropy{})
			if err != nil {
				t.Fatal(err)
			}
			y := make([]float64, 70*3)
			for i := 0; i < 70; i++ {
				y[3*i+i%3] = 1
			}
			var grads [2][]float64
			for i, m := range models {
				g, err := m.Build(70, elbo)
				if err != nil {
					t.Fatal(err)
				}
				if err := g.SetX(x); err != nil {
					t.Fatal(err)
				}
				if err := elbo.Prepare(g, y, losses.Batch{Count: 1, Size: 70, DatasetSize: 70}); err != nil {
					t.Fatal(err)
				}
				m.ReseedNoise(3)
				if err := g.Run(); err != nil {
					t.Fatal(err)
				}
				for _, vg := range g.Learnables() {
					d, err := vg.Grad()
					if err != nil {
						t.Fatal(err)
					}
					switch v := d.Data().(type) {
					case []float64:
						grads[i] = append(grads[i], v...)
					case []float32:
						for _, e := range v {
							grads[i] = append(grads[i], float64(e))
						}
					}
				}
			}
			if !slices.Equal(grads[0], grads[1]) {
				t.Fatal("the training graph's gradients differ from G.Rectify's")
			}
			if len(relus) != 2 || drawDoneByReLU(relus[1]) {
				t.Fatal("the training graph's ReLU did the bias add, whose sum the gradient reads")
			}
		})
	}
}
