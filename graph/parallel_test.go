package graph_test

import (
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// grads returns copies of a graph's parameter gradients and zeroes them.
func grads(t *testing.T, g *graph.Graph) [][]float64 {
	t.Helper()
	var out [][]float64
	for _, l := range g.Learnables() {
		gv, err := l.Grad()
		if err != nil {
			t.Fatal(err)
		}
		d := gv.(*tensor.Dense)
		out = append(out, slices.Clone(d.Data().([]float64)))
		d.Zero()
	}
	return out
}

// TestRunParallelMatchesSequential checks that K graphs run at once give
// the outputs and, gathered, the gradient sum of K sequential runs of one
// graph from the same noise seed, to the last bit.
func TestRunParallelMatchesSequential(t *testing.T) {
	const k, batch = 3, 4
	n := newNoisyScale(t, 5)
	m, err := graph.NewModel(n.net, graph.Input(5), graph.WithDtype(graph.Float64), graph.Seed(9))
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, batch*5)
	for i := range x {
		x[i] = float64(i%7) - 3
	}
	gs := make([]*graph.Graph, k)
	for i := range gs {
		if gs[i], err = m.Build(batch, sumObjective{}); err != nil {
			t.Fatal(err)
		}
		defer gs[i].Close()
		if err := gs[i].SetX(x); err != nil {
			t.Fatal(err)
		}
	}

	m.ReseedNoise(42)
	var seqOut [][]float64
	for range k {
		if err := gs[0].Run(); err != nil {
			t.Fatal(err)
		}
		seqOut = append(seqOut, gs[0].Output(nil))
	}
	seqGrad := grads(t, gs[0])

	m.ReseedNoise(42)
	if err := graph.RunParallel(gs...); err != nil {
		t.Fatal(err)
	}
	for i, g := range gs {
		if got := g.Output(nil); !slices.Equal(got, seqOut[i]) {
			t.Errorf("graph %d: output %v, sequential run %d gave %v", i, got, i, seqOut[i])
		}
	}
	for _, g := range gs[1:] {
		if err := gs[0].AddGradients(g); err != nil {
			t.Fatal(err)
		}
	}
	par := grads(t, gs[0])
	for i := range seqGrad {
		if !slices.Equal(par[i], seqGrad[i]) {
			t.Errorf("parameter %d: gathered gradient %v, sequential %v", i, par[i], seqGrad[i])
		}
	}
	for _, g := range gs[1:] {
		for _, gr := range grads(t, g) {
			for _, v := range gr {
				if v != 0 {
					t.Fatalf("AddGradients left a source gradient of %v", v)
				}
			}
		}
	}
}

func TestRunParallelBadInput(t *testing.T) {
	n := newNoisyScale(t, 2)
	m1, err := graph.NewModel(n.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	other := newNoisyScale(t, 2)
	m2, err := graph.NewModel(other.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	build := func(m *graph.Model) *graph.Graph {
		g, err := m.Build(1, sumObjective{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { g.Close() })
		return g
	}
	a, b, c := build(m1), build(m1), build(m2)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil graph", graph.RunParallel(a, nil), "graph 1 is nil"},
		{"same graph twice", graph.RunParallel(a, b, a), "graphs 0 and 2 are the same graph"},
		{"two models", graph.RunParallel(a, c), "graph 1 belongs to another model"},
		{"add own gradients", a.AddGradients(a), "its own gradients"},
		{"add another model's", a.AddGradients(c), "different models"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}
