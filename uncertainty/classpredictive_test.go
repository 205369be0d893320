package uncertainty

import (
	"math"
	"slices"
	"testing"
)

// twoByThree is S=2 samples of n=2 inputs over 3 classes. The mean is
// input 0: (0.6, 0.25, 0.15), input 1: (0.3, 0.3, 0.4).
func twoByThree(t *testing.T) *ClassPredictive {
	t.Helper()
	cp, err := NewClassPredictive([][]float64{
		{0.7, 0.2, 0.1, 0.2, 0.5, 0.3},
		{0.5, 0.3, 0.2, 0.4, 0.1, 0.5},
	}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func TestClassPredictiveMean(t *testing.T) {
	cp := twoByThree(t)
	if cp.Samples() != 2 || cp.Len() != 2 || cp.Classes() != 3 {
		t.Errorf("Samples, Len, Classes = %d, %d, %d; want 2, 2, 3", cp.Samples(), cp.Len(), cp.Classes())
	}
	checkSlice(t, "Mean", cp.Mean(), []float64{0.6, 0.25, 0.15, 0.3, 0.3, 0.4}, 1e-15)
	if got, want := cp.Predicted(), []int{0, 2}; !slices.Equal(got, want) {
		t.Errorf("Predicted = %v, want %v", got, want)
	}
	// Mean returns a copy.
	m := cp.Mean()
	m[0] = 99
	if cp.Mean()[0] == 99 {
		t.Error("modifying the result of Mean changed the ClassPredictive")
	}
}

func TestClassPredictiveDoesNotAliasInput(t *testing.T) {
	probs := [][]float64{{0.25, 0.75}}
	cp, err := NewClassPredictive(probs, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	probs[0][0], probs[0][1] = 1, 0
	checkSlice(t, "Mean", cp.Mean(), []float64{0.25, 0.75}, 0)
}

func TestPredictedTies(t *testing.T) {
	cp, err := NewClassPredictive([][]float64{{0.4, 0.4, 0.2, 0.1, 0.45, 0.45}}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cp.Predicted(), []int{0, 1}; !slices.Equal(got, want) {
		t.Errorf("Predicted = %v, want the lowest tied class %v", got, want)
	}
}

func TestAccuracyAndNLL(t *testing.T) {
	cp := twoByThree(t)
	for _, tc := range []struct {
		labels []int
		acc    float64
		nll    float64
	}{
		{[]int{0, 2}, 1, -(math.Log(0.6) + math.Log(0.4)) / 2},
		{[]int{0, 1}, 0.5, -(math.Log(0.6) + math.Log(0.3)) / 2},
		{[]int{2, 0}, 0, -(math.Log(0.15) + math.Log(0.3)) / 2},
	} {
		acc, err := cp.Accuracy(tc.labels)
		if err != nil {
			t.Fatal(err)
		}
		if acc != tc.acc {
			t.Errorf("Accuracy(%v) = %v, want %v", tc.labels, acc, tc.acc)
		}
		nll, err := cp.NLL(tc.labels)
		if err != nil {
			t.Fatal(err)
		}
		if !near(nll, tc.nll, 1e-14) {
			t.Errorf("NLL(%v) = %v, want %v", tc.labels, nll, tc.nll)
		}
	}
}

func TestNLLFloor(t *testing.T) {
	// The true class has probability 0: the floor bounds the penalty.
	cp, err := NewClassPredictive([][]float64{{1, 0, 0.5, 0.5}}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cp.NLL([]int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	want := (-math.Log(1e-12) + math.Log(2)) / 2
	if !near(got, want, 1e-12) {
		t.Errorf("NLL = %v, want %v", got, want)
	}
}

func TestNewClassPredictiveErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		probs      [][]float64
		n, classes int
		culprit    string
	}{
		{"no samples", nil, 1, 2, "no samples"},
		{"zero n", [][]float64{{}}, 0, 2, "n = 0"},
		{"zero classes", [][]float64{{}}, 1, 0, "classes = 0"},
		{"overflow", [][]float64{{}}, math.MaxInt/2 + 1, 3, "overflows"},
		{"short row", [][]float64{{0.5, 0.5}, {1}}, 1, 2, "probs[1] has 1 values, want n*classes = 1*2 = 2"},
		{"negative", [][]float64{{0.5, 0.5, 1.5, -0.5}}, 2, 2, "probs[0][3] (input 1, class 1) = -0.5"},
		{"NaN", [][]float64{{math.NaN(), 1}}, 1, 2, "probs[0][0] (input 0, class 0) = NaN"},
		{"Inf", [][]float64{{0, math.Inf(1)}}, 1, 2, "probs[0][1] (input 0, class 1) = +Inf"},
		{"sum", [][]float64{{0.5, 0.5, 0.25, 0.5}}, 2, 2, "input 1 in probs[0] sum to 0.75"},
		{"sum second sample", [][]float64{{1, 0}, {0.5, 0.25}}, 1, 2, "input 0 in probs[1] sum to 0.75"},
		{"sum slightly off", [][]float64{{0.5, 0.5 + 2e-6}}, 1, 2, "input 0 in probs[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClassPredictive(tc.probs, tc.n, tc.classes)
			wantError(t, err, tc.culprit)
		})
	}
	// Within the tolerance is accepted.
	if _, err := NewClassPredictive([][]float64{{0.5, 0.5 + 5e-7}}, 1, 2); err != nil {
		t.Errorf("sum off by 5e-7 rejected: %v", err)
	}
}

func TestLabelErrors(t *testing.T) {
	cp := twoByThree(t)
	for _, tc := range []struct {
		name    string
		labels  []int
		culprit string
	}{
		{"too few", []int{0}, "1 labels for 2 inputs"},
		{"too many", []int{0, 1, 2}, "3 labels for 2 inputs"},
		{"negative", []int{0, -1}, "labels[1] = -1"},
		{"too large", []int{3, 0}, "labels[0] = 3 is not a class in [0, 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cp.Accuracy(tc.labels)
			wantError(t, err, tc.culprit)
			_, err = cp.NLL(tc.labels)
			wantError(t, err, tc.culprit)
			_, err = cp.Calibration(tc.labels, 15)
			wantError(t, err, tc.culprit)
		})
	}
}
