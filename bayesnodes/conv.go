package bayesnodes

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// ConvOption configures a convolution layer. Every Option is a ConvOption,
// so WithName, WithPrior, WithoutBias and the others mix freely with Stride,
// Padding, Dilation and Groups; a slice of them must have type []ConvOption.
type ConvOption interface {
	applyConv(*convConfig)
}

// applyConv makes every layer option a convolution option too.
func (o Option) applyConv(c *convConfig) { o(&c.config) }

type convOption func(*convConfig)

func (o convOption) applyConv(c *convConfig) { o(c) }

type convConfig struct {
	config
	// One value for every spatial axis or one per axis; nil for the default.
	stride, padding, dilation []int
	groups                    int
}

// Stride sets the step of the kernel over the input: one value for every
// spatial axis, or one per axis (default 1).
func Stride(s ...int) ConvOption {
	return convOption(func(c *convConfig) { c.stride = c.axes("stride", s, 1) })
}

// Padding sets the number of zeros added at both ends of each spatial axis:
// one value for every axis, or one per axis (default 0).
func Padding(p ...int) ConvOption {
	return convOption(func(c *convConfig) { c.padding = c.axes("padding", p, 0) })
}

// Dilation sets the spacing between kernel taps: one value for every spatial
// axis, or one per axis (default 1, a dense kernel).
func Dilation(d ...int) ConvOption {
	return convOption(func(c *convConfig) { c.dilation = c.axes("dilation", d, 1) })
}

// Groups splits the channels into g groups convolved independently (default
// 1): output channel o sees only the input channels of group o/(out/g), as in
// PyTorch. Groups equal to the input channels gives a depthwise convolution.
func Groups(g int) ConvOption {
	return convOption(func(c *convConfig) {
		if g <= 0 {
			c.errs = append(c.errs, fmt.Errorf("groups=%d, want > 0", g))
		}
		c.groups = g
	})
}

// axes records an error for a per-axis option with no value or one below
// least, and returns a copy of v.
func (c *convConfig) axes(what string, v []int, least int) []int {
	if len(v) == 0 {
		c.errs = append(c.errs, fmt.Errorf("%s: no value given", what))
	}
	for _, x := range v {
		if x < least {
			c.errs = append(c.errs, fmt.Errorf("%s %v: want every value >= %d", what, v, least))
			break
		}
	}
	return slices.Clone(v)
}

func newConvConfig(kind string, opts []ConvOption) (*convConfig, error) {
	c := &convConfig{config: *newConfig(kind, nil), groups: 1}
	for _, o := range opts {
		if o == nil {
			c.errs = append(c.errs, fmt.Errorf("nil option"))
			continue
		}
		o.applyConv(c)
	}
	return c, c.err()
}

// spec expands c's per-axis options for a layer of the given kernel.
func (c *convConfig) spec(in, out int, kernel []int) (convSpec, error) {
	var stride, padding, dilation []int
	var err error
	if stride, err = perAxis("stride", c.stride, 1, len(kernel)); err != nil {
		return convSpec{}, fmt.Errorf("bayesnodes: %s: %w", c.name, err)
	}
	if padding, err = perAxis("padding", c.padding, 0, len(kernel)); err != nil {
		return convSpec{}, fmt.Errorf("bayesnodes: %s: %w", c.name, err)
	}
	if dilation, err = perAxis("dilation", c.dilation, 1, len(kernel)); err != nil {
		return convSpec{}, fmt.Errorf("bayesnodes: %s: %w", c.name, err)
	}
	s := convSpec{name: c.name, in: in, out: out, estimator: c.estimator,
		geom: newConvGeom(kernel, stride, padding, dilation, c.groups)}
	return s, s.validate()
}

// perAxis returns v with one value per axis: def everywhere for nil, v[0]
// everywhere for a single value.
func perAxis(what string, v []int, def, rank int) ([]int, error) {
	out := make([]int, rank)
	switch len(v) {
	case 0, 1:
		if len(v) == 1 {
			def = v[0]
		}
		for i := range out {
			out[i] = def
		}
	case rank:
		copy(out, v)
	default:
		if rank == 1 {
			return nil, fmt.Errorf("%s %v has %d values, want 1", what, v, len(v))
		}
		return nil, fmt.Errorf("%s %v has %d values, want 1 or %d", what, v, len(v), rank)
	}
	return out, nil
}

// posteriors creates the weight [out, in/groups, kernel...] and the bias [out]
// posteriors. PyTorch's fan-in for both: the inputs one output sums.
func (c *convConfig) posteriors(s convSpec) (weight, bias Posterior, err error) {
	shape := s.weightShape()
	fanIn := 1
	for _, k := range shape[1:] {
		fanIn *= k
	}
	if weight, err = c.posterior("weight", shape, fanIn); err != nil {
		return nil, nil, err
	}
	if c.bias {
		if bias, err = c.posterior("bias", []int{s.out}, fanIn); err != nil {
			return nil, nil, err
		}
	}
	return weight, bias, nil
}

// Conv is a Bayesian convolution (cross-correlation, as in PyTorch's
// Conv1d, Conv2d and Conv3d) over one, two or three spatial axes: an input
// [batch, In, spatial...] gives [batch, Out, spatial'...] with, per axis,
//
//	out = (in + 2 Padding - Dilation (Kernel-1) - 1) / Stride + 1
//
// Its weight is [Out, In/Groups, Kernel...]. Gorgonia's own convolutions
// stop at two axes; every rank runs on the package's op (im2col and one
// matrix product per group over the whole minibatch, see conv_op.go), with
// its own gradient. Being linear in its weights, it trains under every
// estimator (see Estimator.Apply): Reparameterization samples the weights
// once per run, LocalReparameterization samples the outputs from their
// Gaussian, and Flipout flips one weight perturbation per example and
// channel. Kernel, Stride, Padding and Dilation have one value per spatial
// axis. Its fields describe the layer; change them only through the
// constructors.
type Conv struct {
	In, Out, Groups                   int
	Kernel, Stride, Padding, Dilation []int
	Weight                            Posterior // [Out, In/Groups, Kernel...]
	Bias                              Posterior // [Out]; nil without bias
	Estimator                         Estimator
	name                              string
}

// NewConv1D returns a Bayesian 1-D convolution from in to out channels with
// a kernel of the given width, for an input [batch, in, L]. Stride,
// Padding and Dilation take one value.
func NewConv1D(in, out, kernel int, opts ...ConvOption) (*Conv, error) {
	return newConvLayer("conv1d", in, out, []int{kernel}, opts)
}

// NewConv2D returns a Bayesian 2-D convolution from in to out channels with a
// kernel of kernel[0] rows and kernel[1] columns, for an input [batch, in,
// H, W].
func NewConv2D(in, out int, kernel [2]int, opts ...ConvOption) (*Conv, error) {
	return newConvLayer("conv2d", in, out, kernel[:], opts)
}

// NewConv3D returns a Bayesian 3-D convolution from in to out channels with
// a kernel of kernel[0] x kernel[1] x kernel[2] (depth, height, width), for
// an input [batch, in, D, H, W].
func NewConv3D(in, out int, kernel [3]int, opts ...ConvOption) (*Conv, error) {
	return newConvLayer("conv3d", in, out, kernel[:], opts)
}

// newConvLayer builds the layer. Stride, Padding and Dilation take one value for
// every axis or one per axis. The posterior means start uniform in
// ±1/sqrt(fanIn), fanIn = in/groups * prod(kernel), unless WithMuInit says
// otherwise.
func newConvLayer(kind string, in, out int, kernel []int, opts []ConvOption) (*Conv, error) {
	c, err := newConvConfig(kind, opts)
	if err != nil {
		return nil, err
	}
	s, err := c.spec(in, out, kernel)
	if err != nil {
		return nil, err
	}
	g := s.geom
	l := &Conv{In: in, Out: out, Groups: g.groups, Kernel: slices.Clone(kernel),
		Stride: g.tail(g.stride), Padding: g.tail(g.padding), Dilation: g.tail(g.dilation),
		Estimator: s.estimator, name: c.name}
	if l.Weight, l.Bias, err = c.posteriors(s); err != nil {
		return nil, err
	}
	return l, nil
}

// Apply adds the layer to b's graph for an input of shape [batch, In,
// spatial...].
func (l *Conv) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	if !oneValuePerAxis(l.Kernel, l.Stride, l.Padding, l.Dilation) {
		return nil, fmt.Errorf("bayesnodes: %s: kernel %v, stride %v, padding %v and dilation %v: want one value per spatial axis, 1 to 3 axes",
			l.name, l.Kernel, l.Stride, l.Padding, l.Dilation)
	}
	s := convSpec{name: l.name, in: l.In, out: l.Out, estimator: l.Estimator,
		geom: newConvGeom(l.Kernel, l.Stride, l.Padding, l.Dilation, l.Groups)}
	return s.apply(b, x, l.Weight, l.Bias)
}

// oneValuePerAxis reports whether kernel has 1 to 3 axes and each of axes
// one value per axis.
func oneValuePerAxis(kernel []int, axes ...[]int) bool {
	for _, a := range axes {
		if len(a) != len(kernel) {
			return false
		}
	}
	return len(kernel) >= 1 && len(kernel) <= 3
}

// convSpec is a convolution layer over one, two or three spatial axes: its
// channels and estimator beside the geometry its op runs.
type convSpec struct {
	name      string
	in, out   int
	geom      convGeom
	estimator Estimator
}

// weightShape is [out, in/groups, kernel...].
func (s convSpec) weightShape() []int {
	return append([]int{s.out, s.in / max(1, s.geom.groups)}, s.geom.tail(s.geom.kernel)...)
}

func (s convSpec) validate() error {
	if s.in <= 0 || s.out <= 0 {
		return fmt.Errorf("bayesnodes: %s: sizes in=%d, out=%d, want both > 0", s.name, s.in, s.out)
	}
	if err := s.geom.check(); err != nil {
		return fmt.Errorf("bayesnodes: %s: %w", s.name, err)
	}
	if s.in%s.geom.groups != 0 || s.out%s.geom.groups != 0 {
		return fmt.Errorf("bayesnodes: %s: in=%d and out=%d channels must both be divisible by groups=%d", s.name, s.in, s.out, s.geom.groups)
	}
	if err := s.estimator.Accepts(nil); err != nil {
		return fmt.Errorf("bayesnodes: %s: %w", s.name, err)
	}
	return nil
}

// apply checks x and the layer (its fields are exported), then adds the
// layer under its estimator. The convolution op checks the shapes again;
// checking here first names the layer and keeps Gorgonia from panicking.
func (s convSpec) apply(b *graph.Builder, x *G.Node, weight, bias Posterior) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("bayesnodes: %s: nil input node", s.name)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	if in := x.Shape(); len(in) != 2+s.geom.rank || in[1] != s.in {
		return nil, fmt.Errorf("bayesnodes: %s: input has shape %v, want [batch, %d, %s]", s.name, in, s.in, s.geom.axesName())
	}
	if _, err := s.geom.shapes(x.Shape(), s.weightShape()); err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", s.name, err)
	}
	conv := LinearFunc(func(b *graph.Builder, x, w *G.Node) (*G.Node, error) {
		// The network's data gets no gradient: graph differentiates the
		// parameters only, and for a first layer the input's gradient is
		// a product and a col2im as large as the forward pass (as
		// gemmConstA, for dense layers).
		y, err := convolve(x, w, s.geom, !b.IsX(x))
		if err != nil {
			return nil, fmt.Errorf("bayesnodes: %s: %w", s.name, err)
		}
		return y, nil
	})
	return s.estimator.Apply(b, x, weight, bias, conv)
}

// sliceAxis returns n[..., lo:hi, ...] along axis, keeping the axis when
// hi-lo is 1 (Gorgonia's Slice drops it, as indexing would).
func sliceAxis(n *G.Node, axis, lo, hi int) (*G.Node, error) {
	ss := make([]tensor.Slice, axis+1)
	ss[axis] = G.S(lo, hi)
	out, err := G.Slice(n, ss...)
	if err != nil {
		return nil, err
	}
	if out.Dims() == n.Dims() {
		return out, nil
	}
	shape := n.Shape().Clone()
	shape[axis] = hi - lo
	return G.Reshape(out, shape)
}
