package bayesnodes

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// ConvTranspose is a Bayesian transposed convolution over one, two or
// three spatial axes (PyTorch's ConvTranspose1d, 2d and 3d): the adjoint of
// a convolution in its input, which a decoder uses to upsample. An input
// [batch, In, spatial...] gives [batch, Out, spatial'...] with, per axis,
//
//	out = (in-1)*Stride - 2*Padding + Dilation*(Kernel-1) + OutputPadding + 1
//
// Its weight has PyTorch's layout [In, Out/Groups, Kernel...]. Being linear
// in its weights, it trains under every estimator (see Estimator.Apply).
// Kernel, Stride, Padding, OutputPadding and Dilation have one value per
// spatial axis. Its fields describe the layer; change them only through
// the constructors.
type ConvTranspose struct {
	In, Out, Groups                                  int
	Kernel, Stride, Padding, OutputPadding, Dilation []int
	Weight                                           Posterior // [In, Out/Groups, Kernel...]
	Bias                                             Posterior // [Out]; nil without bias
	Estimator                                        Estimator
	name                                             string
}

// OutputPadding adds size to one end of each spatial axis of a transposed
// convolution's output, to pick among the output sizes that a stride above
// 1 maps to one input size: one value for every axis, or one per axis
// (default 0). Each must be smaller than its axis's stride or dilation.
// Other layers reject it.
func OutputPadding(p ...int) ConvOption { return outputPadding(slices.Clone(p)) }

type outputPadding []int

// applyConv is reached only by a layer that has no output padding.
func (p outputPadding) applyConv(c *convConfig) {
	c.errs = append(c.errs, fmt.Errorf("output padding %v: only a transposed convolution has one", []int(p)))
}

// NewConvTranspose1D returns a Bayesian 1-D transposed convolution from in
// to out channels with a kernel of the given width.
func NewConvTranspose1D(in, out, kernel int, opts ...ConvOption) (*ConvTranspose, error) {
	return newConvTranspose("conv_transpose1d", in, out, []int{kernel}, opts)
}

// NewConvTranspose2D returns a Bayesian 2-D transposed convolution from in
// to out channels with a kernel of kernel[0] rows and kernel[1] columns.
func NewConvTranspose2D(in, out int, kernel [2]int, opts ...ConvOption) (*ConvTranspose, error) {
	return newConvTranspose("conv_transpose2d", in, out, kernel[:], opts)
}

// NewConvTranspose3D returns a Bayesian 3-D transposed convolution from in
// to out channels with a kernel of kernel[0] x kernel[1] x kernel[2]
// (depth, height, width).
func NewConvTranspose3D(in, out int, kernel [3]int, opts ...ConvOption) (*ConvTranspose, error) {
	return newConvTranspose("conv_transpose3d", in, out, kernel[:], opts)
}

// newConvTranspose builds the layer. The posterior means start uniform in
// ±1/sqrt(fanIn), fanIn = out/groups * prod(kernel), PyTorch's fan-in of
// this weight, unless WithMuInit says otherwise.
func newConvTranspose(kind string, in, out int, kernel []int, opts []ConvOption) (*ConvTranspose, error) {
	var outPad []int
	rest := make([]ConvOption, 0, len(opts))
	for _, o := range opts {
		if p, ok := o.(outputPadding); ok {
			outPad = p
			continue
		}
		rest = append(rest, o)
	}
	c, err := newConvConfig(kind, rest)
	if err != nil {
		return nil, err
	}
	if outPad != nil {
		c.axes("output padding", outPad, 0)
		if err := c.err(); err != nil {
			return nil, err
		}
	}
	s, err := c.spec(in, out, kernel)
	if err != nil {
		return nil, err
	}
	if outPad, err = perAxis("output padding", outPad, 0, len(kernel)); err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", c.name, err)
	}
	g := s.geom
	l := &ConvTranspose{In: in, Out: out, Groups: g.groups, Kernel: slices.Clone(kernel),
		Stride: g.tail(g.stride), Padding: g.tail(g.padding), OutputPadding: outPad, Dilation: g.tail(g.dilation),
		Estimator: s.estimator, name: c.name}
	if _, err := l.geom(); err != nil {
		return nil, err
	}
	shape := append([]int{in, out / g.groups}, kernel...)
	fanIn := 1
	for _, k := range shape[1:] {
		fanIn *= k
	}
	if l.Weight, err = c.posterior("weight", shape, fanIn); err != nil {
		return nil, err
	}
	if c.bias {
		if l.Bias, err = c.posterior("bias", []int{out}, fanIn); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// geom checks the layer (its fields are exported) and returns its geometry.
func (l *ConvTranspose) geom() (convTransposeGeom, error) {
	if !oneValuePerAxis(l.Kernel, l.Stride, l.Padding, l.OutputPadding, l.Dilation) {
		return convTransposeGeom{}, fmt.Errorf("bayesnodes: %s: kernel %v, stride %v, padding %v, output padding %v and dilation %v: want one value per spatial axis, 1 to 3 axes",
			l.name, l.Kernel, l.Stride, l.Padding, l.OutputPadding, l.Dilation)
	}
	rank := len(l.Kernel)
	s := convSpec{name: l.name, in: l.In, out: l.Out, estimator: l.Estimator,
		geom: newConvGeom(l.Kernel, l.Stride, l.Padding, l.Dilation, l.Groups)}
	if err := s.validate(); err != nil {
		return convTransposeGeom{}, err
	}
	g := convTransposeGeom{convGeom: s.geom}
	copy(g.outputPadding[3-rank:], l.OutputPadding)
	if err := g.check(); err != nil {
		return convTransposeGeom{}, fmt.Errorf("bayesnodes: %s: %w", l.name, err)
	}
	return g, nil
}

// Apply adds the layer to b's graph for an input of shape [batch, In,
// spatial...].
func (l *ConvTranspose) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("bayesnodes: %s: nil input node", l.name)
	}
	g, err := l.geom()
	if err != nil {
		return nil, err
	}
	if in := x.Shape(); len(in) != 2+g.rank || in[1] != l.In {
		return nil, fmt.Errorf("bayesnodes: %s: input has shape %v, want [batch, %d, %s]", l.name, in, l.In, g.axesName())
	}
	w := append([]int{l.In, l.Out / g.groups}, l.Kernel...)
	if _, err := g.shapes(x.Shape(), w); err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", l.name, err)
	}
	convT := LinearFunc(func(b *graph.Builder, x, w *G.Node) (*G.Node, error) {
		y, err := convolveTransposed(x, w, g, !b.IsX(x))
		if err != nil {
			return nil, fmt.Errorf("bayesnodes: %s: %w", l.name, err)
		}
		return y, nil
	})
	return l.Estimator.Apply(b, x, l.Weight, l.Bias, convT)
}
