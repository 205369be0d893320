package bayesnodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// ScaleMixture is the scale-mixture prior of Blundell et al. (2015) on every
// weight: Pi N(0, Sigma1^2) + (1 - Pi) N(0, Sigma2^2), typically with a wide
// Sigma1 and a narrow Sigma2. Its log-density is the exact one, computed in
// log space with the max trick so that neither component underflows.
//
// With Pi = 1 (or 0) it is the Normal prior N(0, Sigma1^2) (or Sigma2) and
// has a closed-form KL; otherwise KLNormal returns ErrNoClosedForm and the
// layer estimates the KL by Monte Carlo.
type ScaleMixture struct {
	Pi, Sigma1, Sigma2 float64
}

// Validate reports settings that are not a distribution.
func (s ScaleMixture) Validate() error {
	if !(s.Pi >= 0 && s.Pi <= 1) {
		return fmt.Errorf("bayesnodes: ScaleMixture prior: Pi is %v, want a value in [0, 1]", s.Pi)
	}
	if !(s.Sigma1 > 0) || math.IsInf(s.Sigma1, 0) {
		return fmt.Errorf("bayesnodes: ScaleMixture prior: Sigma1 is %v, want a finite value > 0", s.Sigma1)
	}
	if !(s.Sigma2 > 0) || math.IsInf(s.Sigma2, 0) {
		return fmt.Errorf("bayesnodes: ScaleMixture prior: Sigma2 is %v, want a finite value > 0", s.Sigma2)
	}
	return nil
}

// single returns the Normal the mixture reduces to when one weight is zero.
func (s ScaleMixture) single() (Normal, bool) {
	switch s.Pi {
	case 1:
		return Normal{Sigma: s.Sigma1}, true
	case 0:
		return Normal{Sigma: s.Sigma2}, true
	}
	return Normal{}, false
}

// LogProb adds sum_i log(Pi N(w_i|0, Sigma1^2) + (1-Pi) N(w_i|0, Sigma2^2)).
func (s ScaleMixture) LogProb(b *graph.Builder, w *G.Node) (*G.Node, error) {
	if n, ok := s.single(); ok {
		return n.LogProb(b, w)
	}
	w2, err := G.Square(w)
	if err != nil {
		return nil, err
	}
	// Each component's log weighted density: log pi_k - log sigma_k - log(2 pi)/2 - w^2 / (2 sigma_k^2).
	component := func(weight, sigma float64) (*G.Node, error) {
		quad, err := G.Mul(w2, b.Scalar(-1/(2*sigma*sigma)))
		if err != nil {
			return nil, err
		}
		return G.Add(quad, b.Scalar(math.Log(weight)-math.Log(sigma)-halfLog2Pi))
	}
	la, err := component(s.Pi, s.Sigma1)
	if err != nil {
		return nil, err
	}
	lb, err := component(1-s.Pi, s.Sigma2)
	if err != nil {
		return nil, err
	}
	lse, err := logAddExp(la, lb)
	if err != nil {
		return nil, err
	}
	return G.Sum(lse)
}

// logAddExp returns log(exp(a) + exp(b)) elementwise as m + log(exp(a-m) +
// exp(b-m)), m = max(a, b). (Gorgonia's LogSumExp does not build in v0.9.18.)
func logAddExp(a, b *G.Node) (*G.Node, error) {
	m, err := G.MaxBetween(a, b)
	if err != nil {
		return nil, err
	}
	da, err := G.Sub(a, m)
	if err != nil {
		return nil, err
	}
	db, err := G.Sub(b, m)
	if err != nil {
		return nil, err
	}
	ea, err := G.Exp(da)
	if err != nil {
		return nil, err
	}
	eb, err := G.Exp(db)
	if err != nil {
		return nil, err
	}
	sum, err := G.Add(ea, eb)
	if err != nil {
		return nil, err
	}
	l, err := G.Log(sum)
	if err != nil {
		return nil, err
	}
	return G.Add(m, l)
}
