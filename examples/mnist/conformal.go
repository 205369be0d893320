package main

import (
	"math/rand/v2"
	"slices"

	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// conformalSplits is how many random halvings of the test digits the
// calibrated figures are averaged over: one halving leaves a coverage
// that varies by ±0.01 with the split alone, while its expectation over
// splits is exactly the level.
const conformalSplits = 100

// calibrated is what held-out calibration adds to the raw predictive,
// averaged over random halvings of the test digits.
type calibrated struct {
	Temperature float64 `json:"temperature"`  // median over splits
	RawECE      float64 `json:"ece_held_out"` // of the predictive on the other half
	TemperedECE float64 `json:"ece_tempered"` // of the tempered predictive there
	// Coverage and SetSize are those of the conformal sets at -level on
	// the other half.
	Coverage float64 `json:"conformal_coverage"`
	SetSize  float64 `json:"conformal_set_size"`
}

// calibrate halves the test digits at random conformalSplits times; on
// each split it fits a temperature on one half's log predictive
// probabilities, calibrates adaptive conformal sets of the given level on
// the tempered probabilities, and measures ECE (before and after),
// coverage and set size on the other half. It returns the averages: the
// ECE of 1000 digits is larger than that of 2000 by its sampling noise
// alone, so the tempered ECE compares with RawECE, not with the ECE of
// the whole test set.
func calibrate(cp *uncertainty.ClassPredictive, labels []int, level float64, seed uint64) (calibrated, error) {
	n, classes := cp.Len(), cp.Classes()
	scores, raw := cp.LogMean(), cp.Mean()
	rng := rand.New(rand.NewPCG(seed, 0xca1))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	rows := func(xs []float64, of []int) []float64 {
		out := make([]float64, 0, len(of)*classes)
		for _, i := range of {
			out = append(out, xs[i*classes:(i+1)*classes]...)
		}
		return out
	}
	pick := func(of []int) []int {
		out := make([]int, len(of))
		for k, i := range of {
			out[k] = labels[i]
		}
		return out
	}
	var out calibrated
	temps := make([]float64, conformalSplits)
	for s := range temps {
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		cal, test := idx[:n/2], idx[n/2:]
		T, err := uncertainty.FitTemperature(rows(scores, cal), pick(cal), classes)
		if err != nil {
			return calibrated{}, err
		}
		temps[s] = float64(T)
		probs, err := T.Probabilities(scores, classes)
		if err != nil {
			return calibrated{}, err
		}
		sets, err := uncertainty.CalibrateSets(rows(probs, cal), pick(cal), classes, level,
			uncertainty.WithRandomSource(rand.NewPCG(seed, uint64(s))))
		if err != nil {
			return calibrated{}, err
		}
		testSets, err := sets.Sets(rows(probs, test), classes)
		if err != nil {
			return calibrated{}, err
		}
		cov, size, err := uncertainty.SetCoverage(testSets, pick(test))
		if err != nil {
			return calibrated{}, err
		}
		for _, half := range []struct {
			probs []float64
			ece   *float64
		}{{rows(raw, test), &out.RawECE}, {rows(probs, test), &out.TemperedECE}} {
			p, err := uncertainty.NewClassPredictive([][]float64{half.probs}, len(test), classes)
			if err != nil {
				return calibrated{}, err
			}
			c, err := p.Calibration(pick(test), 15)
			if err != nil {
				return calibrated{}, err
			}
			*half.ece += c.ECE / conformalSplits
		}
		out.Coverage += cov / conformalSplits
		out.SetSize += size / conformalSplits
	}
	slices.Sort(temps)
	out.Temperature = temps[len(temps)/2]
	return out, nil
}
