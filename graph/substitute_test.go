package graph_test

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestReplace: a replaced parameter's node is what the substitute builds,
// once per graph however often the network asks; the substitute may read
// the parameter itself; prediction graphs follow the replacement and its
// removal.
func TestReplace(t *testing.T) {
	w, err := graph.NewParam("w", []int{1, 2}, graph.Constant(2))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		a, err := b.Param(w)
		if err != nil {
			return nil, err
		}
		c, err := b.Param(w) // the same node again
		if err != nil {
			return nil, err
		}
		s, err := G.Add(a, c)
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(x, s)
	}
	m, err := graph.NewModel(net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	predict := func() []float64 {
		t.Helper()
		out, err := m.PredictMean([]float64{1, 10})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := predict(); got[0] != 4 || got[1] != 40 {
		t.Fatalf("before: %v, want [4 40]", got)
	}
	calls := 0
	err = m.Replace(w, func(b *graph.Builder) (*G.Node, error) {
		calls++
		orig, err := b.Param(w) // the parameter's own node, not a recursion
		if err != nil {
			return nil, err
		}
		return G.Mul(orig, b.Scalar(3))
	})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Replaced(w) {
		t.Fatal("Replaced is false after Replace")
	}
	if got := predict(); got[0] != 12 || got[1] != 120 {
		t.Fatalf("replaced: %v, want [12 120]", got)
	}
	if calls != 1 {
		t.Fatalf("substitute built %d times in one graph, want 1", calls)
	}
	if err := m.Replace(w, nil); err != nil {
		t.Fatal(err)
	}
	if got := predict(); got[0] != 4 {
		t.Fatalf("after removal: %v, want [4 40]", got)
	}
}

func TestReplaceBadInput(t *testing.T) {
	w, err := graph.NewParam("w", []int{1, 2}, graph.Constant(2))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		p, err := b.Param(w)
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(x, p)
	}
	newModel := func() *graph.Model {
		m, err := graph.NewModel(net, graph.Input(2))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"nil parameter", func() error { return newModel().Replace(nil, nil) }, "nil parameter"},
		{"before the model has parameters", func() error {
			return newModel().Replace(w, func(b *graph.Builder) (*G.Node, error) { return nil, nil })
		}, "w is not a parameter of the model"},
		{"nil node", func() error {
			m := newModel()
			if err := m.InitParams(); err != nil {
				return err
			}
			if err := m.Replace(w, func(b *graph.Builder) (*G.Node, error) { return nil, nil }); err != nil {
				return err
			}
			_, err := m.Build(1, nil)
			return err
		}, "substitute of w: nil node"},
		{"wrong shape", func() error {
			m := newModel()
			if err := m.InitParams(); err != nil {
				return err
			}
			if err := m.Replace(w, func(b *graph.Builder) (*G.Node, error) {
				p, err := b.Param(w)
				if err != nil {
					return nil, err
				}
				return G.Transpose(p)
			}); err != nil {
				return err
			}
			_, err := m.Build(1, nil)
			return err
		}, "substitute of w has shape [2 1], the parameter [1 2]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestReplaceMakesGraphsStale checks that a graph built before Replace
// refuses to run: it would compute with the parameter it was built with.
func TestReplaceMakesGraphsStale(t *testing.T) {
	n := newNoisyScale(t, 2)
	m, err := graph.NewModel(n.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, sumObjective{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX([]float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil || g.Stale() {
		t.Fatalf("before Replace: run error %v, stale %v", err, g.Stale())
	}
	if err := m.Replace(n.w, func(b *graph.Builder) (*G.Node, error) { return b.Param(n.w) }); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err == nil || !strings.Contains(err.Error(), "replaced") || !g.Stale() {
		t.Fatalf("after Replace: run error %v, stale %v; want an error naming the replacement", err, g.Stale())
	}
	fresh, err := m.Build(1, sumObjective{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if err := fresh.SetX([]float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Run(); err != nil {
		t.Fatalf("a graph built after Replace: %v", err)
	}
}
