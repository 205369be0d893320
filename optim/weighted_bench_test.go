package optim_test

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// BenchmarkStepSamples compares a K = 4 step of the ELBO (gradients summed
// by the machine) with one of the Renyi bound (each run's gradient moved
// into a weighted accumulator) on a 16-64-1 network, batch 32.
func BenchmarkStepSamples(b *testing.B) {
	for _, name := range []string{"elbo", "renyi"} {
		b.Run(name, func(b *testing.B) {
			mlp, err := bayesnodes.NewMLP([]int{16, 64, 1}, bayesnodes.WithKL(bayesnodes.KLMonteCarlo))
			if err != nil {
				b.Fatal(err)
			}
			m, err := graph.NewModel(mlp.Apply, graph.Input(16), graph.Seed(1))
			if err != nil {
				b.Fatal(err)
			}
			renyi, err := losses.NewRenyi(losses.GaussianNLL{Sigma: 1}, 0.5)
			if err != nil {
				b.Fatal(err)
			}
			var obj optim.Objective = renyi.ELBO
			if name == "renyi" {
				obj = renyi
			}
			s, err := optim.NewSGD(1e-3)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := optim.NewTrainer(m, obj, s, optim.Samples(4), optim.Quiet())
			if err != nil {
				b.Fatal(err)
			}
			x, y := make([]float64, 32*16), make([]float64, 32)
			for i := range x {
				x[i] = float64(i%7) / 7
			}
			at := losses.Batch{DatasetSize: 1000, Size: 32, Count: 1}
			b.ResetTimer()
			for range b.N {
				if _, err := tr.Step(x, y, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
