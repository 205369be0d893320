package checkpoint_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// ExampleNewPeriodic saves a checkpoint of the model and the trainer every
// 5 epochs, each to a file of its own.
func ExampleNewPeriodic() {
	dir, err := os.MkdirTemp("", "periodic")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	every5, err := checkpoint.NewPeriodic(filepath.Join(dir, "sine-"+checkpoint.EpochPlaceholder+".safetensors"), 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	mlp, err := bayesnodes.NewMLP([]int{1, 16, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := graph.NewModel(mlp.Apply, graph.Input(1), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		fmt.Println(err)
		return
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.BatchSize(50), optim.Quiet(), optim.OnEpoch(every5))
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := datasets.Sine(100, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := trainer.Fit(context.Background(), &data, 12); err != nil {
		fmt.Println(err)
		return
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	fmt.Println("last:", filepath.Base(every5.Last()))
	// Output:
	// sine-10.safetensors
	// sine-5.safetensors
	// last: sine-10.safetensors
}
