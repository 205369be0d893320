package optim

import (
	"fmt"
	"math"
)

// CosineDecay returns a step callback for OnStep that lowers the
// solver's learning rate from `from` at the first step to `to` at step
// `steps` along half a cosine (Loshchilov and Hutter 2017, without
// restarts), and holds it at `to` after. A small final rate lets noisy
// single-sample gradients settle instead of leaving the weights wherever
// the last large step put them.
func CosineDecay(s Solver, from, to float64, steps int) (func(StepInfo) error, error) {
	if s == nil {
		return nil, fmt.Errorf("optim: CosineDecay: nil solver")
	}
	if !(from > 0) || !(to > 0) || math.IsInf(from, 0) || math.IsInf(to, 0) || steps < 1 {
		return nil, fmt.Errorf("optim: CosineDecay(%v, %v, %d): want finite rates > 0 and steps >= 1", from, to, steps)
	}
	return func(info StepInfo) error {
		// After step info.Step (from 0), set the rate of the next one.
		t := math.Min(1, float64(info.Step+1)/float64(steps))
		return s.SetLearnRate(to + (from-to)*(1+math.Cos(math.Pi*t))/2)
	}, nil
}
