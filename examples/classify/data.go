package main

import (
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/datasets"
)

const (
	// testFraction is the share of the data held out for testing.
	testFraction = 0.3
	// moonsPoints is the size of the moons data, before the split.
	moonsPoints = 1000
)

// load returns the train and test splits of the named data set, drawn (moons,
// with noise of sd noise on each coordinate) and split with seed, their
// features standardised by the training split.
func load(name string, seed uint64, noise float64) (train, test datasets.Dataset, err error) {
	var all datasets.Dataset
	switch name {
	case "iris":
		all, err = datasets.Iris()
	case "moons":
		all, err = datasets.Moons(moonsPoints, seed, datasets.Noise(noise))
	default:
		err = fmt.Errorf("-data %q: %w (want iris or moons)", name, errUnknownData)
	}
	if err != nil {
		return train, test, err
	}
	if train, test, err = all.Split(testFraction, seed); err != nil {
		return train, test, err
	}
	mean, sd := columnStats(&train)
	standardize(&train, mean, sd)
	standardize(&test, mean, sd)
	return train, test, nil
}

// columnStats returns the mean and the standard deviation of each feature
// of d. A constant feature gets sd 1, so that standardising leaves it at 0
// rather than dividing by zero.
func columnStats(d *datasets.Dataset) (mean, sd []float64) {
	w, n := d.Width(), d.Len()
	mean, sd = make([]float64, w), make([]float64, w)
	for i := range n {
		for j, v := range d.X[i*w : (i+1)*w] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range d.X[i*w : (i+1)*w] {
			sd[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(n))
		if sd[j] == 0 {
			sd[j] = 1
		}
	}
	return mean, sd
}

// standardize maps each feature x of d to (x - mean) / sd in place.
func standardize(d *datasets.Dataset, mean, sd []float64) {
	w := d.Width()
	for i, v := range d.X {
		j := i % w
		d.X[i] = (v - mean[j]) / sd[j]
	}
}
