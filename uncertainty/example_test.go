package uncertainty_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-bnn/bnn/uncertainty"
)

func ExampleSummarize() {
	// Four Monte-Carlo predictions at three points.
	samples := [][]float64{
		{0.9, 2.0, -1},
		{1.1, 2.0, 1},
		{1.0, 2.0, -1},
		{1.0, 2.0, 1},
	}
	s, err := uncertainty.Summarize(samples)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mean %.3f\n", s.Mean)
	fmt.Printf("std  %.3f\n", s.Std)
	// Output:
	// mean [1.000 2.000 0.000]
	// std  [0.071 0.000 1.000]
}

func ExampleQuantiles() {
	samples := [][]float64{{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}}
	q, err := uncertainty.Quantiles(samples, 0.05, 0.5, 0.95)
	if err != nil {
		log.Fatal(err)
	}
	lower, median, upper := q[0], q[1], q[2]
	fmt.Println(lower[0], median[0], upper[0])
	// Output: 1.5 6 10.5
}

func ExampleEvaluateRegression() {
	y := []float64{0.1, 0.5, -0.2, 2.0}
	mean := []float64{0.0, 0.4, 0.0, 1.0}
	std := []float64{0.1, 0.1, 0.2, 0.3}
	cov, err := uncertainty.EvaluateRegression(y, mean, std, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("inside %.2f, below upper %.2f, above lower %.2f\n", cov.Inside, cov.BelowUpper, cov.AboveLower)
	// Output: inside 0.75, below upper 0.75, above lower 1.00
}

func ExampleTotalStd() {
	epistemic := []float64{0.3, 0}
	fmt.Println(uncertainty.TotalStd(epistemic, 0.4))
	// Output: [0.5 0.4]
}

func ExampleRMSE() {
	rmse, err := uncertainty.RMSE([]float64{1, 2, 3, 4}, []float64{1, 2, 3, 6})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rmse)
	// Output: 1
}

func ExampleNewClassPredictive() {
	// Two weight samples of a 2-class model on 3 inputs, flattened
	// row-major: each input's probabilities are consecutive.
	probs := [][]float64{
		{0.99, 0.01, 0.5, 0.5, 0.99, 0.01},
		{0.99, 0.01, 0.5, 0.5, 0.01, 0.99},
	}
	cp, err := uncertainty.NewClassPredictive(probs, 3, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("predicted:", cp.Predicted())
	fmt.Printf("entropy:   %.3f\n", cp.Entropy())
	fmt.Printf("aleatoric: %.3f\n", cp.ExpectedEntropy())
	fmt.Printf("epistemic: %.3f\n", cp.MutualInformation())
	acc, err := cp.Accuracy([]int{0, 0, 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("accuracy: ", acc)
	// Output:
	// predicted: [0 0 0]
	// entropy:   [0.056 0.693 0.693]
	// aleatoric: [0.056 0.693 0.056]
	// epistemic: [0.000 0.000 0.637]
	// accuracy:  0.6666666666666666
}

func ExampleClassPredictive_Calibration() {
	// One sample (a deterministic model) for brevity.
	probs := [][]float64{{0.9, 0.1, 0.3, 0.7, 0.65, 0.35, 0.55, 0.45}}
	cp, err := uncertainty.NewClassPredictive(probs, 4, 2)
	if err != nil {
		log.Fatal(err)
	}
	cal, err := cp.Calibration([]int{0, 0, 0, 1}, 5) // 15 bins is usual
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ECE %.3f\n", cal.ECE)
	for _, b := range cal.Bins {
		if b.Count > 0 {
			fmt.Printf("(%.1f, %.1f]: %d inputs, confidence %.3f, accuracy %.2f\n", b.Lo, b.Hi, b.Count, b.Confidence, b.Accuracy)
		}
	}
	// Output:
	// ECE 0.250
	// (0.4, 0.6]: 1 inputs, confidence 0.550, accuracy 0.00
	// (0.6, 0.8]: 2 inputs, confidence 0.675, accuracy 0.50
	// (0.8, 1.0]: 1 inputs, confidence 0.900, accuracy 1.00
}

func ExampleClassPredictive_MajorityAgreement() {
	// Ten samples on one input: eight vote for class 1, two for class 0.
	probs := make([][]float64, 10)
	for s := range probs {
		if s < 8 {
			probs[s] = []float64{0.2, 0.8}
		} else {
			probs[s] = []float64{0.6, 0.4}
		}
	}
	cp, err := uncertainty.NewClassPredictive(probs, 1, 2)
	if err != nil {
		log.Fatal(err)
	}
	a := cp.MajorityAgreement(1.96) // 95%
	fmt.Printf("%.2f of the samples agree, 95%% interval [%.3f, %.3f]\n", a[0].Share, a[0].Lo, a[0].Hi)
	// Output: 0.80 of the samples agree, 95% interval [0.490, 0.943]
}

func ExampleWilsonInterval() {
	iv, err := uncertainty.WilsonInterval(10, 10, 1.96)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.2f [%.3f, %.3f]\n", iv.Share, iv.Lo, iv.Hi)
	// Output: 1.00 [0.722, 1.000]
}

func ExampleAUROC() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	positive := []bool{false, false, true, true}
	auc, err := uncertainty.AUROC(scores, positive)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(auc)
	// Output: 0.75
}

func ExampleOODAUROC() {
	// Predictive entropy on in-distribution and out-of-distribution inputs.
	in := []float64{0.02, 0.10, 0.05, 0.60}
	out := []float64{0.90, 0.45, 1.20}
	auc, err := uncertainty.OODAUROC(in, out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", auc)
	// Output: 0.917
}
