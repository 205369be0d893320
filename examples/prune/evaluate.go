package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/prune"
)

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
