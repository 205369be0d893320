// Command gradvar measures what the estimators are for: the variance of the
// minibatch gradient of the ELBO on the MNIST MLP (784-400-400-10, the
// peers' W2 network) at one fixed parameter state, for weight sampling
// (reparameterization), local reparameterization and Flipout, beside the
// wall time of a training step.
//
// The parameters are trained briefly with weight sampling, then copied into
// one model per estimator. Each estimator then computes many gradients at
// those parameters, and the program reports the variance per parameter,
// averaged over every parameter of the network (mu and rho apart), in two
// settings: a fresh minibatch and fresh noise each time (what training
// sees) and one fixed minibatch with fresh noise (the estimator's own
// noise). Usage:
//
//	go run ./examples/gradvar -reps 200 -json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

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

func main() {
	var c config
	flag.IntVar(&c.reps, "reps", 200, "gradients computed per estimator and setting")
	flag.IntVar(&c.batch, "batch", 128, "minibatch size")
	flag.IntVar(&c.warmEpochs, "warm", 1, "epochs of training with weight sampling before measuring")
	flag.Float64Var(&c.rhoInit, "rho-init", -4, "initial posterior rho, as in examples/mnist")
	flag.Float64Var(&c.muStd, "mu-std", 0.1, "initial posterior means from N(0, mu-std^2), as in examples/mnist (0: the library default)")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of initialisation, noise and minibatches")
	asJSON := flag.Bool("json", false, "print the table as one JSON object on the last line")
	flag.Parse()
	rows, err := run(c, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gradvar:", err)
		os.Exit(1)
	}
	printTable(os.Stdout, rows)
	if *asJSON {
		out, _ := json.Marshal(map[string]any{"batch": c.batch, "reps": c.reps, "estimators": rows})
		fmt.Println(string(out))
	}
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

var estimators = []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.LocalReparameterization, bayesnodes.Flipout}

func run(c config, log io.Writer) ([]row, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	train, _, err := mnist10k.Load()
	if err != nil {
		return nil, err
	}
	if c.batch > train.Len() {
		return nil, fmt.Errorf("-batch %d: the training set has %d examples", c.batch, train.Len())
	}
	state, err := warmUp(c, &train, log)
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, e := range estimators {
		r, err := measure(c, e, state, &train)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", e, err)
		}
		fmt.Fprintf(log, "%v: done\n", e)
		rows = append(rows, r)
	}
	return rows, nil
}

func newModel(c config, e bayesnodes.Estimator) (*graph.Model, error) {
	opts := []bayesnodes.Option{bayesnodes.WithRhoInit(c.rhoInit, 0.1), bayesnodes.WithEstimator(e)}
	if c.muStd != 0 {
		opts = append(opts, bayesnodes.WithMuInit(0, c.muStd))
	}
	mlp, err := bayesnodes.NewMLP([]int{784, 400, 400, 10}, opts...)
	if err != nil {
		return nil, err
	}
	return graph.NewModel(mlp.Apply, graph.Input(784), graph.Seed(c.seed))
}

func newELBO() (*losses.ELBO, error) {
	return losses.NewELBO(losses.CrossEntropy{}, losses.WithKLWeight(losses.PerExample{}))
}

// warmUp trains with weight sampling and returns the parameters by name.
func warmUp(c config, train *datasets.Dataset, log io.Writer) (map[string][]float64, error) {
	m, err := newModel(c, bayesnodes.Reparameterization)
	if err != nil {
		return nil, err
	}
	if c.warmEpochs > 0 {
		obj, err := newELBO()
		if err != nil {
			return nil, err
		}
		adam, err := optim.NewAdam(1e-3)
		if err != nil {
			return nil, err
		}
		tr, err := optim.NewTrainer(m, obj, adam, optim.BatchSize(c.batch), optim.Quiet(), optim.ShuffleSeed(c.seed))
		if err != nil {
			return nil, err
		}
		if _, err := tr.Fit(context.Background(), train, c.warmEpochs); err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "trained %d epoch(s) with weight sampling\n", c.warmEpochs)
	} else if err := m.InitParams(); err != nil {
		return nil, err
	}
	state := map[string][]float64{}
	for _, p := range m.Params() {
		state[p.Name()] = p.Values()
	}
	return state, nil
}

// measure computes c.reps gradients in each setting and their variances.
func measure(c config, e bayesnodes.Estimator, state map[string][]float64, train *datasets.Dataset) (row, error) {
	m, err := newModel(c, e)
	if err != nil {
		return row{}, err
	}
	for _, p := range m.Params() {
		v, ok := state[p.Name()]
		if !ok {
			return row{}, fmt.Errorf("no trained values for parameter %s", p.Name())
		}
		if err := p.SetValues(v); err != nil {
			return row{}, err
		}
	}
	obj, err := newELBO()
	if err != nil {
		return row{}, err
	}
	g, err := m.Build(c.batch, obj)
	if err != nil {
		return row{}, err
	}
	defer g.Close()
	rng := rand.New(rand.NewPCG(c.seed, 7))
	fixed := rng.Perm(train.Len())[:c.batch]
	r := row{Estimator: e.String()}
	var elapsed time.Duration
	for _, setting := range []struct {
		fresh   bool
		mu, rho *float64
	}{{true, &r.VarMu, &r.VarRho}, {false, &r.NoiseVarMu, &r.NoiseVarRho}} {
		acc := newMoments(g)
		for i := 0; i < c.reps; i++ {
			idx := fixed
			if setting.fresh {
				idx = rng.Perm(train.Len())[:c.batch]
			}
			at := losses.Batch{Size: c.batch, Count: train.Len() / c.batch, DatasetSize: train.Len()}
			if err := g.SetX(train.GatherX(idx, nil)); err != nil {
				return row{}, err
			}
			if err := obj.Prepare(g, train.GatherOneHot(idx, nil), at); err != nil {
				return row{}, err
			}
			start := time.Now()
			if err := g.Run(); err != nil {
				return row{}, err
			}
			elapsed += time.Since(start)
			if err := acc.add(g); err != nil {
				return row{}, err
			}
		}
		*setting.mu, *setting.rho = acc.variances()
	}
	r.MsPerStep = elapsed.Seconds() * 1e3 / float64(2*c.reps)
	return r, nil
}

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
