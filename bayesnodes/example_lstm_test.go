package bayesnodes_test

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleNewLSTM builds a forecaster: a Bayesian LSTM reads a window of 12
// past values, and a Bayesian linear head maps its final hidden state to the
// next value. Each predictive pass runs every window with one weight draw.
func ExampleNewLSTM() {
	lstm, err := bayesnodes.NewLSTM(1, 8, bayesnodes.WithName("enc"))
	if err != nil {
		fmt.Println(err)
		return
	}
	head, err := bayesnodes.NewLinear(8, 1, bayesnodes.WithName("head"))
	if err != nil {
		fmt.Println(err)
		return
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		_, last, err := lstm.Forward(b, x, bayesnodes.LSTMState{}) // zero initial state
		if err != nil {
			return nil, err
		}
		return head.Apply(b, last.H)
	}
	// The sequence length is part of the input shape: [T, features].
	model, err := graph.NewModel(net, graph.Input(12, 1), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	windows := make([]float64, 3*12) // three windows of a sine
	for i := range windows {
		windows[i] = math.Sin(0.5 * float64(i%12+i/12))
	}
	pred, err := model.Predict(windows, 20)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("samples:", len(pred.Samples), "windows:", pred.N, "outputs each:", pred.Width)
	for _, p := range model.Params() {
		fmt.Println(p.Name(), p.Shape())
	}
	// Output:
	// samples: 20 windows: 3 outputs each: 1
	// enc.weight_ih.mu [1 32]
	// enc.weight_ih.rho [1 32]
	// enc.weight_hh.mu [8 32]
	// enc.weight_hh.rho [8 32]
	// enc.bias.mu [32]
	// enc.bias.rho [32]
	// head.weight.mu [1 8]
	// head.weight.rho [1 8]
	// head.bias.mu [1]
	// head.bias.rho [1]
}
