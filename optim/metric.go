package optim

import (
	"fmt"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// Predictions are a model's Monte-Carlo outputs on a data set, which a
// Metric scores.
type Predictions struct {
	// Outputs[k] holds the network outputs of sample k: Data.Len() rows of
	// Width values, in the data set's order.
	Outputs [][]float64
	Width   int
	Data    *datasets.Dataset
}

// Metric scores predictions, e.g. a classifier's accuracy.
type Metric interface {
	// Name names the metric in reports (as "val_" + Name).
	Name() string
	Score(p *Predictions) (float64, error)
}

// MetricFunc returns a Metric of the given name that scores with fn.
func MetricFunc(name string, fn func(p *Predictions) (float64, error)) Metric {
	return metricFunc{name: name, fn: fn}
}

type metricFunc struct {
	name string
	fn   func(p *Predictions) (float64, error)
}

func (m metricFunc) Name() string { return m.name }

func (m metricFunc) Score(p *Predictions) (float64, error) {
	if m.fn == nil {
		return 0, fmt.Errorf("metric %s has a nil function", m.name)
	}
	return m.fn(p)
}

// Accuracy is the fraction of examples whose label is the class of highest
// predictive probability: the softmax of the logits averaged over the
// samples (Bayesian model averaging). It needs labelled data.
func Accuracy() Metric { return MetricFunc("accuracy", accuracy) }

func accuracy(p *Predictions) (float64, error) {
	n, err := p.check()
	if err != nil {
		return 0, err
	}
	if p.Data.Labels == nil {
		return 0, fmt.Errorf("accuracy needs labelled data; the data set has regression targets")
	}
	if p.Width != p.Data.Classes {
		return 0, fmt.Errorf("accuracy: the network outputs %d values per example, the data set has %d classes", p.Width, p.Data.Classes)
	}
	cp, err := uncertainty.FromLogits(p.Outputs, n, p.Width)
	if err != nil {
		return 0, fmt.Errorf("accuracy: %w", err)
	}
	return cp.Accuracy(p.Data.Labels)
}

// RMSE is the root mean squared error of the predictive mean (the outputs
// averaged over the samples) against regression targets.
func RMSE() Metric { return MetricFunc("rmse", rmse) }

func rmse(p *Predictions) (float64, error) {
	n, err := p.check()
	if err != nil {
		return 0, err
	}
	if p.Data.Y == nil {
		return 0, fmt.Errorf("rmse needs regression targets; the data set has labels")
	}
	if p.Width != p.Data.YWidth {
		return 0, fmt.Errorf("rmse: the network outputs %d values per example, the targets have %d", p.Width, p.Data.YWidth)
	}
	mean := make([]float64, n*p.Width)
	for _, out := range p.Outputs {
		for j, v := range out {
			mean[j] += v
		}
	}
	inv := 1 / float64(len(p.Outputs))
	for j := range mean {
		mean[j] *= inv
	}
	return uncertainty.RMSE(mean, p.Data.Y)
}

// check reports predictions whose parts do not fit together, and returns
// the number of examples.
func (p *Predictions) check() (int, error) {
	if p == nil || p.Data == nil || len(p.Outputs) == 0 || p.Width <= 0 {
		return 0, fmt.Errorf("no predictions to score")
	}
	n := p.Data.Len()
	for k, out := range p.Outputs {
		if len(out) != n*p.Width {
			return 0, fmt.Errorf("sample %d has %d outputs, want %d examples of %d", k, len(out), n, p.Width)
		}
	}
	return n, nil
}
