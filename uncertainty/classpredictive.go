package uncertainty

import (
	"fmt"
	"math"
)

// SumTolerance is how far from 1 a row of class probabilities may sum
// before NewClassPredictive rejects it.
const SumTolerance = 1e-6

// NLLFloor is the smallest probability NLL takes the logarithm of: a
// true-class probability below it counts as NLLFloor, so one confidently
// wrong point costs at most -log(1e-12) ≈ 27.6 nats instead of +Inf.
const NLLFloor = 1e-12

// ClassPredictive is the Monte-Carlo predictive distribution of a
// classifier: S samples of class probabilities for n inputs over a fixed
// set of classes, reduced to what the metrics need (the mean
// probabilities, each sample's entropy and each sample's vote).
//
// Build one with NewClassPredictive. It does not keep a reference to the
// probabilities it was built from, and its methods never modify it, so it
// is safe for concurrent use.
type ClassPredictive struct {
	samples, n, classes int
	mean                []float64 // n x classes, row-major
	expectedEntropy     []float64 // n
	majorityVotes       []int     // n: how many samples' argmax is the majority class
}

// NewClassPredictive builds the predictive distribution from probs, where
// probs[s] holds sample s's class probabilities for n inputs, flattened
// row-major: probs[s][i*classes+c] is the probability of class c for input
// i. Typically these are softmax outputs of S forward passes with
// different weight samples.
//
// It returns an error if there are no samples, n or classes is less than
// 1, a row has a length other than n*classes, or a probability is negative,
// NaN or infinite, or the probabilities of one input do not sum to 1 within
// SumTolerance.
func NewClassPredictive(probs [][]float64, n, classes int) (*ClassPredictive, error) {
	const fn = "NewClassPredictive"
	if len(probs) == 0 {
		return nil, fmt.Errorf("uncertainty: %s: no samples", fn)
	}
	a, err := newAccumulator(fn, len(probs), n, classes)
	if err != nil {
		return nil, err
	}
	// Every row is checked before any is summed.
	for s, row := range probs {
		if err := a.check(s, row); err != nil {
			return nil, err
		}
	}
	for _, row := range probs {
		a.add(row)
	}
	return a.result(), nil
}

// accumulator sums samples of class probabilities, one at a time and in
// order, into a ClassPredictive: FromLogits gives it each sample's
// probabilities without keeping them all.
type accumulator struct {
	fn    string // the exported function, for errors
	cp    *ClassPredictive
	votes []int // votes[i*classes+c]: samples whose argmax for input i is c
}

// newAccumulator checks n and classes and returns an accumulator for
// samples samples (> 0).
func newAccumulator(fn string, samples, n, classes int) (*accumulator, error) {
	if n < 1 {
		return nil, fmt.Errorf("uncertainty: %s: n = %d, want at least 1", fn, n)
	}
	if classes < 1 {
		return nil, fmt.Errorf("uncertainty: %s: classes = %d, want at least 1", fn, classes)
	}
	if n > math.MaxInt/classes {
		return nil, fmt.Errorf("uncertainty: %s: n*classes = %d*%d overflows int", fn, n, classes)
	}
	size := n * classes
	return &accumulator{
		fn: fn,
		cp: &ClassPredictive{
			samples:         samples,
			n:               n,
			classes:         classes,
			mean:            make([]float64, size),
			expectedEntropy: make([]float64, n),
			majorityVotes:   make([]int, n),
		},
		votes: make([]int, size),
	}, nil
}

// check returns an error if row, sample s, is not n rows of class
// probabilities.
func (a *accumulator) check(s int, row []float64) error {
	n, classes := a.cp.n, a.cp.classes
	if len(row) != n*classes {
		return fmt.Errorf("uncertainty: %s: probs[%d] has %d values, want n*classes = %d*%d = %d", a.fn, s, len(row), n, classes, n*classes)
	}
	for i := range n {
		var sum float64
		for c, p := range row[i*classes : (i+1)*classes] {
			if !(p >= 0) || math.IsInf(p, 1) {
				return fmt.Errorf("uncertainty: %s: probs[%d][%d] (input %d, class %d) = %v, want a finite probability >= 0", a.fn, s, i*classes+c, i, c, p)
			}
			sum += p
		}
		if math.Abs(sum-1) > SumTolerance {
			return fmt.Errorf("uncertainty: %s: probabilities of input %d in probs[%d] sum to %v, want 1", a.fn, i, s, sum)
		}
	}
	return nil
}

// add sums a checked sample.
func (a *accumulator) add(row []float64) {
	cp := a.cp
	for j, p := range row {
		cp.mean[j] += p
	}
	for i := range cp.n {
		p := row[i*cp.classes : (i+1)*cp.classes]
		cp.expectedEntropy[i] += entropy(p)
		a.votes[i*cp.classes+argmax(p)]++
	}
}

// result turns the sums of every sample into the predictive.
func (a *accumulator) result() *ClassPredictive {
	cp, S := a.cp, float64(a.cp.samples)
	for j := range cp.mean {
		cp.mean[j] /= S
	}
	for i := range cp.n {
		cp.expectedEntropy[i] /= S
		cp.majorityVotes[i] = a.votes[i*cp.classes+argmaxInt(a.votes[i*cp.classes:(i+1)*cp.classes])]
	}
	return cp
}

// Samples returns the number of Monte-Carlo samples S.
func (cp *ClassPredictive) Samples() int { return cp.samples }

// Len returns the number of inputs n.
func (cp *ClassPredictive) Len() int { return cp.n }

// Classes returns the number of classes.
func (cp *ClassPredictive) Classes() int { return cp.classes }

// Mean returns the predictive probabilities, the mean over samples, as a
// new n x classes row-major slice: Mean()[i*classes+c] is the probability
// of class c for input i.
func (cp *ClassPredictive) Mean() []float64 {
	return append([]float64(nil), cp.mean...)
}

// Predicted returns the predicted class of each input: the argmax of the
// mean probabilities, the lowest class index on ties.
func (cp *ClassPredictive) Predicted() []int {
	pred := make([]int, cp.n)
	for i := range pred {
		pred[i] = argmax(cp.row(i))
	}
	return pred
}

// Accuracy returns the share of inputs whose predicted class (see
// Predicted) equals labels[i].
//
// It returns an error if labels does not have one label per input or a
// label is not a valid class index.
func (cp *ClassPredictive) Accuracy(labels []int) (float64, error) {
	if err := cp.checkLabels("Accuracy", labels); err != nil {
		return 0, err
	}
	correct := 0
	for i, y := range labels {
		if argmax(cp.row(i)) == y {
			correct++
		}
	}
	return float64(correct) / float64(cp.n), nil
}

// NLL returns the mean negative log-likelihood of the labels under the
// predictive distribution, mean over i of -log(max(Mean[i][labels[i]],
// NLLFloor)), in nats. Averaging the probabilities over samples before
// taking the logarithm makes this the NLL of the Bayesian model average,
// the figure reported in the Bayesian deep learning literature.
//
// It returns an error under the same conditions as Accuracy.
func (cp *ClassPredictive) NLL(labels []int) (float64, error) {
	if err := cp.checkLabels("NLL", labels); err != nil {
		return 0, err
	}
	var sum float64
	for i, y := range labels {
		sum -= math.Log(max(cp.mean[i*cp.classes+y], NLLFloor))
	}
	return sum / float64(cp.n), nil
}

// row returns the mean probabilities of input i, sharing storage.
func (cp *ClassPredictive) row(i int) []float64 {
	return cp.mean[i*cp.classes : (i+1)*cp.classes]
}

func (cp *ClassPredictive) checkLabels(fn string, labels []int) error {
	if len(labels) != cp.n {
		return fmt.Errorf("uncertainty: %s: %d labels for %d inputs", fn, len(labels), cp.n)
	}
	for i, y := range labels {
		if y < 0 || y >= cp.classes {
			return fmt.Errorf("uncertainty: %s: labels[%d] = %d is not a class in [0, %d)", fn, i, y, cp.classes)
		}
	}
	return nil
}

// argmax returns the index of the largest value, the first one on ties.
func argmax(xs []float64) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}

func argmaxInt(xs []int) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}
