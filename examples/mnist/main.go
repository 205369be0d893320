// Command mnist trains a Bayesian classifier on handwritten digits and shows,
// in numbers and pictures, when it does not know.
//
//	go run ./examples/mnist                        # MLP on the embedded 10,000 digits
//	go run ./examples/mnist -model lenet -batch 64 -epochs 2
//	go run ./examples/mnist -ood /usr/share/datasets/fashion-mnist
//
// It writes a reliability diagram, a histogram of predictive entropy and the
// most uncertain test digits as PNG files under -out. With -json the last
// line of output is one JSON object with the figures.
package main

import (
	"context"
	"log"
	"os"
	"strings"
	"time"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/jsonline"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

func main() {
	c, asJSON := parseFlags()
	log.SetFlags(0)
	log.SetPrefix("mnist: ")
	c.log, c.progress = os.Stderr, jsonline.Progress(asJSON)
	r, err := run(context.Background(), c)
	if err != nil {
		log.Fatal(err)
	}
	jsonline.Report(asJSON, r, func() { printText(r, c) })
}

func run(ctx context.Context, c config) (*result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	start := time.Now()
	// Data: the digits, and out-of-distribution images if asked for.
	train, test, err := loadData(c.data)
	if err != nil {
		return nil, err
	}
	if err := checkImages(&train, "training"); err != nil {
		return nil, err
	}
	if err := checkImages(&test, "test"); err != nil {
		return nil, err
	}
	var ood *datasets.Dataset // loaded before training, so a bad -ood fails at once
	if c.ood != "" {
		d, err := loadOOD(c.ood)
		if err != nil {
			return nil, err
		}
		ood = &d
	}
	// The network, Bayesian in every layer, and the model that holds it.
	layerOpts := []bayesnodes.Option{bayesnodes.WithRhoInit(c.rhoInit, 0.1), bayesnodes.WithEstimator(c.estimator),
		bayesnodes.WithPrior(bayesnodes.Normal{Sigma: c.priorSigma})}
	if c.muStd != 0 {
		layerOpts = append(layerOpts, bayesnodes.WithMuInit(0, c.muStd))
	}
	net, input, err := newNetwork(c.model, layerOpts...)
	if err != nil {
		return nil, err
	}
	dtype := graph.Float32
	if c.float64 {
		dtype = graph.Float64
	}
	model, err := graph.NewModel(net, graph.Input(input...), graph.Seed(c.seed), graph.WithDtype(dtype))
	if err != nil {
		return nil, err
	}
	// Training: the ELBO per example, cross-entropy and the KL over the
	// number of training digits, with Adam.
	var weight losses.KLWeight = losses.KLWeightFunc(func(at losses.Batch) float64 {
		return c.klScale / float64(at.DatasetSize) // KL / 8,000 per batch on the embedded digits
	})
	if c.deterministic {
		// The same network with its weights fixed at their means and no
		// KL: noise inputs are zero, so rho gets no gradient, and the
		// means train as ordinary weights.
		model.Freeze()
		weight = losses.Fixed(0)
	}
	elbo, err := losses.NewELBO(losses.CrossEntropy{}, losses.WithKLWeight(weight))
	if err != nil {
		return nil, err
	}
	// Adam moves a parameter by about lr per step: without a rate of its
	// own rho (the widths) would move about 0.3 in the MLP's 313 steps.
	isRho := func(name string) bool { return strings.HasSuffix(name, ".rho") }
	adam, err := optim.NewAdam(c.lr, optim.LearnRateScale(isRho, c.rhoLRScale))
	if err != nil {
		return nil, err
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.Samples(c.samples), optim.BatchSize(c.batch),
		optim.ShuffleSeed(c.seed), optim.ProgressOnTerminal(c.progress))
	if err != nil {
		return nil, err
	}
	hist, err := trainer.Fit(ctx, &train, c.epochs)
	if err != nil {
		return nil, err
	}
	r := &result{Model: c.model, Deterministic: c.deterministic, Estimator: c.estimator.String(), Epochs: c.epochs, Samples: c.samples,
		EvalSamples: c.evalSamples, Train: train.Len(), Test: test.Len()}
	release(&train, &test)
	// Evaluation and pictures.
	r.SecondsPerEpoch = hist.Seconds() / float64(len(hist.Epochs))
	r.MedianEpochSeconds = hist.MedianEpochSeconds()
	r.StepsPerSecond = hist.StepsPerSecond()
	if err := evaluate(model, &test, ood, c, r); err != nil {
		return nil, err
	}
	if c.save != "" && !c.deterministic {
		if err := save(c.save, model, &test, c); err != nil {
			return nil, err
		}
	}
	if c.member != nil {
		c.member(model)
	} else if c.ensemble > 1 {
		if r.ensembleStats, err = evaluateEnsemble(ctx, c, model, &test, ood); err != nil {
			return nil, err
		}
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}
