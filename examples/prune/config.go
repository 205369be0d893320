package main

import (
	"flag"
	"fmt"
	"io"
	"math"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/internal/jsonline"
)

// config is one run of the example: its flags.
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

// result holds the example's figures, the line -json prints.
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

// parseFlags reads the command line: the config, and whether -json asks
// for the figures as JSON.
func parseFlags() (c config, asJSON bool) {
	c = defaults()
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
	json := flag.Bool("json", false, jsonline.Usage)
	flag.Parse()
	return c, *json
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

// printText prints the figures of r for a reader.
func printText(r *result) {
	fmt.Printf("accuracy %.4f before pruning, %.4f after\n", r.Accuracy, r.AccuracyPruned)
	fmt.Printf("kept %d of %d weights (%.1fx fewer); compact network %v, %d parameters (dense %d)\n",
		r.Kept, r.Total, r.WeightCompression, r.Widths, r.CompactParams, r.DenseParams)
	fmt.Printf("on disk: dense %d bytes, exported %d bytes: %.1fx compression\n", r.DenseBytes, r.ExportedBytes, r.Compression)
	fmt.Printf("forward pass over the test set: dense %.1f ms, compact %.1f ms, sparse rows %.1f ms, exported %.1f ms\n",
		1e3*r.ForwardDense, 1e3*r.ForwardCompact, 1e3*r.ForwardSparse, 1e3*r.ForwardExported)
}
