package bayesnodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExamplePosterior handles the two posterior families alike through the
// Posterior interface: both start from the same deterministic weights
// (MOPED, sigma = 0.5 |w|), report their parameters, signal-to-noise
// ratios and log alpha, and pay their KL when a graph samples them.
func ExamplePosterior() {
	gauss, err := bayesnodes.NewPosterior("dense", []int{3}, bayesnodes.Normal{Sigma: 1},
		graph.Constant(0), graph.Constant(0), bayesnodes.KLAuto)
	if err != nil {
		fmt.Println(err)
		return
	}
	sparse, err := bayesnodes.NewSparsePosterior("sparse", []int{3}, nil, graph.Constant(0), graph.Constant(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	posts := []bayesnodes.Posterior{gauss, sparse}
	for _, p := range posts {
		if err := p.InitMOPED([]float64{0.5, -0.01, 2}, 0.5); err != nil {
			fmt.Println(err)
			return
		}
		ps := p.Params()
		fmt.Printf("%s: %s and %s, |mean|/sigma %.3g, log alpha %.3g\n",
			p.Name(), ps[0].Name(), ps[1].Name(), p.SignalToNoise(), p.LogAlphaValues())
	}

	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		for _, p := range posts {
			if _, err := p.Sample(b); err != nil { // adds the KL term
				return nil, err
			}
		}
		return x, nil
	}
	model, err := graph.NewModel(net, graph.Input(1), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(1, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	if err := g.SetX([]float64{0}); err != nil {
		fmt.Println(err)
		return
	}
	if err := g.Run(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("KL %.4f over %d weights\n", g.KL(), g.KLCount())
	// Output:
	// dense: dense.mu and dense.rho, |mean|/sigma [2 2 2], log alpha [-1.39 -1.39 -1.39]
	// sparse: sparse.theta and sparse.log_sigma2, |mean|/sigma [2 2 2], log alpha [-1.39 -1.39 -1.39]
	// KL 11.2982 over 6 weights
}
