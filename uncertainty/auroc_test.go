package uncertainty

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAUROCHandCases(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name     string
		scores   []float64
		positive []bool
		want     float64
	}{
		// 4 pairs; the positive 0.35 loses to the negative 0.4: 3/4.
		{"scikit-learn example", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		{"perfect", []float64{1, 2, 3, 4}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{1, 2, 3, 4}, []bool{true, true, false, false}, 0},
		{"all tied", []float64{5, 5, 5}, []bool{true, false, false}, 0.5},
		// Positive 1 ties negative 1 (1/2) and loses to negative 2 (0);
		// positive 3 beats both (2): 2.5 / 4.
		{"ties", []float64{1, 1, 2, 3}, []bool{false, true, false, true}, 0.625},
		{"infinities", []float64{-inf, inf, 0}, []bool{false, true, false}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AUROC(tc.scores, tc.positive)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tc.want, 1e-15) {
				t.Errorf("AUROC = %v, want %v", got, tc.want)
			}
		})
	}
}

// bruteAUROC counts pairs directly, O(n²).
func bruteAUROC(scores []float64, positive []bool) float64 {
	var wins, pairs float64
	for i := range scores {
		if !positive[i] {
			continue
		}
		for j := range scores {
			if positive[j] {
				continue
			}
			pairs++
			switch {
			case scores[i] > scores[j]:
				wins++
			case scores[i] == scores[j]:
				wins += 0.5
			}
		}
	}
	return wins / pairs
}

func TestAUROCMatchesPairCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 2 + rng.IntN(60)
		scores := make([]float64, n)
		positive := make([]bool, n)
		for i := range scores {
			// Few distinct values, so that ties are common.
			scores[i] = float64(rng.IntN(8))
			positive[i] = rng.Float64() < 0.4
			if positive[i] {
				scores[i] += float64(rng.IntN(3))
			}
		}
		positive[0], positive[1] = true, false
		got, err := AUROC(scores, positive)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteAUROC(scores, positive); !near(got, want, 1e-12) {
			t.Errorf("trial %d: AUROC = %v, pair counting gives %v", trial, got, want)
		}
	}
}

func TestAUROCErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scores   []float64
		positive []bool
		culprit  string
	}{
		{"empty", nil, nil, "scores is empty"},
		{"length", []float64{1, 2}, []bool{true}, "positive has 1 values, scores has 2"},
		{"NaN", []float64{1, math.NaN()}, []bool{true, false}, "scores[1] is NaN"},
		{"no positives", []float64{1, 2}, []bool{false, false}, "no positive examples"},
		{"no negatives", []float64{1, 2}, []bool{true, true}, "no negative examples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := AUROC(tc.scores, tc.positive)
			wantError(t, err, tc.culprit)
		})
	}
}

func TestOODAUROC(t *testing.T) {
	// Out 0.3 beats both in-distribution scores, out 0.15 beats 0.1 only,
	// out 0.2 ties in 0.2 and beats 0.1: (2 + 1 + 1.5) / 6.
	got, err := OODAUROC([]float64{0.1, 0.2}, []float64{0.3, 0.15, 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if want := 4.5 / 6; !near(got, want, 1e-15) {
		t.Errorf("OODAUROC = %v, want %v", got, want)
	}
}

func TestOODAUROCErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in, out []float64
		culprit string
	}{
		{"no in", nil, []float64{1}, "inScores is empty"},
		{"no out", []float64{1}, nil, "outScores is empty"},
		{"NaN in", []float64{1, math.NaN()}, []float64{1}, "inScores[1] is NaN"},
		{"NaN out", []float64{1}, []float64{math.NaN()}, "outScores[0] is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OODAUROC(tc.in, tc.out)
			wantError(t, err, tc.culprit)
		})
	}
}
