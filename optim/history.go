package optim

// Seconds returns the training time of the Fit: the sum of its epochs'
// Seconds (validation included, where there is one).
func (h *History) Seconds() float64 {
	s := 0.0
	for _, e := range h.Epochs {
		s += e.Seconds
	}
	return s
}

// StepsPerSecond returns the Fit's steps over its Seconds, 0 when no time
// was measured.
func (h *History) StepsPerSecond() float64 {
	s := h.Seconds()
	if s <= 0 {
		return 0
	}
	return float64(len(h.Steps)) / s
}
