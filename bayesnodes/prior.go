package bayesnodes

import (
	"errors"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Prior is a prior distribution over the weights of one parameter tensor,
// every weight independent and identically distributed.
type Prior interface {
	// LogProb adds to b's graph the sum over the elements of w of log p(w).
	LogProb(b *graph.Builder, w *G.Node) (*G.Node, error)
}

// validator is implemented by priors that can check their settings.
type validator interface {
	Validate() error
}

func validatePrior(p Prior) error {
	if p == nil {
		return errors.New("bayesnodes: nil prior")
	}
	if v, ok := p.(validator); ok {
		return v.Validate()
	}
	return nil
}
