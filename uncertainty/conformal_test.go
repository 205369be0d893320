package uncertainty

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// meanCoverage is the check every conformal method must pass: over many
// random splits of an exchangeable pool into calibration and test points,
// the mean test coverage is within 4 standard errors of the nominal level
// (the level is chosen so that ceil((n+1) level) = (n+1) level, where the
// expected coverage is exactly the level). coveredShare calibrates on cal
// and returns the share of test points covered.
func meanCoverage(level float64, pool, nCal, nTest, splits int, coveredShare func(cal, test []int) (float64, error)) (mean, se float64, err error) {
	rng := rand.New(rand.NewPCG(11, 12))
	idx := make([]int, pool)
	for i := range idx {
		idx[i] = i
	}
	shares := make([]float64, splits)
	for s := range shares {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		if shares[s], err = coveredShare(idx[:nCal], idx[nCal:nCal+nTest]); err != nil {
			return 0, 0, err
		}
	}
	for _, c := range shares {
		mean += c
	}
	mean /= float64(splits)
	var ss float64
	for _, c := range shares {
		ss += (c - mean) * (c - mean)
	}
	se = math.Sqrt(ss / float64(splits-1) / float64(splits))
	if math.Abs(mean-level) > 4*se {
		return mean, se, fmt.Errorf("mean coverage %.4f over %d splits, want %.4f ± 4 × %.5f", mean, splits, level, se)
	}
	return mean, se, nil
}

// regressionPool is a misspecified model's predictive on heteroscedastic
// data: the mean is biased and the sd constant, where the noise grows with
// |x|; conformal intervals must cover anyway.
func regressionPool(n int) (y, mean, sd []float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	y, mean, sd = make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range y {
		x := 6*rng.Float64() - 3
		y[i] = math.Sin(x) + (0.05+0.2*math.Abs(x))*rng.NormFloat64()
		mean[i] = 0.8 * math.Sin(x)
		sd[i] = 0.15 + 0.02*math.Abs(x)
	}
	return y, mean, sd
}

func pick(xs []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// offByOneRank calibrates an interval on the (k-1)-th smallest score
// instead of the k-th: the quantile one rank too low.
func offByOneRank(y, mean, sd []float64, level float64) (ConformalInterval, error) {
	scores, err := normalisedResiduals("test", y, mean, sd)
	if err != nil {
		return ConformalInterval{}, err
	}
	k, err := conformalRank("test", len(scores), level)
	if err != nil {
		return ConformalInterval{}, err
	}
	slices.Sort(scores)
	return ConformalInterval{Level: level, Scale: scores[k-2], N: len(y)}, nil
}

func TestConformalIntervalCoverage(t *testing.T) {
	y, mean, sd := regressionPool(2000)
	for _, level := range []float64{0.9, 0.95} {
		share := func(calibrate func(y, mean, sd []float64, level float64) (ConformalInterval, error)) func(cal, test []int) (float64, error) {
			return func(cal, test []int) (float64, error) {
				c, err := calibrate(pick(y, cal), pick(mean, cal), pick(sd, cal), level)
				if err != nil {
					return 0, err
				}
				return c.Coverage(pick(y, test), pick(mean, test), pick(sd, test))
			}
		}
		m, se, err := meanCoverage(level, len(y), 99, 100, 2000, share(CalibrateInterval))
		t.Logf("level %.2f: CalibrateInterval mean coverage %.4f (se %.5f)", level, m, se)
		if err != nil {
			t.Errorf("level %.2f: %v", level, err)
		}
		m, se, err = meanCoverage(level, len(y), 99, 100, 2000, share(offByOneRank))
		t.Logf("level %.2f: off-by-one rank mean coverage %.4f (se %.5f)", level, m, se)
		if err == nil {
			t.Errorf("level %.2f: the check passed a quantile one rank too low", level)
		}
	}
	// The raw predictive is over-confident here: mean ± 1.96 sd covers less.
	raw, err := EvaluateRegression(y, mean, sd, 1.96)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Inside > 0.8 {
		t.Errorf("raw coverage %.3f: the pool is not misspecified enough to test anything", raw.Inside)
	}
}

// classPool draws n inputs of 10 classes whose labels follow sharper
// probabilities than the model's (an under-confident model).
func classPool(n, classes int) (probs []float64, labels []int) {
	rng := rand.New(rand.NewPCG(5, 6))
	probs, labels = make([]float64, 0, n*classes), make([]int, n)
	z := make([]float64, classes)
	for i := range labels {
		for c := range z {
			z[c] = 1.5 * rng.NormFloat64()
		}
		p, _ := Softmax(z, classes)
		probs = append(probs, p...)
		sharp := slices.Clone(z)
		for c := range sharp {
			sharp[c] *= 2
		}
		q, _ := Softmax(sharp, classes)
		labels[i] = drawClass(rng, q)
	}
	return probs, labels
}

// drawClass draws a class from the probabilities p.
func drawClass(rng *rand.Rand, p []float64) int {
	u, cum := rng.Float64(), 0.0
	for c, pc := range p {
		if cum += pc; u < cum {
			return c
		}
	}
	return len(p) - 1
}

func pickRows(probs []float64, classes int, idx []int) []float64 {
	out := make([]float64, 0, len(idx)*classes)
	for _, j := range idx {
		out = append(out, probs[j*classes:(j+1)*classes]...)
	}
	return out
}

func pickLabels(labels, idx []int) []int {
	out := make([]int, len(idx))
	for i, j := range idx {
		out[i] = labels[j]
	}
	return out
}

func TestConformalSetsCoverage(t *testing.T) {
	const classes = 10
	probs, labels := classPool(2000, classes)
	for _, tc := range []struct {
		name string
		opts []SetOption
	}{
		{"APS", nil},
		{"RAPS", []SetOption{WithPenalty(0.05, 2)}},
	} {
		for _, level := range []float64{0.9, 0.95} {
			share := func(offByOne bool) func(cal, test []int) (float64, error) {
				return func(cal, test []int) (float64, error) {
					opts := append([]SetOption{WithRandomSource(rand.NewPCG(uint64(cal[0]), uint64(test[0])))}, tc.opts...)
					calP, calY := pickRows(probs, classes, cal), pickLabels(labels, cal)
					c, err := CalibrateSets(calP, calY, classes, level, opts...)
					if err != nil {
						return 0, err
					}
					if offByOne {
						scores := c.scores(calP, calY, classes)
						k, _ := conformalRank("test", len(scores), level)
						slices.Sort(scores)
						c.Threshold = scores[k-2]
					}
					sets, err := c.Sets(pickRows(probs, classes, test), classes)
					if err != nil {
						return 0, err
					}
					cov, _, err := SetCoverage(sets, pickLabels(labels, test))
					return cov, err
				}
			}
			m, se, err := meanCoverage(level, len(labels), 99, 100, 2000, share(false))
			t.Logf("%s level %.2f: mean coverage %.4f (se %.5f)", tc.name, level, m, se)
			if err != nil {
				t.Errorf("%s level %.2f: %v", tc.name, level, err)
			}
			m, se, err = meanCoverage(level, len(labels), 99, 100, 2000, share(true))
			t.Logf("%s level %.2f: off-by-one rank mean coverage %.4f (se %.5f)", tc.name, level, m, se)
			if err == nil {
				t.Errorf("%s level %.2f: the check passed a quantile one rank too low", tc.name, level)
			}
		}
	}
}

// Without randomisation the sets are conservative: coverage at least the
// level, and every set holds at least the top class.
func TestConformalSetsDeterministicAreConservative(t *testing.T) {
	const classes = 10
	probs, labels := classPool(2000, classes)
	c, err := CalibrateSets(probs[:1000*classes], labels[:1000], classes, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	sets, err := c.Sets(probs[1000*classes:], classes)
	if err != nil {
		t.Fatal(err)
	}
	cov, size, err := SetCoverage(sets, labels[1000:])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("coverage %.3f, mean size %.2f, threshold %.3f", cov, size, c.Threshold)
	if cov < 0.88 {
		t.Errorf("coverage %.3f, want >= 0.9 within sampling error", cov)
	}
	if size <= 1 || size >= classes {
		t.Errorf("mean set size %.2f, want between 1 and %d", size, classes)
	}
	for i, s := range sets {
		if len(s) == 0 || s[0] != argmax(probs[(1000+i)*classes:(1001+i)*classes]) {
			t.Fatalf("set %d = %v does not start with the top class", i, s)
		}
	}
	again, err := c.Sets(probs[1000*classes:], classes)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sets {
		if !slices.Equal(sets[i], again[i]) {
			t.Fatalf("set %d differs between calls: %v, %v", i, sets[i], again[i])
		}
	}
}

func TestConformalErrors(t *testing.T) {
	ok := []float64{1, 2, 3}
	many := make([]float64, 40)
	for i := range many {
		many[i] = 1
	}
	probs := []float64{0.7, 0.3, 0.2, 0.8}
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"empty", second(CalibrateInterval(nil, nil, nil, 0.9)), ErrEmptyCalibration},
		{"too small", second(CalibrateInterval(ok, ok, ok, 0.9)), ErrCalibrationTooSmall},
		{"level 0", second(CalibrateInterval(many, many, many, 0)), ErrLevel},
		{"level 1", second(CalibrateInterval(many, many, many, 1)), ErrLevel},
		{"level NaN", second(CalibrateInterval(many, many, many, math.NaN())), ErrLevel},
		{"NaN target", second(CalibrateInterval([]float64{1, math.NaN(), 3}, ok, ok, 0.5)), ErrNaNScore},
		{"short sd", second(CalibrateInterval(ok, ok, ok[:2], 0.5)), ErrLengthMismatch},
		{"zero sd", second(CalibrateInterval(ok, ok, []float64{1, 0, 1}, 0.5)), ErrNonPositiveScale},
		{"negative sd in Bounds", third(ConformalInterval{Scale: 2}.Bounds(ok, []float64{1, -1, 1})), ErrNonPositiveScale},
		{"sets empty", second(CalibrateSets(nil, nil, 2, 0.9)), ErrEmptyCalibration},
		{"sets too small", second(CalibrateSets(probs, []int{0, 1}, 2, 0.9)), ErrCalibrationTooSmall},
		{"sets level", second(CalibrateSets(probs, []int{0, 1}, 2, 1.5)), ErrLevel},
		{"sets NaN", second(CalibrateSets([]float64{0.5, math.NaN(), 0.2, 0.8}, []int{0, 1}, 2, 0.5)), ErrNaNScore},
		{"sets labels", second(CalibrateSets(probs, []int{0}, 2, 0.5)), ErrLengthMismatch},
		{"sets rows", second((&ConformalSets{}).Sets(probs[:3], 2)), ErrLengthMismatch},
		{"coverage labels", third(SetCoverage([][]int{{0}}, []int{0, 1})), ErrLengthMismatch},
		{"temperature empty", second(FitTemperature(nil, nil, 3)), ErrEmptyCalibration},
		{"temperature NaN", second(FitTemperature([]float64{1, math.NaN()}, []int{0}, 2)), ErrNaNScore},
		{"temperature scale", second(Temperature(0).Probabilities(probs, 2)), ErrNonPositiveScale},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func third[A, B any](_ A, _ B, err error) error { return err }
