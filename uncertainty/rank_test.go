package uncertainty

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestMostUncertain(t *testing.T) {
	scores := []float64{0.1, 2.3, 0.7, 2.3, math.Inf(1), 0}
	for _, c := range []struct {
		k    int
		want []int
	}{
		{0, []int{}},
		{1, []int{4}},
		{3, []int{4, 1, 3}}, // the tie 1, 3 in index order
		{6, []int{4, 1, 3, 2, 0, 5}},
		{10, []int{4, 1, 3, 2, 0, 5}},
	} {
		got, err := MostUncertain(scores, c.k)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("k = %d: got %v, want %v", c.k, got, c.want)
		}
	}
	if scores[0] != 0.1 || scores[4] != math.Inf(1) {
		t.Errorf("MostUncertain changed its argument: %v", scores)
	}
}

func TestMostUncertainRejectsBadInput(t *testing.T) {
	if _, err := MostUncertain([]float64{1, 2}, -1); err == nil || !strings.Contains(err.Error(), "k = -1") {
		t.Errorf("k = -1: err = %v", err)
	}
	if _, err := MostUncertain([]float64{1, math.NaN()}, 1); err == nil || !strings.Contains(err.Error(), "scores[1]") {
		t.Errorf("NaN: err = %v", err)
	}
}
