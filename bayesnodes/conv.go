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
	s := convSpec{name: c.name, in: in, out: out, groups: c.groups, kernel: kernel, estimator: c.estimator}
	var err error
	if s.stride, err = perAxis("stride", c.stride, 1, len(kernel)); err != nil {
		return s, fmt.Errorf("bayesnodes: %s: %w", c.name, err)
	}
	if s.padding, err = perAxis("padding", c.padding, 0, len(kernel)); err != nil {
		return s, fmt.Errorf("bayesnodes: %s: %w", c.name, err)
	}
	if s.dilation, err = perAxis("dilation", c.dilation, 1, len(kernel)); err != nil {
		return s, fmt.Errorf("bayesnodes: %s: %w", c.name, err)
	}
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
func (c *convConfig) posteriors(s convSpec) (weight, bias *Posterior, err error) {
	fanIn := s.in / s.groups
	for _, k := range s.kernel {
		fanIn *= k
	}
	shape := append([]int{s.out, s.in / s.groups}, s.kernel...)
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

// Conv2D is a Bayesian 2-D convolution (cross-correlation, as in PyTorch)
// from an input [batch, In, H, W] to [batch, Out, H', W'] with
// H' = (H + 2 Padding[0] - Dilation[0] (Kernel[0]-1) - 1) / Stride[0] + 1,
// and W' likewise. Weights and bias are sampled once per run. Its fields
// describe the layer; change them only through NewConv2D.
type Conv2D struct {
	In, Out, Groups                   int
	Kernel, Stride, Padding, Dilation [2]int
	Weight                            *Posterior // [Out, In/Groups, Kernel[0], Kernel[1]]
	Bias                              *Posterior // [Out]; nil without bias
	Estimator                         Estimator
	name                              string
}

// NewConv2D returns a Bayesian 2-D convolution from in to out channels with a
// kernel of kernel[0] rows and kernel[1] columns. The posterior means start
// uniform in ±1/sqrt(fanIn), fanIn = in/groups * kernel[0] * kernel[1],
// unless WithMuInit says otherwise.
func NewConv2D(in, out int, kernel [2]int, opts ...ConvOption) (*Conv2D, error) {
	c, err := newConvConfig("conv2d", opts)
	if err != nil {
		return nil, err
	}
	s, err := c.spec(in, out, kernel[:])
	if err != nil {
		return nil, err
	}
	l := &Conv2D{In: in, Out: out, Groups: s.groups, Kernel: kernel, Estimator: s.estimator, name: c.name}
	copy(l.Stride[:], s.stride)
	copy(l.Padding[:], s.padding)
	copy(l.Dilation[:], s.dilation)
	if l.Weight, l.Bias, err = c.posteriors(s); err != nil {
		return nil, err
	}
	return l, nil
}

// Apply adds the layer to b's graph for an input of shape [batch, In, H, W].
func (l *Conv2D) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	s := convSpec{name: l.name, in: l.In, out: l.Out, groups: l.Groups,
		kernel: l.Kernel[:], stride: l.Stride[:], padding: l.Padding[:], dilation: l.Dilation[:], estimator: l.Estimator}
	return s.apply(b, x, l.Weight, l.Bias)
}

// Conv1D is a Bayesian 1-D convolution from an input [batch, In, L] to
// [batch, Out, L'] with L' = (L + 2 Padding - Dilation (Kernel-1) - 1) /
// Stride + 1. Its fields describe the layer; change them only through
// NewConv1D.
type Conv1D struct {
	In, Out, Groups                   int
	Kernel, Stride, Padding, Dilation int
	Weight                            *Posterior // [Out, In/Groups, Kernel]
	Bias                              *Posterior // [Out]; nil without bias
	Estimator                         Estimator
	name                              string
}

// NewConv1D returns a Bayesian 1-D convolution from in to out channels with
// a kernel of the given width. Stride, Padding and Dilation take one value.
func NewConv1D(in, out, kernel int, opts ...ConvOption) (*Conv1D, error) {
	c, err := newConvConfig("conv1d", opts)
	if err != nil {
		return nil, err
	}
	s, err := c.spec(in, out, []int{kernel})
	if err != nil {
		return nil, err
	}
	l := &Conv1D{In: in, Out: out, Groups: s.groups, Kernel: kernel,
		Stride: s.stride[0], Padding: s.padding[0], Dilation: s.dilation[0], Estimator: s.estimator, name: c.name}
	if l.Weight, l.Bias, err = c.posteriors(s); err != nil {
		return nil, err
	}
	return l, nil
}

// Apply adds the layer to b's graph for an input of shape [batch, In, L].
func (l *Conv1D) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	s := convSpec{name: l.name, in: l.In, out: l.Out, groups: l.Groups,
		kernel: []int{l.Kernel}, stride: []int{l.Stride}, padding: []int{l.Padding}, dilation: []int{l.Dilation}, estimator: l.Estimator}
	return s.apply(b, x, l.Weight, l.Bias)
}

// convSpec is the geometry of a convolution over one, two or three spatial
// axes; kernel, stride, padding and dilation have one value per axis.
type convSpec struct {
	name                              string
	in, out, groups                   int
	kernel, stride, padding, dilation []int
	estimator                         Estimator
}

func (s convSpec) validate() error {
	if s.in <= 0 || s.out <= 0 {
		return fmt.Errorf("bayesnodes: %s: sizes in=%d, out=%d, want both > 0", s.name, s.in, s.out)
	}
	for i := range s.kernel {
		switch {
		case s.kernel[i] <= 0:
			return fmt.Errorf("bayesnodes: %s: kernel %v, want every size > 0", s.name, s.kernel)
		case s.stride[i] <= 0:
			return fmt.Errorf("bayesnodes: %s: stride %v, want every value > 0", s.name, s.stride)
		case s.padding[i] < 0:
			return fmt.Errorf("bayesnodes: %s: padding %v, want every value >= 0", s.name, s.padding)
		case s.dilation[i] <= 0:
			return fmt.Errorf("bayesnodes: %s: dilation %v, want every value > 0", s.name, s.dilation)
		}
	}
	if s.groups <= 0 || s.in%s.groups != 0 || s.out%s.groups != 0 {
		return fmt.Errorf("bayesnodes: %s: in=%d and out=%d channels must both be divisible by groups=%d", s.name, s.in, s.out, s.groups)
	}
	if s.estimator < Reparameterization || s.estimator > Flipout {
		return fmt.Errorf("bayesnodes: %s: estimator %v is not supported", s.name, s.estimator)
	}
	return nil
}

// outShape checks an input shape [batch, in, spatial...] and returns the
// output shape. It validates the geometry again because the layer's fields
// are exported, and Gorgonia panics in its VM on most of what it rejects.
func (s convSpec) outShape(in tensor.Shape) ([]int, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	want := fmt.Sprintf("[batch, %d, L]", s.in)
	switch len(s.kernel) {
	case 2:
		want = fmt.Sprintf("[batch, %d, H, W]", s.in)
	case 3:
		want = fmt.Sprintf("[batch, %d, D, H, W]", s.in)
	}
	if len(in) != 2+len(s.kernel) || in[1] != s.in {
		return nil, fmt.Errorf("bayesnodes: %s: input has shape %v, want %s", s.name, in, want)
	}
	out := []int{in[0], s.out}
	for i, k := range s.kernel {
		n := in[2+i]
		span := s.dilation[i]*(k-1) + 1
		padded := n + 2*s.padding[i]
		if span > padded {
			return nil, fmt.Errorf("bayesnodes: %s: input has shape %v: along axis %d the kernel spans %d (size %d, dilation %d), more than the padded input's %d (%d + 2*%d)",
				s.name, in, 2+i, span, k, s.dilation[i], padded, n, s.padding[i])
		}
		out = append(out, (padded-span)/s.stride[i]+1)
	}
	return out, nil
}

// apply samples the weights and convolves x with them.
func (s convSpec) apply(b *graph.Builder, x *G.Node, weight, bias *Posterior) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("bayesnodes: %s: nil input node", s.name)
	}
	outShape, err := s.outShape(x.Shape())
	if err != nil {
		return nil, err
	}
	conv := LinearFunc(func(b *graph.Builder, x, w *G.Node) (*G.Node, error) { return s.checkedConv(x, w, outShape, b.IsX(x)) })
	return s.estimator.Apply(b, x, weight, bias, conv)
}

// checkedConv convolves x with w and checks the result's shape: a wrong
// shape here would mean a wrong result from Gorgonia.
func (s convSpec) checkedConv(x, w *G.Node, outShape []int, isData bool) (*G.Node, error) {
	y, err := s.conv(x, w, isData)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", s.name, err)
	}
	if !slices.Equal(y.Shape(), outShape) {
		return nil, fmt.Errorf("bayesnodes: %s: convolution of %v gave shape %v, want %v", s.name, x.Shape(), y.Shape(), outShape)
	}
	return y, nil
}

// conv lowers the convolution to the package's op (conv_op.go), one
// implementation for every rank. The network's data input (isData) gets no
// gradient: graph differentiates the parameters only, and for a first
// layer the input's gradient is a product and a col2im as large as the
// forward pass (as gemmConstA, for dense layers).
func (s convSpec) conv(x, w *G.Node, isData bool) (*G.Node, error) {
	return convolve(x, w, newConvGeom(s.kernel, s.stride, s.padding, s.dilation, s.groups), !isData)
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
