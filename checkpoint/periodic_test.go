package checkpoint

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// periodicTraining is newTraining's run (ELBO with a learned noise, K = 2,
// batches of 50, Adam) with extra trainer options.
func periodicTraining(t *testing.T, seed uint64, opts ...optim.TrainerOption) (*graph.Model, *optim.Trainer) {
	t.Helper()
	m := newModel(t, seed, graph.Float64, 1, 16, 1)
	lik, err := losses.NewLearnedGaussianNLL(0.5, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	elbo, err := losses.NewELBO(lik)
	if err != nil {
		t.Fatal(err)
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]optim.TrainerOption{optim.Samples(2), optim.BatchSize(50), optim.ShuffleSeed(seed + 100), optim.Quiet()}, opts...)
	tr, err := optim.NewTrainer(m, elbo, adam, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m, tr
}

// TestPeriodicResumesExactly saves every 2 epochs of a 6-epoch Fit, loads
// the checkpoint of epoch 4 into fresh objects and trains 2 more epochs:
// the parameters must equal the uninterrupted run's to the last bit.
func TestPeriodicResumesExactly(t *testing.T) {
	data := sineData(t)
	dir := t.TempDir()
	hook, err := NewPeriodic(filepath.Join(dir, "run-"+EpochPlaceholder+".safetensors"), 2, WithMetadata("net", "1-16-1"))
	if err != nil {
		t.Fatal(err)
	}
	m, tr := periodicTraining(t, 1, optim.OnEpoch(hook))
	if _, err := tr.Fit(t.Context(), data, 6); err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "run-2.safetensors run-4.safetensors run-6.safetensors" {
		t.Fatalf("files %v, want run-2, run-4, run-6", names)
	}
	if hook.Last() != filepath.Join(dir, "run-6.safetensors") {
		t.Errorf("Last() = %q", hook.Last())
	}

	m2, tr2 := periodicTraining(t, 2)
	if err := Load(filepath.Join(dir, "run-4.safetensors"), m2, WithTrainer(tr2), WithMetadata("net", "1-16-1")); err != nil {
		t.Fatal(err)
	}
	if tr2.Epochs() != 4 {
		t.Fatalf("resumed at epoch %d, want 4", tr2.Epochs())
	}
	if _, err := tr2.Fit(t.Context(), data, 2); err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(values(m2), values(m), sameBits) {
		t.Error("the run resumed from the epoch-4 checkpoint differs from the uninterrupted one")
	}
	// Control: epoch 6's file holds the same parameters, epoch 4's not.
	m6, tr6 := periodicTraining(t, 3)
	if err := Load(filepath.Join(dir, "run-6.safetensors"), m6, WithTrainer(tr6), WithMetadata("net", "1-16-1")); err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(values(m6), values(m), sameBits) {
		t.Error("the epoch-6 checkpoint does not hold the final parameters")
	}
}

func TestPeriodicErrors(t *testing.T) {
	if _, err := NewPeriodic("", 1); err == nil {
		t.Error("empty path accepted")
	}
	if _, err := NewPeriodic("x", 0); err == nil || !strings.Contains(err.Error(), "every") {
		t.Errorf("every 0: %v", err)
	}
	// A directory that does not exist: the Fit stops with the save's error.
	hook, err := NewPeriodic(filepath.Join(t.TempDir(), "missing", "run.safetensors"), 1)
	if err != nil {
		t.Fatal(err)
	}
	_, tr := periodicTraining(t, 1, optim.OnEpoch(hook))
	h, err := tr.Fit(t.Context(), sineData(t), 3)
	if err == nil || !strings.Contains(err.Error(), "after epoch 1") {
		t.Errorf("saving into a missing directory: %v", err)
	}
	if h == nil || len(h.Epochs) != 1 {
		t.Errorf("history after the failed save: %+v", h)
	}
}
