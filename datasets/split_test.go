package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	d := regression(100)
	train, val, err := d.Split(0.2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 80 || val.Len() != 20 {
		t.Fatalf("Split(0.2) sizes %d/%d, want 80/20", train.Len(), val.Len())
	}
	// Every example lands on exactly one side, its features and target
	// travelling together.
	var seen []int
	for _, part := range []Dataset{train, val} {
		if err := part.Validate(); err != nil {
			t.Fatal(err)
		}
		for i := range part.Len() {
			k := int(part.X[2*i]) / 2
			if part.X[2*i+1] != float64(2*k+1) || part.Y[i] != float64(100+k) {
				t.Fatalf("example %d split apart: X %v, Y %v", k, part.X[2*i:2*i+2], part.Y[i])
			}
			seen = append(seen, k)
		}
	}
	slices.Sort(seen)
	for i, k := range seen {
		if k != i {
			t.Fatalf("examples after the split: %v, want each of 0-99 once", seen)
		}
	}
	if slices.IsSorted(train.Y) {
		t.Error("training set is in the original order; want it shuffled")
	}
}

func TestSplitSeed(t *testing.T) {
	d := classification(50, 5)
	a, av, _ := d.Split(0.3, 1)
	b, bv, _ := d.Split(0.3, 1)
	c, _, _ := d.Split(0.3, 2)
	if !slices.Equal(a.X, b.X) || !slices.Equal(a.Labels, b.Labels) || !slices.Equal(av.X, bv.X) {
		t.Error("the same seed gave different splits")
	}
	if slices.Equal(a.X, c.X) {
		t.Error("seeds 1 and 2 gave the same split")
	}
}

func TestSplitErrors(t *testing.T) {
	d := regression(10)
	tests := []struct {
		name    string
		d       Dataset
		frac    float64
		wantErr string
	}{
		{"zero", d, 0, "valFraction 0 outside (0, 1)"},
		{"one", d, 1, "valFraction 1 outside"},
		{"negative", d, -0.1, "outside"},
		{"NaN", d, math.NaN(), "valFraction NaN outside"},
		{"above one", d, 1.5, "outside"},
		{"empty validation", d, 0.04, "gives 0 for validation and 10 for training"},
		{"empty training", d, 0.96, "gives 10 for validation and 0 for training"},
		{"empty dataset", Dataset{XShape: []int{1}}, 0.5, "gives 0 for validation"},
		{"malformed", Dataset{X: seq(0, 3), XShape: []int{2}}, 0.5, "not a multiple"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.d.Split(tt.frac, 1)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Split(%v) error = %v, want one containing %q", tt.frac, err, tt.wantErr)
			}
		})
	}
}
