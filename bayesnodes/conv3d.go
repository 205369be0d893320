package bayesnodes

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Conv3D is a Bayesian 3-D convolution (cross-correlation, as in PyTorch)
// from an input [batch, In, D, H, W] to [batch, Out, D', H', W'] with
// D' = (D + 2 Padding[0] - Dilation[0] (Kernel[0]-1) - 1) / Stride[0] + 1,
// and H', W' likewise. Gorgonia has no 3-D convolution; this layer runs on
// the package's own op, as Conv1D and Conv2D do (im2col and one matrix
// product per group over the whole minibatch, see conv_op.go), with its own
// gradient.
//
// Every estimator works, as a convolution is linear in its weights:
// Reparameterization samples the weights once per run,
// LocalReparameterization samples the outputs from their Gaussian, and
// Flipout flips one weight perturbation per example and channel. Its fields
// describe the layer; change them only through NewConv3D.
type Conv3D struct {
	In, Out, Groups                   int
	Kernel, Stride, Padding, Dilation [3]int
	Weight                            Posterior // [Out, In/Groups, Kernel[0], Kernel[1], Kernel[2]]
	Bias                              Posterior // [Out]; nil without bias
	Estimator                         Estimator
	name                              string
}

// NewConv3D returns a Bayesian 3-D convolution from in to out channels with
// a kernel of kernel[0] x kernel[1] x kernel[2] (depth, height, width).
// Stride, Padding and Dilation take one value for every axis or three. The
// posterior means start uniform in ±1/sqrt(fanIn), fanIn = in/groups *
// kernel[0] * kernel[1] * kernel[2], unless WithMuInit says otherwise.
func NewConv3D(in, out int, kernel [3]int, opts ...ConvOption) (*Conv3D, error) {
	c, err := newConvConfig("conv3d", opts)
	if err != nil {
		return nil, err
	}
	s, err := c.spec(in, out, kernel[:])
	if err != nil {
		return nil, err
	}
	l := &Conv3D{In: in, Out: out, Groups: s.geom.groups, Kernel: kernel, Estimator: c.estimator, name: c.name}
	copy(l.Stride[:], s.geom.tail(s.geom.stride))
	copy(l.Padding[:], s.geom.tail(s.geom.padding))
	copy(l.Dilation[:], s.geom.tail(s.geom.dilation))
	if l.Weight, l.Bias, err = c.posteriors(s); err != nil {
		return nil, err
	}
	return l, nil
}

// Apply adds the layer to b's graph for an input of shape [batch, In, D, H,
// W].
func (l *Conv3D) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	s := convSpec{name: l.name, in: l.In, out: l.Out, estimator: l.Estimator,
		geom: newConvGeom(l.Kernel[:], l.Stride[:], l.Padding[:], l.Dilation[:], l.Groups)}
	return s.apply(b, x, l.Weight, l.Bias)
}
