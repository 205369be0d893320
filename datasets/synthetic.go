package datasets

import (
	"fmt"
	"math"
)

// Sine returns n examples of y = sin(x) + e, e ~ N(0, 0.1^2), the usual
// one-dimensional regression task for showing predictive uncertainty.
//
// By default x takes n evenly spaced values over [-3, 3], both ends
// included, in increasing order; [Range] changes the interval, [UniformX]
// draws x uniformly instead and [Noise] changes the noise's standard
// deviation. The noise (and x under UniformX) comes from a generator
// seeded by seed: the same arguments give the same data. XShape is [1],
// YWidth 1.
func Sine(n int, seed uint64, opts ...Option) (Dataset, error) {
	return curve("Sine", n, seed, 0.1, math.Sin, opts)
}

// Cubic returns n examples of y = -1.8 x^3 + 8 x + e, e ~ N(0, 1.5^2),
// over [-3, 3]: a regression task whose signal grows fast at the ends of
// the interval. Its grid, options and seeding are those of [Sine].
func Cubic(n int, seed uint64, opts ...Option) (Dataset, error) {
	return curve("Cubic", n, seed, 1.5, func(x float64) float64 { return -1.8*x*x*x + 8*x }, opts)
}

// curve draws n examples of y = f(x) + noise for the function name.
func curve(name string, n int, seed uint64, noise float64, f func(float64) float64, opts []Option) (Dataset, error) {
	c, err := newSynthConfig(name, n, noise, true, opts)
	if err != nil {
		return Dataset{}, err
	}
	rng := newRand(seed)
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		if c.uniform {
			x[i] = c.lo + (c.hi-c.lo)*rng.Float64()
		} else {
			x[i] = linspace(c.lo, c.hi, n, i)
		}
		// Drawn even when the noise is 0, so that x under UniformX
		// does not depend on the Noise option.
		y[i] = f(x[i]) + c.noise*rng.NormFloat64()
	}
	return Dataset{X: x, XShape: []int{1}, Y: y, YWidth: 1}, nil
}

// Moons returns n points of the two interleaving half circles of
// scikit-learn's make_moons, a two-class task that no straight line
// separates: class 0 on the upper half circle (cos t, sin t) and class 1 on the lower one
// (1 - cos t, 1 - sin t - 0.5), t evenly spaced over [0, pi], with
// Gaussian noise of standard deviation 0.1 added to each coordinate
// (change it with [Noise]). Class 0 gets n/2 points and class 1 the other
// n - n/2. The points are shuffled, and the noise drawn, by a generator
// seeded by seed. XShape is [2], Classes 2; n must be at least 2 so that
// both classes appear.
func Moons(n int, seed uint64, opts ...Option) (Dataset, error) {
	c, err := newSynthConfig("Moons", n, 0.1, false, opts)
	if err != nil {
		return Dataset{}, err
	}
	if n < 2 {
		return Dataset{}, fmt.Errorf("datasets: Moons: n = %d, want at least 2 (one point per class)", n)
	}
	nOuter := n / 2
	nInner := n - nOuter
	x := make([]float64, 2*n)
	labels := make([]int, n)
	for i := range nOuter {
		t := linspace(0, math.Pi, nOuter, i)
		x[2*i], x[2*i+1] = math.Cos(t), math.Sin(t)
	}
	for j := range nInner {
		t := linspace(0, math.Pi, nInner, j)
		i := nOuter + j
		x[2*i], x[2*i+1] = 1-math.Cos(t), 1-math.Sin(t)-0.5
		labels[i] = 1
	}
	rng := newRand(seed)
	rng.Shuffle(n, func(i, j int) {
		x[2*i], x[2*j] = x[2*j], x[2*i]
		x[2*i+1], x[2*j+1] = x[2*j+1], x[2*i+1]
		labels[i], labels[j] = labels[j], labels[i]
	})
	for k := range x {
		x[k] += c.noise * rng.NormFloat64()
	}
	return Dataset{X: x, XShape: []int{2}, Labels: labels, Classes: 2}, nil
}

// linspace returns the i-th of n evenly spaced values over [lo, hi], both
// ends included and hit exactly; lo when n is 1.
func linspace(lo, hi float64, n, i int) float64 {
	switch {
	case n == 1 || i == 0:
		return lo
	case i == n-1:
		return hi
	}
	return lo + (hi-lo)*float64(i)/float64(n-1)
}
