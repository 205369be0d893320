package uncertainty

import (
	"slices"
	"testing"
)

func TestCalibrationFourPoints(t *testing.T) {
	// One sample, 2 classes, 5 bins with edges 0, .2, .4, .6, .8, 1.
	//   input 0: conf 0.9 (class 0), label 0: right, bin (0.8, 1]
	//   input 1: conf 0.7 (class 1), label 0: wrong, bin (0.6, 0.8]
	//   input 2: conf 0.65 (class 0), label 0: right, bin (0.6, 0.8]
	//   input 3: conf 0.55 (class 0), label 1: wrong, bin (0.4, 0.6]
	// ECE = 1/4 |0 - 0.55| + 2/4 |0.5 - 0.675| + 1/4 |1 - 0.9| = 0.25.
	cp, err := NewClassPredictive([][]float64{{0.9, 0.1, 0.3, 0.7, 0.65, 0.35, 0.55, 0.45}}, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cp.Calibration([]int{0, 0, 0, 1}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got.ECE, 0.25, 1e-15) {
		t.Errorf("ECE = %v, want 0.25", got.ECE)
	}
	want := []ReliabilityBin{
		{Lo: 0, Hi: 0.2},
		{Lo: 0.2, Hi: 0.4},
		{Lo: 0.4, Hi: 0.6, Confidence: 0.55, Accuracy: 0, Count: 1},
		{Lo: 0.6, Hi: 0.8, Confidence: 0.675, Accuracy: 0.5, Count: 2},
		{Lo: 0.8, Hi: 1, Confidence: 0.9, Accuracy: 1, Count: 1},
	}
	checkBins(t, got.Bins, want)
}

func TestCalibrationBinEdges(t *testing.T) {
	// Confidences exactly on an edge belong to the bin they close:
	// 0.6 to (0.4, 0.6], 0.8 to (0.6, 0.8], 1 to (0.8, 1].
	cp, err := NewClassPredictive([][]float64{{0.6, 0.4, 0.2, 0.8, 1, 0}}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cp.Calibration([]int{0, 1, 0}, 5)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, len(got.Bins))
	for b, bin := range got.Bins {
		counts[b] = bin.Count
	}
	if want := []int{0, 0, 1, 1, 1}; !slices.Equal(counts, want) {
		t.Errorf("counts = %v, want %v", counts, want)
	}
	// All correct: ECE = (|1-0.6| + |1-0.8| + |1-1|)/3 = 0.2.
	if !near(got.ECE, 0.2, 1e-15) {
		t.Errorf("ECE = %v, want 0.2", got.ECE)
	}
}

func TestCalibrationRoundedEdge(t *testing.T) {
	// With 25 bins, 0.28*25 rounds to 7.000000000000001, yet 0.28 is the
	// upper edge of bin 6, (0.24, 0.28] as reported, and must be counted
	// there.
	cp, err := NewClassPredictive([][]float64{{0.28, 0.24, 0.24, 0.24}}, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cp.Calibration([]int{0}, 25)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bins[6].Count != 1 || got.Bins[6].Hi != 0.28 {
		t.Errorf("bin 6 = %+v, want (0.24, 0.28] holding the input", got.Bins[6])
	}
}

func TestCalibrationOneBin(t *testing.T) {
	// With one bin the ECE is |accuracy - mean confidence|:
	// confidences 0.9 and 0.7, one right: |0.5 - 0.8| = 0.3.
	cp, err := NewClassPredictive([][]float64{{0.9, 0.1, 0.7, 0.3}}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cp.Calibration([]int{0, 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got.ECE, 0.3, 1e-15) {
		t.Errorf("ECE = %v, want 0.3", got.ECE)
	}
	checkBins(t, got.Bins, []ReliabilityBin{{Lo: 0, Hi: 1, Confidence: 0.8, Accuracy: 0.5, Count: 2}})
}

func TestCalibrationUsesMeanOverSamples(t *testing.T) {
	// Each sample alone is certain, the mean is (0.5, 0.5): confidence 0.5.
	cp, err := NewClassPredictive([][]float64{{1, 0}, {0, 1}}, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cp.Calibration([]int{0}, 15)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Bins) != 15 {
		t.Fatalf("%d bins, want 15", len(got.Bins))
	}
	// 0.5 lies in (7/15, 8/15], bin 7. Predicted class 0 is right.
	if got.Bins[7].Count != 1 || got.Bins[7].Confidence != 0.5 || got.Bins[7].Accuracy != 1 {
		t.Errorf("bin 7 = %+v, want one right prediction at confidence 0.5", got.Bins[7])
	}
	if !near(got.ECE, 0.5, 1e-15) {
		t.Errorf("ECE = %v, want 0.5", got.ECE)
	}
}

func TestCalibrationBadBins(t *testing.T) {
	cp := twoByThree(t)
	for _, bins := range []int{0, -3} {
		_, err := cp.Calibration([]int{0, 0}, bins)
		wantError(t, err, "bins = ")
	}
}

func checkBins(t *testing.T, got, want []ReliabilityBin) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d bins, want %d", len(got), len(want))
	}
	for b := range want {
		g, w := got[b], want[b]
		if g.Count != w.Count || !near(g.Lo, w.Lo, 1e-15) || !near(g.Hi, w.Hi, 1e-15) ||
			!near(g.Confidence, w.Confidence, 1e-15) || !near(g.Accuracy, w.Accuracy, 1e-15) {
			t.Errorf("bin %d = %+v, want %+v", b, g, w)
		}
	}
}
