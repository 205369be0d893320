package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// CrossEntropy is the categorical negative log-likelihood of one-hot
// targets given logits of shape [batch, classes], computed with a stable
// log-softmax.
type CrossEntropy struct{}

// NLL adds -mean over the batch of sum_c target_c log softmax(out)_c.
func (CrossEntropy) NLL(b *graph.Builder, out, target *G.Node) (*G.Node, error) {
	if len(out.Shape()) != 2 {
		return nil, fmt.Errorf("losses: cross-entropy wants logits of shape [batch, classes], got %v", out.Shape())
	}
	ls, err := G.LogSoftMax(out)
	if err != nil {
		return nil, err
	}
	prod, err := G.HadamardProd(ls, target)
	if err != nil {
		return nil, err
	}
	m, err := batchMean(b, prod)
	if err != nil {
		return nil, err
	}
	return G.Neg(m)
}
