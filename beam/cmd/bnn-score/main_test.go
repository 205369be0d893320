package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
)

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	os.Exit(m.Run())
}

// The command scores NDJSON records on Prism and prints Beam's counts.
func TestCommand(t *testing.T) {
	dir := t.TempDir()
	spec := netspec.MLP(netspec.Classification, 3, 5, 2)
	m, err := spec.NewModel(graph.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(dir, "m.safetensors")
	if err := netspec.Save(ckpt, m, spec); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.jsonl")
	var records strings.Builder
	for i := range 5 {
		records.WriteString(`{"id": "r` + string(rune('0'+i)) + `", "x": [1, 0, -1]}` + "\n")
	}
	if err := os.WriteFile(in, []byte(records.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.ndjson")
	for k, v := range map[string]string{
		"input": in, "checkpoint": ckpt, "output": out, "samples": "3", "key-field": "id", "json": "true",
	} {
		if err := flag.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), &stdout); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var figures struct {
		Scored int64 `json:"records_scored"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &figures); err != nil || figures.Scored != 5 {
		t.Errorf("last line %q: %d records scored (%v), want 5", lines[len(lines)-1], figures.Scored, err)
	}
	if !strings.HasPrefix(lines[0], "scored 5 records (0 flagged out of distribution)") {
		t.Errorf("first line %q", lines[0])
	}
	b, err := os.ReadFile(out)
	if err != nil || bytes.Count(b, []byte("\n")) != 5 {
		t.Errorf("output: %q, %v; want 5 lines", b, err)
	}
}

func TestGuessFormat(t *testing.T) {
	for in, want := range map[string]string{
		"a.ndjson": "ndjson", "a.jsonl.gz": "ndjson", "b/*.json": "ndjson",
		"t10k-images-idx3-ubyte.gz": "idx", "images": "idx",
	} {
		if got := guessFormat(in); string(got) != want {
			t.Errorf("guessFormat(%q) = %q, want %q", in, got, want)
		}
	}
}
