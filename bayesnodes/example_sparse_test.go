package bayesnodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleWrap turns a deterministic network, written with plain parameters,
// into a Bayesian one without touching its code: the weight is wrapped in
// a posterior started at its values (MOPED), the bias stays deterministic.
func ExampleWrap() {
	w, _ := graph.NewParam("dense.weight", []int{2, 1}, graph.Constant(0.5))
	bias, _ := graph.NewParam("dense.bias", []int{1, 1}, graph.Constant(0.25))
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		wn, err := b.Param(w)
		if err != nil {
			return nil, err
		}
		bn, err := b.Param(bias)
		if err != nil {
			return nil, err
		}
		y, err := G.Mul(x, wn)
		if err != nil {
			return nil, err
		}
		return G.BroadcastAdd(y, bn, nil, []byte{0})
	}
	m, _ := graph.NewModel(net, graph.Input(2))
	if err := m.InitParams(); err != nil { // the parameters exist once built
		fmt.Println(err)
		return
	}
	x := []float64{1, 2}
	before, _ := m.PredictMean(x)

	posts, err := bayesnodes.Wrap(m, []*graph.Param{w}, bayesnodes.WrapSparse(), bayesnodes.MOPED(0.1))
	if err != nil {
		fmt.Println(err)
		return
	}
	after, _ := m.PredictMean(x)
	fmt.Printf("wrapped: %s, log alpha %.3f\n", posts[0].Name(), posts[0].LogAlphaValues()[0])
	fmt.Println("mean prediction before and after:", before, after)
	// Output:
	// wrapped: dense.weight, log alpha -4.605
	// mean prediction before and after: [1.75] [1.75]
}

// ExampleWithSparseVD builds a layer with sparse variational dropout
// weights, sampled by local reparameterisation as in Molchanov et al.
func ExampleWithSparseVD() {
	l, err := bayesnodes.NewLinear(784, 300, bayesnodes.WithSparseVD(bayesnodes.DefaultLogSigma2Init),
		bayesnodes.WithEstimator(bayesnodes.LocalReparameterization))
	if err != nil {
		fmt.Println(err)
		return
	}
	w := l.Weight.(*bayesnodes.SparsePosterior)
	fmt.Println(w.Theta.Name(), w.LogSigma2.Name(), w.Prior)
	fmt.Println(l.Bias.Mean().Name(), l.Bias.(*bayesnodes.GaussianPosterior).Rho.Name())
	// Output:
	// linear.weight.theta linear.weight.log_sigma2 {}
	// linear.bias.mu linear.bias.rho
}

// ExampleLogUniformKL shows the KL of one weight falling as its log alpha
// grows: the prior pushes weights towards being pruned.
func ExampleLogUniformKL() {
	for _, la := range []float64{-8, 0, bayesnodes.PruneLogAlpha, 8} {
		fmt.Printf("log alpha %4.1f: KL %.4f\n", la, bayesnodes.LogUniformKL(la))
	}
	// Output:
	// log alpha -8.0: KL 4.6359
	// log alpha  0.0: KL 0.4312
	// log alpha  3.0: KL 0.0254
	// log alpha  8.0: KL 0.0002
}
