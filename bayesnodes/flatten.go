package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Flatten reshapes x of shape [batch, d1, d2, ...] to [batch, d1*d2*...],
// keeping the row-major order of the values (torch.flatten(x, 1)): the
// bridge from convolutions and pooling to Linear. A matrix is returned as
// it is.
func Flatten(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("bayesnodes: Flatten: nil input node")
	}
	s := x.Shape()
	if len(s) < 2 {
		return nil, fmt.Errorf("bayesnodes: Flatten: input has shape %v, want [batch, ...] with at least 2 axes", s)
	}
	if len(s) == 2 {
		return x, nil
	}
	return G.Reshape(x, tensor.Shape{s[0], s.TotalSize() / s[0]})
}
