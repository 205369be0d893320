package bayesnodes_test

import (
	"fmt"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleNewGRU runs a Bayesian GRU as a sequence-to-sequence layer: the
// output is the hidden state at every step. A graph is built for one
// sequence length; a model of the same layer for another length shares its
// weights.
func ExampleNewGRU() {
	gru, err := bayesnodes.NewGRU(3, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, steps := range []int{5, 9} {
		model, err := graph.NewModel(gru.Apply, graph.Input(steps, 3), graph.Seed(1))
		if err != nil {
			fmt.Println(err)
			return
		}
		g, err := model.Build(2, nil) // a batch of two sequences
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := g.SetX(make([]float64, 2*steps*3)); err != nil {
			fmt.Println(err)
			return
		}
		if err := g.Run(); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("T=%d: output %v, KL over %d weights (drawn once per sequence)\n", steps, g.OutputShape(), g.KLCount())
		g.Close()
	}
	// Output:
	// T=5: output [2 5 4], KL over 108 weights (drawn once per sequence)
	// T=9: output [2 9 4], KL over 108 weights (drawn once per sequence)
}
