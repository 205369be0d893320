package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/ensemble"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/plots"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// predictor is a model or an ensemble of them.
type predictor interface {
	PredictMarginal(x []float64, samples int, opts ...graph.PredictOption) (*graph.Prediction, error)
}

// predictive returns the class predictive of p on d's images. Every
// figure taken from it is per image, so the passes need not be sampled
// networks: PredictMarginal draws each image's outputs from the same
// distribution and skips the first layer's product on every pass but the
// first.
//
// It predicts graph.MaxPredictBatch images at a time, the chunks
// PredictMarginal cuts a longer input into, with a run of noise per pass
// and chunk in the same order: the outputs are those of one call over all
// of d. Only a chunk's images are converted to float64 at once, and a
// model's prediction graph (a chunk's activations, tens of megabytes) is
// closed before the next chunk's is built.
func predictive(p predictor, d *datasets.Dataset, samples int) (*uncertainty.ClassPredictive, error) {
	n := d.Len()
	var logits [][]float64 // an ensemble's members give samples passes each
	var x []float64
	idx := make([]int, 0, graph.MaxPredictBatch)
	width := 0
	for start := 0; start < n; start += graph.MaxPredictBatch {
		idx = idx[:0]
		for i := start; i < min(start+graph.MaxPredictBatch, n); i++ {
			idx = append(idx, i)
		}
		x = d.GatherX(idx, x)
		pred, err := p.PredictMarginal(x, samples)
		if err != nil {
			return nil, err
		}
		closeGraphs(p)
		if logits == nil {
			width = pred.Width
			logits = make([][]float64, len(pred.Samples))
			for s := range logits {
				logits[s] = make([]float64, n*width)
			}
		}
		for s, out := range pred.Samples {
			copy(logits[s][start*width:], out)
		}
	}
	return uncertainty.FromLogits(logits, n, width)
}

// closeGraphs closes the prediction graphs p's models keep.
func closeGraphs(p predictor) {
	switch p := p.(type) {
	case *graph.Model:
		p.CloseIdleGraphs()
	case *ensemble.Ensemble:
		for _, m := range p.Models {
			m.CloseIdleGraphs()
		}
	}
}

// scores returns the accuracy, NLL and calibration of cp against labels.
func scores(cp *uncertainty.ClassPredictive, labels []int) (accuracy, nll float64, cal uncertainty.Calibration, err error) {
	if accuracy, err = cp.Accuracy(labels); err != nil {
		return 0, 0, cal, err
	}
	if nll, err = cp.NLL(labels); err != nil {
		return 0, 0, cal, err
	}
	cal, err = cp.Calibration(labels, 15)
	return accuracy, nll, cal, err
}

// oodScores are the out-of-distribution figures of a predictor: both
// sets are scored with the same, larger number of passes, as mutual
// information is a noisy estimate at 10.
type oodScores struct {
	in, out         *uncertainty.ClassPredictive
	byEntropy, byMI float64 // AUROC of telling the sets apart
}

func scoreOOD(p predictor, test, ood *datasets.Dataset, samples int) (s oodScores, err error) {
	if s.in, err = predictive(p, test, samples); err != nil {
		return s, err
	}
	if s.out, err = predictive(p, ood, samples); err != nil {
		return s, err
	}
	if s.byEntropy, err = uncertainty.OODAUROC(s.in.Entropy(), s.out.Entropy()); err != nil {
		return s, err
	}
	s.byMI, err = uncertainty.OODAUROC(s.in.MutualInformation(), s.out.MutualInformation())
	return s, err
}

// evaluate fills r with the test figures (and the out-of-distribution
// scores when ood is not nil) and writes the pictures.
func evaluate(model *graph.Model, test, ood *datasets.Dataset, c config, r *result) error {
	if c.deterministic { // every pass would give the same outputs
		c.evalSamples, c.oodSamples = 1, 1
	}
	start := time.Now()
	cp, err := predictive(model, test, c.evalSamples)
	if err != nil {
		return err
	}
	r.PredictSeconds = time.Since(start).Seconds()
	var cal uncertainty.Calibration
	if r.Accuracy, r.NLL, cal, err = scores(cp, test.Labels); err != nil {
		return err
	}
	r.ECE = cal.ECE
	held, err := calibrate(cp, test.Labels, c.level, c.seed)
	if err != nil {
		return err
	}
	r.calibrated = held
	entropy := cp.Entropy()
	r.MeanEntropy = cp.MeanEntropy()
	// shown is the predictive the pictures rank and caption digits by: the
	// larger out-of-distribution one where there is one.
	shown, shownSamples := cp, c.evalSamples

	var oodEntropy []float64
	if ood != nil {
		s, err := scoreOOD(model, test, ood, c.oodSamples)
		if err != nil {
			return err
		}
		entropy, oodEntropy = s.in.Entropy(), s.out.Entropy()
		shown, shownSamples = s.in, c.oodSamples
		r.OODAUROC, r.OODAUROCMI, r.OODSamples = &s.byEntropy, &s.byMI, c.oodSamples
	}
	if c.out == "" {
		return nil
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	kind := "Bayesian"
	if c.deterministic {
		kind = "deterministic"
	}
	if err := plots.SaveReliabilityDiagram(filepath.Join(c.out, "reliability.png"),
		fmt.Sprintf("%s %s, %d test digits", kind, c.model, test.Len()), cal.Bins); err != nil {
		return err
	}
	if oodEntropy != nil {
		err = plots.SaveEntropyHistogram(filepath.Join(c.out, "entropy.png"), "Predictive entropy: digits vs out-of-distribution",
			entropy, oodEntropy, "MNIST test digits", "out-of-distribution images")
	} else {
		right, wrong := splitByCorrect(entropy, shown.Predicted(), test.Labels)
		err = plots.SaveEntropyHistogram(filepath.Join(c.out, "entropy.png"), "Predictive entropy: right vs wrong answers",
			right, wrong, "classified correctly", "misclassified")
	}
	if err != nil {
		return err
	}
	return saveMostUncertain(filepath.Join(c.out, "uncertain.png"), test, shown, shownSamples)
}

func splitByCorrect(values []float64, predicted, labels []int) (right, wrong []float64) {
	for i, v := range values {
		if predicted[i] == labels[i] {
			right = append(right, v)
		} else {
			wrong = append(wrong, v)
		}
	}
	return right, wrong
}

// saveMostUncertain draws the 16 test digits of highest entropy under cp,
// a predictive of samples passes, each with the class cp predicts, its
// probability and the true label: ranking and captions come from one
// predictive.
func saveMostUncertain(path string, test *datasets.Dataset, cp *uncertainty.ClassPredictive, samples int) error {
	idx, err := uncertainty.MostUncertain(cp.Entropy(), min(16, cp.Len()))
	if err != nil {
		return err
	}
	w := test.Width()
	pred, probs := cp.Predicted(), cp.Mean()
	x := test.GatherX(idx, nil)
	images := make([][]float64, len(idx))
	captions := make([]string, len(idx))
	for k, i := range idx {
		images[k] = x[k*w : (k+1)*w]
		captions[k] = fmt.Sprintf("%d (%.2f), true %d", pred[i], probs[i*cp.Classes()+pred[i]], test.Labels[i])
	}
	title := fmt.Sprintf("Most uncertain test digits, %d predictive samples", samples)
	return plots.SaveDigits(path, title, images, 4, 4, captions)
}
