package checkpoint_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// setup builds the same network, model and trainer every time it is called,
// as a program does at each start.
func setup() (*graph.Model, *optim.Trainer) {
	mlp, err := bayesnodes.NewMLP([]int{1, 16, 1})
	if err != nil {
		log.Fatal(err)
	}
	model, err := graph.NewModel(mlp.Apply, graph.Input(1), graph.Seed(1))
	if err != nil {
		log.Fatal(err)
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
	if err != nil {
		log.Fatal(err)
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		log.Fatal(err)
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.BatchSize(50), optim.Quiet())
	if err != nil {
		log.Fatal(err)
	}
	return model, trainer
}

// Save a model with its trainer, load both into fresh objects, and go on
// training: the run continues exactly where it stopped.
func ExampleSave() {
	dir, err := os.MkdirTemp("", "checkpoint")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "sine.safetensors")
	data, err := datasets.Sine(200, 1)
	if err != nil {
		log.Fatal(err)
	}
	// What the parameters do not say; Load refuses a file that differs.
	layers := checkpoint.WithMetadata("layers", `{"sizes":[1,16,1],"prior":"N(0,1)"}`)

	model, trainer := setup()
	if _, err := trainer.Fit(context.Background(), &data, 3); err != nil {
		log.Fatal(err)
	}
	if err := checkpoint.Save(path, model, checkpoint.WithTrainer(trainer), layers); err != nil {
		log.Fatal(err)
	}

	// Later, perhaps in another process: the same code, then Load.
	model2, trainer2 := setup()
	if err := checkpoint.Load(path, model2, checkpoint.WithTrainer(trainer2), layers); err != nil {
		log.Fatal(err)
	}
	fmt.Println("steps taken:", trainer2.Steps())

	x := []float64{-1, 0, 1}
	a, _ := model.Predict(x, 10)
	b, _ := model2.Predict(x, 10)
	fmt.Println("same predictive samples:", slices.EqualFunc(a.Samples, b.Samples, slices.Equal))

	h1, _ := trainer.Fit(context.Background(), &data, 1)
	h2, _ := trainer2.Fit(context.Background(), &data, 1)
	fmt.Println("same losses on:", h1.Steps[0].Loss == h2.Steps[0].Loss, h1.Steps[3].Loss == h2.Steps[3].Loss)

	f, err := checkpoint.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range f.Tensors[:4] {
		fmt.Println(t.Name, t.Dtype, t.Shape)
	}
	// Output:
	// steps taken: 12
	// same predictive samples: true
	// same losses on: true true
	// fc1.weight.mu F64 [16 1]
	// fc1.weight.rho F64 [16 1]
	// fc1.bias.mu F64 [16]
	// fc1.bias.rho F64 [16]
}

// Load a BLiTZ network's state dict, written by tools/blitz_to_safetensors.py,
// into the equivalent network here, and predict with its mean weights.
func ExampleImport() {
	hidden, _ := bayesnodes.NewLinear(4, 8)
	out, _ := bayesnodes.NewLinear(8, 3)
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := hidden.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return out.Apply(b, G.Must(G.Rectify(h)))
	}
	model, err := graph.NewModel(net, graph.Input(4))
	if err != nil {
		log.Fatal(err)
	}
	f, err := checkpoint.ReadFile("testdata/interop/blitz_mlp.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	// BLiTZ's names on the left; its Linear weight is [out, in], as here.
	params := map[string]*graph.Param{}
	for name, p := range map[string]bayesnodes.Posterior{
		"blinear1.weight": hidden.Weight, "blinear1.bias": hidden.Bias,
		"blinear2.weight": out.Weight, "blinear2.bias": out.Bias,
	} {
		mu, rho := p.Params()[0], p.Params()[1]
		params[name+"_mu"], params[name+"_rho"] = mu, rho
	}
	err = checkpoint.Import(f, params)
	if err != nil {
		log.Fatal(err)
	}
	y, err := model.PredictMean([]float64{-0.6768390536308289, -0.7782866358757019, 1.105634331703186, 0.8826756477355957})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.6f\n", y)
	// Output: [-0.604081 -0.632589 0.103250]
}
