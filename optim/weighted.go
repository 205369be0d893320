package optim

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/losses"
)

// SampleWeighter is implemented by objectives whose step is not the mean
// of its Monte-Carlo samples, such as *losses.Renyi. Their gradient is the
// samples' gradients weighted by the softmax of LogWeight, and their loss
// is Combine of the samples' losses.
type SampleWeighter interface {
	// LogWeight returns the log of the unnormalised weight of the gradient
	// of a sample whose loss is loss.
	LogWeight(loss float64, at losses.Batch) (float64, error)
	// Combine returns the step's loss from its samples' losses.
	Combine(sampleLosses []float64, at losses.Batch) (float64, error)
}

// weightedGrads accumulates per-sample gradients weighted by
// exp(logWeight - top), rescaling as the top log-weight rises, so that K
// samples need one buffer per parameter, not K.
type weightedGrads struct {
	acc   [][]float64
	top   float64 // largest log-weight so far
	total float64 // sum of exp(logWeight - top)
	n     int
}

// reset starts a step.
func (w *weightedGrads) reset() { w.top, w.total, w.n = math.Inf(-1), 0, 0 }

// add takes the gradients of one run out of vgs (leaving them zero) with
// the given log-weight.
func (w *weightedGrads) add(vgs []G.ValueGrad, logWeight float64) error {
	if err := w.fits(vgs); err != nil {
		return err
	}
	old := 1.0 // factor for what is accumulated
	if logWeight > w.top {
		if w.n > 0 {
			old = math.Exp(w.top - logWeight)
		}
		w.top = logWeight
	}
	cur := math.Exp(logWeight - w.top)
	w.total = w.total*old + cur
	for i, vg := range vgs {
		g, err := gradOf(i, vg)
		if err != nil {
			return err
		}
		a := w.acc[i]
		switch d := g.Data().(type) {
		case []float64:
			for j, x := range d {
				if w.n == 0 {
					a[j] = cur * x
				} else {
					a[j] = old*a[j] + cur*x
				}
			}
			clear(d)
		case []float32:
			for j, x := range d {
				if w.n == 0 {
					a[j] = cur * float64(x)
				} else {
					a[j] = old*a[j] + cur*float64(x)
				}
			}
			clear(d)
		}
	}
	w.n++
	return nil
}

// fits sizes the buffers for vgs at a step's first sample and checks later
// ones against them: every sample of a step must come from graphs with the
// same parameters.
func (w *weightedGrads) fits(vgs []G.ValueGrad) error {
	if w.n == 0 && (len(w.acc) != len(vgs)) {
		w.acc = make([][]float64, len(vgs))
	}
	if len(w.acc) != len(vgs) {
		return fmt.Errorf("optim: a sample has %d parameters, the step's first had %d", len(vgs), len(w.acc))
	}
	for i, vg := range vgs {
		n := vg.Value().Shape().TotalSize()
		switch {
		case w.n == 0 && len(w.acc[i]) != n:
			w.acc[i] = make([]float64, n)
		case len(w.acc[i]) != n:
			return fmt.Errorf("optim: parameter %d of a sample has %d values, the step's first had %d", i, n, len(w.acc[i]))
		}
	}
	return nil
}

// store writes the weighted mean gradient into vgs.
func (w *weightedGrads) store(vgs []G.ValueGrad) error {
	if w.n == 0 {
		return errors.New("optim: no weighted sample to store")
	}
	if err := w.fits(vgs); err != nil {
		return err
	}
	inv := 1 / w.total
	for i, vg := range vgs {
		g, err := gradOf(i, vg)
		if err != nil {
			return err
		}
		switch d := g.Data().(type) {
		case []float64:
			for j := range d {
				d[j] = w.acc[i][j] * inv
			}
		case []float32:
			for j := range d {
				d[j] = float32(w.acc[i][j] * inv)
			}
		}
	}
	return nil
}

// zeroGrads clears the gradients in vgs: runs whose gradient is not for a
// step (validation) must not leak into the next one.
func zeroGrads(vgs []G.ValueGrad) error {
	for i, vg := range vgs {
		g, err := gradOf(i, vg)
		if err != nil {
			return err
		}
		switch d := g.Data().(type) {
		case []float64:
			clear(d)
		case []float32:
			clear(d)
		}
	}
	return nil
}

// clearGrads zeroes the gradients that exist, skipping parameters that
// have none yet.
func clearGrads(vgs []G.ValueGrad) {
	for i, vg := range vgs {
		if g, err := gradOf(i, vg); err == nil {
			g.Zero()
		}
	}
}

// gradOf returns the float gradient tensor of a parameter.
func gradOf(i int, vg G.ValueGrad) (*tensor.Dense, error) {
	gv, err := vg.Grad()
	if err != nil {
		return nil, fmt.Errorf("optim: parameter %d: %w", i, err)
	}
	g, ok := gv.(*tensor.Dense)
	if !ok || g == nil {
		return nil, fmt.Errorf("optim: parameter %d: the gradient is a %T, not a *tensor.Dense", i, gv)
	}
	if dt := g.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return nil, fmt.Errorf("optim: parameter %d: the gradient's dtype is %v, not float32 or float64", i, dt)
	}
	return g, nil
}
