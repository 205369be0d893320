package uncertainty

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestFitTemperatureRecoversTheScale(t *testing.T) {
	// Labels drawn from softmax(z / 2): the fitted temperature on the
	// logits z should be near 2, and on z/2 near 1.
	const classes, n = 5, 20000
	rng := rand.New(rand.NewPCG(7, 8))
	logits, labels := make([]float64, n*classes), make([]int, n)
	for i := range labels {
		z := logits[i*classes : (i+1)*classes]
		for c := range z {
			z[c] = 3 * rng.NormFloat64()
		}
		p, _ := Temperature(2).Probabilities(z, classes)
		labels[i] = drawClass(rng, p)
	}
	T, err := FitTemperature(logits, labels, classes)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(T)-2) > 0.1 {
		t.Errorf("T = %.4f, want 2 ± 0.1", float64(T))
	}
	// The fit is the minimum of the NLL: nudging T either way costs.
	nll := func(T Temperature) float64 {
		p, err := T.Probabilities(logits, classes)
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for i, y := range labels {
			s -= math.Log(p[i*classes+y])
		}
		return s / n
	}
	if best := nll(T); nll(T*1.01) <= best || nll(T*0.99) <= best {
		t.Errorf("NLL at T = %.4f (%.6f) is not below T ± 1%% (%.6f, %.6f)", float64(T), best, nll(T*0.99), nll(T*1.01))
	}
}

func TestFitTemperatureClampsSeparableData(t *testing.T) {
	// Every label is the argmax: the NLL keeps falling as T -> 0.
	T, err := FitTemperature([]float64{2, 0, 0, 3}, []int{0, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if float64(T) != minTemperature {
		t.Errorf("T = %v, want the lower bound %v", float64(T), minTemperature)
	}
}

// temperedSet draws n rows of scores 3 N(0, 1) per class and labels from
// softmax(scores / trueT): trueT > 1 makes the scores over-confident,
// trueT < 1 under-confident, 1 calibrated.
func temperedSet(seed uint64, n, classes int, trueT Temperature) (scores []float64, labels []int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	scores, labels = make([]float64, n*classes), make([]int, n)
	for i := range labels {
		z := scores[i*classes : (i+1)*classes]
		for c := range z {
			z[c] = 3 * rng.NormFloat64()
		}
		p, _ := trueT.Probabilities(z, classes)
		labels[i] = drawClass(rng, p)
	}
	return scores, labels
}

// heldOut returns the NLL and ECE (15 bins) of softmax(scores / T) on labels.
func heldOut(t *testing.T, T Temperature, scores []float64, labels []int, classes int) (nll, ece float64) {
	t.Helper()
	p, err := T.Probabilities(scores, classes)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := NewClassPredictive([][]float64{p}, len(labels), classes)
	if err != nil {
		t.Fatal(err)
	}
	if nll, err = cp.NLL(labels); err != nil {
		t.Fatal(err)
	}
	cal, err := cp.Calibration(labels, 15)
	if err != nil {
		t.Fatal(err)
	}
	return nll, cal.ECE
}

// TestTemperatureLowersHeldOutNLL fits a temperature on 1,000 rows and
// scores 1,000 others, as the MNIST example does with its test digits. On
// over- and under-confident scores it must recover the scale and lower
// the held-out NLL and ECE clearly. On calibrated scores it must stay near
// 1 and leave the NLL as it is, while their ECE stays well above 0: the
// sampling floor of 15 bins over 1,000 rows, which no temperature removes.
func TestTemperatureLowersHeldOutNLL(t *testing.T) {
	const classes, n = 10, 1000
	for _, tc := range []struct {
		name  string
		trueT Temperature
	}{
		{"over-confident", 2},
		{"under-confident", 0.5},
		{"calibrated", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 5; seed++ {
				scores, labels := temperedSet(seed, 2*n, classes, tc.trueT)
				T, err := FitTemperature(scores[:n*classes], labels[:n], classes)
				if err != nil {
					t.Fatal(err)
				}
				rawNLL, rawECE := heldOut(t, 1, scores[n*classes:], labels[n:], classes)
				nll, ece := heldOut(t, T, scores[n*classes:], labels[n:], classes)
				t.Logf("seed %d: T %.3f, held-out NLL %.4f -> %.4f, ECE %.4f -> %.4f", seed, float64(T), rawNLL, nll, rawECE, ece)
				if r := float64(T / tc.trueT); r < 0.85 || r > 1.15 {
					t.Errorf("seed %d: T = %.3f, want %.2f ± 15%%", seed, float64(T), float64(tc.trueT))
				}
				if tc.trueT == 1 {
					// The ECE moves either way by up to about 0.012 here:
					// the bins' sampling noise, not calibration.
					if math.Abs(nll-rawNLL) > 0.005 {
						t.Errorf("seed %d: calibrated scores' NLL moved: %.4f -> %.4f", seed, rawNLL, nll)
					}
					if rawECE < 0.01 {
						t.Errorf("seed %d: ECE %.4f of calibrated scores on %d rows, want the sampling floor >= 0.01", seed, rawECE, n)
					}
					continue
				}
				if nll > rawNLL-0.05 {
					t.Errorf("seed %d: held-out NLL %.4f -> %.4f, want it lowered by at least 0.05", seed, rawNLL, nll)
				}
				if ece > rawECE/2 {
					t.Errorf("seed %d: held-out ECE %.4f -> %.4f, want it at least halved", seed, rawECE, ece)
				}
			}
		})
	}
}

func TestTemperatureErrors(t *testing.T) {
	scores, labels := []float64{1, 2, 3, 4}, []int{0, 1}
	for _, tc := range []struct {
		name    string
		err     error
		want    error  // nil: check the message only
		culprit string // in the message
	}{
		{"no labels", second(FitTemperature(nil, nil, 2)), ErrEmptyCalibration, "no labels"},
		{"short scores", second(FitTemperature(scores[:3], labels, 2)), ErrLengthMismatch, "3 scores for 2 labels"},
		{"NaN score", second(FitTemperature([]float64{1, math.NaN(), 3, 4}, labels, 2)), ErrNaNScore, "score 1"},
		{"infinite score", second(FitTemperature([]float64{1, 2, math.Inf(-1), 4}, labels, 2)), ErrNaNScore, "row 1, class 0"},
		{"label not a class", second(FitTemperature(scores, []int{0, 2}, 2)), nil, "labels[1] = 2"},
		{"negative label", second(FitTemperature(scores, []int{-1, 0}, 2)), nil, "labels[0] = -1"},
		{"no classes", second(FitTemperature(scores, labels, 0)), nil, "classes = 0"},
		{"T = 0", second(Temperature(0).Probabilities(scores, 2)), ErrNonPositiveScale, "T = 0"},
		{"T < 0", second(Temperature(-1).Probabilities(scores, 2)), ErrNonPositiveScale, "T = -1"},
		{"T NaN", second(Temperature(math.NaN()).Probabilities(scores, 2)), ErrNonPositiveScale, "T = NaN"},
		{"T infinite", second(Temperature(math.Inf(1)).Probabilities(scores, 2)), ErrNonPositiveScale, "T = +Inf"},
		{"ragged rows", second(Temperature(1).Probabilities(scores[:3], 2)), nil, "3 logits"},
	} {
		if tc.want != nil && !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, tc.err, tc.want)
		}
		wantError(t, tc.err, tc.culprit)
	}
}
