package main

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// The series: a gentle trend, a main season of 12 steps, a slower cycle of
// 30 and Gaussian noise of sd noiseSD,
//
//	y_t = 0.004 t + sin(2 pi t / 12) + 0.5 sin(2 pi t / 30 + 1) + noiseSD e_t.
//
// The seasonal-naive forecast repeats the value one main season back; it
// misses the slower cycle and the trend, which a model that reads a window
// of the past can learn.
const (
	period  = 12
	noiseSD = 0.1
)

// signal is the series without noise at step t.
func signal(t int) float64 {
	x := float64(t)
	return 0.004*x + math.Sin(2*math.Pi*x/period) + 0.5*math.Sin(2*math.Pi*x/30+1)
}

// series returns n noisy values of the series, seeded.
func series(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x5e41e5))
	y := make([]float64, n)
	for t := range y {
		y[t] = signal(t) + noiseSD*rng.NormFloat64()
	}
	return y
}

// windows cuts one-step-ahead examples from y for the targets y[t], t in
// [from, to): the input is the window y[t-w : t] minus its last value, the
// target y[t] minus that value, so the network learns changes and the trend
// does not push it outside the levels it was trained on. last[i] is the
// value example i is relative to.
func windows(y []float64, w, from, to int) (x, target, last []float64, err error) {
	if from < w || to > len(y) || from >= to {
		return nil, nil, nil, fmt.Errorf("targets [%d, %d) with windows of %d in a series of %d", from, to, w, len(y))
	}
	for t := from; t < to; t++ {
		l := y[t-1]
		for _, v := range y[t-w : t] {
			x = append(x, v-l)
		}
		target = append(target, y[t]-l)
		last = append(last, l)
	}
	return x, target, last, nil
}

// seasonalNaive returns the forecasts y[t - period] for t in [from, to).
func seasonalNaive(y []float64, from, to int) []float64 {
	f := make([]float64, 0, to-from)
	for t := from; t < to; t++ {
		f = append(f, y[t-period])
	}
	return f
}
