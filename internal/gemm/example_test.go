package gemm_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"

	"github.com/gorgonia-bnn/bnn/internal/gemm"
)

// C = A Bᵀ for a 2×3 A and a 2×3 B, row-major, as Gorgonia's graphs call
// it once gemm.Implementation is their BLAS.
func ExampleImplementation_Sgemm() {
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{
		1, 0, 1,
		0, 1, 0,
	}
	c := make([]float32, 2*2)
	gemm.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}
