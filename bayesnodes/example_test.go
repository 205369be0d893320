package bayesnodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// Scale is a user-defined Bayesian layer: y = x * s elementwise, with one
// learnt, uncertain scale per feature. Holding a Posterior and calling
// Sample in Apply is all it takes; the KL is registered by Sample.
type Scale struct {
	S bayesnodes.Posterior
}

func NewScale(features int) (*Scale, error) {
	s, err := bayesnodes.NewPosterior("scale", []int{1, features}, bayesnodes.Normal{Mu: 1, Sigma: 0.5},
		graph.Constant(1), graph.Constant(-4), bayesnodes.KLAuto)
	if err != nil {
		return nil, err
	}
	return &Scale{S: s}, nil
}

func (l *Scale) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	s, err := l.S.Sample(b)
	if err != nil {
		return nil, err
	}
	return G.BroadcastHadamardProd(x, s, nil, []byte{0})
}

// Example_customLayer writes a Bayesian layer of one's own and uses it with
// a built-in one.
func Example_customLayer() {
	scale, err := NewScale(3)
	if err != nil {
		fmt.Println(err)
		return
	}
	dense, err := bayesnodes.NewLinear(3, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := scale.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return dense.Apply(b, h)
	}
	model, err := graph.NewModel(net, graph.Input(3), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(4, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := g.SetX(make([]float64, 12)); err != nil {
		fmt.Println(err)
		return
	}
	if err := g.Run(); err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range model.Params() {
		fmt.Println(p.Name(), p.Shape())
	}
	fmt.Println("noise inputs:", g.NoiseNames())
	fmt.Println("output shape:", g.OutputShape(), "KL > 0:", g.KL() > 0, "over", g.KLCount(), "weights")
	// Output:
	// scale.mu [1 3]
	// scale.rho [1 3]
	// linear.weight.mu [2 3]
	// linear.weight.rho [2 3]
	// linear.bias.mu [2]
	// linear.bias.rho [2]
	// noise inputs: [scale linear.weight linear.bias]
	// output shape: [4 2] KL > 0: true over 11 weights
}

// ExampleScaleMixture uses Blundell et al.'s scale-mixture prior; its KL is
// estimated by Monte Carlo at the sampled weights, since it has no closed form.
func ExampleScaleMixture() {
	prior := bayesnodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.0025}
	l, err := bayesnodes.NewLinear(784, 400, bayesnodes.WithPrior(prior), bayesnodes.WithName("fc1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Weight.Name(), l.Weight.Mean().Shape(), l.Weight.(*bayesnodes.GaussianPosterior).KL)

	// Asking for the closed form of a true mixture fails when the graph is built.
	strict, err := bayesnodes.NewLinear(2, 1, bayesnodes.WithPrior(prior), bayesnodes.WithKL(bayesnodes.KLClosedForm))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := graph.NewModel(strict.Apply, graph.Input(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = m.Build(1, nil)
	fmt.Println(err)
	// Output:
	// fc1.weight [400 784] auto
	// bayesnodes: linear.weight: the prior has no closed-form KL
}
