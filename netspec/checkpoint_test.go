package netspec

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/graph"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	s := LeNet()
	s.Dtype, s.OODThreshold, s.Estimator = "float32", 0.3, "flipout"
	m, err := s.NewModel(graph.Seed(7))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lenet.safetensors")
	if err := Save(path, m, s); err != nil {
		t.Fatal(err)
	}
	got, gotSpec, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !gotSpec.SameNetwork(s) || gotSpec.OODThreshold != 0.3 || gotSpec.Estimator != "flipout" {
		t.Errorf("spec %+v, want %+v", gotSpec, s)
	}
	x := make([]float64, 3*784)
	for i := range x {
		x[i] = float64(i%29) / 29
	}
	m.ReseedNoise(5)
	got.ReseedNoise(5)
	want, err := m.Predict(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	have, err := got.Predict(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	for s := range want.Samples {
		if !slices.Equal(want.Samples[s], have.Samples[s]) {
			t.Fatalf("pass %d differs after a round trip", s)
		}
	}
}

func TestLoadRefusesWhatDoesNotFit(t *testing.T) {
	dir := t.TempDir()
	s := MLP(Regression, 3, 5, 1)
	m, err := s.NewModel()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mlp.safetensors")
	if err := Save(path, m, s); err != nil {
		t.Fatal(err)
	}
	// The file claims a wider hidden layer than its tensors have.
	f, err := checkpoint.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wider := MLP(Regression, 3, 6, 1)
	js, err := wider.marshal()
	if err != nil {
		t.Fatal(err)
	}
	f.Metadata[MetadataKey] = js
	bad := filepath.Join(dir, "wider.safetensors")
	if err := checkpoint.WriteFile(bad, f); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(bad); !errors.Is(err, ErrMismatch) || !errors.Is(err, checkpoint.ErrShapeMismatch) {
		t.Errorf("Load of a file whose tensors do not fit its spec: %v", err)
	}
	// A checkpoint saved without a spec.
	plain := filepath.Join(dir, "plain.safetensors")
	if err := checkpoint.Save(plain, m); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(plain); !errors.Is(err, ErrNoSpec) {
		t.Errorf("Load without a spec: %v", err)
	}
	// Save refuses a model that is not the spec's network.
	if err := Save(filepath.Join(dir, "x.safetensors"), m, wider); !errors.Is(err, ErrMismatch) {
		t.Errorf("Save of a model under another spec: %v", err)
	}
	if _, _, err := Load(filepath.Join(dir, "missing.safetensors")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
