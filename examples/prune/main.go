// Command prune compresses LeNet-300-100 (784-300-100-10) with sparse
// variational dropout (Molchanov et al. 2017) and exports the smaller
// deterministic network that remains.
//
//	go run ./examples/prune                  # the embedded 10,000 digits
//	go run ./examples/prune -data /path/to/mnist -epochs 10 -json
//
// The recipe: train a deterministic LeNet-300-100 for two epochs, start the
// sparse posterior from its weights (MOPED: theta = w, sigma = delta |w|,
// so log alpha = 2 log delta), then maximise the ELBO, sampling
// pre-activations by local reparameterisation, with the log-uniform
// prior's KL warmed up from 0 over the first epoch. Weights whose log alpha
// ends above -threshold (3, as in the paper) are pruned, and every input
// and hidden unit left without a live weight goes with them (prune.Compact).
// It prints the accuracy of the posterior mean weights before pruning and
// of the compact network after. The compact network is exported as a
// safetensors file (checkpoint.PrunedNet: each layer dense or in compressed
// sparse rows, whichever is smaller), read back and timed; the compression
// it prints is what that file achieves, the dense network's bytes on disk
// over the exported file's. With -json the last line is one JSON object with the figures.
//
// bayesnodes.Wrap does the same for a network written with plain
// parameters, but samples whole weight matrices: local reparameterisation
// needs to know that a weight is used in a matrix product, which the
// layers do, and it gives gradients of lower variance (Kingma et al. 2015),
// the estimator Molchanov et al. train with.
package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"slices"
	"time"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/jsonline"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/prune"
)

func main() {
	c, asJSON := parseFlags()
	log.SetFlags(0)
	log.SetPrefix("prune: ")
	c.log, c.progress = os.Stderr, jsonline.Progress(asJSON)
	r, err := run(context.Background(), c)
	if err != nil {
		log.Fatal(err)
	}
	printText(r) // with -json too: the JSON line follows, last
	if asJSON {
		if err := jsonline.Print(os.Stdout, r); err != nil {
			log.Fatal(err)
		}
	}
}

func run(ctx context.Context, c config) (*result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	start := time.Now()
	train, test, err := loadData(c.data)
	if err != nil {
		return nil, err
	}
	net, err := newLeNet()
	if err != nil {
		return nil, err
	}
	model, err := graph.NewModel(net.forward, graph.Input(train.XShape...), graph.Seed(c.seed), graph.WithDtype(graph.Float32))
	if err != nil {
		return nil, err
	}
	if c.pretrain > 0 {
		if err := pretrain(ctx, net, &train, c); err != nil {
			return nil, err
		}
	}
	steps := c.warmup * ((train.Len() + c.batch - 1) / c.batch)
	var weight losses.KLWeight = losses.KLWeightFunc(func(at losses.Batch) float64 {
		return c.klScale / float64(at.DatasetSize)
	})
	if steps > 0 {
		weight = losses.Annealed{Base: weight, Steps: steps}
	}
	if err := fit(ctx, model, &train, c, weight, c.epochs, c.lr); err != nil {
		return nil, err
	}
	for _, l := range net.layers {
		la := l.Weight.LogAlphaValues()
		slices.Sort(la)
		fmt.Fprintf(c.log, "%s log alpha quantiles 0.1/0.5/0.9/0.95: %.2f %.2f %.2f %.2f\n", l.Weight.Name(),
			la[len(la)/10], la[len(la)/2], la[len(la)*9/10], la[len(la)*95/100])
	}
	r := &result{Threshold: c.threshold, Epochs: c.epochs}
	if r.Accuracy, err = accuracy(model, &test); err != nil {
		return nil, err
	}
	var layers []prune.Layer
	for _, l := range net.layers {
		layer, count, err := prune.FromLinear(l, c.threshold)
		if err != nil {
			return nil, err
		}
		layers = append(layers, layer)
		r.Kept += count.Kept
		r.Total += count.Total
		fmt.Fprintf(c.log, "%s: kept %d of %d weights\n", count.Name, count.Kept, count.Total)
	}
	r.WeightCompression = float64(r.Total) / float64(r.Kept)
	dense, err := prune.NewNet(layers, prune.ReLU)
	if err != nil {
		return nil, err
	}
	compact, err := prune.Compact(dense)
	if err != nil {
		return nil, err
	}
	r.Widths, r.CompactParams, r.DenseParams = compact.Widths(), compact.NumParams(), dense.NumParams()
	exported, err := export(dense, compact, c.export, r)
	if err != nil {
		return nil, err
	}
	forwards := []struct {
		run     func([]float64, int) ([]float64, error)
		seconds *float64
	}{
		{dense.Forward, &r.ForwardDense},
		{compact.Forward, &r.ForwardCompact},
		{compact.Sparse().Forward, &r.ForwardSparse},
		{exported.Forward, &r.ForwardExported},
	}
	outs := make([][]float64, len(forwards))
	for i, f := range forwards {
		t0 := time.Now()
		if outs[i], err = f.run(test.X, test.Len()); err != nil {
			return nil, err
		}
		*f.seconds = time.Since(t0).Seconds()
	}
	for i, want := range outs[0] {
		r.MaxOutputDiff = max(r.MaxOutputDiff, math.Abs(outs[1][i]-want), math.Abs(outs[2][i]-want))
	}
	r.AccuracyPruned = argmaxAccuracy(outs[2], test.Labels, 10)
	r.AccuracyExported = argmaxAccuracy(outs[3], test.Labels, 10)
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}
