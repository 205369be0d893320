package graph_test

import (
	"runtime"
	"testing"
	"weak"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestDroppedGraphIsCollectedAtOnce checks that a graph nobody holds is
// freed by the next collection: its input buffer must be gone after one.
// Gorgonia's tape machine sets a finalizer, which kept all of a graph's
// memory for a second collection.
func TestDroppedGraphIsCollectedAtOnce(t *testing.T) {
	var input weak.Pointer[tensor.Dense]
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		buf, ok := x.Value().(*tensor.Dense)
		if !ok {
			t.Fatalf("the input node holds a %T", x.Value())
		}
		input = weak.Make(buf)
		return G.Mul(x, b.Scalar(2))
	}
	m, err := graph.NewModel(net, graph.Input(256))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Build(64, nil); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	if input.Value() != nil {
		t.Error("a dropped graph's input buffer outlived a collection")
	}
}
