package prune_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/prune"
)

// ExampleCompact compacts a 3-3-1 network whose pruned weights left input
// 2 unused and hidden unit 1 without inputs: unit 1's constant ReLU(bias)
// moves into the output's bias, and both go.
func ExampleCompact() {
	hidden := prune.Layer{In: 3, Out: 3,
		Weight: []float64{
			1, 2, 0, // unit 0
			0, 0, 0, // unit 1: no inputs left
			0, 1, 0, // unit 2
		},
		Bias: []float64{0, 0.5, 0}}
	out := prune.Layer{In: 3, Out: 1, Weight: []float64{1, 2, -1}, Bias: []float64{0.1}}
	dense, err := prune.NewNet([]prune.Layer{hidden, out}, prune.ReLU)
	if err != nil {
		fmt.Println(err)
		return
	}
	compact, err := prune.Compact(dense)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := []float64{1, 1, 7}
	a, _ := dense.Forward(x, 1)
	b, _ := compact.Forward(x, 1)
	fmt.Println("widths", dense.Widths(), "->", compact.Widths(), "inputs read", compact.Inputs)
	fmt.Println("parameters", dense.NumParams(), "->", compact.NumParams())
	fmt.Printf("output %.2f %.2f\n", a[0], b[0])
	// Output:
	// widths [3 3 1] -> [2 2 1] inputs read [0 1]
	// parameters 16 -> 9
	// output 3.10 3.10
}

// ExampleSummarize prunes a sparse posterior at the paper's threshold:
// weights whose log alpha = log sigma^2 - log theta^2 is above 3 go.
func ExampleSummarize() {
	w, err := bayesnodes.NewSparsePosterior("fc.weight", []int{2, 2}, nil, graph.Constant(1), graph.Constant(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := graph.NewModel(func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		ws, err := w.Sample(b)
		if err != nil {
			return nil, err
		}
		return G.Mul(x, ws)
	}, graph.Input(2))
	if err := m.InitParams(); err != nil {
		fmt.Println(err)
		return
	}
	_ = w.LogSigma2.SetValues([]float64{-4, 5, 2, 8}) // theta = 1: log alpha = log sigma^2
	keep, _ := prune.Keep(w, bayesnodes.PruneLogAlpha)
	s, _ := prune.Summarize([]bayesnodes.Posterior{w}, bayesnodes.PruneLogAlpha)
	fmt.Println(keep)
	fmt.Println(s.Kept, "of", s.Total, "kept:", s.Compression(), "x")
	// Output:
	// [true false true false]
	// 2 of 4 kept: 2 x
}
