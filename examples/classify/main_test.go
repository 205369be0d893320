package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/datasets"
)

// testConfig is the command's default configuration for data and seed,
// with the progress lines silenced.
func testConfig(data string, seed uint64) config {
	c := defaults(data)
	c.seed, c.log = seed, io.Discard
	return c
}

// TestClassify is the example's statistical check, at the command's
// defaults and over three seeds that were not used to choose them (those
// were 1-10; each seed draws its own split, initialisation and noise,
// moons also its own points), so that it does not hinge on one:
// the classifier ranks and predicts the held-out classes well, and its
// predictive is far better than a uniform guess without being certain.
func TestClassify(t *testing.T) {
	if testing.Short() {
		t.Skip("trains six networks")
	}
	for _, tc := range []struct {
		data          string
		train, test   int
		classes       int
		minAcc, minAU float64
	}{
		{"iris", 105, 45, 3, 0.9, 0.95},
		{"moons", 700, 300, 2, 0.95, 0.98},
	} {
		for _, seed := range []uint64{101, 102, 103} {
			r, err := run(context.Background(), testConfig(tc.data, seed))
			if err != nil {
				t.Fatalf("%s seed %d: %v", tc.data, seed, err)
			}
			b, _ := json.Marshal(r)
			t.Logf("%s seed %d: %s", tc.data, seed, b)
			if r.Train != tc.train || r.Test != tc.test || r.Classes != tc.classes {
				t.Errorf("%s seed %d: %d train, %d test, %d classes; want %d, %d, %d",
					tc.data, seed, r.Train, r.Test, r.Classes, tc.train, tc.test, tc.classes)
			}
			if r.Accuracy < tc.minAcc {
				t.Errorf("%s seed %d: accuracy %.4f, want >= %v", tc.data, seed, r.Accuracy, tc.minAcc)
			}
			if !(r.ROCAUC >= tc.minAU && r.ROCAUC <= 1) {
				t.Errorf("%s seed %d: ROC AUC %.4f, want in [%v, 1]", tc.data, seed, r.ROCAUC, tc.minAU)
			}
			// A uniform predictive has NLL and entropy log(classes).
			uniform := math.Log(float64(tc.classes))
			if !(r.NLL < uniform/2) {
				t.Errorf("%s seed %d: NLL %.4f, want < half the uniform predictive's %.4f", tc.data, seed, r.NLL, uniform)
			}
			if !(r.MeanEntropy > 0 && r.MeanEntropy < uniform/2) {
				t.Errorf("%s seed %d: mean entropy %.4f, want in (0, %.4f)", tc.data, seed, r.MeanEntropy, uniform/2)
			}
			if !(r.ECE >= 0 && r.ECE < 0.2) {
				t.Errorf("%s seed %d: ECE %.4f, want in [0, 0.2)", tc.data, seed, r.ECE)
			}
		}
	}
}

// figures returns r without its timings, which differ between runs.
func figures(r *result) result {
	f := *r
	f.StepsPerSecond, f.Seconds = 0, 0
	return f
}

func TestSeedReproducesRun(t *testing.T) {
	for _, data := range []string{"iris", "moons"} {
		c := testConfig(data, 7)
		c.epochs, c.evalSamples = 3, 10
		a, err := run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		b, err := run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if figures(a) != figures(b) {
			t.Errorf("%s: same seed, different figures:\n%+v\n%+v", data, *a, *b)
		}
		c.seed = 8
		d, err := run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if d.NLL == a.NLL || d.FinalLoss == a.FinalLoss {
			t.Errorf("%s: seeds 7 and 8 gave the same NLL %v and final loss %v", data, a.NLL, a.FinalLoss)
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		flag   string
		mutate func(*config)
		want   error
	}{
		{"-data", func(c *config) { c.data = "mnist" }, errUnknownData},
		{"-data", func(c *config) { c.data = "" }, errUnknownData},
		{"-epochs", func(c *config) { c.epochs = 0 }, errNotPositive},
		{"-epochs", func(c *config) { c.epochs = -3 }, errNotPositive},
		{"-batch", func(c *config) { c.batch = 0 }, errNotPositive},
		{"-samples", func(c *config) { c.samples = 0 }, errNotPositive},
		{"-samples", func(c *config) { c.samples = -1 }, errNotPositive},
		{"-eval-samples", func(c *config) { c.evalSamples = 0 }, errNotPositive},
		{"-lr", func(c *config) { c.lr = 0 }, errBadLR},
		{"-lr", func(c *config) { c.lr = -0.01 }, errBadLR},
		{"-lr", func(c *config) { c.lr = math.NaN() }, errBadLR},
		{"-lr", func(c *config) { c.lr = math.Inf(1) }, errBadLR},
		{"-noise", func(c *config) { c.noise = -0.1 }, errBadNoise},
		{"-noise", func(c *config) { c.noise = math.NaN() }, errBadNoise},
	} {
		c := testConfig("moons", 1)
		tc.mutate(&c)
		_, err := run(context.Background(), c)
		if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.flag+" ") {
			t.Errorf("%+v: error %v, want %q naming %s", c, err, tc.want, tc.flag)
		}
	}
}

// TestLoadStandardises checks that both splits are standardised with the
// training split's statistics: the training features have mean 0 and sd 1,
// and the test features are the raw ones mapped by the same affine map.
func TestLoadStandardises(t *testing.T) {
	const seed = 4
	train, test, err := load("iris", seed, 0)
	if err != nil {
		t.Fatal(err)
	}
	all, err := datasets.Iris()
	if err != nil {
		t.Fatal(err)
	}
	rawTrain, rawTest, err := all.Split(testFraction, seed)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 105 || test.Len() != 45 {
		t.Fatalf("%d train, %d test; want 105, 45", train.Len(), test.Len())
	}
	mean, sd := columnStats(&train)
	rawMean, rawSD := columnStats(&rawTrain)
	for j := range mean {
		if math.Abs(mean[j]) > 1e-12 || math.Abs(sd[j]-1) > 1e-12 {
			t.Errorf("feature %d of the training split: mean %g, sd %g; want 0, 1", j, mean[j], sd[j])
		}
	}
	w := test.Width()
	for i, v := range test.X {
		j := i % w
		if want := (rawTest.X[i] - rawMean[j]) / rawSD[j]; math.Abs(v-want) > 1e-12 {
			t.Fatalf("test row %d feature %d: %g, want %g, standardised by the training split", i/w, j, v, want)
		}
	}
	testMean, _ := columnStats(&test)
	if testMean[0] == 0 {
		t.Errorf("the test split's first feature has mean exactly 0: standardised by its own statistics?")
	}
}

func TestROCAUC(t *testing.T) {
	for _, tc := range []struct {
		name    string
		probs   []float64
		labels  []int
		classes int
		want    float64
	}{
		{"two classes, perfect", []float64{0.9, 0.1, 0.3, 0.7, 0.6, 0.4, 0.2, 0.8}, []int{0, 1, 0, 1}, 2, 1},
		{"two classes, inverted", []float64{0.1, 0.9, 0.7, 0.3}, []int{0, 1}, 2, 0},
		// Classes 0 and 1 ranked perfectly, class 2's scores all tied.
		{"three classes, macro", []float64{0.5, 0.2, 0.3, 0.2, 0.5, 0.3, 0.4, 0.3, 0.3}, []int{0, 1, 2}, 3, 2.5 / 3},
	} {
		got, err := rocAUC(tc.probs, tc.labels, tc.classes)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Class 2 never occurs: its one-vs-rest AUROC is undefined.
	if _, err := rocAUC([]float64{0.5, 0.2, 0.3, 0.2, 0.5, 0.3}, []int{0, 1}, 3); err == nil || !strings.Contains(err.Error(), "class 2") {
		t.Errorf("a class without examples: error %v, want one naming class 2", err)
	}
}

// TestJSONLastLine checks the -json output: one JSON object on the last
// line, with the run's figures.
func TestJSONLastLine(t *testing.T) {
	c := testConfig("iris", 1)
	c.epochs, c.evalSamples = 2, 5
	var out bytes.Buffer
	if err := runMain(context.Background(), c, true, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	var r result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if r.Data != "iris" || r.Test != 45 || r.Epochs != 2 || r.EvalSamples != 5 || !(r.Accuracy >= 0 && r.Accuracy <= 1) {
		t.Errorf("JSON figures %+v do not describe the run", r)
	}
}
