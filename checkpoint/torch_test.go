package checkpoint

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestPythonToolFromTorch runs the export tool's command line as a BLiTZ
// user would, on a state dict written by torch.save (with BLiTZ's second
// name for each mu and rho, the weight_sampler's, sharing its storage),
// imports the result and compares every parameter with the values torch
// saved. It skips only when no Python has torch (Debian: python3-torch).
func TestPythonToolFromTorch(t *testing.T) {
	py := python("torch")
	if py == "" {
		t.Skip("no Python with torch and numpy (apt-get install python3-torch, or set BNN_PYTHON)")
	}
	dir := t.TempDir()
	pt, out, values := filepath.Join(dir, "model.pt"), filepath.Join(dir, "model.safetensors"), filepath.Join(dir, "values.json")
	script := `
import json, sys, torch
g = torch.Generator().manual_seed(3)
sd, values = {}, {}
for layer, (n_in, n_out) in {"blinear1": (4, 8), "blinear2": (8, 3)}.items():
    for part, shape in (("weight", (n_out, n_in)), ("bias", (n_out,))):
        for kind, centre in (("mu", 0.0), ("rho", -5.0)):
            t = centre + 0.1 * torch.randn(*shape, generator=g)
            sd[f"{layer}.{part}_{kind}"] = t
            sd[f"{layer}.{part}_sampler.{kind}"] = t  # BLiTZ's second name, one storage
            values[f"{layer}.{part}_{kind}"] = t.flatten().tolist()
torch.save(sd, sys.argv[1])
json.dump(values, open(sys.argv[2], "w"))
`
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(py, args...)
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1") // no __pycache__ in tools/
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
	}
	run("-c", script, pt, values)
	run("tools/blitz_to_safetensors.py", pt, out)

	f, err := ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(values)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]float64
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	n := newBlitzNet(t, graph.Float64)
	if err := Import(f, n.mapping()); err != nil {
		t.Fatalf("Import of the tool's file (the sampler's duplicate names must be left out): %v", err)
	}
	for name, p := range n.mapping() {
		// torch.randn made float32 tensors: their values are exact in
		// float64 and in the file.
		if got := p.Values(); !slices.Equal(got, want[name]) {
			t.Errorf("%s holds %v, torch saved %v", name, got, want[name])
		}
	}
}
