package uncertainty

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestSoftmax(t *testing.T) {
	p, err := Softmax([]float64{0, 0, math.Log(2), 1000, 1000, -1000}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.25, 0.25, 0.5, 0.5, 0.5, 0}
	for i := range want {
		if math.Abs(p[i]-want[i]) > 1e-15 {
			t.Fatalf("softmax %v, want %v", p, want)
		}
	}
	for _, bad := range []struct {
		logits  []float64
		classes int
		want    string
	}{
		{[]float64{1, 2, 3}, 2, "not a whole number"},
		{nil, 2, "not a whole number"},
		{[]float64{1, math.NaN()}, 2, "logit 1 of row 0 is NaN"},
	} {
		if _, err := Softmax(bad.logits, bad.classes); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Softmax(%v, %d): error %v, want %q", bad.logits, bad.classes, err, bad.want)
		}
	}
}

func TestFromLogits(t *testing.T) {
	cp, err := FromLogits([][]float64{{0, math.Log(3)}, {math.Log(3), 0}}, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if m := cp.Mean(); math.Abs(m[0]-0.5) > 1e-15 || math.Abs(m[1]-0.5) > 1e-15 {
		t.Fatalf("mean of (1/4, 3/4) and (3/4, 1/4) = %v, want (1/2, 1/2)", m)
	}
	if mi := cp.MutualInformation()[0]; mi <= 0 {
		t.Fatalf("disagreeing samples have mutual information %v, want > 0", mi)
	}
}

// TestFromLogitsIsSoftmaxThenNewClassPredictive checks FromLogits, which
// converts a sample at a time, against its definition, every sample's
// Softmax given to NewClassPredictive: bit for bit, and with the same
// errors.
func TestFromLogitsIsSoftmaxThenNewClassPredictive(t *testing.T) {
	const samples, n, classes = 7, 50, 4
	rng := rand.New(rand.NewPCG(3, 4))
	logits := make([][]float64, samples)
	probs := make([][]float64, samples)
	for s := range logits {
		logits[s] = make([]float64, n*classes)
		for i := range logits[s] {
			logits[s][i] = 3 * rng.NormFloat64()
		}
		var err error
		if probs[s], err = Softmax(logits[s], classes); err != nil {
			t.Fatal(err)
		}
	}
	got, err := FromLogits(logits, n, classes)
	if err != nil {
		t.Fatal(err)
	}
	want, err := NewClassPredictive(probs, n, classes)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("FromLogits differs from NewClassPredictive of the samples' Softmax")
	}

	inf := slices.Clone(logits[2])
	inf[5] = math.Inf(1) // exp(Inf - Inf): a NaN probability
	for _, bad := range []struct {
		logits     [][]float64
		n, classes int
		want       string
	}{
		{nil, n, classes, "no samples"},
		{[][]float64{logits[0], logits[1][:7]}, n, classes, "sample 1: uncertainty: Softmax: 7 logits"},
		{[][]float64{logits[0], logits[1][:8]}, n, classes, "probs[1] has 8 values"},
		{[][]float64{logits[0], logits[1], inf}, n, classes, "probs[2][4] (input 1, class 0) = NaN"},
		{logits, 0, classes, "n = 0"},
	} {
		if _, err := FromLogits(bad.logits, bad.n, bad.classes); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("error %v, want one containing %q", err, bad.want)
		}
	}
}
