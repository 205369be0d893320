package main

import (
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/plots"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// predictive returns fresh noisy points of the task, their predictive
// mean and total sd (epistemic and noise). The figures are per point, so
// the passes need not be sampled functions (the plot draws functions,
// with Predict).
func predictive(model *graph.Model, n int, seed uint64, samples int, noiseStd float64) (y, mean, sd []float64, err error) {
	d, err := datasets.Sine(n, seed, datasets.UniformX())
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := model.PredictMarginal(d.X, samples)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := uncertainty.Summarize(p.Samples)
	if err != nil {
		return nil, nil, nil, err
	}
	return d.Y, s.Mean, uncertainty.TotalStd(s.Std, noiseStd), nil
}

// conformal calibrates a split-conformal interval of level c.level on 2000
// fresh noisy points and returns its scale and its coverage of 5000 more.
func conformal(model *graph.Model, c config, noiseStd float64) (scale, coverage float64, err error) {
	y, mean, sd, err := predictive(model, 2000, c.seed+2_000_003, c.samples, noiseStd)
	if err != nil {
		return 0, 0, err
	}
	interval, err := uncertainty.CalibrateInterval(y, mean, sd, c.level)
	if err != nil {
		return 0, 0, err
	}
	if y, mean, sd, err = predictive(model, 5000, c.seed+3_000_003, c.samples, noiseStd); err != nil {
		return 0, 0, err
	}
	coverage, err = interval.Coverage(y, mean, sd)
	return interval.Scale, coverage, err
}

// spec describes the trained network for netspec: newNetwork's layers and
// options, the noise sd and the conformal calibration.
func spec(c config, r *result) *netspec.Spec {
	s := netspec.MLP(netspec.Regression, 1, 100, 1)
	s.Prior = &netspec.Prior{Kind: "normal", Sigma: c.prior}
	s.Init = &netspec.Init{RhoMean: c.rhoInit, RhoStd: 0.1}
	s.NoiseStd = r.NoiseStd
	s.Conformal = &uncertainty.ConformalInterval{Level: c.level, Scale: r.ConformalScale, N: 2000}
	return s
}

// plot draws the data, the predictive mean with a band of 2 total sd and a
// few sampled functions over [-4, 4], a third past the data on each side.
func plot(path string, model *graph.Model, train *datasets.Dataset, r *result, samples int) error {
	xs := linspace(-4, 4, 400)
	pred, err := model.Predict(xs, samples)
	if err != nil {
		return err
	}
	sum, err := uncertainty.Summarize(pred.Samples)
	if err != nil {
		return err
	}
	total := uncertainty.TotalStd(sum.Std, r.NoiseStd)
	lower, upper, truth := make([]float64, len(xs)), make([]float64, len(xs)), make([]float64, len(xs))
	for i, x := range xs {
		lower[i], upper[i], truth[i] = sum.Mean[i]-2*total[i], sum.Mean[i]+2*total[i], math.Sin(x)
	}
	return plots.SaveRegressionBand(path, plots.RegressionPlot{
		Title: fmt.Sprintf("Bayesian 1-100-1 network on sin x (RMSE %.3f, coverage %.2f)", r.RMSE, r.Coverage),
		DataX: train.X, DataY: train.Y,
		X: xs, Mean: sum.Mean, Lower: lower, Upper: upper,
		BandLabel:   "mean ± 2 sd (epistemic and noise)",
		Truth:       truth,
		SampleFuncs: pred.Samples[:5],
	})
}

func linspace(lo, hi float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return xs
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
