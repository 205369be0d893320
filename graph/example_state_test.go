package graph_test

import (
	"fmt"
	"slices"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// A model's generators' position, saved with its parameters, replays its
// noise: here the next predictive pass. Check refuses a damaged position
// before anything is changed, as a checkpoint loader needs.
func ExampleRNGState_Check() {
	mlp, err := bayesnodes.NewMLP([]int{2, 8, 1})
	if err != nil {
		panic(err)
	}
	model, err := graph.NewModel(mlp.Apply, graph.Input(2))
	if err != nil {
		panic(err)
	}
	x := []float64{0.5, -1}
	if _, err := model.Predict(x, 1); err != nil { // makes the parameters
		panic(err)
	}
	saved, err := model.RNGState()
	if err != nil {
		panic(err)
	}
	first, err := model.Predict(x, 1)
	if err != nil {
		panic(err)
	}

	damaged := graph.RNGState{Init: saved.Init, Noise: saved.Noise[:len(saved.Noise)-1]}
	fmt.Println("damaged:", damaged.Check())
	if err := model.SetRNGState(saved); err != nil {
		panic(err)
	}
	again, err := model.Predict(x, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("replayed:", slices.Equal(first.Samples[0], again.Samples[0]))
	// Output:
	// damaged: graph: noise generator state: 15 bytes after "philox4x32-10:", want 16
	// replayed: true
}
