package bayesnodes_test

import (
	"fmt"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleNewConvTranspose2D upsamples 7x7 feature maps to 14x14 digits, as
// a decoder does, with Flipout while training.
func ExampleNewConvTranspose2D() {
	up, err := bayesnodes.NewConvTranspose2D(4, 1, [2]int{4, 4}, bayesnodes.Stride(2), bayesnodes.Padding(1),
		bayesnodes.WithEstimator(bayesnodes.Flipout), bayesnodes.WithName("decoder"))
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := graph.NewModel(up.Apply, graph.Input(4, 7, 7), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(8, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	if err := g.SetX(make([]float64, 8*4*7*7)); err != nil {
		fmt.Println(err)
		return
	}
	if err := g.Run(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("weight:", up.Weight.Mean().Shape(), "output:", g.OutputShape())
	fmt.Println("noise inputs:", g.NoiseNames())

	// An output padding must stay below the stride (or the dilation).
	_, err = bayesnodes.NewConvTranspose1D(4, 1, 3, bayesnodes.Stride(2), bayesnodes.OutputPadding(2))
	fmt.Println(err)
	// Output:
	// weight: [4 1 4 4] output: [8 1 14 14]
	// noise inputs: [decoder.weight decoder.weight.sign_in decoder.weight.sign_out decoder.bias]
	// bayesnodes: conv_transpose1d: output padding [2]: want each value >= 0 and smaller than its axis's stride [2] or dilation [1]
}
