package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/internal/jsonline"
)

// config is one run of the example: its flags.
type config struct {
	seed     uint64
	steps    int
	samples  int     // predictive samples
	mc       int     // Monte-Carlo samples per training step
	noise    float64 // fixed likelihood noise sd; 0 learns it
	lr       float64
	lrFinal  float64 // learning rate at the last step, reached by a cosine decay
	warmup   int     // steps over which the KL weight grows from 0 to 1/N
	rhoInit  float64 // posterior rho initial mean
	prior    float64 // prior sd
	level    float64 // nominal coverage of the conformal interval
	out      string  // PNG path, "" for none
	save     string  // checkpoint for bnn-serve, "" for none
	log      io.Writer
	progress io.Writer // training progress: standard error, unless -json
}

// parseFlags reads the command line: the config, and whether -json asks
// for the figures as JSON.
func parseFlags() (c config, asJSON bool) {
	flag.Uint64Var(&c.seed, "seed", 1, "seed of data, initialisation, noise and shuffling")
	flag.IntVar(&c.steps, "steps", 4000, "training steps (full batch)")
	flag.IntVar(&c.samples, "samples", 100, "predictive samples")
	flag.IntVar(&c.mc, "mc", 1, "Monte-Carlo samples per training step")
	flag.Float64Var(&c.noise, "noise", 0.095, "likelihood noise sd (the data's is 0.1); 0 learns it with the network")
	flag.Float64Var(&c.lr, "lr", 0.03, "Adam learning rate at the first step")
	flag.Float64Var(&c.lrFinal, "lr-final", 0.001, "learning rate at the last step (cosine decay from -lr)")
	flag.IntVar(&c.warmup, "kl-warmup", 0, "steps over which the KL weight grows linearly to 1/N (0: none)")
	flag.Float64Var(&c.rhoInit, "rho-init", bayesnodes.DefaultRhoInit, "initial posterior rho (sigma = softplus(rho))")
	flag.Float64Var(&c.prior, "prior-sigma", 1, "sd of the Gaussian prior on every weight")
	flag.Float64Var(&c.level, "level", 0.95, "nominal coverage of the conformal interval")
	flag.StringVar(&c.out, "out", "sine.png", "PNG to write (empty: none)")
	flag.StringVar(&c.save, "save", "", "write the trained model with its netspec and conformal calibration (for cmd/bnn-serve; needs a fixed -noise)")
	json := flag.Bool("json", false, jsonline.Usage)
	flag.Parse()
	return c, *json
}

func (c config) check() error {
	if c.steps <= 0 || c.samples <= 1 || c.mc <= 0 || !(c.lr > 0) || !(c.lrFinal > 0) || c.noise < 0 || c.warmup < 0 || !(c.level > 0 && c.level < 1) {
		return fmt.Errorf("want steps > 0, samples > 1, mc > 0, lr > 0, lr-final > 0, noise >= 0, kl-warmup >= 0 and 0 < level < 1; got %d, %d, %d, %v, %v, %v, %d, %v",
			c.steps, c.samples, c.mc, c.lr, c.lrFinal, c.noise, c.warmup, c.level)
	}
	return nil
}

// result holds the example's figures, the line -json prints.
type result struct {
	RMSE            float64 `json:"rmse"`
	Coverage        float64 `json:"coverage"`
	StdInside       float64 `json:"std_inside"`
	StdOutside      float64 `json:"std_outside"`
	RMSEMeanWeights float64 `json:"rmse_mean_weights"`
	// ConformalCoverage is the share of 5000 fresh points inside the
	// conformal interval calibrated on 2000 others; ConformalScale is its
	// half-width in total predictive sds.
	ConformalCoverage float64 `json:"conformal_coverage"`
	ConformalScale    float64 `json:"conformal_scale"`
	NoiseStd          float64 `json:"noise_std"`
	StepsPerSecond    float64 `json:"steps_per_second"`
	Seconds           float64 `json:"seconds"`
	Seed              uint64  `json:"seed"`
	Steps             int     `json:"steps"`
}
