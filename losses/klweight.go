package losses

import (
	"errors"
	"fmt"
	"math"
)

// Batch locates one training step, for weightings that depend on it.
type Batch struct {
	Step        int // steps taken before this one, over the whole run
	Epoch       int // from 0
	Index       int // batch index within the epoch, from 0
	Count       int // batches per epoch
	Size        int // examples in this batch
	DatasetSize int // examples per epoch
}

// KLWeight gives the weight of the KL term for one step.
type KLWeight interface {
	Weight(at Batch) float64
}

// KLWeightFunc adapts a function to KLWeight.
type KLWeightFunc func(at Batch) float64

// Weight returns f(at).
func (f KLWeightFunc) Weight(at Batch) float64 { return f(at) }

// PerExample weighs the KL by 1 / DatasetSize: with a batch-mean fit, the
// loss is then the negative ELBO per example. It is the default.
type PerExample struct{}

// Weight returns 1 / at.DatasetSize.
func (PerExample) Weight(at Batch) float64 {
	if at.DatasetSize <= 0 {
		return math.NaN()
	}
	return 1 / float64(at.DatasetSize)
}

// Fixed is a constant KL weight.
type Fixed float64

// Weight returns the constant.
func (f Fixed) Weight(Batch) float64 { return float64(f) }

// Minibatch is the minibatch weighting of Blundell et al. (2015, eq. 9):
// batch i of M (from 1) gets pi_i = 2^(M-i) / (2^M - 1) of the KL, so early
// batches of an epoch are prior-dominated, later ones data-dominated, and
// the weights of one epoch sum to 1. Since the fit here is a batch mean,
// the weight applied is pi_i / Size, which keeps Blundell's per-batch
// balance of summed log-likelihood against KL.
type Minibatch struct{}

// Weight returns pi_i / at.Size with i = at.Index + 1 and M = at.Count.
func (Minibatch) Weight(at Batch) float64 {
	if at.Count <= 0 || at.Size <= 0 {
		return math.NaN()
	}
	i := at.Index + 1
	// 2^(M-i) / (2^M - 1) = 2^-i / (1 - 2^-M), which neither overflows nor
	// loses precision for large M.
	pi := math.Exp2(-float64(i)) / -math.Expm1(-float64(at.Count)*math.Ln2)
	return pi / float64(at.Size)
}

// Annealed scales another weighting linearly from 0 at step 0 to 1 at step
// Steps and after (KL annealing, or "warm-up").
type Annealed struct {
	Base  KLWeight
	Steps int
}

// Weight returns Base's weight times min(1, at.Step / Steps), or NaN if
// Base is nil or Steps is not positive (see Check).
func (a Annealed) Weight(at Batch) float64 {
	if a.Check() != nil {
		return math.NaN()
	}
	return a.Base.Weight(at) * math.Min(1, float64(at.Step)/float64(a.Steps))
}

// Check reports a schedule that cannot give weights: no Base, or Steps
// below 1. The ELBO calls it before using the weights, so that a wrong
// schedule is named rather than reported as a NaN weight.
func (a Annealed) Check() error {
	switch {
	case a.Base == nil:
		return errors.New("losses: Annealed has no Base weighting to anneal")
	case a.Steps <= 0:
		return fmt.Errorf("losses: Annealed.Steps is %d: annealing needs at least 1 step (for none, use Base itself)", a.Steps)
	}
	return nil
}

// checkWeight reports a weighting that cannot be used (nil, or one whose
// Check method fails) or a weight w it gave at that is not a finite value
// >= 0.
func checkWeight(kw KLWeight, w float64, at Batch) error {
	if c, ok := kw.(interface{ Check() error }); ok {
		if err := c.Check(); err != nil {
			return err
		}
	}
	if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
		return fmt.Errorf("losses: KL weight is %v at %+v, want a finite value >= 0", w, at)
	}
	return nil
}
