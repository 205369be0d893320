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
