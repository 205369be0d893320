package bayesnodes

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkBiasAddReLU runs relu(y + b) forward and backward on the sine
// network's hidden layer ([500, 100], float64), through the fused ops and
// through Gorgonia's BroadcastAdd and Rectify. The weighted sum that makes
// the loss is Gorgonia's in both, and so are the bytes the fused run still
// allocates.
func BenchmarkBiasAddReLU(b *testing.B) {
	for _, fused := range []bool{true, false} {
		name := map[bool]string{true: "fused", false: "gorgonia"}[fused]
		b.Run(name, func(b *testing.B) {
			const batch, c = 500, 100
			rng := rand.New(rand.NewPCG(1, 1))
			g := G.NewGraph()
			y := G.NewMatrix(g, tensor.Float64, G.WithShape(batch, c), G.WithName("y"), G.WithValue(signedZeroDense(rng, tensor.Float64, batch, c)))
			bias := G.NewVector(g, tensor.Float64, G.WithShape(c), G.WithName("b"), G.WithValue(signedZeroDense(rng, tensor.Float64, c)))
			w := G.NewMatrix(g, tensor.Float64, G.WithShape(batch, c), G.WithName("w"), G.WithValue(signedZeroDense(rng, tensor.Float64, batch, c)))
			var out *G.Node
			if fused {
				out = G.Must(ReLU(G.Must(fusedBiasAdd(y, bias))))
			} else {
				br := G.Must(G.Reshape(bias, tensor.Shape{1, c}))
				out = G.Must(G.Rectify(G.Must(G.BroadcastAdd(y, br, nil, []byte{0}))))
			}
			loss := G.Must(G.Sum(G.Must(G.HadamardProd(out, w))))
			if _, err := G.Grad(loss, y, bias); err != nil {
				b.Fatal(err)
			}
			vm := G.NewTapeMachine(g, G.BindDualValues(y, bias))
			defer vm.Close()
			b.ReportAllocs()
			for b.Loop() {
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
				vm.Reset()
			}
		})
	}
}
