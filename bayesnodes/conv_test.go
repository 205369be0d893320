package bayesnodes_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
)

// configInts reads a reference config entry that is an int or a list of
// ints (PyTorch's kernel_size=3 or (3, 3)).
func configInts(t *testing.T, cfg map[string]any, key string) []int {
	t.Helper()
	switch v := cfg[key].(type) {
	case float64:
		return []int{int(v)}
	case []any:
		out := make([]int, len(v))
		for i, x := range v {
			f, ok := x.(float64)
			if !ok {
				t.Fatalf("config %s = %v: not a list of numbers", key, cfg[key])
			}
			out[i] = int(f)
		}
		return out
	}
	t.Fatalf("config %s = %v (%T): want a number or a list", key, cfg[key], cfg[key])
	return nil
}

// goldenConvOptions maps a reference conv config and prior to layer options.
func goldenConvOptions(t *testing.T, c *goldenCase) []bayesnodes.ConvOption {
	t.Helper()
	opts := []bayesnodes.ConvOption{
		bayesnodes.WithPrior(goldenPrior(t, c.Prior)),
		bayesnodes.Stride(configInts(t, c.Config, "stride")...),
		bayesnodes.Padding(configInts(t, c.Config, "padding")...),
		bayesnodes.Dilation(configInts(t, c.Config, "dilation")...),
		bayesnodes.Groups(configInts(t, c.Config, "groups")[0]),
	}
	if bias, _ := c.Config["bias"].(bool); !bias {
		opts = append(opts, bayesnodes.WithoutBias())
	}
	for _, o := range goldenEstimatorOptions(t, c) {
		opts = append(opts, o)
	}
	return opts
}

func checkConv1DCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	in, out := configInts(t, c.Config, "in_channels")[0], configInts(t, c.Config, "out_channels")[0]
	l, err := bayesnodes.NewConv1D(in, out, configInts(t, c.Config, "kernel_size")[0], goldenConvOptions(t, c)...)
	if err != nil {
		t.Fatal(err)
	}
	pp := posteriorParts{"weight": l.Weight}
	if l.Bias != nil {
		pp["bias"] = l.Bias
	}
	runLayerCase(t, c, dt, pp, l.Apply)
}

func checkConv2DCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	in, out := configInts(t, c.Config, "in_channels")[0], configInts(t, c.Config, "out_channels")[0]
	k := configInts(t, c.Config, "kernel_size")
	if len(k) == 1 {
		k = append(k, k[0])
	}
	l, err := bayesnodes.NewConv2D(in, out, [2]int{k[0], k[1]}, goldenConvOptions(t, c)...)
	if err != nil {
		t.Fatal(err)
	}
	pp := posteriorParts{"weight": l.Weight}
	if l.Bias != nil {
		pp["bias"] = l.Bias
	}
	runLayerCase(t, c, dt, pp, l.Apply)
}

// refConv describes a convolution for directConv. Zero values mean the
// layer defaults (stride 1, padding 0, dilation 1, groups 1), and the layer
// under test is built without the corresponding option. A 1-D case uses
// index 1 of the pairs and an input of height 1.
type refConv struct {
	name                  string
	oneD                  bool
	in, out               int
	kernel                [2]int
	stride, pad, dil      [2]int
	groups                int
	noBias                bool
	size                  [2]int // input height and width
	wantHeight, wantWidth int    // output size, worked out by hand
}

func (r refConv) withDefaults() refConv {
	def := func(p *[2]int, v int) {
		for i := range p {
			if p[i] == 0 {
				p[i] = v
			}
		}
	}
	def(&r.stride, 1)
	def(&r.dil, 1)
	if r.groups == 0 {
		r.groups = 1
	}
	if r.oneD {
		r.kernel[0], r.stride[0], r.pad[0], r.dil[0], r.size[0] = 1, 1, 0, 1, 1
	}
	return r
}

// options builds the layer options that describe r, leaving out the ones
// at their zero value so that the defaults are exercised too.
func (r refConv) options() []bayesnodes.ConvOption {
	opts := []bayesnodes.ConvOption{bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5)}
	pair := func(v [2]int) []int {
		if r.oneD {
			return []int{v[1]}
		}
		return v[:]
	}
	if r.stride != [2]int{} {
		opts = append(opts, bayesnodes.Stride(pair(r.stride)...))
	}
	if r.pad != [2]int{} {
		opts = append(opts, bayesnodes.Padding(pair(r.pad)...))
	}
	if r.dil != [2]int{} {
		opts = append(opts, bayesnodes.Dilation(pair(r.dil)...))
	}
	if r.groups != 0 {
		opts = append(opts, bayesnodes.Groups(r.groups))
	}
	if r.noBias {
		opts = append(opts, bayesnodes.WithoutBias())
	}
	return opts
}

// layer builds the layer r describes and returns its Apply, posteriors and
// the shape of one input example.
func (r refConv) layer(extra ...bayesnodes.ConvOption) (graph.Network, bayesnodes.Posterior, bayesnodes.Posterior, []int, error) {
	opts := append(r.options(), extra...)
	if r.oneD {
		l, err := bayesnodes.NewConv1D(r.in, r.out, r.kernel[1], opts...)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return l.Apply, l.Weight, l.Bias, []int{r.in, r.size[1]}, nil
	}
	l, err := bayesnodes.NewConv2D(r.in, r.out, r.kernel, opts...)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return l.Apply, l.Weight, l.Bias, []int{r.in, r.size[0], r.size[1]}, nil
}

// directConv is the textbook convolution (cross-correlation, as in PyTorch)
// the layers must match: x [batch, in, h, w], wt [out, in/groups, kh, kw].
func directConv(r refConv, batch int, x, wt, bias []float64) (y []float64, oh, ow int) {
	r = r.withDefaults()
	h, w := r.size[0], r.size[1]
	kh, kw := r.kernel[0], r.kernel[1]
	oh = (h+2*r.pad[0]-r.dil[0]*(kh-1)-1)/r.stride[0] + 1
	ow = (w+2*r.pad[1]-r.dil[1]*(kw-1)-1)/r.stride[1] + 1
	cin, cout := r.in/r.groups, r.out/r.groups
	y = make([]float64, 0, batch*r.out*oh*ow)
	for n := range batch {
		for o := range r.out {
			for i := range oh {
				for j := range ow {
					s := 0.0
					if bias != nil {
						s = bias[o]
					}
					for c := range cin {
						ic := o/cout*cin + c
						for p := range kh {
							row := i*r.stride[0] - r.pad[0] + p*r.dil[0]
							for q := range kw {
								col := j*r.stride[1] - r.pad[1] + q*r.dil[1]
								if row < 0 || row >= h || col < 0 || col >= w {
									continue
								}
								s += x[((n*r.in+ic)*h+row)*w+col] * wt[((o*cin+c)*kh+p)*kw+q]
							}
						}
					}
					y = append(y, s)
				}
			}
		}
	}
	return y, oh, ow
}

// sampled returns mu + softplus(rho) * eps, the weights a run with noise
// eps uses.
func sampled(p bayesnodes.Posterior, eps []float64) []float64 {
	mu, rho := p.Mean().Values(), p.(*bayesnodes.GaussianPosterior).Rho.Values()
	w := make([]float64, len(mu))
	for i := range w {
		w[i] = mu[i] + bayesnodes.Softplus(rho[i])*eps[i]
	}
	return w
}

var refConvCases = []refConv{
	{name: "2d/defaults", in: 2, out: 3, kernel: [2]int{3, 3}, size: [2]int{5, 6}, wantHeight: 3, wantWidth: 4},
	{name: "2d/stride-padding-asymmetric", in: 2, out: 2, kernel: [2]int{2, 3}, stride: [2]int{2, 1}, pad: [2]int{1, 2}, size: [2]int{5, 4}, wantHeight: 3, wantWidth: 6},
	{name: "2d/dilation-groups", in: 4, out: 6, kernel: [2]int{3, 2}, dil: [2]int{2, 3}, pad: [2]int{1, 1}, groups: 2, size: [2]int{6, 7}, wantHeight: 4, wantWidth: 6},
	{name: "2d/depthwise", in: 3, out: 3, kernel: [2]int{3, 3}, pad: [2]int{1, 1}, groups: 3, size: [2]int{4, 4}, wantHeight: 4, wantWidth: 4},
	{name: "2d/one-input-channel-per-group", in: 3, out: 6, kernel: [2]int{2, 2}, stride: [2]int{2, 2}, groups: 3, noBias: true, size: [2]int{5, 5}, wantHeight: 2, wantWidth: 2},
	{name: "2d/kernel-fills-padded-input", in: 1, out: 2, kernel: [2]int{5, 3}, pad: [2]int{1, 0}, dil: [2]int{1, 2}, size: [2]int{3, 5}, wantHeight: 1, wantWidth: 1},
	{name: "1d/defaults", oneD: true, in: 2, out: 3, kernel: [2]int{0, 3}, size: [2]int{0, 7}, wantHeight: 1, wantWidth: 5},
	{name: "1d/stride-padding-dilation-groups", oneD: true, in: 4, out: 2, kernel: [2]int{0, 3}, stride: [2]int{0, 2}, pad: [2]int{0, 2}, dil: [2]int{0, 2}, groups: 2, size: [2]int{0, 9}, wantHeight: 1, wantWidth: 5},
	{name: "1d/depthwise-no-bias", oneD: true, in: 2, out: 2, kernel: [2]int{0, 2}, groups: 2, noBias: true, size: [2]int{0, 4}, wantHeight: 1, wantWidth: 3},
}

// TestConvMatchesDirectConvolution runs each layer with known noise and
// compares its output, value by value, with a direct convolution by the
// sampled weights.
func TestConvMatchesDirectConvolution(t *testing.T) {
	const batch = 2
	for _, r := range refConvCases {
		for _, dt := range conformanceDtypes {
			t.Run(r.name+"/"+dt.name, func(t *testing.T) {
				net, weight, bias, inShape, err := r.layer()
				if err != nil {
					t.Fatal(err)
				}
				m, err := graph.NewModel(net, graph.Input(inShape...), dt.dt, graph.Seed(7))
				if err != nil {
					t.Fatal(err)
				}
				g, err := m.Build(batch, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				x := randomInput(batch*m.InputWidth(), 21)
				if err := g.SetX(x); err != nil {
					t.Fatal(err)
				}
				wEps := randomInput(weight.Mean().Len(), 22)
				if err := g.SetNoise(weight.Name(), wEps); err != nil {
					t.Fatal(err)
				}
				var b []float64
				if bias != nil {
					bEps := randomInput(bias.Mean().Len(), 23)
					if err := g.SetNoise(bias.Name(), bEps); err != nil {
						t.Fatal(err)
					}
					b = sampled(bias, bEps)
				} else if !r.noBias {
					t.Fatal("the layer has no bias posterior")
				}
				if err := g.Run(); err != nil {
					t.Fatal(err)
				}
				want, oh, ow := directConv(r, batch, x, sampled(weight, wEps), b)
				if oh != r.wantHeight || ow != r.wantWidth {
					t.Fatalf("reference output %dx%d, worked out by hand %dx%d", oh, ow, r.wantHeight, r.wantWidth)
				}
				wantShape := []int{batch, r.out, oh, ow}
				if r.oneD {
					wantShape = []int{batch, r.out, ow}
				}
				if !equalInts(g.OutputShape(), wantShape) {
					t.Fatalf("output shape %v, want %v", g.OutputShape(), wantShape)
				}
				checkValues(t, "output", g.Output(nil), want, dt.tol)
			})
		}
	}
}

// TestConvDilationIsNotMerged guards against a Gorgonia v0.9.18 bug: its
// Im2Col hash ignores the dilation, so two convolutions of one input that
// differ only in dilation (with equal output shapes) were merged into one.
func TestConvDilationIsNotMerged(t *testing.T) {
	dense := refConv{in: 1, out: 2, kernel: [2]int{2, 2}, stride: [2]int{2, 2}, size: [2]int{7, 7}}
	dilated := dense
	dilated.dil = [2]int{2, 2}
	var a, b *bayesnodes.Conv
	var err error
	if a, err = bayesnodes.NewConv2D(1, 2, dense.kernel, append(dense.options(), bayesnodes.WithName("dense"))...); err != nil {
		t.Fatal(err)
	}
	if b, err = bayesnodes.NewConv2D(1, 2, dilated.kernel, append(dilated.options(), bayesnodes.WithName("dilated"))...); err != nil {
		t.Fatal(err)
	}
	net := func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
		ya, err := a.Apply(bd, x)
		if err != nil {
			return nil, err
		}
		yb, err := b.Apply(bd, x)
		if err != nil {
			return nil, err
		}
		return G.Concat(1, ya, yb)
	}
	m, err := graph.NewModel(net, graph.Input(1, 7, 7))
	if err != nil {
		t.Fatal(err)
	}
	m.Freeze()
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	x := randomInput(49, 5)
	if err := g.SetX(x); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	wantA, _, _ := directConv(dense, 1, x, a.Weight.Mean().Values(), a.Bias.Mean().Values())
	wantB, _, _ := directConv(dilated, 1, x, b.Weight.Mean().Values(), b.Bias.Mean().Values())
	got := g.Output(nil)
	checkValues(t, "dense output", got[:len(wantA)], wantA, 1e-12)
	checkValues(t, "dilated output", got[len(wantA):], wantB, 1e-12)
}

func TestConvGradients(t *testing.T) {
	normal := bayesnodes.Normal{Sigma: 0.3}
	mixture := bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.05}
	cases := []struct {
		r     refConv
		prior bayesnodes.Prior
		kl    bayesnodes.KLMethod
		next  *refConv // a second layer, so gradients flow through the input path (slices, tag, reshapes)
	}{
		{refConv{name: "2d/stride-padding/normal-closed", in: 2, out: 2, kernel: [2]int{3, 3}, stride: [2]int{2, 2}, pad: [2]int{1, 1}, size: [2]int{5, 5}},
			normal, bayesnodes.KLClosedForm, nil},
		{refConv{name: "2d/dilation-groups-nobias/mixture-mc", in: 4, out: 2, kernel: [2]int{3, 3}, dil: [2]int{2, 2}, pad: [2]int{1, 1}, groups: 2, noBias: true, size: [2]int{5, 5}},
			mixture, bayesnodes.KLMonteCarlo, nil},
		{refConv{name: "2d/depthwise/normal-mc", in: 2, out: 2, kernel: [2]int{2, 3}, stride: [2]int{1, 2}, groups: 2, size: [2]int{4, 5}},
			normal, bayesnodes.KLMonteCarlo, nil},
		{refConv{name: "1d/stride-padding-dilation/mixture-mc", oneD: true, in: 2, out: 3, kernel: [2]int{0, 3}, stride: [2]int{0, 2}, pad: [2]int{0, 1}, dil: [2]int{0, 2}, size: [2]int{0, 8}},
			mixture, bayesnodes.KLMonteCarlo, nil},
		{refConv{name: "1d/groups/normal-closed", oneD: true, in: 4, out: 2, kernel: [2]int{0, 2}, groups: 2, size: [2]int{0, 5}},
			normal, bayesnodes.KLClosedForm, nil},
		{refConv{name: "2d/stacked-dilated-grouped/mixture-auto", in: 1, out: 4, kernel: [2]int{2, 2}, size: [2]int{5, 5}},
			mixture, bayesnodes.KLAuto, &refConv{in: 4, out: 2, kernel: [2]int{3, 2}, dil: [2]int{2, 1}, pad: [2]int{2, 0}, groups: 2}},
		{refConv{name: "1d/stacked-dilated-depthwise/normal-closed", oneD: true, in: 2, out: 2, kernel: [2]int{0, 2}, size: [2]int{0, 7}},
			normal, bayesnodes.KLClosedForm, &refConv{oneD: true, in: 2, out: 2, kernel: [2]int{0, 3}, dil: [2]int{0, 2}, pad: [2]int{0, 1}, groups: 2}},
	}
	for _, c := range cases {
		t.Run(c.r.name, func(t *testing.T) {
			opts := []bayesnodes.ConvOption{bayesnodes.WithPrior(c.prior), bayesnodes.WithKL(c.kl)}
			apply, _, _, inShape, err := c.r.layer(opts...)
			if err != nil {
				t.Fatal(err)
			}
			layers := []graph.Network{apply}
			if c.next != nil {
				next, _, _, _, err := c.next.layer(opts...)
				if err != nil {
					t.Fatal(err)
				}
				layers = append(layers, next)
			}
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				for _, l := range layers {
					h, err := l(b, x)
					if err != nil {
						return nil, err
					}
					// A non-linearity, so the check is not of a linear map only.
					if x, err = G.Tanh(h); err != nil {
						return nil, err
					}
				}
				return x, nil
			}
			checkGradients(t, net, inShape, 2)
		})
	}
}

func TestConvParameters(t *testing.T) {
	l, err := bayesnodes.NewConv2D(4, 6, [2]int{3, 2}, bayesnodes.Groups(2), bayesnodes.Stride(2), bayesnodes.WithName("c1"))
	if err != nil {
		t.Fatal(err)
	}
	if !equalInts(l.Stride, []int{2, 2}) || !equalInts(l.Padding, []int{0, 0}) || !equalInts(l.Dilation, []int{1, 1}) || l.Groups != 2 {
		t.Errorf("geometry stride %v padding %v dilation %v groups %d, want [2 2] [0 0] [1 1] 2", l.Stride, l.Padding, l.Dilation, l.Groups)
	}
	if got := l.Weight.Mean().Shape(); !equalInts(got, []int{6, 2, 3, 2}) {
		t.Errorf("weight shape %v, want [6 2 3 2] ([out, in/groups, kh, kw])", got)
	}
	if got := l.Bias.Mean().Shape(); !equalInts(got, []int{6}) {
		t.Errorf("bias shape %v, want [6]", got)
	}
	if l.Weight.Name() != "c1.weight" || l.Bias.Name() != "c1.bias" {
		t.Errorf("posteriors named %s and %s, want c1.weight and c1.bias", l.Weight.Name(), l.Bias.Name())
	}
	m, err := graph.NewModel(l.Apply, graph.Input(4, 5, 5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Build(1, nil); err != nil {
		t.Fatal(err)
	}
	// Default mean init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = 2*3*2.
	bound := 1 / math.Sqrt(12)
	for _, p := range []bayesnodes.Posterior{l.Weight, l.Bias} {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range p.Mean().Values() {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if lo < -bound || hi > bound || hi-lo < bound/2 {
			t.Errorf("%s: means in [%.3f, %.3f], want spread within ±%.3f", p.Name(), lo, hi, bound)
		}
	}

	d1, err := bayesnodes.NewConv1D(2, 4, 5, bayesnodes.Padding(2), bayesnodes.Dilation(3), bayesnodes.WithoutBias())
	if err != nil {
		t.Fatal(err)
	}
	if !equalInts(d1.Padding, []int{2}) || !equalInts(d1.Dilation, []int{3}) || !equalInts(d1.Stride, []int{1}) || d1.Groups != 1 || d1.Bias != nil {
		t.Errorf("conv1d %+v: want padding 2, dilation 3, stride 1, groups 1, no bias", *d1)
	}
	if got := d1.Weight.Mean().Shape(); !equalInts(got, []int{4, 2, 5}) {
		t.Errorf("conv1d weight shape %v, want [4 2 5]", got)
	}
}

func TestConvSharesOneSamplePerGraph(t *testing.T) {
	l, err := bayesnodes.NewConv2D(2, 3, [2]int{2, 2}, bayesnodes.WithRhoInit(-1, 0))
	if err != nil {
		t.Fatal(err)
	}
	twice := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		y1, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		y2, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return G.Sub(y1, y2)
	}
	m, err := graph.NewModel(twice, graph.Input(2, 3, 3))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX(randomInput(36, 1)); err != nil {
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
	if got, want := g.KLCount(), 3*2*2*2+3; got != want {
		t.Errorf("KL counted over %d weights, want %d (once)", got, want)
	}
}

func TestConvBadInput(t *testing.T) {
	conv2d := func(in, out int, k [2]int, opts ...bayesnodes.ConvOption) func() error {
		return func() error { _, err := bayesnodes.NewConv2D(in, out, k, opts...); return err }
	}
	conv1d := func(in, out, k int, opts ...bayesnodes.ConvOption) func() error {
		return func() error { _, err := bayesnodes.NewConv1D(in, out, k, opts...); return err }
	}
	// build applies a valid layer to an input of the given example shape.
	build := func(apply graph.Network, err error, inShape ...int) error {
		if err != nil {
			return err
		}
		m, err := graph.NewModel(apply, graph.Input(inShape...))
		if err != nil {
			return err
		}
		_, err = m.Build(2, nil)
		return err
	}
	k3 := [2]int{3, 3}
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"zero in", conv2d(0, 3, k3), "conv2d: sizes in=0, out=3"},
		{"negative out", conv1d(2, -1, 3), "conv1d: sizes in=2, out=-1"},
		{"zero kernel", conv2d(2, 3, [2]int{3, 0}), "conv2d: kernel [3 0], want every size > 0"},
		{"negative 1d kernel", conv1d(2, 3, -2), "conv1d: kernel [-2]"},
		{"zero stride", conv2d(2, 3, k3, bayesnodes.Stride(1, 0)), "conv2d: stride [1 0]: want every value >= 1"},
		{"negative padding", conv1d(2, 3, 3, bayesnodes.Padding(-1)), "conv1d: padding [-1]: want every value >= 0"},
		{"zero dilation", conv2d(2, 3, k3, bayesnodes.Dilation(0)), "dilation [0]: want every value >= 1"},
		{"stride without values", conv2d(2, 3, k3, bayesnodes.Stride()), "stride: no value given"},
		{"three strides for 2-D", conv2d(2, 3, k3, bayesnodes.Stride(1, 2, 1)), "conv2d: stride [1 2 1] has 3 values, want 1 or 2"},
		{"two paddings for 1-D", conv1d(2, 3, 3, bayesnodes.Padding(1, 1)), "conv1d: padding [1 1] has 2 values, want 1"},
		{"zero groups", conv2d(2, 2, k3, bayesnodes.Groups(0)), "groups=0, want > 0"},
		{"in not divisible by groups", conv2d(3, 4, k3, bayesnodes.Groups(2)), "in=3 and out=4 channels must both be divisible by groups=2"},
		{"out not divisible by groups", conv1d(4, 3, 3, bayesnodes.Groups(2)), "in=4 and out=3 channels must both be divisible by groups=2"},
		{"nil option", conv2d(2, 3, k3, nil), "nil option"},
		{"error names the layer", conv2d(2, 3, k3, bayesnodes.WithName("enc1"), bayesnodes.Groups(-1)), "bayesnodes: enc1: groups=-1"},
		{"bad prior", conv2d(2, 3, k3, bayesnodes.WithPrior(bayesnodes.Normal{Sigma: -1})), "Sigma is -1"},
		{"wrong rank 2d", func() error {
			l, err := bayesnodes.NewConv2D(2, 3, k3)
			return build(l.Apply, err, 2, 9)
		}, "conv2d: input has shape (2, 2, 9), want [batch, 2, H, W]"},
		{"wrong rank 1d", func() error {
			l, err := bayesnodes.NewConv1D(2, 3, 3)
			return build(l.Apply, err, 2, 3, 3)
		}, "conv1d: input has shape (2, 2, 3, 3), want [batch, 2, L]"},
		{"wrong channels", func() error {
			l, err := bayesnodes.NewConv2D(3, 3, k3)
			return build(l.Apply, err, 2, 5, 5)
		}, "conv2d: input has shape (2, 2, 5, 5), want [batch, 3, H, W]"},
		{"kernel larger than padded input", func() error {
			l, err := bayesnodes.NewConv2D(1, 1, [2]int{2, 4}, bayesnodes.Padding(0, 1))
			return build(l.Apply, err, 1, 4, 1)
		}, "conv2d: input has shape (2, 1, 4, 1): along axis 3 the kernel spans 4 (size 4, dilation 1), more than the padded input's 3 (1 + 2*1)"},
		{"dilated kernel larger than input", func() error {
			l, err := bayesnodes.NewConv1D(1, 1, 3, bayesnodes.Dilation(3))
			return build(l.Apply, err, 1, 6)
		}, "conv1d: input has shape (2, 1, 6): along axis 2 the kernel spans 7 (size 3, dilation 3), more than the padded input's 6 (6 + 2*0)"},
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

func TestFlatten(t *testing.T) {
	var shapes [][]int
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		f, err := bayesnodes.Flatten(x)
		if err != nil {
			return nil, err
		}
		shapes = append(shapes, f.Shape())
		return f, nil
	}
	for _, in := range [][]int{{2, 3, 2}, {5}} {
		m, err := graph.NewModel(net, graph.Input(in...))
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.Build(4, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := randomInput(4*m.InputWidth(), 3)
		if err := g.SetX(x); err != nil {
			t.Fatal(err)
		}
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		if want := []int{4, m.InputWidth()}; !equalInts(g.OutputShape(), want) {
			t.Errorf("input %v: output shape %v, want %v", in, g.OutputShape(), want)
		}
		// Row-major order is kept: flattening moves no value.
		checkValues(t, fmt.Sprintf("input %v: output", in), g.Output(nil), x, 0)
		g.Close()
	}
	if _, err := bayesnodes.Flatten(nil); err == nil || !strings.Contains(err.Error(), "nil input") {
		t.Errorf("Flatten(nil): error %v, want one about a nil input", err)
	}
	vec := G.NewVector(G.NewGraph(), G.Float64, G.WithShape(3), G.WithName("v"))
	if _, err := bayesnodes.Flatten(vec); err == nil || !strings.Contains(err.Error(), "input has shape (3)") {
		t.Errorf("Flatten of a vector: error %v, want one naming the shape (3)", err)
	}
}

// BenchmarkConv2DForward times one sampled forward pass of a LeNet-sized
// first layer over a batch of 32 MNIST-sized images.
func BenchmarkConv2DForward(b *testing.B) {
	l, err := bayesnodes.NewConv2D(1, 6, [2]int{5, 5}, bayesnodes.Padding(2))
	if err != nil {
		b.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(1, 28, 28))
	if err != nil {
		b.Fatal(err)
	}
	g, err := m.Build(32, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX(randomInput(32*28*28, 1)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := g.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConvPoolGradients checks the gradients of every parameter of a small
// LeNet-like network (convolution, max pooling, ReLU, convolution, pooling
// with padding, linear) by finite differences: the pooling's gradient
// reaches the first convolution through the second.
func TestConvPoolGradients(t *testing.T) {
	conv1, err := bayesnodes.NewConv2D(1, 3, [2]int{3, 3}, bayesnodes.WithName("c1"), bayesnodes.WithPrior(bayesnodes.Normal{Sigma: 0.3}))
	if err != nil {
		t.Fatal(err)
	}
	conv2, err := bayesnodes.NewConv2D(3, 4, [2]int{2, 2}, bayesnodes.WithName("c2"), bayesnodes.Groups(1))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := bayesnodes.NewLinear(4*2*2, 2, bayesnodes.WithName("fc"))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := conv1.Apply(b, x) // [batch, 3, 8, 8]
		if err != nil {
			return nil, err
		}
		if h, err = bayesnodes.MaxPool2D(h, [2]int{2, 2}, [2]int{2, 2}, [2]int{0, 0}); err != nil { // [batch, 3, 4, 4]
			return nil, err
		}
		if h, err = G.Tanh(h); err != nil {
			return nil, err
		}
		if h, err = conv2.Apply(b, h); err != nil { // [batch, 4, 3, 3]
			return nil, err
		}
		if h, err = bayesnodes.MaxPool2D(h, [2]int{3, 2}, [2]int{2, 2}, [2]int{1, 1}); err != nil { // [batch, 4, 2, 2]
			return nil, err
		}
		if h, err = bayesnodes.Flatten(h); err != nil {
			return nil, err
		}
		return fc.Apply(b, h)
	}
	// The KL of 116 weights makes the loss large enough that its rounding
	// leaves errors of ~5e-9 in the differences: a step of 1e-5, and
	// gradients below 1e-2 (some fc weights') compared absolutely, to 1e-8.
	checkGradientsStep(t, net, []int{1, 10, 10}, 2, nil, 1e-5, 1e-2).Close()
}

// TestConvSkipsTheDataGradient: a convolution of the network's input
// computes no gradient for it (graph differentiates parameters only); one
// of a hidden layer does.
func TestConvSkipsTheDataGradient(t *testing.T) {
	conv1, err := bayesnodes.NewConv2D(1, 2, [2]int{3, 3}, bayesnodes.WithName("c1"))
	if err != nil {
		t.Fatal(err)
	}
	conv2, err := bayesnodes.NewConv2D(2, 2, [2]int{3, 3}, bayesnodes.WithName("c2"))
	if err != nil {
		t.Fatal(err)
	}
	var eg *G.ExprGraph
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		eg = b.ExprGraph()
		h, err := conv1.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = conv2.Apply(b, h); err != nil {
			return nil, err
		}
		return bayesnodes.Flatten(h)
	}
	m, err := graph.NewModel(net, graph.Input(1, 6, 6))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(2, gradcheck.Probe{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	var inputGrads []string
	for _, n := range eg.AllNodes() {
		if op := n.Op(); op != nil && strings.HasPrefix(op.String(), "bayesnodes.convInputGrad") {
			inputGrads = append(inputGrads, fmt.Sprint(n.Shape()))
		}
	}
	if len(inputGrads) != 1 || inputGrads[0] != "(2, 2, 4, 4)" {
		t.Errorf("input gradients of shapes %v, want one, of the hidden layer's input (2, 2, 4, 4)", inputGrads)
	}
}
