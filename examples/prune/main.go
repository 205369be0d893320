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
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
	"github.com/gorgonia-bnn/bnn/prune"
)

type config struct {
	seed      uint64
	pretrain  int // deterministic epochs
	epochs    int // sparse variational dropout epochs
	warmup    int // epochs over which the KL weight rises from 0 to 1
	batch     int
	lr        float64
	delta     float64 // MOPED: initial sigma = delta |theta|
	klScale   float64 // multiplies the KL weight 1/N
	threshold float64 // log alpha above which a weight is pruned
	data      string
	export    string // directory for the exported files; "": a temporary one
	log       io.Writer
	progress  io.Writer // training progress: standard error, unless -json
}

type result struct {
	Accuracy       float64 `json:"accuracy"`        // Bayesian model, mean weights
	AccuracyPruned float64 `json:"accuracy_pruned"` // pruned, compact network
	// Compression is what the exported file achieves: the bytes of the
	// dense network's file over the exported one's.
	Compression       float64 `json:"compression"`
	WeightCompression float64 `json:"weight_compression"` // total / kept weights
	DenseBytes        int64   `json:"dense_bytes"`        // the unpruned network, float32, on disk
	ExportedBytes     int64   `json:"exported_bytes"`     // the exported pruned network on disk
	Kept              int     `json:"kept"`
	Total             int     `json:"total"`
	Widths            []int   `json:"widths"`         // of the compact network, inputs first
	CompactParams     int     `json:"compact_params"` // weights and biases of the compact network
	DenseParams       int     `json:"dense_params"`
	// Largest difference between the outputs of the pruned dense network
	// and of the compact one, in compressed sparse rows.
	MaxOutputDiff float64 `json:"max_output_diff"`
	// Seconds of one forward pass over the test set: pruned dense (zeros
	// in place), compact, and compact in compressed sparse rows.
	ForwardDense   float64 `json:"forward_seconds_dense"`
	ForwardCompact float64 `json:"forward_seconds_compact"`
	ForwardSparse  float64 `json:"forward_seconds_sparse"`
	// ForwardExported times the network read back from the exported
	// file, whose accuracy is AccuracyExported.
	ForwardExported  float64 `json:"forward_seconds_exported"`
	AccuracyExported float64 `json:"accuracy_exported"`
	Threshold        float64 `json:"threshold"`
	Epochs           int     `json:"epochs"`
	Seconds          float64 `json:"seconds"`
}

func main() {
	c := defaults()
	flag.Uint64Var(&c.seed, "seed", c.seed, "seed of initialisation, noise and shuffling")
	flag.IntVar(&c.epochs, "epochs", c.epochs, "sparse variational dropout epochs (after the deterministic ones)")
	flag.IntVar(&c.pretrain, "pretrain", c.pretrain, "deterministic epochs before")
	flag.Float64Var(&c.threshold, "threshold", c.threshold, "prune weights whose log alpha is above this")
	flag.IntVar(&c.warmup, "warmup", c.warmup, "epochs over which the KL weight rises from 0 to 1")
	flag.IntVar(&c.batch, "batch", c.batch, "examples per step")
	flag.Float64Var(&c.lr, "lr", c.lr, "Adam learning rate of the sparse training")
	flag.Float64Var(&c.delta, "delta", c.delta, "MOPED delta: the sparse posterior starts at sigma = delta |theta|")
	flag.Float64Var(&c.klScale, "kl-scale", c.klScale, "multiplies the KL weight 1/N (1: the ELBO)")
	flag.StringVar(&c.data, "data", "", "IDX directory (MNIST layout); default: the embedded 10,000 digits")
	flag.StringVar(&c.export, "export", "", "directory to keep the dense and pruned safetensors files in (default: measured in a temporary directory, then removed)")
	asJSON := flag.Bool("json", false, "print the figures as one JSON object on the last line")
	flag.Parse()
	if !*asJSON {
		c.progress = os.Stderr
	}
	c.log = os.Stderr
	r, err := run(context.Background(), c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "prune:", err)
		os.Exit(1)
	}
	fmt.Printf("accuracy %.4f before pruning, %.4f after\n", r.Accuracy, r.AccuracyPruned)
	fmt.Printf("kept %d of %d weights (%.1fx fewer); compact network %v, %d parameters (dense %d)\n",
		r.Kept, r.Total, r.WeightCompression, r.Widths, r.CompactParams, r.DenseParams)
	fmt.Printf("on disk: dense %d bytes, exported %d bytes: %.1fx compression\n", r.DenseBytes, r.ExportedBytes, r.Compression)
	fmt.Printf("forward pass over the test set: dense %.1f ms, compact %.1f ms, sparse rows %.1f ms, exported %.1f ms\n",
		1e3*r.ForwardDense, 1e3*r.ForwardCompact, 1e3*r.ForwardSparse, 1e3*r.ForwardExported)
	if *asJSON {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
	}
}

func defaults() config {
	return config{seed: 1, pretrain: 2, epochs: 2, warmup: 1, batch: 32, lr: 1e-3, delta: 0.2, klScale: 1,
		threshold: bayesnodes.PruneLogAlpha, log: io.Discard}
}

func (c config) check() error {
	switch {
	case c.epochs <= 0 || c.pretrain < 0 || c.warmup < 0 || c.batch <= 0:
		return fmt.Errorf("-epochs %d, -pretrain %d: want epochs > 0 and pretrain >= 0", c.epochs, c.pretrain)
	case !(c.lr > 0) || !(c.delta > 0):
		return fmt.Errorf("learning rate %v and delta %v: want both > 0", c.lr, c.delta)
	case math.IsNaN(c.threshold) || math.IsInf(c.threshold, 0):
		return fmt.Errorf("-threshold %v: want a finite log alpha", c.threshold)
	}
	return nil
}

// lenet is LeNet-300-100 with sparse variational dropout weights, sampled
// by local reparameterisation.
type lenet struct {
	layers []*bayesnodes.Linear
}

func newLeNet() (*lenet, error) {
	sizes := []int{28 * 28, 300, 100, 10}
	n := &lenet{}
	for i := range len(sizes) - 1 {
		l, err := bayesnodes.NewLinear(sizes[i], sizes[i+1], bayesnodes.WithName(fmt.Sprintf("fc%d", i+1)),
			bayesnodes.WithSparseVD(bayesnodes.DefaultLogSigma2Init),
			bayesnodes.WithEstimator(bayesnodes.LocalReparameterization),
			bayesnodes.WithRhoInit(-6, 0))
		if err != nil {
			return nil, err
		}
		n.layers = append(n.layers, l)
	}
	return n, nil
}

func (n *lenet) forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	h, err := G.Reshape(x, []int{x.Shape()[0], 28 * 28})
	if err != nil {
		return nil, err
	}
	for i, l := range n.layers {
		if h, err = l.Apply(b, h); err != nil {
			return nil, err
		}
		if i < len(n.layers)-1 {
			if h, err = G.Rectify(h); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
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

// export writes the dense network and the compact one as safetensors
// files in dir (a temporary directory when empty), the weights as float32,
// the model's dtype; records their sizes on disk and the compression in r;
// and returns the network read back from the compact file.
func export(dense, compact *prune.Net, dir string, r *result) (*prune.SparseNet, error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "prune-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := []struct {
		net    *prune.Net
		layout checkpoint.NetLayout
		name   string
		bytes  *int64
	}{
		{dense, checkpoint.Dense, "lenet300-dense.safetensors", &r.DenseBytes},
		{compact, checkpoint.Smallest, "lenet300-pruned.safetensors", &r.ExportedBytes},
	}
	for _, f := range files {
		file, err := checkpoint.PrunedNet(f.net, checkpoint.F32, f.layout)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, f.name)
		if err := checkpoint.WriteFile(path, file); err != nil {
			return nil, err
		}
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		*f.bytes = info.Size()
	}
	r.Compression = float64(r.DenseBytes) / float64(r.ExportedBytes)
	file, err := checkpoint.ReadFile(filepath.Join(dir, files[1].name))
	if err != nil {
		return nil, err
	}
	return checkpoint.ReadPrunedNet(file)
}

// pretrain trains a deterministic LeNet-300-100 of plain weights (one
// matrix product per layer, half the work of a local-reparameterisation
// step) and starts the sparse posterior from it: theta = w and sigma =
// delta |w| (MOPED), bias means = the biases.
func pretrain(ctx context.Context, net *lenet, train *datasets.Dataset, c config) error {
	var weights, biases []*graph.Param
	for _, l := range net.layers {
		w, err := graph.NewParam(l.Weight.Name(), []int{l.Out, l.In}, graph.Uniform(-1/math.Sqrt(float64(l.In)), 1/math.Sqrt(float64(l.In))))
		if err != nil {
			return err
		}
		b, err := graph.NewParam(l.Bias.Name(), []int{l.Out}, graph.Constant(0))
		if err != nil {
			return err
		}
		weights, biases = append(weights, w), append(biases, b)
	}
	forward := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := G.Reshape(x, []int{x.Shape()[0], 28 * 28})
		if err != nil {
			return nil, err
		}
		for i := range weights {
			w, err := b.Param(weights[i])
			if err != nil {
				return nil, err
			}
			bias, err := b.Param(biases[i])
			if err != nil {
				return nil, err
			}
			wt, err := G.Transpose(w)
			if err != nil {
				return nil, err
			}
			if h, err = G.Mul(h, wt); err != nil {
				return nil, err
			}
			br, err := G.Reshape(bias, []int{1, bias.Shape()[0]})
			if err != nil {
				return nil, err
			}
			if h, err = G.BroadcastAdd(h, br, nil, []byte{0}); err != nil {
				return nil, err
			}
			if i < len(weights)-1 {
				if h, err = G.Rectify(h); err != nil {
					return nil, err
				}
			}
		}
		return h, nil
	}
	model, err := graph.NewModel(forward, graph.Input(train.XShape...), graph.Seed(c.seed), graph.WithDtype(graph.Float32))
	if err != nil {
		return err
	}
	if err := fit(ctx, model, train, c, losses.Fixed(0), c.pretrain, 1e-3); err != nil {
		return err
	}
	for i, l := range net.layers {
		if err := l.Weight.InitMOPED(weights[i].Values(), c.delta); err != nil {
			return err
		}
		if err := l.Bias.Mean().SetValues(biases[i].Values()); err != nil {
			return err
		}
	}
	return nil
}

// fit trains model for epochs with the given KL weighting and Adam rate.
func fit(ctx context.Context, model *graph.Model, train *datasets.Dataset, c config, weight losses.KLWeight, epochs int, lr float64) error {
	elbo, err := losses.NewELBO(losses.CrossEntropy{}, losses.WithKLWeight(weight))
	if err != nil {
		return err
	}
	adam, err := optim.NewAdam(lr)
	if err != nil {
		return err
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.BatchSize(c.batch), optim.ShuffleSeed(c.seed), optim.ProgressOnTerminal(c.progress))
	if err != nil {
		return err
	}
	_, err = trainer.Fit(ctx, train, epochs)
	return err
}

// accuracy is the test accuracy of the posterior mean weights.
func accuracy(model *graph.Model, test *datasets.Dataset) (float64, error) {
	out, err := model.PredictMean(test.X)
	if err != nil {
		return 0, err
	}
	return argmaxAccuracy(out, test.Labels, 10), nil
}

func argmaxAccuracy(logits []float64, labels []int, classes int) float64 {
	right := 0
	for i, label := range labels {
		row := logits[i*classes : (i+1)*classes]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == label {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

// loadData returns the train and test sets: the embedded digits (first
// 8,000 train, last 2,000 test) or an IDX directory.
func loadData(dir string) (train, test datasets.Dataset, err error) {
	if dir == "" {
		train, test, err = mnist10k.Load()
	} else {
		train, test, err = datasets.MNIST(dir)
	}
	if err != nil {
		return train, test, err
	}
	for _, d := range []*datasets.Dataset{&train, &test} {
		if d.Width() != 28*28 || d.Classes != 10 || d.Len() == 0 {
			return train, test, fmt.Errorf("the data are not 28x28 digits in 10 classes (shape %v, %d classes, %d examples)", d.XShape, d.Classes, d.Len())
		}
	}
	return train, test, nil
}
