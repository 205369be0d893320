package losses_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-bnn/bnn/losses"
)

// A regression example's likelihood: the data's noise sd when it is known,
// else one learnt with the network; either way NoiseStd is what a
// predictive interval adds to the epistemic sd.
func ExampleNewGaussian() {
	fixed, err := losses.NewGaussian(0.1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T, noise sd %.2f\n", fixed, fixed.NoiseStd())
	learned, err := losses.NewGaussian(0) // starts at 0.5, then learnt in training
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T, noise sd %.2f\n", learned, learned.NoiseStd())
	if _, err := losses.NewGaussian(-1); err != nil {
		fmt.Println(err)
	}
	// Output:
	// losses.GaussianNLL, noise sd 0.10
	// *losses.LearnedGaussianNLL, noise sd 0.50
	// losses: Gaussian noise sigma is -1, want a finite value > 0
}
