package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Linear is a Bayesian fully connected layer: y = x W^T + b with W and b
// sampled from their posteriors once per run. W has PyTorch's and BLiTZ's
// layout [Out, In].
type Linear struct {
	In, Out   int
	Weight    *Posterior // [Out, In]
	Bias      *Posterior // [Out]; nil without bias
	Estimator Estimator
}

// NewLinear returns a Bayesian linear layer from in to out features.
func NewLinear(in, out int, opts ...Option) (*Linear, error) {
	c := newConfig("linear", opts)
	if err := c.err(); err != nil {
		return nil, err
	}
	if in <= 0 || out <= 0 {
		return nil, fmt.Errorf("bayesnodes: %s: sizes in=%d, out=%d, want both > 0", c.name, in, out)
	}
	l := &Linear{In: in, Out: out, Estimator: c.estimator}
	var err error
	if l.Weight, err = c.posterior("weight", []int{out, in}, in); err != nil {
		return nil, err
	}
	if c.bias {
		if l.Bias, err = c.posterior("bias", []int{out}, in); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Apply adds the layer to b's graph for an input of shape [batch, In].
func (l *Linear) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	if s := x.Shape(); len(s) != 2 || s[1] != l.In {
		return nil, fmt.Errorf("bayesnodes: %s: input has shape %v, want [batch, %d]", l.Weight.Mu.Name(), s, l.In)
	}
	switch l.Estimator.inDense(b, x, l.Weight, l.Bias) {
	case sharedMoments:
		return sampleMarginal(b, x, l.Weight, l.Bias)
	case LocalReparameterization:
		return sampleLocal(b, x, l.Weight, l.Bias, matMulT(b))
	case Flipout:
		return sampleFlipout(b, x, l.Weight, l.Bias, matMulT(b))
	case Reparameterization:
	default:
		return nil, fmt.Errorf("bayesnodes: %s: estimator %v is not supported", l.Weight.Name(), l.Estimator)
	}
	w, err := l.Weight.Sample(b)
	if err != nil {
		return nil, err
	}
	y, err := matMulT(b)(x, w)
	if err != nil {
		return nil, err
	}
	if l.Bias == nil {
		return y, nil
	}
	bias, err := l.Bias.Sample(b)
	if err != nil {
		return nil, err
	}
	return addBias(y, bias)
}

// matMulT returns the product x w^T for x [batch, in] and w [out, in] in
// b's graph, with no copy of w transposed (see gemmOp). Where x is the
// graph's data, no gradient is built for it (see gemmConstA).
func matMulT(b *graph.Builder) func(x, w *G.Node) (*G.Node, error) {
	return func(x, w *G.Node) (*G.Node, error) {
		if b.IsX(x) {
			return gemmConstA(x, w, false, true)
		}
		return gemm(x, w, false, true)
	}
}

// addBias adds a [C] bias to y of shape [batch, C, ...] along axis 1.
// A [batch, C] y takes the fused biasAddOp, which allocates nothing per
// run. Higher ranks take Gorgonia's broadcast, whose gradient sums over
// several axes in an order of its own; it broadcasts over at most four
// axes, so y of higher rank (a 3-D convolution's [batch, C, D, H, W]) is
// added to as [batch, C, D*H*W].
func addBias(y, bias *G.Node) (*G.Node, error) {
	if y.Dims() == 2 && bias.Dims() == 1 {
		return fusedBiasAdd(y, bias)
	}
	if s := y.Shape(); len(s) > 4 {
		flat, err := G.Reshape(y, tensor.Shape{s[0], s[1], s[2:].TotalSize()})
		if err != nil {
			return nil, err
		}
		if flat, err = addBias(flat, bias); err != nil {
			return nil, err
		}
		return G.Reshape(flat, s.Clone())
	}
	shape := make([]int, len(y.Shape()))
	pattern := make([]byte, 0, len(shape))
	for i := range shape {
		shape[i] = 1
		if i != 1 {
			pattern = append(pattern, byte(i))
		}
	}
	shape[1] = bias.Shape().TotalSize()
	br, err := G.Reshape(bias, shape)
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, br, nil, pattern)
}
