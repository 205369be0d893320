package ensemble_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gorgonia-bnn/bnn/ensemble"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

func ExampleTrain() {
	// Three deterministic networks from three seeds, trained two at a
	// time, pooled into one predictive.
	e, err := ensemble.Train(context.Background(), []uint64{1, 2, 3}, sineMember(true), ensemble.Parallel(2))
	if err != nil {
		log.Fatal(err)
	}
	x := []float64{0, 2.5, 6} // the data covers [-3, 3]
	p, err := e.PredictMarginal(x, 1)
	if err != nil {
		log.Fatal(err)
	}
	s, err := uncertainty.Summarize(p.Samples)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d members; they disagree more at x = 6 than at x = 0: %v\n", len(p.Samples), s.Std[2] > 5*s.Std[0])
	// Output: 3 members; they disagree more at x = 6 than at x = 0: true
}
