package uncertainty

import (
	"math"
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
