package opkit

import (
	"fmt"

	"gorgonia.org/tensor"
)

// SameShapes checks that the shapes are equal and returns a copy of the
// first: the output shape of an elementwise op.
func SameShapes(in ...tensor.Shape) (tensor.Shape, error) {
	for i, s := range in[1:] {
		if !s.Eq(in[0]) {
			return nil, fmt.Errorf("input %d has shape %v, input 0 %v: want equal shapes", i+1, s, in[0])
		}
	}
	return in[0].Clone(), nil
}
