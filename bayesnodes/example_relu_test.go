package bayesnodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleReLU uses ReLU between two layers of a hand-written network, in
// place of G.Rectify: the same numbers, without Gorgonia's per-run
// allocations.
func ExampleReLU() {
	hidden, err := bayesnodes.NewLinear(2, 8, bayesnodes.WithName("hidden"))
	if err != nil {
		panic(err)
	}
	out, err := bayesnodes.NewLinear(8, 1, bayesnodes.WithName("out"))
	if err != nil {
		panic(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := hidden.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = bayesnodes.ReLU(h); err != nil {
			return nil, err
		}
		return out.Apply(b, h)
	}
	model, err := graph.NewModel(net, graph.Input(2), graph.Seed(1))
	if err != nil {
		panic(err)
	}
	model.Freeze() // mean weights: the same output on every pass
	mean, err := model.PredictMean([]float64{0.5, -1, 2, 0.25, -3, 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(mean), "outputs")
	// Output: 3 outputs
}
