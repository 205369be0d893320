package losses

import "math"

// Scaled multiplies another weighting by a constant beta: the beta-ELBO
// fit + beta * weight * KL of Higgins et al. (2017). Beta below 1 lets the
// data speak louder than the prior (a "cold" posterior), above 1 softer.
// Wrap it in Annealed for a warm-up to beta, or give it to a Plateau to
// start from.
type Scaled struct {
	Base KLWeight
	Beta float64
}

// Weight returns Beta times Base's weight.
func (s Scaled) Weight(at Batch) float64 {
	if s.Base == nil || s.Beta < 0 || math.IsInf(s.Beta, 0) {
		return math.NaN()
	}
	return s.Beta * s.Base.Weight(at)
}

// ObserveLoss passes o on to Base, so that a Plateau under a Scaled is fed.
func (s Scaled) ObserveLoss(o Observation) { observe(s.Base, o) }

// ObserveLoss passes o on to Base, so that a Plateau under an Annealed
// warm-up is fed.
func (a Annealed) ObserveLoss(o Observation) { observe(a.Base, o) }
