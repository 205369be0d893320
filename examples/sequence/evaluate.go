package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/plots"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// summarize returns the predictive mean and epistemic sd at x: per-window
// figures, so the passes need not be sampled networks.
func summarize(model *graph.Model, x []float64, samples int) (uncertainty.Summary, error) {
	pred, err := model.PredictMarginal(x, samples)
	if err != nil {
		return uncertainty.Summary{}, err
	}
	return uncertainty.Summarize(pred.Samples)
}

// residualStd returns sqrt(mean residual^2 - mean epistemic variance) of
// the predictions s of y, or floor if that is smaller.
func residualStd(s uncertainty.Summary, y []float64, floor float64) (float64, error) {
	if len(s.Mean) != len(y) {
		return 0, fmt.Errorf("%d predictions of %d targets", len(s.Mean), len(y))
	}
	v := 0.0
	for i := range y {
		d := y[i] - s.Mean[i]
		v += (d*d - s.Std[i]*s.Std[i]) / float64(len(y))
	}
	return math.Max(floor, math.Sqrt(math.Max(v, 0))), nil
}

// plot draws the held-out tail: the observed values, the noise-free signal,
// the predictive mean and its band of ± 2 total sd.
func plot(path string, r *result, split int, actual, mean, total []float64) error {
	n := len(actual)
	ts, lower, upper, truth := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range ts {
		ts[i] = float64(split + i)
		lower[i], upper[i] = mean[i]-2*total[i], mean[i]+2*total[i]
		truth[i] = signal(split + i)
	}
	return plots.SaveRegressionBand(path, plots.RegressionPlot{
		Title: fmt.Sprintf("Bayesian %s, held-out tail (RMSE %.3f, naive %.3f, coverage %.2f)",
			strings.ToUpper(r.Cell), r.RMSE, r.NaiveRMSE, r.Coverage),
		XLabel: "t", YLabel: "y",
		DataX: ts, DataY: actual,
		X: ts, Mean: mean, Lower: lower, Upper: upper,
		BandLabel: "mean ± 2 sd (epistemic and noise)",
		Truth:     truth,
	})
}
