package bayesnodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Normal is the Gaussian prior N(Mu, Sigma^2) on every weight.
type Normal struct {
	Mu, Sigma float64
}

// Validate reports settings that are not a distribution.
func (n Normal) Validate() error {
	if math.IsNaN(n.Mu) || math.IsInf(n.Mu, 0) {
		return fmt.Errorf("bayesnodes: Normal prior: Mu is %v", n.Mu)
	}
	if !(n.Sigma > 0) || math.IsInf(n.Sigma, 0) {
		return fmt.Errorf("bayesnodes: Normal prior: Sigma is %v, want a finite value > 0", n.Sigma)
	}
	return nil
}

// LogProb adds sum_i log N(w_i | Mu, Sigma^2).
func (n Normal) LogProb(b *graph.Builder, w *G.Node) (*G.Node, error) {
	count := float64(w.Shape().TotalSize())
	d, err := n.centre(b, w)
	if err != nil {
		return nil, err
	}
	ss, err := sumSquares(d)
	if err != nil {
		return nil, err
	}
	// -count (log sigma + log(2 pi)/2) - ss / (2 sigma^2)
	scaled, err := G.Mul(ss, b.Scalar(-1/(2*n.Sigma*n.Sigma)))
	if err != nil {
		return nil, err
	}
	return G.Add(scaled, b.Scalar(-count*(math.Log(n.Sigma)+halfLog2Pi)))
}

// centre returns w - Mu (w itself when Mu is 0).
func (n Normal) centre(b *graph.Builder, w *G.Node) (*G.Node, error) {
	if n.Mu == 0 {
		return w, nil
	}
	return G.Sub(w, b.Scalar(n.Mu))
}

const halfLog2Pi = 0.91893853320467274178032973640561763986139747363778 // log(2 pi) / 2

func sumSquares(x *G.Node) (*G.Node, error) {
	sq, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	return G.Sum(sq)
}
