package optim

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/internal/parallel"
)

// ErrNonFiniteStep: a step's update made a parameter or a moment estimate
// NaN or infinite (an overflow, typically of a learning rate far too
// large). Step then puts the parameters and moments back as they were
// before it, zeroes the gradients and returns a *StepError wrapping it.
var ErrNonFiniteStep = errors.New("the update is not finite")

// StepError reports the first non-finite value a step produced, naming the
// parameter (as ParamError does), what held the value ("value" for the
// parameter itself, or the solver's buffer: "first moment", "second
// moment", "momentum", "squared average"), the element and the step.
type StepError struct {
	ParamError
	What    string
	Element int
	Value   float64
	Step    int // the step that failed, counted from 1 as Steps counts
}

// Error names the parameter, the buffer, the element and the step.
func (e *StepError) Error() string {
	return fmt.Sprintf("%s: %s[%d] would be %v after step %d (the parameters and moments are left as they were before it)",
		e.ParamError.Error(), e.What, e.Element, e.Value, e.Step)
}

// lanes is one range of one parameter in a step: the value w and its
// gradient g, the solver's buffers a and b as the last step left them, an
// and bn where this step writes them (they swap roles when the step is
// kept), and old, where the step keeps w as it was. Writing moments to
// other buffers and keeping w costs one store per element, less than
// copying everything before each step, and lets a step that overflows be
// undone exactly. A step proven finite beforehand needs none of this:
// its an, bn and old are a, b and w, updated in place.
type lanes[T float32 | float64] struct {
	w, g, a, b, an, bn, old []T
}

// notFinite reports whether x is NaN or infinite (x - x is then NaN, and
// 0 otherwise): a compare and a branch that is never taken, cheap beside a
// kernel's divide and square root.
func notFinite[T float32 | float64](x T) bool { return x-x != 0 }

// from returns l's elements from i on.
func (l lanes[T]) from(i int) lanes[T] {
	n := len(l.w)
	return lanes[T]{l.w[i:], l.g[i:n], sub(l.a, i, n), sub(l.b, i, n), sub(l.an, i, n), sub(l.bn, i, n), l.old[i:n]}
}

func sub[T any](s []T, lo, hi int) []T {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

func (p *param) lanes32(lo, hi int) lanes[float32] {
	w, a, b := p.w.Float32s()[lo:hi], sub(p.a32, lo, hi), sub(p.b32, lo, hi)
	if p.inPlace {
		return lanes[float32]{w, p.g.Float32s()[lo:hi], a, b, a, b, w}
	}
	return lanes[float32]{w, p.g.Float32s()[lo:hi], a, b, sub(p.an32, lo, hi), sub(p.bn32, lo, hi), p.old32[lo:hi]}
}

func (p *param) lanes64(lo, hi int) lanes[float64] {
	w, a, b := p.w.Float64s()[lo:hi], sub(p.a64, lo, hi), sub(p.b64, lo, hi)
	if p.inPlace {
		return lanes[float64]{w, p.g.Float64s()[lo:hi], a, b, a, b, w}
	}
	return lanes[float64]{w, p.g.Float64s()[lo:hi], a, b, sub(p.an64, lo, hi), sub(p.bn64, lo, hi), p.old64[lo:hi]}
}

// ranges adapts a kernel over float32 and float64 lanes to the update of a
// parameter's elements [lo, hi), flagging a non-finite result in bad.
func ranges(p *param, bad *atomic.Bool, k32 func(lanes[float32]) bool, k64 func(lanes[float64]) bool) func(lo, hi int) {
	if p.f32 {
		return func(lo, hi int) {
			if k32(p.lanes32(lo, hi)) {
				bad.Store(true)
			}
		}
	}
	return func(lo, hi int) {
		if k64(p.lanes64(lo, hi)) {
			bad.Store(true)
		}
	}
}

// apply runs every parameter's update (built once by updater) and keeps
// the step if everything it wrote is finite; otherwise it undoes it and
// returns a *StepError. buffers names the solver's buffers. Where the
// solver's inPlace proves the step finite beforehand, the update writes
// the moments and values in place and keeps nothing to undo it: of the
// nine arrays a step otherwise reads or writes, it touches four.
func (c *core) apply(vgs []G.ValueGrad, updater func(*param) func(lo, hi int), buffers [2]string) error {
	c.steps++
	c.bad.Store(false)
	inPlace := c.inPlace != nil && c.inPlace()
	for i := range c.params {
		p := &c.params[i]
		if p.inPlace = inPlace; !inPlace {
			p.allocUndo(c.nbuf)
		}
		p.mNew.Store(0)
		p.vNew.Store(0)
		if p.update == nil {
			p.update = updater(p)
		}
	}
	if c.updateAll == nil {
		c.updateAll = func(lo, hi int) { c.forRanges(lo, hi, false) }
	}
	// Elementwise, so the split over cores changes no bit.
	parallel.For(c.size(), c.updateAll)
	if c.bad.Load() && inPlace {
		// inPlace proved this impossible, so it is a bug in the proof;
		// there is nothing to undo with, so say so rather than pretend.
		return fmt.Errorf("optim: internal error: %s: an update proven finite wrote a non-finite value, and the parameters keep it", c.stepOp)
	}
	if c.bad.Load() {
		err := c.firstNonFinite(vgs, [3]string{buffers[0], buffers[1], "value"})
		for i := range c.params {
			p := &c.params[i]
			if p.f32 {
				copy(p.w.Float32s(), p.old32)
			} else {
				copy(p.w.Float64s(), p.old64)
			}
		}
		c.steps--
		return err
	}
	for i := range c.params {
		p := &c.params[i]
		p.mMax, p.vMax = math.Float64frombits(p.mNew.Load()), math.Float64frombits(p.vNew.Load())
		if !inPlace {
			p.a32, p.an32, p.b32, p.bn32 = p.an32, p.a32, p.bn32, p.b32
			p.a64, p.an64, p.b64, p.bn64 = p.an64, p.a64, p.bn64, p.b64
		}
	}
	return nil
}

// firstNonFinite finds what apply's step made non-finite: the first
// parameter holding such a value, in one of the buffers the step wrote or
// in the parameter itself (names gives their names).
func (c *core) firstNonFinite(vgs []G.ValueGrad, names [3]string) error {
	for i := range c.params {
		p := &c.params[i]
		var j int
		var v float64
		found := false
		what := ""
		// The solver's buffers first: an overflow there (a squared
		// gradient, say) is what makes the value NaN.
		if p.f32 {
			for k, buf := range [3][]float32{p.an32, p.bn32, p.w.Float32s()} {
				if !found {
					j, v, found = firstBad(buf)
					what = names[k]
				}
			}
		} else {
			for k, buf := range [3][]float64{p.an64, p.bn64, p.w.Float64s()} {
				if !found {
					j, v, found = firstBad(buf)
					what = names[k]
				}
			}
		}
		if found {
			e := &StepError{What: what, Element: j, Value: v, Step: c.steps}
			e.ParamError = *paramError(c.stepOp, i, vgs[i], "%w", ErrNonFiniteStep).(*ParamError)
			return e
		}
	}
	return fmt.Errorf("optim: %s: %w at step %d", c.stepOp, ErrNonFiniteStep, c.steps)
}

// firstBad returns the index and value of the first non-finite element.
func firstBad[T float32 | float64](s []T) (int, float64, bool) {
	for j, x := range s {
		if v := float64(x); math.IsNaN(v) || math.IsInf(v, 0) {
			return j, v, true
		}
	}
	return 0, 0, false
}
