package scoring

import (
	"math"

	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// Result is one record's predictive uncertainty. Exactly one of its parts
// is set, by the Spec's task; their fields are promoted, so r.Mean and
// r.Probs read directly, and the JSON is flat.
type Result struct {
	*Regression     // nil for a classifier
	*Classification // nil for a regression
}

// Regression is a regression record's result, one value per output.
type Regression struct {
	Mean []float64 `json:"mean"`
	// Std is the epistemic sd: the spread of the mean prediction over the
	// posterior.
	Std []float64 `json:"std"`
	// TotalStd adds the likelihood noise, sqrt(Std^2 + NoiseStd^2); nil
	// without a noise sd in the Spec.
	TotalStd []float64 `json:"total_std,omitempty"`
	// Quantiles[j][k] is the Probs[j]-quantile of output k's Monte-Carlo
	// predictions (the mean function, without noise); nil unless asked.
	Quantiles [][]float64 `json:"quantiles,omitempty"`
	// Lower and Upper bound the central interval of coverage Level:
	// mean ± Scale·sd under the Spec's conformal calibration (where sd
	// must be > 0); otherwise
	// mean ± z * TotalStd with a noise sd (Gaussian), or the Monte-Carlo
	// quantiles of the mean function without one.
	Lower     []float64 `json:"lower"`
	Upper     []float64 `json:"upper"`
	Level     float64   `json:"level"`
	Conformal bool      `json:"conformal,omitempty"`
}

// Classification is a classifier record's result.
type Classification struct {
	Probs []float64 `json:"probs"` // mean class probabilities over the passes
	Class int       `json:"class"` // their argmax
	// Entropy is the predictive entropy in nats; MutualInformation its
	// epistemic part (the BALD score), the entropy less the passes' mean
	// entropy.
	Entropy           float64 `json:"entropy"`
	MutualInformation float64 `json:"mutual_information"`
	// OOD: MutualInformation is above the Spec's OODThreshold (never
	// without one).
	OOD bool `json:"ood"`
}

// regression summarises samples[s][i*width+k] of n records.
func regression(spec *netspec.Spec, samples [][]float64, n, width int, c config) ([]Result, error) {
	sum, err := uncertainty.Summarize(samples)
	if err != nil {
		return nil, err
	}
	sd := sum.Std
	var total []float64
	if spec.NoiseStd > 0 {
		total = uncertainty.TotalStd(sum.Std, spec.NoiseStd)
		sd = total
	}
	var q [][]float64
	if len(c.quantiles) > 0 {
		if q, err = uncertainty.Quantiles(samples, c.quantiles...); err != nil {
			return nil, err
		}
	}
	level := c.level
	lower, upper := make([]float64, len(sd)), make([]float64, len(sd))
	switch cf := spec.Conformal; {
	case cf != nil:
		level = cf.Level
		if lower, upper, err = cf.Bounds(sum.Mean, sd); err != nil {
			return nil, err
		}
	case total != nil:
		widen(lower, upper, sum.Mean, sd, math.Sqrt2*math.Erfinv(level)) // the standard normal's (1+level)/2-quantile
	default:
		band, err := uncertainty.Quantiles(samples, (1-level)/2, (1+level)/2)
		if err != nil {
			return nil, err
		}
		lower, upper = band[0], band[1]
	}
	rs := make([]Result, n)
	for i := range rs {
		at := func(v []float64) []float64 {
			if v == nil {
				return nil
			}
			return v[i*width : (i+1)*width : (i+1)*width]
		}
		r := &Regression{Mean: at(sum.Mean), Std: at(sum.Std), TotalStd: at(total),
			Lower: at(lower), Upper: at(upper), Level: level, Conformal: spec.Conformal != nil}
		for _, qj := range q {
			r.Quantiles = append(r.Quantiles, at(qj))
		}
		rs[i].Regression = r
	}
	return rs, nil
}

func widen(lower, upper, mean, sd []float64, k float64) {
	for i, m := range mean {
		lower[i], upper[i] = m-k*sd[i], m+k*sd[i]
	}
}

// classification summarises the logits samples[s][i*classes+c] of n
// records.
func classification(spec *netspec.Spec, samples [][]float64, n, classes int) ([]Result, error) {
	cp, err := uncertainty.FromLogits(samples, n, classes)
	if err != nil {
		return nil, err
	}
	probs, class := cp.Mean(), cp.Predicted()
	entropy, mi := cp.Entropy(), cp.MutualInformation()
	rs := make([]Result, n)
	for i := range rs {
		rs[i].Classification = &Classification{
			Probs: probs[i*classes : (i+1)*classes : (i+1)*classes], Class: class[i],
			Entropy: entropy[i], MutualInformation: mi[i],
			OOD: spec.OODThreshold > 0 && mi[i] > spec.OODThreshold,
		}
	}
	return rs, nil
}

// finite reports the first value of x that is NaN or infinite.
func finite(x []float64) (int, bool) {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i, false
		}
	}
	return 0, true
}
