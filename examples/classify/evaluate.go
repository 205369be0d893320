package main

import (
	"fmt"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// calibrationBins is the number of equal-width confidence bins of the ECE.
const calibrationBins = 10

// evaluate fills r with the figures of the model's predictive distribution,
// from samples passes, on test. Every figure is per example, so the passes
// need not be sampled networks (see graph.Model.PredictMarginal).
func evaluate(model *graph.Model, test *datasets.Dataset, samples int, r *result) error {
	p, err := model.PredictMarginal(test.X, samples)
	if err != nil {
		return err
	}
	cp, err := uncertainty.FromLogits(p.Samples, p.N, p.Width)
	if err != nil {
		return err
	}
	if r.Accuracy, err = cp.Accuracy(test.Labels); err != nil {
		return err
	}
	if r.NLL, err = cp.NLL(test.Labels); err != nil {
		return err
	}
	cal, err := cp.Calibration(test.Labels, calibrationBins)
	if err != nil {
		return err
	}
	r.ECE = cal.ECE
	if r.ROCAUC, err = rocAUC(cp.Mean(), test.Labels, cp.Classes()); err != nil {
		return err
	}
	r.MeanEntropy = cp.MeanEntropy()
	return nil
}

// rocAUC returns the ROC AUC of the predictive probabilities probs (rows of
// classes values) against labels: with two classes, that of p(class 1) as a
// detector of class 1; with more, the macro average over classes of the
// one-vs-rest AUROC of p(class c) as a detector of class c.
func rocAUC(probs []float64, labels []int, classes int) (float64, error) {
	n := len(labels)
	scores, positive := make([]float64, n), make([]bool, n)
	auc := func(c int) (float64, error) {
		for i, l := range labels {
			scores[i], positive[i] = probs[i*classes+c], l == c
		}
		a, err := uncertainty.AUROC(scores, positive)
		if err != nil {
			return 0, fmt.Errorf("ROC AUC of class %d: %w", c, err)
		}
		return a, nil
	}
	if classes == 2 {
		return auc(1)
	}
	sum := 0.0
	for c := range classes {
		a, err := auc(c)
		if err != nil {
			return 0, err
		}
		sum += a
	}
	return sum / float64(classes), nil
}
