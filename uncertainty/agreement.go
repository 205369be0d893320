package uncertainty

import (
	"fmt"
	"math"
)

// Interval is an estimated proportion with a confidence interval
// Lo <= Share <= Hi, all in [0, 1].
type Interval struct {
	Share, Lo, Hi float64
}

// MajorityAgreement returns, for each input, how often the samples agree:
// the share of the S samples whose predicted class (argmax, lowest index on
// ties) is the majority class among the samples' predictions, with a
// Wilson score interval at z (see WilsonInterval). A share near 1 means
// the samples agree; near 1/classes, that they vote at random.
//
// Common choices of z: 1.645 (often written 1.64) for a 90% interval,
// 1.96 for 95%, 2.326 (2.33) for 98% and 2.576 (2.58) for 99%.
//
// z = 0 gives Lo = Hi = Share. A negative, NaN or infinite z has no
// meaning: the bounds are then NaN, the Share still valid.
func (cp *ClassPredictive) MajorityAgreement(z float64) []Interval {
	out := make([]Interval, cp.n)
	valid := z >= 0 && !math.IsInf(z, 1)
	for i, k := range cp.majorityVotes {
		if valid {
			out[i] = wilson(k, cp.samples, z)
		} else {
			out[i] = Interval{Share: float64(k) / float64(cp.samples), Lo: math.NaN(), Hi: math.NaN()}
		}
	}
	return out
}

// WilsonInterval returns the proportion successes/trials with its Wilson
// score confidence interval (Wilson 1927) at z standard deviations:
//
//	center = (p + z²/(2n)) / (1 + z²/n)
//	half   = z/(1 + z²/n) * sqrt(p(1-p)/n + z²/(4n²))
//
// for p = successes/trials and n = trials, and [Lo, Hi] = center ± half.
// Unlike the normal-approximation interval p ± z sqrt(p(1-p)/n), it stays
// inside [0, 1] and does not collapse to a point when p is 0 or 1, which is
// the usual case when all samples agree.
//
// It returns an error if trials < 1, successes is outside [0, trials], or z
// is negative, NaN or infinite.
func WilsonInterval(successes, trials int, z float64) (Interval, error) {
	if trials < 1 {
		return Interval{}, fmt.Errorf("uncertainty: WilsonInterval: trials = %d, want at least 1", trials)
	}
	if successes < 0 || successes > trials {
		return Interval{}, fmt.Errorf("uncertainty: WilsonInterval: successes = %d is outside [0, trials = %d]", successes, trials)
	}
	if !(z >= 0) || math.IsInf(z, 1) {
		return Interval{}, fmt.Errorf("uncertainty: WilsonInterval: z = %v, want a finite z >= 0", z)
	}
	return wilson(successes, trials, z), nil
}

func wilson(k, n int, z float64) Interval {
	nf := float64(n)
	p := float64(k) / nf
	z2n := z * z / nf
	center := (p + z2n/2) / (1 + z2n)
	half := z / (1 + z2n) * math.Sqrt(p*(1-p)/nf+z2n/(4*nf))
	// In exact arithmetic 0 <= Lo <= p <= Hi <= 1; the clamps only undo
	// rounding, e.g. Lo = 1e-17 for p = 0.
	return Interval{
		Share: p,
		Lo:    max(0, min(p, center-half)),
		Hi:    min(1, max(p, center+half)),
	}
}
