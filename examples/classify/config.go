package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/gorgonia-bnn/bnn/internal/jsonline"
)

// hidden are the widths of the hidden layers.
var hidden = []int{16, 16}

// config is one run of the example.
type config struct {
	data        string // iris or moons
	epochs      int
	batch       int
	samples     int // K, Monte-Carlo samples per training step
	evalSamples int // predictive samples at test time
	lr          float64
	noise       float64 // sd of the moons' noise
	seed        uint64  // data (moons), split, initialisation, noise and shuffling
	log         io.Writer
	progress    io.Writer // training progress: standard error, unless -json
}

// result holds the example's figures on the test split.
type result struct {
	Data           string  `json:"data"`
	Accuracy       float64 `json:"accuracy"`
	NLL            float64 `json:"nll"`
	ECE            float64 `json:"ece"`
	ROCAUC         float64 `json:"roc_auc"`
	MeanEntropy    float64 `json:"mean_entropy"`
	Classes        int     `json:"classes"`
	Train          int     `json:"train"`
	Test           int     `json:"test"`
	Epochs         int     `json:"epochs"`
	Samples        int     `json:"samples"`
	EvalSamples    int     `json:"eval_samples"`
	Seed           uint64  `json:"seed"`
	FinalLoss      float64 `json:"final_loss"`
	StepsPerSecond float64 `json:"steps_per_second"`
	Seconds        float64 `json:"seconds"`
}

// The errors of a config that cannot run; check wraps them with the flag
// and its value, so that errors.Is tells the kind.
var (
	errUnknownData = errors.New("unknown data set")
	errNotPositive = errors.New("must be positive")
	errBadLR       = errors.New("learning rate must be positive and finite")
	errBadNoise    = errors.New("noise sd must be non-negative and finite")
)

// defaultEpochs is the number of epochs of each data set when -epochs is
// not given: about 800 steps of 32 examples on iris's 105 training flowers,
// 1,100 on the 700 training points of moons.
var defaultEpochs = map[string]int{"iris": 200, "moons": 50}

// defaults returns the configuration of the flags' defaults for the named
// data set.
func defaults(data string) config {
	return config{data: data, epochs: defaultEpochs[data], batch: 32, samples: 1, evalSamples: 100, lr: 0.01,
		noise: 0.15, seed: 1, log: os.Stderr}
}

// parseFlags reads the command line: the config, and whether -json asks
// for the figures as JSON.
func parseFlags() (c config, asJSON bool) {
	c = defaults("iris")
	flag.StringVar(&c.data, "data", c.data, "data set: iris or moons")
	flag.IntVar(&c.epochs, "epochs", 0, fmt.Sprintf("training epochs (default %d for iris, %d for moons)", defaultEpochs["iris"], defaultEpochs["moons"]))
	flag.IntVar(&c.batch, "batch", c.batch, "examples per step")
	flag.IntVar(&c.samples, "samples", c.samples, "Monte-Carlo samples per training step (K)")
	flag.IntVar(&c.evalSamples, "eval-samples", c.evalSamples, "predictive samples at test time")
	flag.Float64Var(&c.lr, "lr", c.lr, "Adam learning rate")
	flag.Float64Var(&c.noise, "noise", c.noise, "sd of the Gaussian noise on each coordinate of moons")
	flag.Uint64Var(&c.seed, "seed", c.seed, "seed of the data (moons), split, initialisation, noise and shuffling")
	json := flag.Bool("json", false, jsonline.Usage)
	flag.Parse()
	c.progress = jsonline.Progress(*json)
	if !isSet("epochs") {
		c.epochs = defaultEpochs[c.data] // 0 for an unknown -data, which check reports first
	}
	return c, *json
}

// isSet reports whether the named flag was given on the command line.
func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runMain runs c and prints its figures to w, as text or as one JSON line.
func runMain(ctx context.Context, c config, asJSON bool, w io.Writer) error {
	r, err := run(ctx, c)
	if err != nil {
		return err
	}
	if asJSON {
		return jsonline.Print(w, r)
	}
	_, err = fmt.Fprintf(w, "%s: %d train, %d test; accuracy %.4f  NLL %.4f  ECE %.4f  ROC AUC %.4f  mean entropy %.4f nats  (%.1f s)\n",
		r.Data, r.Train, r.Test, r.Accuracy, r.NLL, r.ECE, r.ROCAUC, r.MeanEntropy, r.Seconds)
	return err
}

// check reports the first flag that run cannot use.
func (c config) check() error {
	switch {
	case c.data != "iris" && c.data != "moons":
		return fmt.Errorf("-data %q: %w (want iris or moons)", c.data, errUnknownData)
	case c.epochs <= 0:
		return fmt.Errorf("-epochs %d: %w", c.epochs, errNotPositive)
	case c.batch <= 0:
		return fmt.Errorf("-batch %d: %w", c.batch, errNotPositive)
	case c.samples <= 0:
		return fmt.Errorf("-samples %d: %w", c.samples, errNotPositive)
	case c.evalSamples <= 0:
		return fmt.Errorf("-eval-samples %d: %w", c.evalSamples, errNotPositive)
	case !(c.lr > 0) || math.IsInf(c.lr, 1): // !(> 0) rejects NaN too
		return fmt.Errorf("-lr %v: %w", c.lr, errBadLR)
	case !(c.noise >= 0) || math.IsInf(c.noise, 1):
		return fmt.Errorf("-noise %v: %w", c.noise, errBadNoise)
	}
	return nil
}
