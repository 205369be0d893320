package bayesnodes_test

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// BenchmarkLSTMStep measures one training step (forward, backward, Adam,
// K = 1) of a one-layer Bayesian LSTM with 64 hidden units over a batch of
// 32 sequences of length 32, its last hidden state read out by a Bayesian
// linear layer under a Gaussian NLL, float64.
func BenchmarkLSTMStep(b *testing.B) {
	benchmarkRecurrentStep(b, func(features, hidden int) (recurrentLast, error) {
		lstm, err := bayesnodes.NewLSTM(features, hidden)
		if err != nil {
			return nil, err
		}
		return func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
			_, last, err := lstm.Forward(bd, x, bayesnodes.LSTMState{})
			return last.H, err
		}, nil
	})
}

// BenchmarkGRUStep is BenchmarkLSTMStep for a GRU.
func BenchmarkGRUStep(b *testing.B) {
	benchmarkRecurrentStep(b, func(features, hidden int) (recurrentLast, error) {
		gru, err := bayesnodes.NewGRU(features, hidden)
		if err != nil {
			return nil, err
		}
		return func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
			_, last, err := gru.Forward(bd, x, nil)
			return last, err
		}, nil
	})
}

// recurrentLast adds a recurrent layer to the graph and returns its last
// hidden state.
type recurrentLast func(bd *graph.Builder, x *G.Node) (*G.Node, error)

func benchmarkRecurrentStep(b *testing.B, layer func(features, hidden int) (recurrentLast, error)) {
	const hidden, steps, batch = 64, 32, 32
	for _, features := range []int{1, 8} {
		b.Run(fmt.Sprintf("features=%d", features), func(b *testing.B) {
			rec, err := layer(features, hidden)
			if err != nil {
				b.Fatal(err)
			}
			head, err := bayesnodes.NewLinear(hidden, 1)
			if err != nil {
				b.Fatal(err)
			}
			net := func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
				last, err := rec(bd, x)
				if err != nil {
					return nil, err
				}
				return head.Apply(bd, last)
			}
			model, err := graph.NewModel(net, graph.Input(steps, features), graph.Seed(1))
			if err != nil {
				b.Fatal(err)
			}
			elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
			if err != nil {
				b.Fatal(err)
			}
			adam, err := optim.NewAdam(1e-3)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := optim.NewTrainer(model, elbo, adam, optim.Quiet())
			if err != nil {
				b.Fatal(err)
			}
			x, y := randomInput(batch*steps*features, 1), randomInput(batch, 2)
			at := losses.Batch{Count: 1, Size: batch, DatasetSize: batch}
			if _, err := tr.Step(x, y, at); err != nil { // build the graph
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Step(x, y, at); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
