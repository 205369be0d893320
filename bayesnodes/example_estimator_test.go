package bayesnodes_test

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// Pointwise is a user's Bayesian layer: it mixes the channels of a
// sequence [batch, In, L] at every position, y[n, o, l] = sum_c w[o, c]
// x[n, c, l], written with Gorgonia's own ops. Being linear in w, it is a
// LinearMap, and Estimator.Apply makes it Bayesian under any estimator.
type Pointwise struct {
	Weight    bayesnodes.Posterior // [Out, In]
	Estimator bayesnodes.Estimator
}

func (p *Pointwise) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	return p.Estimator.Apply(b, x, p.Weight, nil, bayesnodes.LinearFunc(mixChannels))
}

// mixChannels is w x per example: [batch, C, L] -> [batch, L, C] -> rows
// times w^T -> [batch, Out, L].
func mixChannels(_ *graph.Builder, x, w *G.Node) (*G.Node, error) {
	s := x.Shape()
	xt, err := G.Transpose(x, 0, 2, 1)
	if err != nil {
		return nil, err
	}
	rows, err := G.Reshape(xt, tensor.Shape{s[0] * s[2], s[1]})
	if err != nil {
		return nil, err
	}
	wt, err := G.Transpose(w)
	if err != nil {
		return nil, err
	}
	y, err := G.Mul(rows, wt)
	if err != nil {
		return nil, err
	}
	if y, err = G.Reshape(y, tensor.Shape{s[0], s[2], w.Shape()[0]}); err != nil {
		return nil, err
	}
	return G.Transpose(y, 0, 2, 1)
}

// ExampleEstimator_Apply writes a Bayesian layer of one's own that trains
// with Flipout: each example sees its own signs on one weight perturbation,
// so two examples with the same input get different outputs.
func ExampleEstimator_Apply() {
	weight, err := bayesnodes.NewPosterior("mix", []int{2, 3}, bayesnodes.Normal{Mu: 0, Sigma: 1},
		graph.Normal(0, 0.5), graph.Constant(-1), bayesnodes.KLAuto)
	if err != nil {
		fmt.Println(err)
		return
	}
	layer := &Pointwise{Weight: weight, Estimator: bayesnodes.Flipout}
	model, err := graph.NewModel(layer.Apply, graph.Input(3, 4), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(2, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := make([]float64, 2*3*4)
	for i := range x {
		x[i] = float64(i % 12) // both examples alike
	}
	if err := g.SetX(x); err != nil {
		fmt.Println(err)
		return
	}
	// Each example has signs of its own, so alike examples get different
	// outputs, except in the one run in 16 where the two examples' signs
	// come out all alike or all opposite: look at a few runs.
	differ := false
	for range 3 {
		if err := g.Run(); err != nil {
			fmt.Println(err)
			return
		}
		y := g.Output(nil)
		differ = differ || !slices.Equal(y[:8], y[8:])
	}
	fmt.Println("output shape:", g.OutputShape())
	fmt.Println("noise inputs:", g.NoiseNames())
	fmt.Println("examples differ:", differ)
	// Output:
	// output shape: [2 2 4]
	// noise inputs: [mix mix.sign_in mix.sign_out]
	// examples differ: true
}
