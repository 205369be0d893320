package optim

import "slices"

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

// MedianEpochSeconds returns the median of the Fit's epoch times (the mean
// of the middle two for an even count), 0 for a Fit without epochs. Unlike
// Seconds over the epochs it is not moved by a first epoch that also built
// the graphs, nor by one that a busy machine slowed.
func (h *History) MedianEpochSeconds() float64 {
	n := len(h.Epochs)
	if n == 0 {
		return 0
	}
	s := make([]float64, n)
	for i, e := range h.Epochs {
		s[i] = e.Seconds
	}
	slices.Sort(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
