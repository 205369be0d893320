package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gorgonia-bnn/bnn/internal/jsonline"
)

// config is one run of the example.
type config struct {
	cell     string // "lstm" or "gru"
	seed     uint64
	epochs   int
	batch    int
	hidden   int
	window   int
	length   int // values in the series
	samples  int // predictive samples
	lr       float64
	noise    float64 // fixed likelihood noise sd; 0 learns it
	out      string  // PNG path, "" for none
	log      io.Writer
	progress io.Writer // training progress: standard error, unless -json
}

// result holds the example's figures.
type result struct {
	Cell            string  `json:"cell"`
	RMSE            float64 `json:"rmse"`
	Coverage        float64 `json:"coverage"`
	NaiveRMSE       float64 `json:"naive_rmse"`
	MeanStd         float64 `json:"mean_epistemic_std"`
	NoiseStd        float64 `json:"noise_std"`
	RMSEMeanWeights float64 `json:"rmse_mean_weights"`
	Seconds         float64 `json:"seconds"`
	StepsPerSecond  float64 `json:"steps_per_second"`
	Steps           int     `json:"steps"`
	Seed            uint64  `json:"seed"`
}

func defaults() config {
	return config{cell: "lstm", seed: 1, epochs: 60, batch: 32, hidden: 16, window: 24, length: 480,
		samples: 100, lr: 0.01, noise: noiseSD, out: "sequence.png", log: os.Stderr}
}

// parseFlags reads the command line: the config, and whether -json asks
// for the figures as JSON.
func parseFlags() (c config, asJSON bool) {
	c = defaults()
	flag.StringVar(&c.cell, "cell", c.cell, "recurrent cell: lstm or gru")
	flag.Uint64Var(&c.seed, "seed", c.seed, "seed of data, initialisation, noise and shuffling")
	flag.IntVar(&c.epochs, "epochs", c.epochs, "training epochs")
	flag.IntVar(&c.batch, "batch", c.batch, "windows per training step")
	flag.IntVar(&c.hidden, "hidden", c.hidden, "hidden units of the recurrent layer")
	flag.IntVar(&c.window, "window", c.window, "past values the network reads (the sequence length)")
	flag.IntVar(&c.length, "length", c.length, "values in the generated series (the last fifth held out)")
	flag.IntVar(&c.samples, "samples", c.samples, "predictive samples")
	flag.Float64Var(&c.lr, "lr", c.lr, "Adam learning rate")
	flag.Float64Var(&c.noise, "noise", c.noise, "likelihood noise sd (the data's is 0.1); 0 learns it with the network")
	flag.StringVar(&c.out, "out", c.out, "PNG to write (empty: none)")
	json := flag.Bool("json", false, jsonline.Usage)
	flag.Parse()
	return c, *json
}

func (c config) check() error {
	if c.epochs <= 0 || c.batch <= 0 || c.hidden <= 0 || c.window < period || c.samples <= 1 || !(c.lr > 0) || !(c.noise >= 0) {
		return fmt.Errorf("want epochs > 0, batch > 0, hidden > 0, window >= %d (a season), samples > 1, lr > 0 and noise >= 0; got %d, %d, %d, %d, %d, %v, %v",
			period, c.epochs, c.batch, c.hidden, c.window, c.samples, c.lr, c.noise)
	}
	if c.length < 5*c.window {
		return fmt.Errorf("a series of %d values is too short for windows of %d", c.length, c.window)
	}
	return nil
}
