package graph_test

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// Prediction methods may be called from many goroutines on one model, as a
// server does. With PredictSeed, a call's answer depends on its seed, its
// input and the parameters only: not on the order of the calls, nor on the
// other examples sent with it.
func ExamplePredictSeed() {
	mlp, err := bayesnodes.NewMLP([]int{2, 8, 1})
	if err != nil {
		panic(err)
	}
	model, err := graph.NewModel(mlp.Apply, graph.Input(2))
	if err != nil {
		panic(err)
	}
	x := []float64{0.5, -1}
	answers := make([][]float64, 8)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			p, err := model.PredictMarginal(x, 50, graph.PredictSeed(42))
			if err != nil {
				panic(err)
			}
			answers[i] = slices.Concat(p.Samples...)
		})
	}
	wg.Wait()
	same := true
	for _, a := range answers[1:] {
		same = same && slices.Equal(a, answers[0])
	}
	fmt.Println("8 concurrent calls, one answer:", same)

	// The same example beside another gets the same samples in its row.
	pair, err := model.PredictMarginal(append(slices.Clone(x), 3, 0.25), 50, graph.PredictSeed(42))
	if err != nil {
		panic(err)
	}
	fmt.Println("first row unchanged by a second:", pair.Samples[7][0] == answers[0][7])
	// Output:
	// 8 concurrent calls, one answer: true
	// first row unchanged by a second: true
}
