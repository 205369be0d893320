package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// rawTensor is one tensor of a safetensors file as decoded by readRaw.
type rawTensor struct {
	dtype  string
	shape  []int
	values []float64
}

// readRaw decodes the safetensors file at path by the format's
// specification alone, without this package's parser: an 8-byte
// little-endian header length, the JSON header, then each tensor's
// little-endian bytes at its data offsets. It knows F32 and F64.
func readRaw(t *testing.T, path string) map[string]rawTensor {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b[:8])
	var head map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &head); err != nil {
		t.Fatalf("header: %v", err)
	}
	data := b[8+n:]
	out := map[string]rawTensor{}
	for name, raw := range head {
		if name == "__metadata__" {
			continue
		}
		var e struct {
			Dtype   string `json:"dtype"`
			Shape   []int  `json:"shape"`
			Offsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("tensor %s: %v", name, err)
		}
		bytes := data[e.Offsets[0]:e.Offsets[1]]
		var v []float64
		switch e.Dtype {
		case "F32":
			for i := 0; i+4 <= len(bytes); i += 4 {
				v = append(v, float64(math.Float32frombits(binary.LittleEndian.Uint32(bytes[i:]))))
			}
		case "F64":
			for i := 0; i+8 <= len(bytes); i += 8 {
				v = append(v, math.Float64frombits(binary.LittleEndian.Uint64(bytes[i:])))
			}
		default:
			t.Fatalf("tensor %s: dtype %s", name, e.Dtype)
		}
		out[name] = rawTensor{e.Dtype, e.Shape, v}
	}
	return out
}

// TestFilesReadIndependently reads what Save and the mean-weights export
// write with readRaw, not with this package's reader (a round trip through
// one codec hides a dtype written wrongly on both sides): every tensor in
// the model's dtype (F32 for a float32 model), with its parameter's shape
// and, bit for bit, its values.
func TestFilesReadIndependently(t *testing.T) {
	for _, c := range []struct {
		dt   tensor.Dtype
		name string
	}{{graph.Float32, "F32"}, {graph.Float64, "F64"}} {
		m := newModel(t, 3, c.dt, 3, 5, 2)
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		if err := Save(path, m); err != nil {
			t.Fatal(err)
		}
		raw := readRaw(t, path)
		if len(raw) != len(m.Params()) {
			t.Errorf("%v: %d tensors in the file, the model has %d parameters", c.dt, len(raw), len(m.Params()))
		}
		for _, p := range m.Params() {
			r, ok := raw[p.Name()]
			if !ok {
				t.Errorf("%v: no tensor %s", c.dt, p.Name())
				continue
			}
			if r.dtype != c.name || !slices.Equal(r.shape, p.Shape()) || !slices.Equal(r.values, p.Values()) {
				t.Errorf("%v: %s is %s %v %v in the file; want %s %v %v", c.dt, p.Name(), r.dtype, r.shape, r.values, c.name, p.Shape(), p.Values())
			}
		}

		f, err := MeanWeights(m, 0)
		if err != nil {
			t.Fatal(err)
		}
		export := filepath.Join(dir, "serve.safetensors")
		if err := WriteFile(export, f); err != nil {
			t.Fatal(err)
		}
		raw = readRaw(t, export)
		if len(raw) == 0 {
			t.Fatalf("%v: the export holds no tensor", c.dt)
		}
		for name, r := range raw {
			mu := m.Param(name + ".mu")
			if mu == nil || strings.HasSuffix(name, ".mu") {
				t.Errorf("%v: exported %s is not a posterior's mean", c.dt, name)
				continue
			}
			if r.dtype != c.name || !slices.Equal(r.shape, mu.Shape()) || !slices.Equal(r.values, mu.Values()) {
				t.Errorf("%v: exported %s is %s %v %v; want %s %v %v (its mu)", c.dt, name, r.dtype, r.shape, r.values, c.name, mu.Shape(), mu.Values())
			}
		}
	}
}
