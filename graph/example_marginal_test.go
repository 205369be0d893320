package graph_test

import (
	"fmt"
	"slices"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// PredictMarginal estimates per-example figures, here each example's
// predictive mean and sd, as Predict does, computing the first layer's
// moments once for all passes.
func ExampleModel_PredictMarginal() {
	mlp, err := bayesnodes.NewMLP([]int{4, 16, 2})
	if err != nil {
		panic(err)
	}
	model, err := graph.NewModel(mlp.Apply, graph.Input(4))
	if err != nil {
		panic(err)
	}
	x := []float64{
		0.5, -1, 2, 0,
		1, 1, -0.5, 0.25,
		-2, 0, 0, 1,
	}
	p, err := model.PredictMarginal(x, 200)
	if err != nil {
		panic(err)
	}
	s, err := uncertainty.Summarize(p.Samples)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d passes over %d examples of %d outputs: %d means, %d sds\n", len(p.Samples), p.N, p.Width, len(s.Mean), len(s.Std))

	// A frozen model's passes are the mean network's outputs.
	model.Freeze()
	frozen, err := model.PredictMarginal(x, 1)
	if err != nil {
		panic(err)
	}
	mean, err := model.PredictMean(x)
	if err != nil {
		panic(err)
	}
	fmt.Println("frozen passes equal PredictMean:", slices.Equal(frozen.Samples[0], mean))
	// Output:
	// 200 passes over 3 examples of 2 outputs: 6 means, 6 sds
	// frozen passes equal PredictMean: true
}
