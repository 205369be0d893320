package pipeline

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/netspec"
)

const fourWide = `{"key": "a", "x": [0.1, 0.2, 0.3, 0.4]}
{"key": 2, "x": [1, 2, 3, 4]}

{"key": "c", "x": [-1, 0, 1, 2]}
`

// NDJSON records, gzipped, come out once each under their own keys.
func TestNDJSON(t *testing.T) {
	dir := t.TempDir()
	ckpt := saveMLP(t, dir, 0, 4, 8, 3)
	in := filepath.Join(dir, "records.ndjson.gz")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(strings.ReplaceAll(fourWide, `"x"`, `"features"`)))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "out.ndjson")
	sum, err := Run(context.Background(), Config{
		Input: in, Format: NDJSON, Checkpoint: ckpt, Output: out,
		Samples: 4, Seed: 1, FeaturesField: "features",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := readOutput(t, out)
	if sum.Scored != 3 || len(got) != 3 {
		t.Fatalf("%d records scored, %d written; want 3", sum.Scored, len(got))
	}
	for _, k := range []string{`"a"`, `2`, `"c"`} {
		l, ok := got[k]
		if !ok {
			t.Fatalf("no output for key %s: %v", k, got)
		}
		if len(l.Probs) != 3 {
			t.Errorf("key %s: %d probabilities, want 3", k, len(l.Probs))
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".staging-") {
			t.Errorf("a successful run left its staging directory %s", e.Name())
		}
	}
}

// Every kind of bad input fails the run with an error that names what is
// wrong, and leaves no output presented as complete: the previous output,
// when there was one, stays whole.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	ckpt := saveMLP(t, dir, 0, 4, 8, 3)

	mnist, err := os.ReadFile(mnistImages)
	if err != nil {
		t.Fatal(err)
	}
	truncatedIDX := writeFile(t, dir, "truncated-idx3-ubyte.gz", string(mnist[:len(mnist)/2]))
	mnistCkpt := saveMLP(t, t.TempDir(), 0, 784, 4, 10)

	// A checkpoint whose recorded network (4-6-3) is not its tensors' (4-8-3).
	misfit := filepath.Join(dir, "misfit.safetensors")
	{
		f, err := checkpoint.ReadFile(ckpt)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(netspec.MLP(netspec.Classification, 4, 6, 3))
		if err != nil {
			t.Fatal(err)
		}
		f.Metadata[netspec.MetadataKey] = string(js)
		if err := checkpoint.WriteFile(misfit, f); err != nil {
			t.Fatal(err)
		}
	}
	aFile := writeFile(t, dir, "a-file", "")

	good := writeFile(t, dir, "good.ndjson", fourWide)
	for _, tc := range []struct {
		name string
		cfg  Config
		want []string // substrings of the error
	}{
		{"missing input", Config{Input: filepath.Join(dir, "absent.ndjson")},
			[]string{"absent.ndjson"}},
		{"truncated IDX", Config{Input: truncatedIDX, Format: IDX, Checkpoint: mnistCkpt},
			[]string{"truncated-idx3-ubyte.gz"}},
		{"IDX of the wrong size", Config{Input: mnistImages, Format: IDX},
			[]string{"28x28 = 784 values, the model takes 4"}},
		{"truncated NDJSON", Config{Input: writeFile(t, dir, "cut.ndjson", fourWide[:len(fourWide)-12])},
			[]string{"cut.ndjson line 4", "not a JSON object"}},
		{"wrong width", Config{Input: writeFile(t, dir, "wide.ndjson", fourWide+`{"key": "d", "x": [1, 2, 3, 4, 5]}`)},
			[]string{"wide.ndjson line 5", `key "d": 5 features, the model takes 4`}},
		{"no key", Config{Input: writeFile(t, dir, "nokey.ndjson", `{"x": [1, 2, 3, 4]}`)},
			[]string{"nokey.ndjson line 1", `no "key" field`}},
		{"one bad file of two", Config{Input: filepath.Join(dir, "[gw]*.ndjson")},
			[]string{"wide.ndjson line 5"}},
		{"missing checkpoint", Config{Checkpoint: filepath.Join(dir, "absent.safetensors")},
			[]string{"absent.safetensors"}},
		{"checkpoint that does not fit the network", Config{Checkpoint: misfit},
			[]string{"misfit.safetensors", "does not fit the network spec"}},
		{"output under a file", Config{Output: filepath.Join(aFile, "out.ndjson")},
			[]string{"a-file/out.ndjson cannot be written"}},
		{"output is a directory", Config{Output: dir},
			[]string{"is a directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if cfg.Input == "" {
				cfg.Input = good
			}
			if cfg.Format == "" {
				cfg.Format = NDJSON
			}
			if cfg.Checkpoint == "" {
				cfg.Checkpoint = ckpt
			}
			const old = "the previous run's output\n"
			outDir := t.TempDir()
			if cfg.Output == "" {
				cfg.Output = writeFile(t, outDir, "out.ndjson", old)
			}
			cfg.Samples, cfg.Seed, cfg.Batch = 2, 1, 2
			_, err := Run(context.Background(), cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if filepath.Dir(cfg.Output) == outDir {
				assertNoPartialOutput(t, cfg.Output, old)
			}
		})
	}
}
