package uncertainty

import (
	"math"
	"testing"
)

func TestEntropyUniform(t *testing.T) {
	for _, c := range []int{2, 3, 4, 10} {
		row := make([]float64, c)
		for j := range row {
			row[j] = 1 / float64(c)
		}
		cp, err := NewClassPredictive([][]float64{row, row}, 1, c)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, "Entropy", cp.Entropy(), []float64{math.Log(float64(c))}, 1e-14)
		checkSlice(t, "ExpectedEntropy", cp.ExpectedEntropy(), []float64{math.Log(float64(c))}, 1e-14)
		checkSlice(t, "MutualInformation", cp.MutualInformation(), []float64{0}, 1e-14)
	}
}

func TestEntropyCertain(t *testing.T) {
	cp, err := NewClassPredictive([][]float64{{0, 1, 0}}, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "Entropy", cp.Entropy(), []float64{0}, 0)
}

func TestMutualInformationAgreeingSamples(t *testing.T) {
	// Identical samples: the mean equals each sample, so H = E[H] and MI = 0.
	row := []float64{0.1, 0.2, 0.7, 0.3, 0.3, 0.4}
	cp, err := NewClassPredictive([][]float64{row, row, row}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	h := -(0.1*math.Log(0.1) + 0.2*math.Log(0.2) + 0.7*math.Log(0.7))
	h1 := -(0.6*math.Log(0.3) + 0.4*math.Log(0.4))
	checkSlice(t, "Entropy", cp.Entropy(), []float64{h, h1}, 1e-14)
	checkSlice(t, "ExpectedEntropy", cp.ExpectedEntropy(), []float64{h, h1}, 1e-14)
	mi := cp.MutualInformation()
	checkSlice(t, "MutualInformation", mi, []float64{0, 0}, 1e-14)
	for i, v := range mi {
		if v < 0 {
			t.Errorf("MutualInformation[%d] = %v < 0", i, v)
		}
	}
}

func TestMutualInformationDisagreeingSamples(t *testing.T) {
	// Input 0: two certain samples that disagree: mean (0.5, 0.5), H =
	// log 2, E[H] = 0, so all uncertainty is epistemic.
	// Input 1: (0.9, 0.1) and (0.1, 0.9): H = log 2, E[H] = h(0.9).
	cp, err := NewClassPredictive([][]float64{
		{1, 0, 0.9, 0.1},
		{0, 1, 0.1, 0.9},
	}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	h09 := -(0.9*math.Log(0.9) + 0.1*math.Log(0.1))
	checkSlice(t, "Entropy", cp.Entropy(), []float64{math.Ln2, math.Ln2}, 1e-15)
	checkSlice(t, "ExpectedEntropy", cp.ExpectedEntropy(), []float64{0, h09}, 1e-15)
	checkSlice(t, "MutualInformation", cp.MutualInformation(), []float64{math.Ln2, math.Ln2 - h09}, 1e-15)
}

func TestMeanEntropy(t *testing.T) {
	// One certain input (0 nats) and one uniform over 2 of 3 classes.
	cp, err := NewClassPredictive([][]float64{{0, 1, 0, 0.5, 0.5, 0}}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cp.MeanEntropy(), math.Log(2)/2; math.Abs(got-want) > 1e-15 {
		t.Errorf("MeanEntropy = %v, want %v", got, want)
	}
}
