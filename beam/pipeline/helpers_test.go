package pipeline

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
)

// saveMLP writes a freshly initialised classifier of the given widths with
// its spec and returns the checkpoint's path.
func saveMLP(t *testing.T, dir string, oodThreshold float64, sizes ...int) string {
	t.Helper()
	spec := netspec.MLP(netspec.Classification, sizes...)
	spec.OODThreshold = oodThreshold
	m, err := spec.NewModel(graph.Seed(7))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := netspec.Save(path, m, spec); err != nil {
		t.Fatal(err)
	}
	return path
}

// line is one output line as a test reads it.
type line struct {
	Key               json.RawMessage `json:"key"`
	Probs             []float64       `json:"probs"`
	Class             int             `json:"class"`
	Entropy           float64         `json:"entropy"`
	MutualInformation float64         `json:"mutual_information"`
	OOD               bool            `json:"ood"`
}

// readOutput reads an output file into its lines by key, failing on a
// duplicate key.
func readOutput(t *testing.T, path string) map[string]line {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]line{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		k := string(l.Key)
		if _, dup := out[k]; dup {
			t.Fatalf("key %s written twice", k)
		}
		out[k] = l
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// writeFile writes content to dir/name and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertNoPartialOutput checks that a failed run left dir as it was: the
// output as before (absent, or holding old) and no staging directory.
func assertNoPartialOutput(t *testing.T, output, old string) {
	t.Helper()
	b, err := os.ReadFile(output)
	switch {
	case old == "" && err == nil:
		t.Errorf("a failed run left output %s (%d bytes)", output, len(b))
	case old != "" && string(b) != old:
		t.Errorf("a failed run changed output %s to %q (err %v)", output, b, err)
	}
	entries, err := os.ReadDir(filepath.Dir(output))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".staging-") {
			t.Errorf("a failed run left its staging directory %s", e.Name())
		}
	}
}
