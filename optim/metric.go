package optim

import (
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/datasets"
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
	prob := make([]float64, p.Width)
	correct := 0
	for i := range n {
		clear(prob)
		for _, out := range p.Outputs {
			row := out[i*p.Width : (i+1)*p.Width]
			top := math.Inf(-1)
			for _, z := range row {
				top = math.Max(top, z)
			}
			s := 0.0
			for _, z := range row {
				s += math.Exp(z - top)
			}
			for c, z := range row {
				prob[c] += math.Exp(z-top) / s
			}
		}
		best := 0
		for c, q := range prob {
			if q > prob[best] {
				best = c
			}
		}
		if best == p.Data.Labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(n), nil
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
	inv := 1 / float64(len(p.Outputs))
	ss := 0.0
	for j := range n * p.Width {
		mean := 0.0
		for _, out := range p.Outputs {
			mean += out[j]
		}
		d := mean*inv - p.Data.Y[j]
		ss += d * d
	}
	return math.Sqrt(ss / float64(n*p.Width)), nil
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
