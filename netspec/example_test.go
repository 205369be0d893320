package netspec_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
)

// A network described as data is saved with its description, and loaded
// back by a program that knows nothing of it.
func Example() {
	spec := netspec.MLP(netspec.Classification, 784, 400, 400, 10)
	spec.OODThreshold = 0.25 // flag inputs with more mutual information
	model, err := spec.NewModel(graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	// ... train model ...
	dir, _ := os.MkdirTemp("", "netspec")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "mlp.safetensors")
	if err := netspec.Save(path, model, spec); err != nil {
		fmt.Println(err)
		return
	}

	loaded, s, err := netspec.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	classes, _ := s.OutputWidth()
	fmt.Println(s.Task, loaded.InputShape(), classes, loaded.NumParams())
	// Output: classification [784] 10 956820
}
