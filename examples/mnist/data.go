package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
)

// OODImages is how many out-of-distribution test images are scored (the
// peers' W5 protocol uses the first 2,000).
const OODImages = 2000

// loadData returns the train and test sets: the embedded digits (first
// 8,000 train, last 2,000 test) or an IDX directory. The digits stay
// bytes, converted batch by batch (and chunk by chunk when predicting).
func loadData(dir string) (train, test datasets.Dataset, err error) {
	if dir == "" {
		return mnist10k.LoadPixels()
	}
	return datasets.MNISTPixels(dir)
}

// checkImages reports a data set that is not 28x28 digits in ten classes.
func checkImages(d *datasets.Dataset, what string) error {
	if d.Len() == 0 {
		return fmt.Errorf("the %s set is empty", what)
	}
	if d.Width() != 28*28 {
		return fmt.Errorf("the %s images have shape %v, the networks take 28x28", what, d.XShape)
	}
	if d.Labels == nil || d.Classes != 10 {
		return fmt.Errorf("the %s set has %d classes, want 10 labelled classes", what, d.Classes)
	}
	return nil
}

// loadOOD reads the out-of-distribution images of an IDX directory (the
// test split of the standard layout, or the whole of a single pair) and
// keeps the first OODImages.
func loadOOD(dir string) (datasets.Dataset, error) {
	test, err := loadPair(dir)
	if errors.Is(err, fs.ErrNotExist) {
		_, test, err = datasets.MNISTPixels(dir)
	}
	if err != nil {
		return datasets.Dataset{}, fmt.Errorf("-ood: %w", err)
	}
	if test.Width() != 28*28 {
		return datasets.Dataset{}, fmt.Errorf("-ood %s: images have shape %v, the networks take 28x28", dir, test.XShape)
	}
	first, err := test.Slice(0, min(OODImages, test.Len()))
	// Arrays of their own, so that the rest of the directory's images
	// can be collected.
	first.X, first.Pixels, first.Labels = slices.Clone(first.X), slices.Clone(first.Pixels), slices.Clone(first.Labels)
	return first, err
}

// loadPair reads a directory's images-idx3-ubyte[.gz] and
// labels-idx1-ubyte[.gz] whole; fs.ErrNotExist when it has no such pair.
func loadPair(dir string) (datasets.Dataset, error) {
	find := func(name string) (string, error) {
		for _, p := range []string{name, name + ".gz"} {
			if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
				return filepath.Join(dir, p), nil
			}
		}
		return "", fs.ErrNotExist
	}
	images, err := find("images-idx3-ubyte")
	if err != nil {
		return datasets.Dataset{}, err
	}
	labels, err := find("labels-idx1-ubyte")
	if err != nil {
		return datasets.Dataset{}, err
	}
	return datasets.LoadIDXPixels(images, labels)
}

// release drops the training digits, and the training graphs with them,
// once the network is trained and collects them, so that the evaluation
// runs in their memory: else its garbage would first grow the heap to
// twice its size in training (W2's peak memory 312 MB instead of 187).
// The test digits get an array of their own: the embedded digits, and a
// data directory holding one pair of IDX files, are decoded into one
// array with the training digits.
func release(train, test *datasets.Dataset) {
	test.X, test.Pixels = slices.Clone(test.X), slices.Clone(test.Pixels)
	*train = datasets.Dataset{}
	runtime.GC()
}
