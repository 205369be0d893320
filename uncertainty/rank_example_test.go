package uncertainty_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-bnn/bnn/uncertainty"
)

func ExampleMostUncertain() {
	// Predictive entropies of five test inputs, in nats.
	entropy := []float64{0.02, 1.9, 0.4, 2.1, 0.01}
	idx, err := uncertainty.MostUncertain(entropy, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(idx)
	// Output: [3 1]
}
