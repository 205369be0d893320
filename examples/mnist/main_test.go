package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/netspec"
)

func testConfig(model string) config {
	c := config{model: model, epochs: 5, batch: 128, samples: 1, evalSamples: 10, oodSamples: 100,
		lr: 1e-3, rhoInit: -4, muStd: 0.1, estimator: bayesnodes.Flipout, klScale: 1, seed: 1, level: 0.95, log: io.Discard}
	if model == "lenet" {
		c.epochs, c.batch = 2, 64 // the peers' W3 workload
		lenetDefaults(&c, func(string) bool { return false })
	}
	return c
}

// runPair trains the Bayesian network and its deterministic twin (same
// network, same settings, mean weights and no KL) side by side.
func runPair(t *testing.T, c config) (bayes, det *result) {
	t.Helper()
	var wg sync.WaitGroup
	var errB, errD error
	dc := c
	dc.deterministic, dc.out = true, ""
	wg.Add(2)
	go func() { defer wg.Done(); bayes, errB = run(context.Background(), c) }()
	go func() { defer wg.Done(); det, errD = run(context.Background(), dc) }()
	wg.Wait()
	if errB != nil || errD != nil {
		t.Fatalf("bayesian: %v; deterministic: %v", errB, errD)
	}
	for _, r := range []*result{bayes, det} {
		b, _ := json.Marshal(r)
		t.Log(string(b))
	}
	return bayes, det
}

// TestMLPUncertainty is the W2 workload on the embedded digits (5 epochs,
// K = 1, batch 128), with Fashion-MNIST images as out-of-distribution inputs.
func TestMLPUncertainty(t *testing.T) {
	c := testConfig("mlp")
	c.ood = filepath.Join("testdata", "fashion2k")
	c.out = t.TempDir()
	c.save = filepath.Join(c.out, "mlp.safetensors")
	bayes, det := runPair(t, c)
	if _, s, err := netspec.Load(c.save); err != nil || !s.SameNetwork(spec(c)) || !(s.OODThreshold > 0) {
		t.Errorf("-save: spec %+v, %v; want the MLP with an OOD threshold", s, err)
	}
	if bayes.Accuracy < 0.94 {
		t.Errorf("accuracy %.4f, want >= 0.94", bayes.Accuracy)
	}
	if bayes.ECE > 0.03 {
		t.Errorf("ECE %.4f, want <= 0.03", bayes.ECE)
	}
	if bayes.NLL > 0.241 {
		t.Errorf("NLL %.4f, want <= 0.241 (BLiTZ: 0.299)", bayes.NLL)
	}
	if bayes.OODAUROC == nil || det.OODAUROC == nil {
		t.Fatal("no out-of-distribution AUROC reported")
	}
	if *bayes.OODAUROCMI < 0.85 || *bayes.OODAUROCMI < *det.OODAUROC {
		t.Errorf("out-of-distribution AUROC by mutual information %.3f, want >= 0.85 and >= the deterministic network's %.3f by entropy",
			*bayes.OODAUROCMI, *det.OODAUROC)
	}
	// Conformal sets at 95%, averaged over random halvings of the test
	// digits, cover 95% of the held-out halves (their expectation is
	// exactly the level); most digits get a single class.
	if bayes.Coverage < 0.94 || bayes.Coverage > 0.96 {
		t.Errorf("conformal sets cover %.4f, want in [0.94, 0.96]", bayes.Coverage)
	}
	if bayes.SetSize < 1 || bayes.SetSize > 2 {
		t.Errorf("mean conformal set size %.3f, want in [1, 2]", bayes.SetSize)
	}
	if bayes.Temperature < 0.5 || bayes.Temperature > 2 || bayes.TemperedECE > 0.03 {
		t.Errorf("temperature %.3f with held-out ECE %.4f, want in [0.5, 2] and <= 0.03", bayes.Temperature, bayes.TemperedECE)
	}
	for _, name := range []string{"reliability.png", "entropy.png", "uncertain.png"} {
		if fi, err := os.Stat(filepath.Join(c.out, name)); err != nil || fi.Size() < 2000 {
			t.Errorf("%s not written (%v)", name, err)
		}
	}
}

// TestLeNetAgainstDeterministic is the W3 workload: the Bayesian LeNet must
// be at least as accurate as the same network trained deterministically.
func TestLeNetAgainstDeterministic(t *testing.T) {
	bayes, det := runPair(t, testConfig("lenet"))
	if bayes.Accuracy < det.Accuracy {
		t.Errorf("Bayesian LeNet accuracy %.4f below the deterministic one's %.4f", bayes.Accuracy, det.Accuracy)
	}
	if bayes.NLL >= 0.241 {
		t.Errorf("Bayesian LeNet NLL %.4f, want below BLiTZ's 0.241", bayes.NLL)
	}
	if bayes.ECE > 0.05 {
		t.Errorf("Bayesian LeNet ECE %.4f, want <= 0.05", bayes.ECE)
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
