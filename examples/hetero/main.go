// Command hetero fits a Bayesian network that predicts its own noise:
// regression on data whose noise grows with |x|, where one noise scale
// for all inputs would give intervals too wide at the centre and too
// narrow at the ends.
//
//	go run ./examples/hetero -json
//
// The 1-100-2 ReLU network, Bayesian in both layers, outputs a mean and a
// raw scale per input; losses.Heteroscedastic turns the scale into a noise
// sd (softplus, with a floor) and takes targets of one column. The
// predictive splits into epistemic sd (the posterior's disagreement,
// growing away from the data) and aleatoric sd (the noise the network
// learnt), and the 95% interval mean ± 1.96 total sd is checked in each
// third of the x range on fresh data.
//
// The defaults were chosen over seeds 1-10 (go run ./cmd/seedsweep -seeds
// 1-10 ./examples/hetero): with 1000 points, or rho starting at -4, the
// epistemic sd stays large enough that the outer thirds cover up to 0.98
// and more; the tests check seeds 101 and 102.
package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/jsonline"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// noiseSD is the data's noise sd at x: 0.05 at the centre, 0.35 at |x| = 3.
func noiseSD(x float64) float64 { return 0.05 + 0.1*math.Abs(x) }

// data draws n points of y = sin x + noise, x uniform on [-3, 3].
func data(n int, seed uint64) datasets.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0x4e7e))
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 6*rng.Float64() - 3
		y[i] = math.Sin(x[i]) + noiseSD(x[i])*rng.NormFloat64()
	}
	return datasets.Dataset{X: x, XShape: []int{1}, Y: y, YWidth: 1}
}

func main() {
	c, asJSON := parseFlags()
	log.SetFlags(0)
	log.SetPrefix("hetero: ")
	c.log, c.progress = os.Stderr, jsonline.Progress(asJSON)
	r, err := run(context.Background(), c)
	if err != nil {
		log.Fatal(err)
	}
	jsonline.Report(asJSON, r, func() {
		fmt.Printf("rmse %.4f  95%% coverage by third %.3f %.3f %.3f  noise sd error %.4f  epistemic sd inside %.3f outside %.3f\n",
			r.RMSE, r.CoverageLeft, r.CoverageMiddle, r.CoverageRight, r.NoiseSDError, r.EpistemicInside, r.EpistemicOutside)
	})
}

func run(ctx context.Context, c config) (*result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	start := time.Now()
	// Data, and the 1-100-2 network: a mean and a raw noise scale per input.
	train := data(c.n, c.seed)
	mlp, err := bayesnodes.NewMLP([]int{1, 100, 2}, bayesnodes.WithRhoInit(c.rhoInit, 0.1))
	if err != nil {
		return nil, err
	}
	model, err := graph.NewModel(mlp.Apply, graph.Input(1), graph.Seed(c.seed))
	if err != nil {
		return nil, err
	}
	// Training: the ELBO of the heteroscedastic likelihood, Adam with a
	// cosine decay.
	lik, err := losses.NewHeteroscedastic(c.floor)
	if err != nil {
		return nil, err
	}
	elbo, err := losses.NewELBO(lik)
	if err != nil {
		return nil, err
	}
	adam, err := optim.NewAdam(c.lr)
	if err != nil {
		return nil, err
	}
	decay, err := optim.CosineDecay(adam, c.lr, c.lrFinal, c.steps)
	if err != nil {
		return nil, err
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.ProgressOnTerminal(c.progress), optim.ShuffleSeed(c.seed), optim.OnStep(decay))
	if err != nil {
		return nil, err
	}
	if _, err := trainer.Fit(ctx, &train, c.steps); err != nil {
		return nil, err
	}

	// Evaluation: the predictive split into epistemic and aleatoric sd, on
	// a grid past the data and on fresh points by thirds of the x range.
	predict := func(x []float64) (uncertainty.Decomposition, error) {
		p, err := model.PredictMarginal(x, c.samples)
		if err != nil {
			return uncertainty.Decomposition{}, err
		}
		means, sds, err := lik.Split(p.Samples, p.Width)
		if err != nil {
			return uncertainty.Decomposition{}, err
		}
		return uncertainty.SummarizeHeteroscedastic(means, sds)
	}
	r := &result{Seed: c.seed}
	grid := make([]float64, 801)
	for i := range grid {
		grid[i] = -4 + 8*float64(i)/float64(len(grid)-1)
	}
	d, err := predict(grid)
	if err != nil {
		return nil, err
	}
	var truth, mean, noiseErr, in, out []float64
	for i, x := range grid {
		if math.Abs(x) > 3 {
			out = append(out, d.Epistemic[i])
			continue
		}
		in = append(in, d.Epistemic[i])
		truth, mean = append(truth, math.Sin(x)), append(mean, d.Mean[i])
		noiseErr = append(noiseErr, math.Abs(d.Aleatoric[i]-noiseSD(x)))
	}
	if r.RMSE, err = uncertainty.RMSE(mean, truth); err != nil {
		return nil, err
	}
	r.NoiseSDError, r.EpistemicInside, r.EpistemicOutside = average(noiseErr), average(in), average(out)

	fresh := data(3000, c.seed+1_000_003)
	fd, err := predict(fresh.X)
	if err != nil {
		return nil, err
	}
	thirds := [3]struct{ y, mean, sd []float64 }{}
	for i, x := range fresh.X {
		k := 1
		if x < -1 {
			k = 0
		} else if x > 1 {
			k = 2
		}
		thirds[k].y = append(thirds[k].y, fresh.Y[i])
		thirds[k].mean = append(thirds[k].mean, fd.Mean[i])
		thirds[k].sd = append(thirds[k].sd, fd.Total[i])
	}
	cov := [3]*float64{&r.CoverageLeft, &r.CoverageMiddle, &r.CoverageRight}
	for k, t := range thirds {
		c, err := uncertainty.EvaluateRegression(t.y, t.mean, t.sd, 1.959963984540054)
		if err != nil {
			return nil, err
		}
		*cov[k] = c.Inside
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

func average(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
