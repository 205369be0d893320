package checkpoint

import (
	"errors"
	"math"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestSaveRefusesNonFinite diverges a saved model by hand (an infinity in
// one parameter, as an overflowing step would leave it) and checks that
// Save refuses it with an error naming the tensor, keeping the last good
// file, which still loads.
func TestSaveRefusesNonFinite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	m := newModel(t, 1, graph.Float32, 2, 4, 1)
	if err := Save(path, m); err != nil {
		t.Fatal(err)
	}
	good := values(m)
	m.Param("fc1.weight.rho").Tensor().Float32s()[3] = float32(math.Inf(1))
	err := Save(path, m)
	var te *TensorError
	if !errors.Is(err, ErrNonFinite) || !errors.As(err, &te) || te.Name != "fc1.weight.rho" {
		t.Fatalf("Save of a model holding +Inf: got %v, want ErrNonFinite naming fc1.weight.rho", err)
	}
	dst := newModel(t, 2, graph.Float32, 2, 4, 1)
	if err := Load(path, dst); err != nil {
		t.Fatalf("the last good file no longer loads: %v", err)
	}
	for name, v := range values(dst) {
		if !sameBits(v, good[name]) {
			t.Errorf("%s: the file holds %v, the good model %v", name, v, good[name])
		}
	}
}

// TestImportChecksTheModelsDtype imports a float64 value a float32 model
// cannot hold: it is an error naming the tensor, not a silent infinity.
func TestImportChecksTheModelsDtype(t *testing.T) {
	for _, c := range []struct {
		dt   tensor.Dtype
		fail bool
	}{{graph.Float32, true}, {graph.Float64, false}} {
		m := newModel(t, 1, c.dt, 2, 4, 1)
		if err := m.InitParams(); err != nil {
			t.Fatal(err)
		}
		p := m.Param("fc2.bias.mu")
		before := p.Values()
		big, err := NewTensor("peer.bias", F64, []int{1}, []float64{-1e39})
		if err != nil {
			t.Fatal(err)
		}
		err = Import(&File{Tensors: []Tensor{big}}, map[string]*graph.Param{"peer.bias": p})
		var te *TensorError
		if got := errors.Is(err, ErrNonFinite) && errors.As(err, &te) && te.Name == "peer.bias"; got != c.fail {
			t.Errorf("%v model: Import of -1e39 gave %v; want an ErrNonFinite naming peer.bias: %v", c.dt, err, c.fail)
		}
		if c.fail && p.Values()[0] != before[0] {
			t.Errorf("%v model: a refused Import changed the parameter to %v", c.dt, p.Values())
		}
	}
}
