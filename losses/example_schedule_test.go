package losses_test

import (
	"fmt"

	"github.com/gorgonia-bnn/bnn/losses"
)

// ExampleAnnealed warms the KL weight up linearly over 100 steps to
// beta = 0.5 times 1/N: the beta-ELBO with KL annealing.
func ExampleAnnealed() {
	w := losses.Annealed{Base: losses.Scaled{Base: losses.PerExample{}, Beta: 0.5}, Steps: 100}
	for _, step := range []int{0, 50, 100, 200} {
		fmt.Printf("step %3d: %.4f\n", step, w.Weight(losses.Batch{Step: step, DatasetSize: 10}))
	}
	// Output:
	// step   0: 0.0000
	// step  50: 0.0250
	// step 100: 0.0500
	// step 200: 0.0500
}

// ExamplePlateau halves beta when the epoch loss has not improved for two
// epochs, never below 0.1. After a change the next loss is the new
// reference (the loss holds beta * KL, so it changes scale). The trainer feeds it through the ELBO
// (optim.Trainer reports losses to an objective that is a LossObserver).
func ExamplePlateau() {
	p, err := losses.NewPlateau(losses.PerExample{}, 0.5, 2, losses.PlateauBounds(0.1, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	elbo, err := losses.NewELBO(losses.MSE{}, losses.WithKLWeight(p))
	if err != nil {
		fmt.Println(err)
		return
	}
	for epoch, loss := range []float64{2.0, 1.5, 1.6, 1.5, 1.4, 1.4, 1.4} {
		elbo.ObserveLoss(losses.Observation{Kind: losses.EpochLoss, Loss: loss})
		fmt.Printf("epoch %d: loss %.1f beta %.2f\n", epoch, loss, p.Beta())
	}
	// Output:
	// epoch 0: loss 2.0 beta 1.00
	// epoch 1: loss 1.5 beta 1.00
	// epoch 2: loss 1.6 beta 1.00
	// epoch 3: loss 1.5 beta 0.50
	// epoch 4: loss 1.4 beta 0.50
	// epoch 5: loss 1.4 beta 0.50
	// epoch 6: loss 1.4 beta 0.25
}

// ExampleRenyiLoss combines the losses of four Monte-Carlo samples: alpha
// = 1 is their mean (the ELBO), alpha = 0 the importance-weighted bound,
// which trusts the better samples more.
func ExampleRenyiLoss() {
	samples := []float64{0.52, 0.47, 0.61, 0.50} // per-example losses
	const n = 20                                 // examples in the data set
	for _, alpha := range []float64{1, 0.5, 0} {
		l, err := losses.RenyiLoss(samples, alpha, n)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("alpha %.1f: %.4f\n", alpha, l)
	}
	// Output:
	// alpha 1.0: 0.5250
	// alpha 0.5: 0.5133
	// alpha 0.0: 0.5052
}
