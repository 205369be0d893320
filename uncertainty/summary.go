package uncertainty

import "math"

// Summary is the predictive mean and standard deviation at each point.
type Summary struct {
	Mean []float64
	Std  []float64
}

// Summarize returns the mean and standard deviation over Monte-Carlo samples
// at each point, where samples[s][i] is the prediction of sample s at point
// i.
//
// Std is the population standard deviation: the squared deviations are
// divided by the number of samples S, not S-1. (torch.std and so BLiTZ's
// evaluate_regression divide by S-1; the two differ by a factor
// sqrt(S/(S-1)), 0.5% for S = 100.) A single sample gives Std 0.
//
// It returns an error if there are no samples, if the rows are empty or of
// different lengths, or if a value is NaN or infinite.
func Summarize(samples [][]float64) (Summary, error) {
	n, err := checkMatrix("Summarize", samples)
	if err != nil {
		return Summary{}, err
	}
	S := float64(len(samples))
	mean := make([]float64, n)
	for _, row := range samples {
		for i, x := range row {
			mean[i] += x
		}
	}
	for i := range mean {
		mean[i] /= S
	}
	// Second pass over the deviations: exact for a constant column and
	// free of the cancellation of the sum-of-squares formula.
	std := make([]float64, n)
	for _, row := range samples {
		for i, x := range row {
			d := x - mean[i]
			std[i] += d * d
		}
	}
	for i := range std {
		std[i] = math.Sqrt(std[i] / S)
	}
	return Summary{Mean: mean, Std: std}, nil
}

// TotalStd returns the standard deviation of the full predictive
// distribution at each point, sqrt(epistemic[i]^2 + noiseStd^2): the spread
// of the model's mean prediction (epistemic, for example Summary.Std) plus
// independent Gaussian observation noise of standard deviation noiseStd
// (aleatoric). It is computed with math.Hypot, so it cannot overflow; the
// signs of the inputs do not matter and a NaN input gives a NaN output.
func TotalStd(epistemic []float64, noiseStd float64) []float64 {
	out := make([]float64, len(epistemic))
	for i, s := range epistemic {
		out[i] = math.Hypot(s, noiseStd)
	}
	return out
}
