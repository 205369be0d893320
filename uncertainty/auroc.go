package uncertainty

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// AUROC returns the area under the ROC curve of scores as a detector of
// the positive class: the probability that a randomly drawn positive
// scores higher than a randomly drawn negative, ties counting one half.
// This is the Mann-Whitney U statistic divided by (positives × negatives),
// computed from the sorted scores in O(n log n). It is 1 for a perfect
// detector, 0.5 for one that cannot tell the classes apart and 0 for a
// perfectly inverted one.
//
// It returns an error if the slices are empty or differ in length, a score
// is NaN, or one of the classes has no members. Infinite scores are
// allowed.
func AUROC(scores []float64, positive []bool) (float64, error) {
	const fn = "AUROC"
	if len(scores) == 0 {
		return 0, fmt.Errorf("uncertainty: %s: scores is empty", fn)
	}
	if len(positive) != len(scores) {
		return 0, fmt.Errorf("uncertainty: %s: positive has %d values, scores has %d", fn, len(positive), len(scores))
	}
	items := make([]labelled, len(scores))
	for i, s := range scores {
		if math.IsNaN(s) {
			return 0, fmt.Errorf("uncertainty: %s: scores[%d] is NaN", fn, i)
		}
		items[i] = labelled{s, positive[i]}
	}
	return auroc(fn, items, "positive", "negative")
}

// OODAUROC returns how well a score separates out-of-distribution inputs
// from in-distribution ones: the AUROC with the out-of-distribution inputs
// as the positive class, so higher scores must mean "more likely OOD"
// (entropy and mutual information qualify; a confidence such as the
// maximum probability must be negated first). For example, the entropy of
// an MNIST model on MNIST test digits (inScores) against Fashion-MNIST
// images (outScores).
//
// It returns an error if either slice is empty or holds a NaN.
func OODAUROC(inScores, outScores []float64) (float64, error) {
	const fn = "OODAUROC"
	items := make([]labelled, 0, len(inScores)+len(outScores))
	for _, a := range []struct {
		name   string
		scores []float64
		out    bool
	}{{"inScores", inScores, false}, {"outScores", outScores, true}} {
		if len(a.scores) == 0 {
			return 0, fmt.Errorf("uncertainty: %s: %s is empty", fn, a.name)
		}
		for i, s := range a.scores {
			if math.IsNaN(s) {
				return 0, fmt.Errorf("uncertainty: %s: %s[%d] is NaN", fn, a.name, i)
			}
			items = append(items, labelled{s, a.out})
		}
	}
	return auroc(fn, items, "out-of-distribution", "in-distribution")
}

type labelled struct {
	score    float64
	positive bool
}

// auroc sorts items by score and, going up through groups of tied scores,
// credits each positive with the negatives below it plus half the
// negatives tied with it. Counts are float64 so that the products cannot
// overflow; they are exact below 2^53.
func auroc(fn string, items []labelled, posName, negName string) (float64, error) {
	slices.SortFunc(items, func(a, b labelled) int { return cmp.Compare(a.score, b.score) })
	var negBelow, pairs, pos, neg float64
	for i := 0; i < len(items); {
		j := i
		var p, q float64 // positives and negatives in the tie group
		for ; j < len(items) && items[j].score == items[i].score; j++ {
			if items[j].positive {
				p++
			} else {
				q++
			}
		}
		pairs += p * (negBelow + q/2)
		negBelow += q
		pos += p
		neg += q
		i = j
	}
	if pos == 0 {
		return 0, fmt.Errorf("uncertainty: %s: no %s examples", fn, posName)
	}
	if neg == 0 {
		return 0, fmt.Errorf("uncertainty: %s: no %s examples", fn, negName)
	}
	return pairs / (pos * neg), nil
}
