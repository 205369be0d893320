package checkpoint

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// blitzNet is the network of testdata/interop/blitz_mlp.json: BLiTZ's
// BayesianLinear(4, 8), ReLU, BayesianLinear(8, 3).
type blitzNet struct {
	l1, l2 *bayesnodes.Linear
	model  *graph.Model
}

func newBlitzNet(t *testing.T, dt tensor.Dtype) *blitzNet {
	t.Helper()
	l1, err := bayesnodes.NewLinear(4, 8, bayesnodes.WithName("blinear1"))
	if err != nil {
		t.Fatal(err)
	}
	l2, err := bayesnodes.NewLinear(8, 3, bayesnodes.WithName("blinear2"))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := l1.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return l2.Apply(b, G.Must(G.Rectify(h)))
	}
	m, err := graph.NewModel(net, graph.Input(4), graph.WithDtype(dt))
	if err != nil {
		t.Fatal(err)
	}
	return &blitzNet{l1: l1, l2: l2, model: m}
}

// mapping names each BLiTZ tensor's parameter here.
func (n *blitzNet) mapping() map[string]*graph.Param {
	m := map[string]*graph.Param{}
	for prefix, l := range map[string]*bayesnodes.Linear{"blinear1": n.l1, "blinear2": n.l2} {
		w, b := l.Weight.Params(), l.Bias.Params() // mu, rho
		m[prefix+".weight_mu"], m[prefix+".weight_rho"] = w[0], w[1]
		m[prefix+".bias_mu"], m[prefix+".bias_rho"] = b[0], b[1]
	}
	return m
}

type blitzGolden struct {
	Tensors []string `json:"tensors"`
	Input   struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	} `json:"input"`
	Frozen struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	} `json:"frozen_output"`
	Tolerance float64 `json:"tolerance"`
}

// TestImportBlitz loads the state dict of a real BLiTZ network and checks
// its frozen (mean-weights) outputs against BLiTZ's to 1e-6, in float64
// and float32, with the parameters imported before or after the model was
// first built, and every parameter (the rhos, which the outputs do not
// see, too) against the file's values.
func TestImportBlitz(t *testing.T) {
	b, err := os.ReadFile("testdata/interop/blitz_mlp.json")
	if err != nil {
		t.Fatal(err)
	}
	var g blitzGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if g.Tolerance == 0 || g.Tolerance > 1e-6 || len(g.Frozen.Data) != 15 {
		t.Fatalf("unexpected golden file: tolerance %v, %d outputs", g.Tolerance, len(g.Frozen.Data))
	}
	f, err := ReadFile("testdata/interop/blitz_mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(f.Tensors))
	for i, tn := range f.Tensors {
		names[i] = tn.Name
	}
	slices.Sort(names)
	if !slices.Equal(names, g.Tensors) {
		t.Fatalf("tensors %v, the golden file lists %v", names, g.Tensors)
	}
	raw := readRaw(t, "testdata/interop/blitz_mlp.safetensors")
	for _, dt := range []tensor.Dtype{graph.Float64, graph.Float32} {
		for _, built := range []bool{false, true} {
			n := newBlitzNet(t, dt)
			if built {
				before, err := n.model.PredictMean(g.Input.Data)
				if err != nil {
					t.Fatal(err)
				}
				if maxDiff(before, g.Frozen.Data) < 1e-3 {
					t.Fatal("the network predicts BLiTZ's outputs before the import: the test cannot fail")
				}
			}
			if err := Import(f, n.mapping()); err != nil {
				t.Fatal(err)
			}
			// The outputs above see the means only: every tensor, rho
			// included, must hold the file's values, read here without
			// this package's reader (in the model's dtype).
			for name, p := range n.mapping() {
				want := raw[name].values
				if dt == graph.Float32 {
					want = roundTo32(want)
				}
				if got := p.Values(); !slices.Equal(got, want) {
					t.Errorf("%v, built before import %v: %s holds %v, the file %v", dt, built, name, got, want)
				}
			}
			got, err := n.model.PredictMean(g.Input.Data)
			if err != nil {
				t.Fatal(err)
			}
			d := maxDiff(got, g.Frozen.Data)
			t.Logf("%v, built before import %v: largest difference from BLiTZ %.3g", dt, built, d)
			if d > g.Tolerance {
				t.Errorf("%v, built before import %v: outputs differ from BLiTZ's by up to %.3g, want <= %g", dt, built, d, g.Tolerance)
			}
		}
	}
}

// roundTo32 returns v's values rounded to float32.
func roundTo32(v []float64) []float64 {
	r := make([]float64, len(v))
	for i, x := range v {
		r[i] = float64(float32(x))
	}
	return r
}

func maxDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestImportReportsDifferences checks each way a peer file can fail to fit
// its mapping, and that a refused import changes nothing.
func TestImportReportsDifferences(t *testing.T) {
	f, err := ReadFile("testdata/interop/blitz_mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	n := newBlitzNet(t, graph.Float64)
	if err := n.model.InitParams(); err != nil {
		t.Fatal(err)
	}
	transposed, err := graph.NewParam("t", []int{4, 8}, graph.Constant(0))
	if err != nil {
		t.Fatal(err)
	}
	intTensor := Tensor{Name: "blinear1.bias_mu", Dtype: I32, Shape: []int{8}, Data: make([]byte, 32)}
	cases := []struct {
		name   string
		edit   func(m map[string]*graph.Param, f *File)
		want   error
		tensor string
		text   string
	}{
		{"unmapped tensor", func(m map[string]*graph.Param, _ *File) { delete(m, "blinear2.bias_rho") },
			ErrExtraTensor, "blinear2.bias_rho", "the mapping does not name it"},
		{"absent tensor", func(m map[string]*graph.Param, _ *File) { m["blinear3.weight_mu"] = transposed },
			ErrMissingTensor, "blinear3.weight_mu", "the file does not have it"},
		{"transposed", func(m map[string]*graph.Param, _ *File) { m["blinear1.weight_mu"] = transposed },
			ErrShapeMismatch, "blinear1.weight_mu", "[8 4] in the file, [4 8] for parameter t (transposed?"},
		{"integers", func(_ map[string]*graph.Param, f *File) {
			f.Tensors = slices.Clone(f.Tensors)
			for i := range f.Tensors {
				if f.Tensors[i].Name == intTensor.Name {
					f.Tensors[i] = intTensor
				}
			}
		}, ErrDtypeMismatch, "blinear1.bias_mu", "I32"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, file := n.mapping(), &File{Tensors: f.Tensors, Metadata: f.Metadata}
			c.edit(m, file)
			before := values(n.model)
			err := Import(file, m)
			var te *TensorError
			if !errors.Is(err, c.want) || !errors.As(err, &te) || te.Name != c.tensor || !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %v, want %v naming %s and saying %q", err, c.want, c.tensor, c.text)
			}
			if !maps.EqualFunc(values(n.model), before, sameBits) {
				t.Error("a refused Import changed the model")
			}
		})
	}
	m := n.mapping()
	m["x"] = nil
	if err := Import(f, m); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("nil parameter: %v", err)
	}
	m = n.mapping()
	m["blinear2.bias_mu"] = m["blinear1.bias_mu"]
	if err := Import(f, m); err == nil || !strings.Contains(err.Error(), "both map") {
		t.Errorf("a parameter mapped twice: %v", err)
	}
}

// python returns a Python interpreter with numpy and the given modules:
// $BNN_PYTHON, python3 on the PATH or Debian's (python3-numpy installs
// numpy there), or "".
func python(modules ...string) string {
	imports := "import " + strings.Join(append([]string{"numpy"}, modules...), ", ")
	for _, p := range []string{os.Getenv("BNN_PYTHON"), "python3", "/usr/bin/python3"} {
		if p != "" && exec.Command(p, "-c", imports).Run() == nil {
			return p
		}
	}
	return ""
}

// TestPythonTool runs the numpy writer of tools/blitz_to_safetensors.py
// (without torch, which its state-dict path needs) and reads the result.
func TestPythonTool(t *testing.T) {
	py := python()
	if py == "" {
		t.Skip("no Python with numpy (apt-get install python3-numpy, or set BNN_PYTHON)")
	}
	path := filepath.Join(t.TempDir(), "py.safetensors")
	script := `
import sys
sys.path.insert(0, "tools")
import numpy as np
from blitz_to_safetensors import write_safetensors
write_safetensors({
    "blinear1.weight_mu": np.arange(32, dtype=">f4").reshape(8, 4) / 8,   # big-endian in, little-endian out
    "blinear1.bias_rho": np.full(8, -7.0),
    "steps": np.array(12, dtype=np.int64),
    "half": np.array([1.0, -2.5], dtype=np.float16),
}, sys.argv[1], {"format": "pt", "source": "test"})
`
	cmd := exec.Command(py, "-c", script, path)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1") // no __pycache__ in tools/
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["source"] != "test" || f.Metadata["format"] != "pt" {
		t.Errorf("metadata %v", f.Metadata)
	}
	want := map[string]struct {
		dt     Dtype
		shape  []int
		values []float64
	}{
		"blinear1.weight_mu": {F32, []int{8, 4}, nil},
		"blinear1.bias_rho":  {F64, []int{8}, slices.Repeat([]float64{-7}, 8)},
		"steps":              {I64, []int{}, nil},
		"half":               {F16, []int{2}, []float64{1, -2.5}},
	}
	for i := range 32 {
		w := want["blinear1.weight_mu"]
		w.values = append(w.values, float64(i)/8)
		want["blinear1.weight_mu"] = w
	}
	if len(f.Tensors) != len(want) {
		t.Fatalf("%d tensors, want %d", len(f.Tensors), len(want))
	}
	for _, tn := range f.Tensors {
		w := want[tn.Name]
		if tn.Dtype != w.dt || !slices.Equal(tn.Shape, w.shape) {
			t.Errorf("%s: %s %v, want %s %v", tn.Name, tn.Dtype, tn.Shape, w.dt, w.shape)
		}
		if w.values == nil {
			continue
		}
		if v, err := tn.Float64s(); err != nil || !slices.Equal(v, w.values) {
			t.Errorf("%s = %v, %v; want %v", tn.Name, v, err, w.values)
		}
	}
	steps, _ := f.Lookup("steps")
	if len(steps.Data) != 8 || steps.Data[0] != 12 {
		t.Errorf("steps = %v, want 12 as a little-endian int64", steps.Data)
	}
}
