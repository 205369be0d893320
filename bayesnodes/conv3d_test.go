package bayesnodes_test

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

func init() { conformanceRunners["conv3d"] = checkConv3DCase }

func checkConv3DCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	in, out := configInts(t, c.Config, "in_channels")[0], configInts(t, c.Config, "out_channels")[0]
	k := configInts(t, c.Config, "kernel_size")
	if len(k) == 1 {
		k = []int{k[0], k[0], k[0]}
	}
	if len(k) != 3 {
		t.Fatalf("kernel_size %v, want 1 or 3 values", k)
	}
	l, err := bayesnodes.NewConv3D(in, out, [3]int{k[0], k[1], k[2]}, goldenConvOptions(t, c)...)
	if err != nil {
		t.Fatal(err)
	}
	pp := posteriorParts{"weight": l.Weight}
	if l.Bias != nil {
		pp["bias"] = l.Bias
	}
	runLayerCase(t, c, dt, pp, l.Apply)
}

// ref3 describes a 3-D convolution for directConv3D; zero stride, dilation
// and groups mean 1.
type ref3 struct {
	name                     string
	in, out, groups          int
	kernel, stride, pad, dil [3]int
	size                     [3]int // input depth, height, width
	want                     [3]int // output size, worked out by hand
	noBias                   bool
	estimator                bayesnodes.Estimator
	prior                    bayesnodes.Prior
	kl                       bayesnodes.KLMethod
	next                     *ref3 // a second layer for gradient checks
}

func (r ref3) withDefaults() ref3 {
	for i := range 3 {
		r.stride[i] = max(r.stride[i], 1)
		r.dil[i] = max(r.dil[i], 1)
	}
	r.groups = max(r.groups, 1)
	return r
}

func (r ref3) layer(extra ...bayesnodes.ConvOption) (*bayesnodes.Conv, error) {
	opts := []bayesnodes.ConvOption{bayesnodes.WithMuInit(0, 0.5), bayesnodes.WithRhoInit(-2, 0.5)}
	if r.stride != [3]int{} {
		opts = append(opts, bayesnodes.Stride(r.stride[:]...))
	}
	if r.pad != [3]int{} {
		opts = append(opts, bayesnodes.Padding(r.pad[:]...))
	}
	if r.dil != [3]int{} {
		opts = append(opts, bayesnodes.Dilation(r.dil[:]...))
	}
	if r.groups != 0 {
		opts = append(opts, bayesnodes.Groups(r.groups))
	}
	if r.noBias {
		opts = append(opts, bayesnodes.WithoutBias())
	}
	if r.estimator != bayesnodes.Reparameterization {
		opts = append(opts, bayesnodes.WithEstimator(r.estimator))
	}
	if r.prior != nil {
		opts = append(opts, bayesnodes.WithPrior(r.prior), bayesnodes.WithKL(r.kl))
	}
	return bayesnodes.NewConv3D(r.in, r.out, r.kernel, append(opts, extra...)...)
}

// directConv3D is the textbook 3-D cross-correlation: x [batch, in, D, H,
// W], wt [out, in/groups, kd, kh, kw].
func directConv3D(r ref3, batch int, x, wt, bias []float64) (y []float64, size [3]int) {
	r = r.withDefaults()
	for i := range 3 {
		size[i] = (r.size[i]+2*r.pad[i]-r.dil[i]*(r.kernel[i]-1)-1)/r.stride[i] + 1
	}
	D, H, W := r.size[0], r.size[1], r.size[2]
	kd, kh, kw := r.kernel[0], r.kernel[1], r.kernel[2]
	cin, cout := r.in/r.groups, r.out/r.groups
	for n := range batch {
		for o := range r.out {
			for i := range size[0] {
				for j := range size[1] {
					for k := range size[2] {
						s := 0.0
						if bias != nil {
							s = bias[o]
						}
						for c := range cin {
							ic := o/cout*cin + c
							for a := range kd {
								z := i*r.stride[0] - r.pad[0] + a*r.dil[0]
								for b := range kh {
									yy := j*r.stride[1] - r.pad[1] + b*r.dil[1]
									for e := range kw {
										xx := k*r.stride[2] - r.pad[2] + e*r.dil[2]
										if z < 0 || z >= D || yy < 0 || yy >= H || xx < 0 || xx >= W {
											continue
										}
										s += x[(((n*r.in+ic)*D+z)*H+yy)*W+xx] * wt[(((o*cin+c)*kd+a)*kh+b)*kw+e]
									}
								}
							}
						}
						y = append(y, s)
					}
				}
			}
		}
	}
	return y, size
}

var ref3Cases = []ref3{
	{name: "defaults", in: 2, out: 3, kernel: [3]int{2, 3, 3}, size: [3]int{3, 5, 4}, want: [3]int{2, 3, 2}},
	{name: "stride-padding-asymmetric", in: 2, out: 2, kernel: [3]int{3, 2, 3}, stride: [3]int{2, 1, 2}, pad: [3]int{1, 0, 2}, size: [3]int{5, 3, 4}, want: [3]int{3, 2, 3}},
	{name: "dilation-groups", in: 4, out: 6, kernel: [3]int{2, 2, 3}, dil: [3]int{2, 1, 2}, pad: [3]int{1, 1, 0}, groups: 2, size: [3]int{4, 3, 6}, want: [3]int{4, 4, 2}},
	{name: "depthwise-no-bias", in: 3, out: 3, kernel: [3]int{3, 3, 3}, pad: [3]int{1, 1, 1}, groups: 3, noBias: true, size: [3]int{2, 3, 3}, want: [3]int{2, 3, 3}},
	{name: "kernel-fills-padded-input", in: 1, out: 2, kernel: [3]int{4, 1, 3}, pad: [3]int{1, 0, 0}, dil: [3]int{1, 1, 2}, size: [3]int{2, 2, 5}, want: [3]int{1, 2, 1}},
}

// TestConv3DMatchesDirectConvolution runs each layer with known noise and
// compares its output, value by value, with a direct convolution by the
// sampled weights.
func TestConv3DMatchesDirectConvolution(t *testing.T) {
	const batch = 2
	for _, r := range ref3Cases {
		for _, dt := range conformanceDtypes {
			t.Run(r.name+"/"+dt.name, func(t *testing.T) {
				l, err := r.layer()
				if err != nil {
					t.Fatal(err)
				}
				m, err := graph.NewModel(l.Apply, graph.Input(append([]int{r.in}, r.size[:]...)...), dt.dt, graph.Seed(7))
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
				wEps := randomInput(l.Weight.Mean().Len(), 22)
				if err := g.SetNoise(l.Weight.Name(), wEps); err != nil {
					t.Fatal(err)
				}
				var b []float64
				if l.Bias != nil {
					bEps := randomInput(l.Bias.Mean().Len(), 23)
					if err := g.SetNoise(l.Bias.Name(), bEps); err != nil {
						t.Fatal(err)
					}
					b = sampled(l.Bias, bEps)
				} else if !r.noBias {
					t.Fatal("the layer has no bias posterior")
				}
				if err := g.Run(); err != nil {
					t.Fatal(err)
				}
				want, size := directConv3D(r, batch, x, sampled(l.Weight, wEps), b)
				if size != r.want {
					t.Fatalf("reference output %v, worked out by hand %v", size, r.want)
				}
				if shape := []int{batch, r.out, size[0], size[1], size[2]}; !equalInts(g.OutputShape(), shape) {
					t.Fatalf("output shape %v, want %v", g.OutputShape(), shape)
				}
				checkValues(t, "output", g.Output(nil), want, dt.tol)
			})
		}
	}
}

// TestConv3DGradients checks the gradient of every mu and rho (weight and
// bias) against central differences in float64, under both estimators,
// Gaussian and mixture priors, and through a second layer so that the op's
// input gradient is on the path.
func TestConv3DGradients(t *testing.T) {
	normal := bayesnodes.Normal{Sigma: 0.3}
	mixture := bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.05}
	lrt := bayesnodes.LocalReparameterization
	cases := []ref3{
		{name: "stride-padding/normal-closed", in: 2, out: 2, kernel: [3]int{2, 3, 2}, stride: [3]int{1, 2, 1}, pad: [3]int{0, 1, 1}, size: [3]int{3, 4, 3},
			prior: normal, kl: bayesnodes.KLClosedForm},
		{name: "dilation-groups-nobias/mixture-mc", in: 4, out: 2, kernel: [3]int{2, 2, 2}, dil: [3]int{2, 1, 2}, pad: [3]int{1, 1, 0}, groups: 2, noBias: true, size: [3]int{3, 3, 4},
			prior: mixture, kl: bayesnodes.KLMonteCarlo},
		{name: "stacked/mixture-auto", in: 1, out: 2, kernel: [3]int{2, 2, 2}, size: [3]int{3, 4, 4}, prior: mixture, kl: bayesnodes.KLAuto,
			next: &ref3{in: 2, out: 2, kernel: [3]int{2, 2, 3}, stride: [3]int{1, 2, 1}, pad: [3]int{1, 0, 1}, dil: [3]int{1, 1, 2}, groups: 2}},
		{name: "local/normal-closed", in: 2, out: 3, kernel: [3]int{2, 2, 2}, stride: [3]int{2, 1, 1}, pad: [3]int{1, 0, 1}, size: [3]int{3, 3, 3},
			estimator: lrt, prior: normal, kl: bayesnodes.KLClosedForm},
		{name: "local-stacked/mixture-mc", in: 2, out: 2, kernel: [3]int{1, 2, 2}, size: [3]int{2, 3, 3}, estimator: lrt, prior: mixture, kl: bayesnodes.KLMonteCarlo,
			next: &ref3{in: 2, out: 1, kernel: [3]int{2, 2, 1}, pad: [3]int{0, 1, 0}, estimator: lrt}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first, err := c.layer()
			if err != nil {
				t.Fatal(err)
			}
			layers := []*bayesnodes.Conv{first}
			if c.next != nil {
				n := *c.next
				n.prior, n.kl = c.prior, c.kl
				next, err := n.layer()
				if err != nil {
					t.Fatal(err)
				}
				layers = append(layers, next)
			}
			net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
				for _, l := range layers {
					h, err := l.Apply(b, x)
					if err != nil {
						return nil, err
					}
					if x, err = G.Tanh(h); err != nil { // not a linear map only
						return nil, err
					}
				}
				return x, nil
			}
			checkGradientsAbs(t, net, append([]int{c.in}, c.size[:]...), 2, nil)
		})
	}
}

// checkGradientsAbs is checkGradients for losses of order 100 (a 3-D
// layer's KL over many weights), whose central differences carry a
// rounding error of about 1e-16 * 100 / h: with h = 1e-5 that is 1e-9, so
// gradients are compared relatively (1e-6) above 1e-2 and absolutely
// (1e-8) below. x is the input (random normal values when nil). It returns
// the graph, run once more with the checker's noise, for further checks.
func checkGradientsAbs(t *testing.T, net graph.Network, inShape []int, batch int, x []float64) *graph.Graph {
	t.Helper()
	g := checkGradientsStep(t, net, inShape, batch, x, 1e-5, 1e-2)
	t.Cleanup(func() { g.Close() })
	return g
}

// TestConv3DLocalReparameterization checks that the estimator is the one
// asked for: one noise input of the output's shape, and outputs whose mean
// and variance are those of the weight-sampling estimator, computed exactly
// from the direct convolution.
func TestConv3DLocalReparameterization(t *testing.T) {
	r := ref3{in: 1, out: 2, kernel: [3]int{2, 2, 2}, pad: [3]int{1, 0, 0}, size: [3]int{2, 2, 3}, estimator: bayesnodes.LocalReparameterization}
	l, err := r.layer()
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(1, 2, 2, 3), graph.Seed(5))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if names := g.NoiseNames(); len(names) != 1 || names[0] != l.Weight.Name()+".output" {
		t.Fatalf("noise inputs %v, want one, %s.output", names, l.Weight.Name())
	}
	x := randomInput(12, 9)
	if err := g.SetX(x); err != nil {
		t.Fatal(err)
	}
	sigma := func(p bayesnodes.Posterior) []float64 {
		s := p.(*bayesnodes.GaussianPosterior).Rho.Values()
		for i := range s {
			s[i] = bayesnodes.Softplus(s[i])
		}
		return s
	}
	sq := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = x * x
		}
		return out
	}
	const runs = 4000
	var sum, sumSq []float64
	for range runs {
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		y := g.Output(nil)
		if sum == nil {
			sum, sumSq = make([]float64, len(y)), make([]float64, len(y))
		}
		for i, v := range y {
			sum[i] += v
			sumSq[i] += v * v
		}
	}
	mean, _ := directConv3D(r, 1, x, l.Weight.Mean().Values(), l.Bias.Mean().Values())
	variance, _ := directConv3D(r, 1, sq(x), sq(sigma(l.Weight)), sq(sigma(l.Bias)))
	for i := range mean {
		m := sum[i] / runs
		v := sumSq[i]/runs - m*m
		if se := 4 * math.Sqrt(variance[i]/runs); math.Abs(m-mean[i]) > se {
			t.Errorf("output %d: mean %.5g, want %.5g (4 standard errors %.3g)", i, m, mean[i], se)
		}
		if ratio := v / variance[i]; ratio < 0.9 || ratio > 1.1 {
			t.Errorf("output %d: variance %.5g, want %.5g", i, v, variance[i])
		}
	}
}

func TestConv3DParameters(t *testing.T) {
	l, err := bayesnodes.NewConv3D(4, 6, [3]int{3, 2, 1}, bayesnodes.Groups(2), bayesnodes.Stride(2), bayesnodes.Padding(1, 0, 2), bayesnodes.WithName("c3"))
	if err != nil {
		t.Fatal(err)
	}
	if !equalInts(l.Stride, []int{2, 2, 2}) || !equalInts(l.Padding, []int{1, 0, 2}) || !equalInts(l.Dilation, []int{1, 1, 1}) || l.Groups != 2 {
		t.Errorf("geometry stride %v padding %v dilation %v groups %d, want [2 2 2] [1 0 2] [1 1 1] 2", l.Stride, l.Padding, l.Dilation, l.Groups)
	}
	if got := l.Weight.Mean().Shape(); !equalInts(got, []int{6, 2, 3, 2, 1}) {
		t.Errorf("weight shape %v, want [6 2 3 2 1] ([out, in/groups, kd, kh, kw])", got)
	}
	if l.Weight.Name() != "c3.weight" || l.Bias.Name() != "c3.bias" || l.Estimator != bayesnodes.Reparameterization {
		t.Errorf("posteriors %s, %s, estimator %v; want c3.weight, c3.bias, reparameterization", l.Weight.Name(), l.Bias.Name(), l.Estimator)
	}
}

func TestConv3DBadInput(t *testing.T) {
	conv := func(in, out int, k [3]int, opts ...bayesnodes.ConvOption) func() error {
		return func() error { _, err := bayesnodes.NewConv3D(in, out, k, opts...); return err }
	}
	build := func(k [3]int, opts []bayesnodes.ConvOption, inShape ...int) func() error {
		return func() error {
			l, err := bayesnodes.NewConv3D(2, 3, k, opts...)
			if err != nil {
				return err
			}
			m, err := graph.NewModel(l.Apply, graph.Input(inShape...))
			if err != nil {
				return err
			}
			_, err = m.Build(2, nil)
			return err
		}
	}
	k3 := [3]int{3, 3, 3}
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"zero in", conv(0, 3, k3), "conv3d: sizes in=0, out=3"},
		{"zero kernel", conv(2, 3, [3]int{3, 0, 1}), "conv3d: kernel [3 0 1], want every size > 0"},
		{"two strides", conv(2, 3, k3, bayesnodes.Stride(1, 2)), "conv3d: stride [1 2] has 2 values, want 1 or 3"},
		{"negative padding", conv(2, 3, k3, bayesnodes.Padding(0, -1, 0)), "padding [0 -1 0]: want every value >= 0"},
		{"groups not dividing", conv(2, 3, k3, bayesnodes.Groups(2)), "in=2 and out=3 channels must both be divisible by groups=2"},
		{"wrong rank", build(k3, nil, 2, 5, 5), "conv3d: input has shape (2, 2, 5, 5), want [batch, 2, D, H, W]"},
		{"wrong channels", build(k3, nil, 3, 4, 4, 4), "conv3d: input has shape (2, 3, 4, 4, 4), want [batch, 2, D, H, W]"},
		{"kernel larger than padded input", build([3]int{2, 4, 2}, []bayesnodes.ConvOption{bayesnodes.Padding(0, 1, 0)}, 2, 2, 1, 3),
			"conv3d: input has shape (2, 2, 2, 1, 3): along axis 3 the kernel spans 4 (size 4, dilation 1), more than the padded input's 3 (1 + 2*1)"},
		{"dilated kernel larger than input", build([3]int{1, 1, 3}, []bayesnodes.ConvOption{bayesnodes.Dilation(1, 1, 3)}, 2, 2, 2, 6),
			"along axis 4 the kernel spans 7 (size 3, dilation 3), more than the padded input's 6 (6 + 2*0)"},
		{"unknown estimator", func() error {
			l, err := bayesnodes.NewConv3D(1, 1, [3]int{1, 1, 1})
			if err != nil {
				return err
			}
			l.Estimator = bayesnodes.Estimator(7)
			m, err := graph.NewModel(l.Apply, graph.Input(1, 2, 2, 2))
			if err != nil {
				return err
			}
			_, err = m.Build(1, nil)
			return err
		}, "conv3d: estimator Estimator(7) is not supported"},
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

// BenchmarkConv3DTrainStep times one sampled forward and backward pass of a
// 3-D layer over a batch of 8 volumes of 2x16x16x16.
func BenchmarkConv3DTrainStep(b *testing.B) {
	for _, dt := range conformanceDtypes {
		b.Run(dt.name, func(b *testing.B) {
			l, err := bayesnodes.NewConv3D(2, 8, [3]int{3, 3, 3}, bayesnodes.Padding(1))
			if err != nil {
				b.Fatal(err)
			}
			net := func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
				h, err := l.Apply(bd, x)
				if err != nil {
					return nil, err
				}
				return bayesnodes.Flatten(h)
			}
			m, err := graph.NewModel(net, graph.Input(2, 16, 16, 16), dt.dt)
			if err != nil {
				b.Fatal(err)
			}
			g, err := m.Build(8, sumObjective{})
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			if err := g.SetX(randomInput(8*2*16*16*16, 1)); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := g.Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sumObjective is the loss sum(out) + kl, enough to run the backward pass.
type sumObjective struct{}

func (sumObjective) Attach(b *graph.Builder, out, kl *G.Node) (*G.Node, error) {
	s, err := G.Sum(out)
	if err != nil || kl == nil {
		return s, err
	}
	return G.Add(s, kl)
}
