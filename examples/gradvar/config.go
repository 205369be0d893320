package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// config is one run of the experiment: its flags.
type config struct {
	reps, batch, warmEpochs int
	rhoInit, muStd          float64
	seed                    uint64
}

// row is one estimator's figures.
type row struct {
	Estimator string `json:"estimator"`
	// Mean variance per parameter of the gradient with respect to the mus
	// and the rhos, over fresh minibatches and noise.
	VarMu  float64 `json:"var_mu"`
	VarRho float64 `json:"var_rho"`
	// The same over noise alone, on one fixed minibatch.
	NoiseVarMu  float64 `json:"noise_var_mu"`
	NoiseVarRho float64 `json:"noise_var_rho"`
	// Milliseconds per forward and backward pass.
	MsPerStep float64 `json:"ms_per_step"`
}

// parseFlags reads the command line: the config, and whether -json asks
// for the figures as JSON.
func parseFlags() (c config, asJSON bool) {
	flag.IntVar(&c.reps, "reps", 200, "gradients computed per estimator and setting")
	flag.IntVar(&c.batch, "batch", 128, "minibatch size")
	flag.IntVar(&c.warmEpochs, "warm", 1, "epochs of training with weight sampling before measuring")
	flag.Float64Var(&c.rhoInit, "rho-init", -4, "initial posterior rho, as in examples/mnist")
	flag.Float64Var(&c.muStd, "mu-std", 0.1, "initial posterior means from N(0, mu-std^2), as in examples/mnist (0: the library default)")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of initialisation, noise and minibatches")
	json := flag.Bool("json", false, "print the table as one JSON object on the last line")
	flag.Parse()
	return c, *json
}

func (c config) validate() error {
	switch {
	case c.reps < 2:
		return fmt.Errorf("-reps %d: want at least 2 to estimate a variance", c.reps)
	case c.batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", c.batch)
	case c.warmEpochs < 0:
		return fmt.Errorf("-warm %d: want 0 or more", c.warmEpochs)
	case math.IsNaN(c.rhoInit) || math.IsInf(c.rhoInit, 0):
		return fmt.Errorf("-rho-init %v: want a finite number", c.rhoInit)
	case !(c.muStd >= 0) || math.IsInf(c.muStd, 0):
		return fmt.Errorf("-mu-std %v: want a finite number >= 0", c.muStd)
	}
	return nil
}

// printTable prints the rows for a reader, with each figure's ratio to
// weight sampling's.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "estimator\tvar mu\tratio\tvar rho\tratio\tnoise var mu\tratio\tnoise var rho\tratio\tms/step\t")
	base := rows[0]
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.3g\t%.2f\t%.3g\t%.2f\t%.3g\t%.2f\t%.3g\t%.2f\t%.1f\t\n", r.Estimator,
			r.VarMu, r.VarMu/base.VarMu, r.VarRho, r.VarRho/base.VarRho,
			r.NoiseVarMu, r.NoiseVarMu/base.NoiseVarMu, r.NoiseVarRho, r.NoiseVarRho/base.NoiseVarRho, r.MsPerStep)
	}
	tw.Flush()
	fmt.Fprintln(w, strings.Repeat("-", 20))
	fmt.Fprintln(w, "ratio: variance over weight sampling's; var: fresh minibatch and noise; noise var: one minibatch, fresh noise")
}
