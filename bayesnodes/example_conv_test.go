package bayesnodes_test

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleNewConv2D builds a Bayesian LeNet for 28x28 grey images: two
// convolutions with max pooling, then a linear layer to ten logits.
func ExampleNewConv2D() {
	conv1, err := bayesnodes.NewConv2D(1, 6, [2]int{5, 5}, bayesnodes.Padding(2), bayesnodes.WithName("conv1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	conv2, err := bayesnodes.NewConv2D(6, 16, [2]int{5, 5}, bayesnodes.WithName("conv2"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fc, err := bayesnodes.NewLinear(16*5*5, 10, bayesnodes.WithName("fc"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// convPool is a convolution, a 2x2 max pooling and a ReLU (pooling
	// first gives the same values and gradients as ReLU first, since ReLU
	// is monotone, on a quarter of the values).
	convPool := func(b *graph.Builder, x *G.Node, conv *bayesnodes.Conv) (*G.Node, error) {
		h, err := conv.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = bayesnodes.MaxPool2D(h, [2]int{2, 2}, [2]int{2, 2}, [2]int{0, 0}); err != nil {
			return nil, err
		}
		return G.Rectify(h)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := convPool(b, x, conv1) // [batch, 6, 14, 14]
		if err != nil {
			return nil, err
		}
		if h, err = convPool(b, h, conv2); err != nil { // [batch, 16, 5, 5]
			return nil, err
		}
		if h, err = bayesnodes.Flatten(h); err != nil { // [batch, 400]
			return nil, err
		}
		return fc.Apply(b, h)
	}
	model, err := graph.NewModel(net, graph.Input(1, 28, 28), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(2, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	if err := g.SetX(make([]float64, 2*28*28)); err != nil {
		fmt.Println(err)
		return
	}
	if err := g.Run(); err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range model.Params() {
		if strings.HasSuffix(p.Name(), ".mu") {
			fmt.Println(p.Name(), p.Shape())
		}
	}
	fmt.Println("output shape:", g.OutputShape(), "KL over", g.KLCount(), "weights")
	// Output:
	// conv1.weight.mu [6 1 5 5]
	// conv1.bias.mu [6]
	// conv2.weight.mu [16 6 5 5]
	// conv2.bias.mu [16]
	// fc.weight.mu [10 400]
	// fc.bias.mu [10]
	// output shape: [2 10] KL over 6582 weights
}
