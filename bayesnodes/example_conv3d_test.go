package bayesnodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleNewConv3D classifies small volumes (one channel of 8x16x16, say a
// short video clip or a scan) with a Bayesian 3-D convolution that halves
// every axis, then a linear layer to two logits; the convolution samples
// its outputs by the local reparameterisation.
func ExampleNewConv3D() {
	conv, err := bayesnodes.NewConv3D(1, 4, [3]int{3, 3, 3},
		bayesnodes.Stride(2), bayesnodes.Padding(1),
		bayesnodes.WithEstimator(bayesnodes.LocalReparameterization), bayesnodes.WithName("conv"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fc, err := bayesnodes.NewLinear(4*4*8*8, 2, bayesnodes.WithName("fc"))
	if err != nil {
		fmt.Println(err)
		return
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := conv.Apply(b, x) // [batch, 4, 4, 8, 8]
		if err != nil {
			return nil, err
		}
		if h, err = G.Rectify(h); err != nil {
			return nil, err
		}
		if h, err = bayesnodes.Flatten(h); err != nil { // [batch, 1024]
			return nil, err
		}
		return fc.Apply(b, h)
	}
	model, err := graph.NewModel(net, graph.Input(1, 8, 16, 16), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, err := model.Predict(make([]float64, 3*8*16*16), 5) // 3 volumes, 5 samples
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("samples:", len(pred.Samples), "examples:", pred.N, "logits each:", pred.Width)
	fmt.Println("conv weight:", conv.Weight.Mean().Shape(), "stride:", conv.Stride, "padding:", conv.Padding)
	// Output:
	// samples: 5 examples: 3 logits each: 2
	// conv weight: [4 1 3 3 3] stride: [2 2 2] padding: [1 1 1]
}
