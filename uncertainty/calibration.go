package uncertainty

import (
	"fmt"
	"math"
)

// Calibration is a reliability diagram and the expected calibration error
// of a classifier, as returned by ClassPredictive.Calibration.
type Calibration struct {
	// ECE is the expected calibration error, sum over bins of
	// Count/n * |Accuracy - Confidence|, in [0, 1].
	ECE float64
	// Bins are the equal-width confidence bins, in increasing order,
	// including empty ones.
	Bins []ReliabilityBin
}

// ReliabilityBin is one bar of a reliability diagram: the inputs whose
// confidence lies in (Lo, Hi] (the first bin also takes a confidence of
// exactly Lo = 0).
type ReliabilityBin struct {
	Lo, Hi float64
	// Confidence is the mean confidence of the inputs in the bin and
	// Accuracy the share of them that are predicted correctly; both are 0
	// for an empty bin.
	Confidence, Accuracy float64
	// Count is the number of inputs in the bin.
	Count int
}

// Calibration compares the confidence of the predictions with their
// accuracy (Guo et al. 2017, "On Calibration of Modern Neural Networks").
// The confidence of input i is the largest mean probability, that of the
// predicted class. The inputs are grouped into bins of equal width over
// [0, 1] by confidence; a calibrated model has Accuracy ≈ Confidence in
// every bin. The customary choice is 15 bins.
//
// It returns an error if bins < 1 or the labels are invalid as for
// Accuracy.
func (cp *ClassPredictive) Calibration(labels []int, bins int) (Calibration, error) {
	if err := cp.checkLabels("Calibration", labels); err != nil {
		return Calibration{}, err
	}
	if bins < 1 {
		return Calibration{}, fmt.Errorf("uncertainty: Calibration: bins = %d, want at least 1", bins)
	}
	out := Calibration{Bins: make([]ReliabilityBin, bins)}
	B := float64(bins)
	for b := range out.Bins {
		out.Bins[b].Lo = float64(b) / B
		out.Bins[b].Hi = float64(b+1) / B
	}
	correct := make([]int, bins)
	for i, y := range labels {
		row := cp.row(i)
		pred := argmax(row)
		conf := row[pred]
		b := binOf(out.Bins, conf)
		out.Bins[b].Count++
		out.Bins[b].Confidence += conf
		if pred == y {
			correct[b]++
		}
	}
	n := float64(cp.n)
	for b := range out.Bins {
		bin := &out.Bins[b]
		if bin.Count == 0 {
			continue
		}
		c := float64(bin.Count)
		bin.Confidence /= c
		bin.Accuracy = float64(correct[b]) / c
		out.ECE += c / n * math.Abs(bin.Accuracy-bin.Confidence)
	}
	return out, nil
}

// binOf returns the index of the bin whose (Lo, Hi] holds conf, exactly as
// the reported bounds say, whatever the rounding of conf*len(bins).
// Confidences at or below 0 go to the first bin, above 1 to the last.
func binOf(bins []ReliabilityBin, conf float64) int {
	b := int(math.Ceil(conf*float64(len(bins)))) - 1
	b = min(max(b, 0), len(bins)-1)
	for b > 0 && conf <= bins[b].Lo {
		b--
	}
	for b < len(bins)-1 && conf > bins[b].Hi {
		b++
	}
	return b
}
