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
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"time"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/jsonline"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

func main() {
	c, asJSON := parseFlags()
	log.SetFlags(0)
	log.SetPrefix("gradvar: ")
	rows, err := run(c, os.Stderr)
	if err != nil {
		log.Fatal(err)
	}
	printTable(os.Stdout, rows)
	if asJSON {
		if err := jsonline.Print(os.Stdout, map[string]any{"batch": c.batch, "reps": c.reps, "estimators": rows}); err != nil {
			log.Fatal(err)
		}
	}
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
