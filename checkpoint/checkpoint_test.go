package checkpoint

import (
	"errors"
	"maps"
	"math"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// TestRoundTripPredictsIdentically trains a model, saves it, loads it into a
// fresh model made with another seed, and checks that both then predict the
// same to the last bit: mean weights, sampled predictions (the noise
// generator's position travels with the file) and after reseeding.
func TestRoundTripPredictsIdentically(t *testing.T) {
	for _, dt := range []tensor.Dtype{graph.Float64, graph.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			src := newTraining(t, 1, "adam")
			if dt == graph.Float32 {
				src.model = newModel(t, 1, dt, 1, 16, 1) // untrained, but a float32 model
			} else {
				src.fit(t, sineData(t), 2)
			}
			path := filepath.Join(t.TempDir(), "model.safetensors")
			if err := Save(path, src.model); err != nil {
				t.Fatal(err)
			}
			dst := newModel(t, 99, dt, 1, 16, 1)
			if dt == graph.Float64 {
				// The trained model has its likelihood's learned noise,
				// which a model knows of once it builds a training graph.
				err := Load(path, dst)
				if !errors.Is(err, ErrExtraTensor) || !strings.Contains(err.Error(), "likelihood.noise.rho") || !strings.Contains(err.Error(), "WithTrainer") {
					t.Fatalf("loading the objective's parameter into a bare model: %v, want ErrExtraTensor with a hint", err)
				}
				if err := trainerOf(t, dst, 99, "adam").InitParams(); err != nil {
					t.Fatal(err)
				}
			}
			x := grid(50)
			before, err := dst.PredictMean(x)
			if err != nil {
				t.Fatal(err)
			}
			want, err := src.model.PredictMean(x)
			if err != nil {
				t.Fatal(err)
			}
			if sameBits(before, want) {
				t.Fatal("a model of another seed predicts the same before loading: the test cannot fail")
			}
			if err := Load(path, dst); err != nil {
				t.Fatal(err)
			}
			if got, want := values(dst), values(src.model); !maps.EqualFunc(got, want, sameBits) {
				t.Error("the loaded parameters differ from the saved ones")
			}
			got, err := dst.PredictMean(x)
			if err != nil {
				t.Fatal(err)
			}
			if !sameBits(got, want) {
				t.Errorf("mean-weights predictions differ after loading: %v vs %v", got[:3], want[:3])
			}
			for round := range 2 { // the second round checks the generators moved alike
				ps, err := src.model.Predict(x, 5)
				if err != nil {
					t.Fatal(err)
				}
				pd, err := dst.Predict(x, 5)
				if err != nil {
					t.Fatal(err)
				}
				for s := range ps.Samples {
					if !sameBits(ps.Samples[s], pd.Samples[s]) {
						t.Fatalf("round %d, sample %d differs after loading", round, s)
					}
				}
			}
		})
	}
}

// TestLoadReportsDifferences loads a 1-8-1 float64 checkpoint into models
// that differ from it and checks that the error names each difference.
func TestLoadReportsDifferences(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, newModel(t, 1, graph.Float64, 1, 8, 1), WithMetadata("layers", "1-8-1")); err != nil {
		t.Fatal(err)
	}
	noBias := func(t *testing.T) *graph.Model {
		mlp, err := bayesnodes.NewMLP([]int{1, 8, 1}, bayesnodes.WithoutBias())
		if err != nil {
			t.Fatal(err)
		}
		m, err := graph.NewModel(mlp.Apply, graph.Input(1))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name  string
		model func(t *testing.T) *graph.Model
		opts  []Option
		want  []error
		texts []string // each must appear in the message
	}{
		{"wider", func(t *testing.T) *graph.Model { return newModel(t, 1, graph.Float64, 1, 16, 1) }, nil,
			[]error{ErrShapeMismatch}, []string{`"fc1.weight.mu": shape mismatch: [8 1] in the file, [16 1] in the model`, `"fc2.weight.rho"`}},
		{"deeper", func(t *testing.T) *graph.Model { return newModel(t, 1, graph.Float64, 1, 8, 8, 1) }, nil,
			[]error{ErrShapeMismatch, ErrMissingTensor}, []string{`"fc3.weight.mu": missing tensor`, `"fc2.weight.mu": shape mismatch: [1 8] in the file, [8 8] in the model`}},
		{"without bias", noBias, nil,
			[]error{ErrExtraTensor}, []string{`"fc1.bias.mu": unexpected tensor`, `"fc2.bias.rho": unexpected tensor`}},
		{"float32", func(t *testing.T) *graph.Model { return newModel(t, 1, graph.Float32, 1, 8, 1) }, nil,
			[]error{ErrDtypeMismatch}, []string{"float64 model", "float32"}},
		{"input", func(t *testing.T) *graph.Model { return newModel(t, 1, graph.Float64, 2, 8, 1) }, nil,
			[]error{ErrMetadataMismatch, ErrShapeMismatch}, []string{"input shape [1] in the file, [2] in the model", `[8 1] in the file, [8 2] in the model`}},
		{"metadata", func(t *testing.T) *graph.Model { return newModel(t, 1, graph.Float64, 1, 8, 1) }, []Option{WithMetadata("layers", "1-16-1")},
			[]error{ErrMetadataMismatch}, []string{`"layers" is "1-8-1" in the file, want "1-16-1"`}},
		{"absent metadata", func(t *testing.T) *graph.Model { return newModel(t, 1, graph.Float64, 1, 8, 1) }, []Option{WithMetadata("prior", "N(0,1)")},
			[]error{ErrMetadataMismatch}, []string{`"prior" is not in the file`}},
		{"trainer", func(t *testing.T) *graph.Model { return newModel(t, 1, graph.Float64, 1, 8, 1) }, nil,
			[]error{ErrNoTrainer}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.model(t)
			opts := c.opts
			if c.name == "trainer" {
				opts = []Option{WithTrainer(trainerOf(t, m, 1, "adam"))}
			}
			if err := m.InitParams(); err != nil {
				t.Fatal(err)
			}
			before := values(m)
			err := Load(path, m, opts...)
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("error %q is not %v", err, w)
				}
			}
			for _, s := range c.texts {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if !maps.EqualFunc(values(m), before, sameBits) {
				t.Error("a failed Load changed the model's parameters")
			}
		})
	}
}

func TestRestoreRejectsOtherFiles(t *testing.T) {
	m := newModel(t, 1, graph.Float64, 4, 8, 3)
	blitz, err := ReadFile("testdata/interop/blitz_mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if err := Restore(blitz, m); !errors.Is(err, ErrNotCheckpoint) || !strings.Contains(err.Error(), "Import") {
		t.Errorf("restoring a BLiTZ file: %v, want ErrNotCheckpoint pointing to Import", err)
	}
	f, err := Snapshot(m)
	if err != nil {
		t.Fatal(err)
	}
	f.Metadata[versionKey] = "2"
	if err := Restore(f, m); !errors.Is(err, ErrNotCheckpoint) {
		t.Errorf("version 2: %v, want ErrNotCheckpoint", err)
	}
	f.Metadata[versionKey] = version
	f.Metadata[modelKey] = `{"dtype":"float64","input":[4],"init_rng":"AAAA","noise_rng":"AAAA"}`
	if err := Restore(f, m); !errors.Is(err, ErrInvalidHeader) || !strings.Contains(err.Error(), "generator") {
		t.Errorf("bad generator state: %v, want ErrInvalidHeader", err)
	}
	f.Metadata[modelKey] = `{"dtype":`
	if err := Restore(f, m); !errors.Is(err, ErrInvalidHeader) {
		t.Errorf("bad model metadata: %v, want ErrInvalidHeader", err)
	}
	if err := Restore(nil, m); err == nil {
		t.Error("Restore(nil) succeeded")
	}
	if err := Restore(f, nil); err == nil {
		t.Error("Restore into nil succeeded")
	}
}

// TestRestoreChecksValues checks that a tensor holding NaN is refused
// before anything changes.
func TestRestoreChecksValues(t *testing.T) {
	src := newModel(t, 1, graph.Float64, 1, 8, 1)
	f, err := Snapshot(src)
	if err != nil {
		t.Fatal(err)
	}
	v := src.Param("fc2.bias.mu").Values()
	v[0] = math.NaN()
	nan, err := NewTensor("fc2.bias.mu", F64, []int{1}, v)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Tensors {
		if f.Tensors[i].Name == nan.Name {
			f.Tensors[i] = nan
		}
	}
	dst := newModel(t, 2, graph.Float64, 1, 8, 1)
	if err := dst.InitParams(); err != nil {
		t.Fatal(err)
	}
	before := values(dst)
	err = Restore(f, dst)
	var te *TensorError
	if !errors.As(err, &te) || te.Name != "fc2.bias.mu" || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("error %v, want one naming fc2.bias.mu's NaN", err)
	}
	if !maps.EqualFunc(values(dst), before, sameBits) {
		t.Error("a refused Restore changed the model")
	}
}

func TestSnapshotRejectsReservedNames(t *testing.T) {
	p, err := graph.NewParam("optim/m/w", []int{1, 1}, graph.Constant(1))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		w, err := b.Param(p)
		if err != nil {
			return nil, err
		}
		return G.Mul(x, w)
	}
	m, err := graph.NewModel(net, graph.Input(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Snapshot(m); err == nil || !strings.Contains(err.Error(), `"optim/m/w"`) {
		t.Errorf("Snapshot of a parameter named optim/m/w: %v, want an error naming it", err)
	}
	if _, err := Snapshot(newModel(t, 1, graph.Float64, 1, 2, 1), WithMetadata("bnn.x", "y")); err == nil {
		t.Error("WithMetadata accepted a reserved key")
	}
	other := newTraining(t, 1, "adam")
	if _, err := Snapshot(newModel(t, 1, graph.Float64, 1, 2, 1), WithTrainer(other.trainer)); err == nil {
		t.Error("Snapshot accepted the trainer of another model")
	}
}
