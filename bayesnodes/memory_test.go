package bayesnodes

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/softplus"
)

// TestScratchHeaderSurvivesInPlaceReshape runs a graph in which Gorgonia
// reshapes a fused op's output in place, several times with fresh noise,
// and checks each run's value against the formula.
func TestScratchHeaderSurvivesInPlaceReshape(t *testing.T) {
	g := G.NewGraph()
	mu := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("mu"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, -2, 3, 0.5}))))
	rho := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("rho"), G.WithValue(tensor.New(tensor.WithBacking([]float64{-1, 0, 1, -3}))))
	eps := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("eps"))
	w := G.Must(fusedSample(mu, rho, eps))
	r := G.Must(G.Reshape(w, tensor.Shape{1, 4}))
	out := G.Must(ReLU(r))
	var got G.Value
	G.Read(out, &got)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for run, e := range [][]float64{{0.1, 0.2, -0.3, 0.4}, {-1, 2, 0.5, 0}, {3, -0.25, 1, -2}} {
		if err := G.Let(eps, tensor.New(tensor.WithBacking(append([]float64(nil), e...)))); err != nil {
			t.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
		if s := got.Shape(); !s.Eq(tensor.Shape{1, 4}) {
			t.Fatalf("run %d: shape %v, want [1 4]", run, s)
		}
		sp := make([]float64, 4)
		sg := make([]float64, 4)
		softplus.WithSigmoid(sp, sg, []float64{-1, 0, 1, -3})
		for i, v := range got.Data().([]float64) {
			want := []float64{1, -2, 3, 0.5}[i] + sp[i]*e[i]
			if want < 0 {
				want = 0
			}
			if v != want {
				t.Errorf("run %d: value %d is %v, want %v", run, i, v, want)
			}
		}
	}
}
