package bayesnodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

// ExampleMaxPool2D takes the maximum of each 2x2 block of a 4x4 image.
func ExampleMaxPool2D() {
	g := G.NewGraph()
	img := tensor.New(tensor.WithShape(1, 1, 4, 4), tensor.WithBacking([]float64{
		1, 2, 0, -1,
		4, 3, -2, -3,
		0, 0, 5, 6,
		9, 0, 8, 7,
	}))
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 1, 4, 4), G.WithName("x"), G.WithValue(img))
	y, err := bayesnodes.MaxPool2D(x, [2]int{2, 2}, [2]int{2, 2}, [2]int{0, 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Shape(), y.Value().Data())

	// A kernel that does not fit is an error, not a panic.
	_, err = bayesnodes.MaxPool2D(x, [2]int{5, 2}, [2]int{2, 2}, [2]int{0, 0})
	fmt.Println(err)
	// Output:
	// (1, 1, 2, 2) [4 0 9 8]
	// bayesnodes: MaxPool2D: input has shape (1, 1, 4, 4): along axis 2 the kernel 5 is larger than the padded input's 4 (4 + 2*0)
}
