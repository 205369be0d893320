package bayesnodes_test

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// BenchmarkLSTMStep measures one training step of a one-layer Bayesian
// LSTM (see recurrentTrainer).
func BenchmarkLSTMStep(b *testing.B) {
	benchmarkRecurrentStep(b, lstmLast)
}

// BenchmarkGRUStep is BenchmarkLSTMStep for a GRU.
func BenchmarkGRUStep(b *testing.B) {
	benchmarkRecurrentStep(b, gruLast)
}

// lstmLast is a one-layer LSTM for recurrentTrainer.
func lstmLast(features, hidden int) (recurrentLast, error) {
	lstm, err := bayesnodes.NewLSTM(features, hidden)
	if err != nil {
		return nil, err
	}
	return func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
		_, last, err := lstm.Forward(bd, x, bayesnodes.LSTMState{})
		return last.H, err
	}, nil
}

// gruLast is a one-layer GRU for recurrentTrainer.
func gruLast(features, hidden int) (recurrentLast, error) {
	gru, err := bayesnodes.NewGRU(features, hidden)
	if err != nil {
		return nil, err
	}
	return func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
		_, last, err := gru.Forward(bd, x, nil)
		return last, err
	}, nil
}

// recurrentLast adds a recurrent layer to the graph and returns its last
// hidden state.
type recurrentLast func(bd *graph.Builder, x *G.Node) (*G.Node, error)

func benchmarkRecurrentStep(b *testing.B, layer func(features, hidden int) (recurrentLast, error)) {
	for _, features := range []int{1, 8} {
		for _, dt := range []tensor.Dtype{graph.Float32, graph.Float64} {
			b.Run(fmt.Sprintf("features=%d/%v", features, dt), func(b *testing.B) {
				step := recurrentTrainer(b, layer, features, dt)
				step() // build the graph
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					step()
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}

// recurrentTrainer returns a training step (forward, backward, Adam, K = 1)
// of the layer with 64 hidden units over a batch of 32 sequences of
// length 32, its last hidden state read out by a Bayesian linear layer
// under a Gaussian NLL, computing in dt.
func recurrentTrainer(tb testing.TB, layer func(features, hidden int) (recurrentLast, error), features int, dt tensor.Dtype) (step func()) {
	tb.Helper()
	const hidden, steps, batch = 64, 32, 32
	rec, err := layer(features, hidden)
	if err != nil {
		tb.Fatal(err)
	}
	head, err := bayesnodes.NewLinear(hidden, 1)
	if err != nil {
		tb.Fatal(err)
	}
	net := func(bd *graph.Builder, x *G.Node) (*G.Node, error) {
		last, err := rec(bd, x)
		if err != nil {
			return nil, err
		}
		return head.Apply(bd, last)
	}
	model, err := graph.NewModel(net, graph.Input(steps, features), graph.Seed(1), graph.WithDtype(dt))
	if err != nil {
		tb.Fatal(err)
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
	if err != nil {
		tb.Fatal(err)
	}
	adam, err := optim.NewAdam(1e-3)
	if err != nil {
		tb.Fatal(err)
	}
	tr, err := optim.NewTrainer(model, elbo, adam, optim.Quiet())
	if err != nil {
		tb.Fatal(err)
	}
	x, y := randomInput(batch*steps*features, 1), randomInput(batch, 2)
	at := losses.Batch{Count: 1, Size: batch, DatasetSize: batch}
	return func() {
		if _, err := tr.Step(x, y, at); err != nil {
			tb.Fatal(err)
		}
	}
}
