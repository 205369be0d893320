package losses

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// MSE is the mean squared error over every output value, as PyTorch's
// MSELoss. It is not a normalised likelihood: prefer GaussianNLL for an
// ELBO (see the package documentation).
type MSE struct{}

// NLL adds mean((out - target)^2).
func (MSE) NLL(b *graph.Builder, out, target *G.Node) (*G.Node, error) {
	sq, err := squaredDiff(out, target)
	if err != nil {
		return nil, err
	}
	return G.Mean(sq)
}

// squaredDiff returns (out - target)^2 elementwise.
func squaredDiff(out, target *G.Node) (*G.Node, error) {
	d, err := G.Sub(out, target)
	if err != nil {
		return nil, err
	}
	return G.Square(d)
}
