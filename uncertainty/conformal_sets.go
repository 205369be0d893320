package uncertainty

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ConformalSets is a split-conformal calibration of a classifier into
// prediction sets: sets of classes that contain the true class of a new
// input with probability at least Level, whatever the model, as long as
// calibration and new inputs are exchangeable.
//
// The sets are adaptive (APS, Romano et al. 2020): classes enter in order
// of decreasing probability until their cumulative probability passes a
// calibrated threshold, so confident inputs get small sets and ambiguous
// ones large sets. With a Penalty (RAPS, Angelopoulos et al. 2021) every
// class beyond the first KReg adds Penalty to the cumulative sum, which
// keeps the long tail of unlikely classes out.
//
// With a random source (WithRandomSource) the last class of each set
// enters only in part, by a uniform draw, which makes the coverage exactly
// Level on average instead of somewhat above it and allows an empty set
// when even the top class is unnecessary; without one, sets are
// deterministic and conservative.
type ConformalSets struct {
	// Level is the nominal coverage, in (0, 1).
	Level float64
	// Threshold is the calibrated quantile of the scores.
	Threshold float64
	// Penalty and KReg are the RAPS regularisation (Penalty 0: APS).
	Penalty float64
	KReg    int
	// N is the number of calibration points.
	N int

	rng *rand.Rand
}

// SetOption configures CalibrateSets.
type SetOption func(*ConformalSets) error

// WithPenalty adds RAPS's penalty lambda >= 0 for each class beyond the
// kReg >= 0 most probable ones.
func WithPenalty(lambda float64, kReg int) SetOption {
	return func(c *ConformalSets) error {
		if !(lambda >= 0) || math.IsInf(lambda, 1) || kReg < 0 {
			return fmt.Errorf("uncertainty: WithPenalty(%v, %d): want a finite lambda >= 0 and kReg >= 0", lambda, kReg)
		}
		c.Penalty, c.KReg = lambda, kReg
		return nil
	}
}

// WithRandomSource randomises the sets with uniform draws from src, for
// coverage of exactly Level on average; calibration and Sets both draw
// from it.
func WithRandomSource(src rand.Source) SetOption {
	return func(c *ConformalSets) error {
		if src == nil {
			return fmt.Errorf("uncertainty: WithRandomSource: nil source")
		}
		c.rng = rand.New(src)
		return nil
	}
}

// CalibrateSets fits ConformalSets on held-out data: probs holds n rows of
// class probabilities (row-major; a temperature-scaled predictive works
// best, see Temperature) and labels the true class of each row.
//
// It returns an error wrapping ErrEmptyCalibration, ErrCalibrationTooSmall,
// ErrLevel, ErrLengthMismatch or ErrNaNScore (a NaN, infinite or negative
// probability), or naming a label that is not a class.
func CalibrateSets(probs []float64, labels []int, classes int, level float64, opts ...SetOption) (*ConformalSets, error) {
	const fn = "CalibrateSets"
	c := &ConformalSets{Level: level, N: len(labels)}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if err := checkScores(fn, probs, labels, classes); err != nil {
		return nil, err
	}
	if err := checkProbs(fn, probs, classes); err != nil {
		return nil, err
	}
	scores := c.scores(probs, labels, classes)
	q, err := conformalQuantile(fn, scores, level)
	if err != nil {
		return nil, err
	}
	c.Threshold = q
	return c, nil
}

// scores returns the conformity score of each labelled row.
func (c *ConformalSets) scores(probs []float64, labels []int, classes int) []float64 {
	scores := make([]float64, len(labels))
	order, rowScores := make([]int, classes), make([]float64, classes)
	for i, y := range labels {
		c.rowScores(rowScores, order, probs[i*classes:(i+1)*classes])
		scores[i] = rowScores[y]
	}
	return scores
}

// Sets returns the prediction set of each of the n rows of probs: the
// classes, most probable first.
//
// It returns an error wrapping ErrLengthMismatch if probs is not whole rows
// of classes values, or ErrNaNScore for a NaN, infinite or negative
// probability.
func (c *ConformalSets) Sets(probs []float64, classes int) ([][]int, error) {
	const fn = "ConformalSets.Sets"
	if classes < 1 || len(probs)%classes != 0 {
		return nil, fmt.Errorf("uncertainty: %s: %d probabilities is not a whole number of rows of %d classes: %w", fn, len(probs), classes, ErrLengthMismatch)
	}
	if err := checkProbs(fn, probs, classes); err != nil {
		return nil, err
	}
	sets := make([][]int, len(probs)/classes)
	order, rowScores := make([]int, classes), make([]float64, classes)
	for i := range sets {
		c.rowScores(rowScores, order, probs[i*classes:(i+1)*classes])
		for _, class := range order {
			// A class enters when its score, as in calibration, is within
			// the threshold. Without randomisation the class that crosses
			// the threshold enters too (Romano et al.'s sets), a superset,
			// so coverage still holds.
			if rowScores[class] > c.Threshold {
				if c.rng == nil {
					sets[i] = append(sets[i], class)
				}
				break
			}
			sets[i] = append(sets[i], class)
		}
	}
	return sets, nil
}

// rowScores fills order with the classes of one row by decreasing
// probability and scores[class] with each class's score: the cumulative
// mass of the classes ranked above it plus the drawn share of its own.
func (c *ConformalSets) rowScores(scores []float64, order []int, p []float64) {
	sortByProbability(order, p)
	u := c.draw()
	var cum float64
	for r, class := range order {
		step := c.mass(p[class], r)
		scores[class] = cum + u*step
		cum += step
	}
}

// mass is what the class at rank r (from 0) adds to the cumulative score.
func (c *ConformalSets) mass(p float64, r int) float64 {
	if r >= c.KReg {
		return p + c.Penalty
	}
	return p
}

// draw is the share of the last class's mass that counts: uniform with a
// random source, else all of it.
func (c *ConformalSets) draw() float64 {
	if c.rng == nil {
		return 1
	}
	return c.rng.Float64()
}

// SetCoverage returns the share of sets that contain their label and the
// mean set size.
//
// It returns an error wrapping ErrEmptyCalibration if there are no sets or
// ErrLengthMismatch if there is not one label per set.
func SetCoverage(sets [][]int, labels []int) (coverage, meanSize float64, err error) {
	if len(sets) == 0 {
		return 0, 0, fmt.Errorf("uncertainty: SetCoverage: no sets: %w", ErrEmptyCalibration)
	}
	if len(labels) != len(sets) {
		return 0, 0, fmt.Errorf("uncertainty: SetCoverage: %d sets, %d labels: %w", len(sets), len(labels), ErrLengthMismatch)
	}
	var covered, size int
	for i, s := range sets {
		size += len(s)
		if slices.Contains(s, labels[i]) {
			covered++
		}
	}
	n := float64(len(sets))
	return float64(covered) / n, float64(size) / n, nil
}

// sortByProbability fills order with the classes by decreasing p, the
// lower class first on ties.
func sortByProbability(order []int, p []float64) {
	for c := range order {
		order[c] = c
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(p[b], p[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// checkProbs checks that probabilities are finite and non-negative.
func checkProbs(fn string, probs []float64, classes int) error {
	for j, p := range probs {
		if !(p >= 0) || math.IsInf(p, 1) {
			return fmt.Errorf("uncertainty: %s: probability %d (row %d, class %d) = %v, want a finite value >= 0: %w", fn, j, j/classes, j%classes, p, ErrNaNScore)
		}
	}
	return nil
}
