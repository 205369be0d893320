package scoring_test

import (
	"fmt"

	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

// Score two records of a (here untrained) regression network with a noise
// model: each gets its predictive mean, epistemic and total sd and a 90%
// interval.
func Example() {
	spec := netspec.MLP(netspec.Regression, 2, 16, 1)
	spec.NoiseStd = 0.1
	model, err := spec.NewModel() // or netspec.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	sc, err := scoring.New(model, spec, scoring.Samples(200), scoring.Seed(7))
	if err != nil {
		fmt.Println(err)
		return
	}
	results, err := sc.Score([]float64{0.5, -1, 2, 0}, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Printf("mean %.3f  sd %.3f (total %.3f)  90%% in [%.3f, %.3f]\n", r.Mean[0], r.Std[0], r.TotalStd[0], r.Lower[0], r.Upper[0])
	}
	// Output:
	// mean -0.104  sd 0.080 (total 0.128)  90% in [-0.315, 0.106]
	// mean -0.134  sd 0.144 (total 0.175)  90% in [-0.423, 0.154]
}
