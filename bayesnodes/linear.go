package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Linear is a Bayesian fully connected layer: y = x W^T + b with W and b
// sampled from their posteriors once per run. W has PyTorch's and BLiTZ's
// layout [Out, In].
type Linear struct {
	In, Out   int
	Weight    Posterior // [Out, In]
	Bias      Posterior // [Out]; nil without bias
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
		return nil, fmt.Errorf("bayesnodes: %s: input has shape %v, want [batch, %d]", l.Weight.Mean().Name(), s, l.In)
	}
	return l.Estimator.Apply(b, x, l.Weight, l.Bias, DenseProduct)
}
