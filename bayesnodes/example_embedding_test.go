package bayesnodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// ExampleNewEmbedding embeds sequences of 4 token ids from a vocabulary of
// 10 into 3 dimensions, with id 0 as padding: padded positions read as
// zeros, and the padding row is neither learned nor part of the KL.
func ExampleNewEmbedding() {
	emb, err := bayesnodes.NewEmbedding(10, 3, bayesnodes.PaddingIndex(0), bayesnodes.WithName("tokens"))
	if err != nil {
		fmt.Println(err)
		return
	}
	net := func(b *graph.Builder, ids *G.Node) (*G.Node, error) {
		return emb.Apply(b, ids) // [batch, 4] ids -> [batch, 4, 3]
	}
	model, err := graph.NewModel(net, graph.Input(4), graph.Seed(1))
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
	// Ids are whole numbers held as floats; a bad one is an error here,
	// before anything runs.
	if err := g.SetX([]float64{4, 2, 0, 0, 7, 10, 0, 0}); err != nil {
		fmt.Println(err)
	}
	if err := g.SetX([]float64{4, 2, 0, 0, 7, 9, 1, 0}); err != nil {
		fmt.Println(err)
		return
	}
	if err := g.Run(); err != nil {
		fmt.Println(err)
		return
	}
	out := g.Output(nil)
	fmt.Println("output shape:", g.OutputShape())
	fmt.Println("padded position:", out[2*3:3*3])
	fmt.Println("KL over", g.KLCount(), "weights")
	// Output:
	// graph: input x: index 10 at position 5 is not a whole number in [0, 10)
	// output shape: [2 4 3]
	// padded position: [0 0 0]
	// KL over 27 weights
}
