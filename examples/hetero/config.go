package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/gorgonia-bnn/bnn/internal/jsonline"
)

// config is one run of the example: its flags.
type config struct {
	seed     uint64
	n        int // training points
	steps    int
	samples  int // predictive samples
	lr       float64
	lrFinal  float64
	rhoInit  float64
	floor    float64 // noise sd floor
	log      io.Writer
	progress io.Writer // training progress: standard error, unless -json
}

// result holds the example's figures, the line -json prints.
type result struct {
	RMSE float64 `json:"rmse"`
	// Coverage of the 95% interval on fresh points in [-3, -1), [-1, 1]
	// and (1, 3].
	CoverageLeft   float64 `json:"coverage_left"`
	CoverageMiddle float64 `json:"coverage_middle"`
	CoverageRight  float64 `json:"coverage_right"`
	// NoiseSDError is the mean absolute error of the learnt aleatoric sd
	// against the true noise sd on the grid over [-3, 3].
	NoiseSDError float64 `json:"noise_sd_error"`
	// EpistemicInside and EpistemicOutside are the mean epistemic sd on
	// the grid for |x| <= 3 and 3 < |x| <= 4.
	EpistemicInside  float64 `json:"epistemic_inside"`
	EpistemicOutside float64 `json:"epistemic_outside"`
	Seconds          float64 `json:"seconds"`
	Seed             uint64  `json:"seed"`
}

// parseFlags reads the command line: the config, and whether -json asks
// for the figures as JSON.
func parseFlags() (c config, asJSON bool) {
	flag.Uint64Var(&c.seed, "seed", 1, "seed of data, initialisation, noise and shuffling")
	flag.IntVar(&c.n, "n", 2000, "training points")
	flag.IntVar(&c.steps, "steps", 6000, "training steps (full batch)")
	flag.IntVar(&c.samples, "samples", 100, "predictive samples")
	flag.Float64Var(&c.lr, "lr", 0.01, "Adam learning rate at the first step (0.02 and more diverge on some seeds)")
	flag.Float64Var(&c.lrFinal, "lr-final", 0.001, "learning rate at the last step (cosine decay)")
	flag.Float64Var(&c.rhoInit, "rho-init", -5, "initial posterior rho (sigma = softplus(rho))")
	flag.Float64Var(&c.floor, "floor", 1e-3, "noise sd floor")
	json := flag.Bool("json", false, jsonline.Usage)
	flag.Parse()
	return c, *json
}

func (c config) check() error {
	if c.n < 2 || c.steps <= 0 || c.samples <= 1 || !(c.lr > 0) || !(c.lrFinal > 0) || !(c.floor >= 0) {
		return fmt.Errorf("want n > 1, steps > 0, samples > 1, lr > 0, lr-final > 0 and floor >= 0; got %d, %d, %d, %v, %v, %v",
			c.n, c.steps, c.samples, c.lr, c.lrFinal, c.floor)
	}
	return nil
}
