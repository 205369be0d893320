package philox_test

import (
	"fmt"
	"slices"

	"github.com/gorgonia-bnn/bnn/internal/philox"
)

// A value depends on its stream and position only: filling a buffer in
// two parts, in either order or on two cores, gives the values of one fill.
// The printed signs pin the generator's bits: a change to them changes
// every seeded figure of the library.
func Example() {
	s := philox.Stream{Key: [2]uint32{42, 0}, Ctr: [3]uint32{1, 0, 0}}
	whole := make([]float32, 10)
	philox.Normal(whole, &s, 0)

	parts := make([]float32, 10)
	philox.Normal(parts[7:], &s, 7)
	philox.Normal(parts[:7], &s, 0)
	fmt.Println(slices.Equal(whole, parts))

	signs := make([]float64, 8)
	philox.Signs(signs, &s, 0)
	fmt.Println(signs)
	// Output:
	// true
	// [-1 -1 1 1 -1 -1 1 -1]
}
