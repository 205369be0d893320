package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-bnn/bnn/beam/pipeline"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
)

// Score newline-delimited JSON records with a saved classifier on Prism,
// in-process. (A program's main must call flag.Parse and beam.Init first,
// as the package's tests do, so that it can serve as Beam's worker.)
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "bnn-beam")
	defer os.RemoveAll(dir)

	spec := netspec.MLP(netspec.Classification, 2, 8, 3)
	model, _ := spec.NewModel(graph.Seed(1)) // ... then train it
	ckpt := filepath.Join(dir, "model.safetensors")
	if err := netspec.Save(ckpt, model, spec); err != nil {
		fmt.Println(err)
		return
	}
	input := filepath.Join(dir, "records.ndjson")
	os.WriteFile(input, []byte(`{"key": "a", "x": [0.5, -1]}
{"key": "b", "x": [2, 0]}
`), 0o644)

	sum, err := pipeline.Run(context.Background(), pipeline.Config{
		Input: input, Format: pipeline.NDJSON, Checkpoint: ckpt,
		Output: filepath.Join(dir, "scores.ndjson"), Samples: 100, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("scored", sum.Scored, "records")
	// Output: scored 2 records
}
