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
//
// Each split's rows are gathered in shuffled order into buffers reused
// across splits, calibration half first, so that the splits leave little
// garbage behind: a hundred splits of fresh copies raised the example's
// peak memory by a third.
func calibrate(cp *uncertainty.ClassPredictive, labels []int, level float64, seed uint64) (calibrated, error) {
	n, classes := cp.Len(), cp.Classes()
	scores, raw := cp.LogMean(), cp.Mean()
	rng := rand.New(rand.NewPCG(seed, 0xca1))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	half := n / 2
	shuffled, rawTest := make([]float64, n*classes), make([]float64, (n-half)*classes)
	shuffledLabels := make([]int, n)
	var out calibrated
	temps := make([]float64, conformalSplits)
	for s := range temps {
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for k, i := range idx {
			copy(shuffled[k*classes:(k+1)*classes], scores[i*classes:(i+1)*classes])
			shuffledLabels[k] = labels[i]
			if k >= half {
				copy(rawTest[(k-half)*classes:(k-half+1)*classes], raw[i*classes:(i+1)*classes])
			}
		}
		calLabels, testLabels := shuffledLabels[:half], shuffledLabels[half:]
		T, err := uncertainty.FitTemperature(shuffled[:half*classes], calLabels, classes)
		if err != nil {
			return calibrated{}, err
		}
		temps[s] = float64(T)
		probs, err := T.Probabilities(shuffled, classes) // row by row, so in shuffled order too
		if err != nil {
			return calibrated{}, err
		}
		calProbs, testProbs := probs[:half*classes], probs[half*classes:]
		sets, err := uncertainty.CalibrateSets(calProbs, calLabels, classes, level,
			uncertainty.WithRandomSource(rand.NewPCG(seed, uint64(s))))
		if err != nil {
			return calibrated{}, err
		}
		testSets, err := sets.Sets(testProbs, classes)
		if err != nil {
			return calibrated{}, err
		}
		cov, size, err := uncertainty.SetCoverage(testSets, testLabels)
		if err != nil {
			return calibrated{}, err
		}
		for _, h := range []struct {
			probs []float64
			ece   *float64
		}{{rawTest, &out.RawECE}, {testProbs, &out.TemperedECE}} {
			p, err := uncertainty.NewClassPredictive([][]float64{h.probs}, n-half, classes)
			if err != nil {
				return calibrated{}, err
			}
			c, err := p.Calibration(testLabels, 15)
			if err != nil {
				return calibrated{}, err
			}
			*h.ece += c.ECE / conformalSplits
		}
		out.Coverage += cov / conformalSplits
		out.SetSize += size / conformalSplits
	}
	slices.Sort(temps)
	out.Temperature = temps[len(temps)/2]
	return out, nil
}
