package optim

import "testing"

func TestHistoryRates(t *testing.T) {
	h := &History{Steps: make([]StepInfo, 30), Epochs: []EpochInfo{{Seconds: 1.5}, {Seconds: 0.5}, {Seconds: 1}}}
	if got := h.Seconds(); got != 3 {
		t.Errorf("Seconds = %v, want 3", got)
	}
	if got := h.StepsPerSecond(); got != 10 {
		t.Errorf("StepsPerSecond = %v, want 10", got)
	}
	if got := (&History{Steps: make([]StepInfo, 3)}).StepsPerSecond(); got != 0 {
		t.Errorf("StepsPerSecond of a Fit with no epochs = %v, want 0", got)
	}
}

func TestHistoryMedianEpochSeconds(t *testing.T) {
	for _, c := range []struct {
		secs []float64
		want float64
	}{
		{nil, 0},
		{[]float64{2}, 2},
		{[]float64{9, 1, 2}, 2}, // a slow first epoch does not move it
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		h := &History{}
		for _, s := range c.secs {
			h.Epochs = append(h.Epochs, EpochInfo{Seconds: s})
		}
		if got := h.MedianEpochSeconds(); got != c.want {
			t.Errorf("MedianEpochSeconds of %v = %v, want %v", c.secs, got, c.want)
		}
	}
}
