package opkit_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// square is y = x^2 elementwise, for vectors: its mathematics is all an op
// needs to say.
type square[T opkit.Float] struct{}

func (square[T]) String() string                                { return "example.square" }
func (square[T]) Ranks() ([]int, int)                           { return []int{1}, 1 }
func (square[T]) Shape(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
func (square[T]) DiffWRT() []bool                               { return []bool{true} }

func (square[T]) Eval(a *opkit.Args[T]) error {
	for i, x := range a.In[0] {
		a.Out[i] = x * x
	}
	return nil
}

// Grad returns 2 x g, with Gorgonia's own ops.
func (square[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.HadamardProd(in[0], grad)
	if err != nil {
		return nil, err
	}
	d, err = G.Add(d, d)
	return G.Nodes{d}, err
}

func Example() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithBacking([]float32{1, 2, 3}))))
	y, err := opkit.Apply(square[float32]{}, square[float64]{}, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := G.Grad(G.Must(G.Sum(y)), x); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	dx, _ := x.Grad()
	fmt.Println(y.Value().Data(), dx.Data())
	// Output: [1 4 9] [2 4 6]
}
