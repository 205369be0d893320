package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/netspec"
)

func testConfig(model string) config {
	c := config{model: model, epochs: 5, batch: 128, samples: 1, evalSamples: 10, oodSamples: 100,
		lr: 1e-3, rhoInit: -4, rhoLRScale: 10, priorSigma: 1, muStd: 0.1, estimator: bayesnodes.Flipout, klScale: 0.003, seed: 1, level: 0.95, log: io.Discard}
	if model == "lenet" {
		c.epochs, c.batch = 2, 64 // the peers' W3 workload
		lenetDefaults(&c, func(string) bool { return false })
	}
	return c
}

// testSeeds are seeds that the defaults were not chosen on (those were
// 1-5), so that a default that only holds on its tuning seeds fails.
var testSeeds = []uint64{101, 102, 103}

// runPair trains the Bayesian network and its deterministic twin (same
// network, same settings, mean weights and no KL) side by side.
func runPair(t *testing.T, c config) (bayes, det *result) {
	t.Helper()
	var wg sync.WaitGroup
	var errB, errD error
	dc := c
	dc.deterministic, dc.out, dc.save = true, "", ""
	wg.Add(2)
	go func() { defer wg.Done(); bayes, errB = run(context.Background(), c) }()
	go func() { defer wg.Done(); det, errD = run(context.Background(), dc) }()
	wg.Wait()
	if errB != nil || errD != nil {
		t.Fatalf("seed %d: bayesian: %v; deterministic: %v", c.seed, errB, errD)
	}
	for _, r := range []*result{bayes, det} {
		b, _ := json.Marshal(r)
		t.Logf("seed %d: %s", c.seed, b)
	}
	return bayes, det
}

// median returns the median of an odd number of values.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestMLPUncertainty is the W2 workload on the embedded digits (5 epochs,
// K = 1, batch 128), with Fashion-MNIST images as out-of-distribution
// inputs, over the test seeds.
func TestMLPUncertainty(t *testing.T) {
	var accB, accD, miB []float64
	for _, seed := range testSeeds {
		c := testConfig("mlp")
		c.seed = seed
		c.ood = filepath.Join("testdata", "fashion2k")
		if seed == testSeeds[0] {
			c.out = t.TempDir()
			c.save = filepath.Join(c.out, "mlp.safetensors")
		}
		bayes, det := runPair(t, c)
		accB, accD = append(accB, bayes.Accuracy), append(accD, det.Accuracy)
		if c.save != "" {
			if _, s, err := netspec.Load(c.save); err != nil || !s.SameNetwork(spec(c)) || !(s.OODThreshold > 0) {
				t.Errorf("-save: spec %+v, %v; want the MLP with an OOD threshold", s, err)
			}
		}
		if bayes.Accuracy < 0.935 {
			t.Errorf("seed %d: accuracy %.4f, want >= 0.935", seed, bayes.Accuracy)
		}
		if bayes.ECE > 0.015 {
			t.Errorf("seed %d: ECE %.4f, want <= 0.015", seed, bayes.ECE)
		}
		if bayes.NLL > 0.241 {
			t.Errorf("seed %d: NLL %.4f, want <= 0.241 (BLiTZ: 0.299)", seed, bayes.NLL)
		}
		if bayes.OODAUROC == nil || det.OODAUROC == nil {
			t.Fatalf("seed %d: no out-of-distribution AUROC reported", seed)
		}
		miB = append(miB, *bayes.OODAUROCMI)
		if *bayes.OODAUROCMI < 0.90 || *bayes.OODAUROCMI < *det.OODAUROC+0.02 {
			t.Errorf("seed %d: out-of-distribution AUROC by mutual information %.3f, want >= 0.90 and >= 0.02 above the deterministic network's %.3f by entropy",
				seed, *bayes.OODAUROCMI, *det.OODAUROC)
		}
		// Conformal sets at 95%, averaged over random halvings of the test
		// digits, cover 95% of the held-out halves (their expectation is
		// exactly the level); most digits get a single class.
		if bayes.Coverage < 0.94 || bayes.Coverage > 0.96 {
			t.Errorf("seed %d: conformal sets cover %.4f, want in [0.94, 0.96]", seed, bayes.Coverage)
		}
		if bayes.SetSize < 1 || bayes.SetSize > 2 {
			t.Errorf("seed %d: mean conformal set size %.3f, want in [1, 2]", seed, bayes.SetSize)
		}
		// The temperature minimises the NLL on one half: on the other it
		// may cost a little where the predictive is already calibrated.
		if bayes.Temperature < 0.5 || bayes.Temperature > 2 || bayes.TemperedNLL > bayes.RawNLL+0.005 {
			t.Errorf("seed %d: temperature %.3f with held-out NLL %.4f -> %.4f, want in [0.5, 2] and no worse than +0.005",
				seed, bayes.Temperature, bayes.RawNLL, bayes.TemperedNLL)
		}
		if c.out != "" {
			for _, name := range []string{"reliability.png", "entropy.png", "uncertain.png"} {
				if fi, err := os.Stat(filepath.Join(c.out, name)); err != nil || fi.Size() < 2000 {
					t.Errorf("%s not written (%v)", name, err)
				}
			}
		}
	}
	// One seed's accuracy on 2,000 digits has a standard error of 0.005.
	if median(accB) < median(accD)-0.005 {
		t.Errorf("median accuracy %.4f, want at least the deterministic twin's %.4f - 0.005", median(accB), median(accD))
	}
	if median(miB) < 0.92 {
		t.Errorf("median out-of-distribution AUROC by mutual information %.3f, want >= 0.92 (bayesian-torch Flipout: 0.906)", median(miB))
	}
}

// TestLeNetAgainstDeterministic is the W3 workload over the test seeds:
// every seed's NLL is below BLiTZ's, and the Bayesian LeNet is about as
// accurate as the same network trained deterministically, with about its
// NLL. Over seeds 1-10 it is ahead (median accuracy 0.9543 against
// 0.9515, NLL 0.144 against 0.146, worst NLL 0.167 against 0.188); on
// 101-103 the twin is (0.950 against 0.9535, NLL 0.160 against 0.153):
// the difference is within the seeds' spread, so "better than the
// twin", the issue's target, is not asserted.
func TestLeNetAgainstDeterministic(t *testing.T) {
	var accB, accD, nllB, nllD []float64
	for _, seed := range testSeeds {
		c := testConfig("lenet")
		c.seed = seed
		bayes, det := runPair(t, c)
		accB, accD = append(accB, bayes.Accuracy), append(accD, det.Accuracy)
		nllB, nllD = append(nllB, bayes.NLL), append(nllD, det.NLL)
		if bayes.NLL >= 0.241 {
			t.Errorf("seed %d: Bayesian LeNet NLL %.4f, want below BLiTZ's 0.241", seed, bayes.NLL)
		}
		if bayes.ECE > 0.05 {
			t.Errorf("seed %d: Bayesian LeNet ECE %.4f, want <= 0.05", seed, bayes.ECE)
		}
	}
	if median(accB) < median(accD)-0.015 {
		t.Errorf("median accuracy %.4f, want within 0.015 of the deterministic twin's %.4f", median(accB), median(accD))
	}
	if median(nllB) > median(nllD)+0.02 {
		t.Errorf("median NLL %.4f, want within 0.02 of the deterministic twin's %.4f", median(nllB), median(nllD))
	}
}

// TestEnsemble pools two deterministic MLPs trained one epoch: the pool
// has predictive spread where each member alone has none, so it can score
// out-of-distribution images by mutual information.
func TestEnsemble(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two networks")
	}
	c := testConfig("mlp")
	c.epochs, c.ensemble, c.deterministic, c.evalSamples, c.oodSamples = 1, 2, true, 1, 1
	c.ood = filepath.Join("testdata", "fashion2k")
	r, err := run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	t.Log(string(b))
	e := r.ensembleStats
	if e == nil || e.Members != 2 || e.OODAUROCMI == nil {
		t.Fatalf("ensemble figures %+v, want two members with out-of-distribution scores", e)
	}
	if e.Accuracy < 0.85 {
		t.Errorf("ensemble accuracy %.4f, want >= 0.85", e.Accuracy)
	}
	if *e.OODAUROCMI <= 0.5 {
		t.Errorf("ensemble out-of-distribution AUROC by mutual information %.3f, want > 0.5", *e.OODAUROCMI)
	}
}

// writeIDX writes a gzip-less IDX pair of count images of size x size.
func writeIDX(t *testing.T, dir string, count, size int, label byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	img := binary.BigEndian.AppendUint32(nil, 0x803)
	for _, v := range []int{count, size, size} {
		img = binary.BigEndian.AppendUint32(img, uint32(v))
	}
	img = append(img, make([]byte, count*size*size)...)
	lab := binary.BigEndian.AppendUint32(nil, 0x801)
	lab = binary.BigEndian.AppendUint32(lab, uint32(count))
	for i := 0; i < count; i++ {
		lab = append(lab, label)
	}
	if err := os.WriteFile(filepath.Join(dir, "images-idx3-ubyte"), img, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "labels-idx1-ubyte"), lab, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	small := filepath.Join(t.TempDir(), "small")
	writeIDX(t, small, 20, 10, 3)
	empty := filepath.Join(t.TempDir(), "empty")
	writeIDX(t, empty, 0, 28, 0)
	cases := []struct {
		name   string
		mutate func(*config)
		want   string
	}{
		{"unknown model", func(c *config) { c.model = "resnet" }, `-model "resnet"`},
		{"zero epochs", func(c *config) { c.epochs = 0 }, "must be > 0"},
		{"zero samples", func(c *config) { c.samples = 0 }, "must be > 0"},
		{"negative lr", func(c *config) { c.lr = -1 }, "-lr -1"},
		{"zero rho learning-rate scale", func(c *config) { c.rhoLRScale = 0 }, "-rho-lr-scale 0"},
		{"negative prior sigma", func(c *config) { c.priorSigma = -1 }, "-prior-sigma -1"},
		{"level 1", func(c *config) { c.level = 1 }, "-level 1"},
		{"ensemble of one", func(c *config) { c.ensemble = 1 }, "-ensemble 1"},
		{"unknown estimator", func(c *config) { c.estimator = 9 }, "unknown estimator 9"},
		{"missing data dir", func(c *config) { c.data = filepath.Join(t.TempDir(), "nope") }, "nope"},
		{"images of the wrong size", func(c *config) { c.data = small }, "the networks take 28x28"},
		{"empty data set", func(c *config) { c.data = empty }, "empty"},
		{"missing ood dir", func(c *config) { c.ood = filepath.Join(t.TempDir(), "nothing") }, "-ood"},
		{"ood of the wrong size", func(c *config) { c.ood = small }, "the networks take 28x28"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig("mlp")
			c.epochs = 1
			tc.mutate(&c)
			_, err := run(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
