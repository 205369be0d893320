package optim

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// LearnRateScale multiplies the learning rate of the parameters whose names
// match by factor, as a PyTorch parameter group with learning rate
// lr*factor does: the step (and, for Adam, the decoupled weight decay, which
// is multiplied by the learning rate) of a matched parameter is factor times
// what it would be, and a schedule set through SetLearnRate scales both
// alike. A parameter's name is what its ValueGrad's Name method returns (a
// graph.Param's, e.g. "fc1.weight.rho"); parameters without one match
// nothing. Where several LearnRateScale options match a parameter their
// factors multiply. match must not be nil and factor must be positive and
// finite.
//
// Adaptive solvers such as Adam move each parameter by at most about the
// learning rate per step, whatever its gradient's scale, so a parameter
// that must travel far in few steps (a posterior's rho, say) needs a larger
// rate of its own rather than a larger gradient.
func LearnRateScale(match func(name string) bool, factor float64) Option {
	return Option{fmt.Sprintf("LearnRateScale(%v)", factor), nil, func(s *settings) error {
		if match == nil {
			return fmt.Errorf("the match function is nil")
		}
		if !(factor > 0) || !finite(factor) {
			return fmt.Errorf("factor %v is not a positive finite number", factor)
		}
		s.lrScales = append(s.lrScales, lrScale{match, factor})
		return nil
	}}
}

// lrScale is one LearnRateScale option.
type lrScale struct {
	match  func(name string) bool
	factor float64
}

// lrFactor returns the product of the factors of the scales that match vg's
// name: 1 if none does or vg has no name.
func lrFactor(scales []lrScale, vg G.ValueGrad) float64 {
	n, ok := vg.(G.Namer)
	if !ok {
		return 1
	}
	f := 1.0
	for _, s := range scales {
		if s.match(n.Name()) {
			f *= s.factor
		}
	}
	return f
}
