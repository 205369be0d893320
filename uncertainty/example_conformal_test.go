package uncertainty_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/gorgonia-bnn/bnn/uncertainty"
)

func ExampleCalibrateInterval() {
	// A predictive whose sd is half the truth: mean ± 1.96 sd covers only
	// about two thirds of the targets. Held-out points fix the scale.
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func(n int) (y, mean, sd []float64) {
		for range n {
			mean = append(mean, 0)
			sd = append(sd, 0.5)
			y = append(y, rng.NormFloat64())
		}
		return y, mean, sd
	}
	calY, calMean, calSD := draw(999)
	c, err := uncertainty.CalibrateInterval(calY, calMean, calSD, 0.95)
	if err != nil {
		log.Fatal(err)
	}
	y, mean, sd := draw(10000)
	raw, err := uncertainty.EvaluateRegression(y, mean, sd, 1.96)
	if err != nil {
		log.Fatal(err)
	}
	cov, err := c.Coverage(y, mean, sd)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("raw 95%% interval covers %.2f\n", raw.Inside)
	fmt.Printf("conformal: mean ± %.2f sd covers %.2f\n", c.Scale, cov)
	// Output:
	// raw 95% interval covers 0.67
	// conformal: mean ± 3.81 sd covers 0.95
}

func ExampleCalibrateSets() {
	// Held-out class probabilities of three classes and their labels.
	probs := []float64{
		0.8, 0.1, 0.1,
		0.6, 0.3, 0.1,
		0.5, 0.4, 0.1,
		0.1, 0.2, 0.7,
		0.3, 0.3, 0.4,
		0.2, 0.7, 0.1,
		0.9, 0.05, 0.05,
		0.4, 0.4, 0.2,
		0.1, 0.8, 0.1,
	}
	labels := []int{0, 1, 0, 2, 0, 1, 0, 1, 1}
	c, err := uncertainty.CalibrateSets(probs, labels, 3, 0.8)
	if err != nil {
		log.Fatal(err)
	}
	sets, err := c.Sets([]float64{0.95, 0.03, 0.02, 0.5, 0.45, 0.05}, 3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("threshold %.2f: a confident input gets %v, an ambiguous one %v\n", c.Threshold, sets[0], sets[1])
	// Output: threshold 0.90: a confident input gets [0], an ambiguous one [0 1]
}

func ExampleFitTemperature() {
	// Logits that are too sharp: the labels follow softmax(z / 2).
	logits := []float64{4, 0, 0, 4, 4, 0, 0, 4, 4, 0, 0, 4, 4, 0, 0, 4}
	labels := []int{0, 1, 0, 1, 0, 1, 1, 0} // the argmax 6 times of 8
	T, err := uncertainty.FitTemperature(logits, labels, 2)
	if err != nil {
		log.Fatal(err)
	}
	p, err := T.Probabilities(logits[:2], 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("T = %.2f, top probability %.2f (was %.2f)\n", float64(T), p[0], 1/(1+math.Exp(-4)))
	// Output: T = 3.64, top probability 0.75 (was 0.98)
}
