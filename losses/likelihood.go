package losses

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Likelihood is the data-fit term of an objective.
type Likelihood interface {
	// NLL adds to b's graph the negative log-likelihood of target given the
	// network output, averaged over the batch (axis 0). target has out's
	// shape.
	NLL(b *graph.Builder, out, target *G.Node) (*G.Node, error)
}

// TargetWidther is a Likelihood whose targets have another width than the
// network's output (Heteroscedastic: means and scales out, values in).
type TargetWidther interface {
	// TargetWidth returns the target values per example for an output of
	// outputWidth values per example, or an error if they cannot match.
	TargetWidth(outputWidth int) (int, error)
}

// batchMean returns sum(x) / batch.
func batchMean(b *graph.Builder, x *G.Node) (*G.Node, error) {
	s, err := G.Sum(x)
	if err != nil {
		return nil, err
	}
	return G.Mul(s, b.Scalar(1/float64(b.Batch())))
}
