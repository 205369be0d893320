package graph_test

import (
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// countedCopy is a memoised copy of its input that counts its
// evaluations; name tells its nodes apart.
type countedCopy struct {
	name  string
	evals *int
}

func (m countedCopy) String() string      { return "test.countedCopy(" + m.name + ")" }
func (m countedCopy) Ranks() ([]int, int) { return []int{2}, 2 }
func (m countedCopy) Memoised()           {}
func (m countedCopy) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (m countedCopy) Eval(a *opkit.Args[float64]) error {
	*m.evals++
	copy(a.Out, a.In[0])
	return nil
}

// TestSteadyMemoisedOps checks which memoised ops a prediction compares
// and computes once per call: those computed from the data and the
// parameters only, not those fed noise (directly or through other ops)
// or a random node, which must compute on every pass.
func TestSteadyMemoisedOps(t *testing.T) {
	const width, passes = 3, 4
	evals := map[string]*int{}
	counted := func(name string, in *G.Node) (*G.Node, error) {
		if evals[name] == nil {
			evals[name] = new(int)
		}
		return opkit.ApplyOf[float64](countedCopy{name, evals[name]}, in)
	}
	w, err := graph.NewParam("w", []int{1, width}, graph.Normal(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		wn, err := b.Param(w)
		if err != nil {
			return nil, err
		}
		eps, err := b.Noise("eps", graph.Gaussian, b.Batch(), width)
		if err != nil {
			return nil, err
		}
		scaled, err := G.BroadcastHadamardProd(x, wn, nil, []byte{0})
		if err != nil {
			return nil, err
		}
		noisy, err := G.Add(x, eps)
		if err != nil {
			return nil, err
		}
		random := G.GaussianRandomNode(b.ExprGraph(), G.Float64, 0, 1, b.Batch(), width)
		out := x
		for name, in := range map[string]*G.Node{"data": x, "data and parameter": scaled, "noise": eps, "noise through an op": noisy, "random": random} {
			y, err := counted(name, in)
			if err != nil {
				return nil, err
			}
			if out, err = G.Add(out, y); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	m, err := graph.NewModel(net, graph.Input(width))
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, -1, 0.5, 2}
	for call := 1; call <= 2; call++ {
		for _, n := range evals {
			*n = 0
		}
		p, err := m.PredictMarginal(x, passes)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(p.Samples[0], p.Samples[1]) {
			t.Fatalf("call %d: passes 0 and 1 are equal: the noise was kept", call)
		}
		for name, n := range evals {
			want := passes
			switch name {
			case "data", "data and parameter":
				want = 2 - call // computed once, then matched on the second call
			}
			if *n != want {
				t.Errorf("call %d: the op fed %s computed %d times in %d passes, want %d", call, name, *n, passes, want)
			}
		}
	}
	if len(evals) != 5 {
		t.Fatalf("%d counted ops, want 5", len(evals))
	}
}
