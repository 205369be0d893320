package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The file names of the two directory layouts that MNIST reads; each may
// also end in ".gz".
var (
	// mnistStandard is the layout of the MNIST and Fashion-MNIST
	// distributions: training images and labels, test images and labels.
	mnistStandard = []string{
		"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
		"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
	}
	// mnistPair is a single set of images and labels, split by MNIST.
	mnistPair = []string{"images-idx3-ubyte", "labels-idx1-ubyte"}
)

// MNIST loads MNIST, Fashion-MNIST or another set of labelled images in
// the IDX format from the directory dir, in one of two layouts:
//
//   - the standard one, as the MNIST and Fashion-MNIST distributions ship
//     (and Debian's dataset-fashion-mnist installs under
//     /usr/share/datasets/fashion-mnist): train-images-idx3-ubyte,
//     train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
//     t10k-labels-idx1-ubyte, which give train and test;
//   - a single pair, images-idx3-ubyte and labels-idx1-ubyte, whose first
//     80% of examples (rounded down) are train and the rest test: for the
//     10,000 digits of package mnist10k that is the conventional
//     8,000/2,000 split.
//
// Each file may be gzipped, with ".gz" appended to its name; when both
// forms are there, the plain one is read. When both layouts are complete,
// the standard one is read. The datasets are those of [LoadIDX]; train
// and test of a single pair share one backing array (see [Dataset.Slice]).
// The error lists the names looked for when neither layout is complete.
func MNIST(dir string) (train, test Dataset, err error) {
	return mnist(dir, LoadIDX)
}

// MNISTPixels is [MNIST] keeping the pixels as bytes, as [LoadIDXPixels]
// does: the 70,000 digits of MNIST take 55 MB rather than 440.
func MNISTPixels(dir string) (train, test Dataset, err error) {
	return mnist(dir, LoadIDXPixels)
}

// mnist is MNIST, loading each pair of files with load.
func mnist(dir string, load func(images, labels string) (Dataset, error)) (train, test Dataset, err error) {
	if _, err := os.Stat(dir); err != nil {
		return Dataset{}, Dataset{}, fmt.Errorf("datasets: MNIST: %w", err)
	}
	std, stdMissing, err := findFiles(dir, mnistStandard)
	if err != nil {
		return Dataset{}, Dataset{}, err
	}
	if len(stdMissing) == 0 {
		if train, err = load(std[0], std[1]); err != nil {
			return Dataset{}, Dataset{}, err
		}
		if test, err = load(std[2], std[3]); err != nil {
			return Dataset{}, Dataset{}, err
		}
		return train, test, nil
	}
	pair, pairMissing, err := findFiles(dir, mnistPair)
	if err != nil {
		return Dataset{}, Dataset{}, err
	}
	if len(pairMissing) == 0 {
		all, err := load(pair[0], pair[1])
		if err != nil {
			return Dataset{}, Dataset{}, err
		}
		return splitPair(all, pair[0])
	}
	// Neither layout is complete: say what is there and what is not.
	switch {
	case len(stdMissing) < len(mnistStandard):
		return Dataset{}, Dataset{}, fmt.Errorf("datasets: MNIST: %s has part of the standard layout but not %s",
			dir, strings.Join(stdMissing, ", "))
	case len(pairMissing) < len(mnistPair):
		return Dataset{}, Dataset{}, fmt.Errorf("datasets: MNIST: %s has part of the single-pair layout but not %s",
			dir, strings.Join(pairMissing, ", "))
	}
	return Dataset{}, Dataset{}, fmt.Errorf("datasets: MNIST: no IDX files in %s: looked for %s (standard layout) or %s (single pair)",
		dir, strings.Join(withGz(mnistStandard), ", "), strings.Join(withGz(mnistPair), " and "))
}

// splitPair cuts the examples of a single pair of files into the first
// 80% and the rest.
func splitPair(all Dataset, name string) (train, test Dataset, err error) {
	n := all.Len()
	nTrain := n / 5 * 4
	nTrain += n % 5 * 4 / 5 // n*4/5 without overflow
	if nTrain == 0 || nTrain == n {
		return Dataset{}, Dataset{}, fmt.Errorf("datasets: MNIST: %s: %d examples are too few to split 80/20", name, n)
	}
	if train, err = all.Slice(0, nTrain); err != nil {
		return Dataset{}, Dataset{}, err
	}
	if test, err = all.Slice(nTrain, n); err != nil {
		return Dataset{}, Dataset{}, err
	}
	return train, test, nil
}

// findFiles looks in dir for each of names, plain or gzipped. It returns
// the paths found (the plain file when both are there), and the names,
// with "[.gz]", of the files not found.
func findFiles(dir string, names []string) (paths, missing []string, err error) {
	paths = make([]string, len(names))
	for i, name := range names {
		for _, candidate := range []string{name, name + ".gz"} {
			p := filepath.Join(dir, candidate)
			info, err := os.Stat(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("datasets: MNIST: %w", err)
			}
			if info.Mode().IsRegular() {
				paths[i] = p
				break
			}
		}
		if paths[i] == "" {
			missing = append(missing, name+"[.gz]")
		}
	}
	return paths, missing, nil
}

// withGz returns names with "[.gz]" appended to each.
func withGz(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + "[.gz]"
	}
	return out
}
