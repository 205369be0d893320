package graph_test

import (
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestCheckInput checks that a check registered on an input rejects values
// in SetX and Predict, before the graph runs, and that other nodes cannot
// take one.
func TestCheckInput(t *testing.T) {
	errNegative := errors.New("negative value")
	var registered, onOther bool
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		registered = b.CheckInput(x, func(v []float64) error {
			for _, x := range v {
				if x < 0 {
					return errNegative
				}
			}
			return nil
		})
		y, err := G.Square(x)
		if err != nil {
			return nil, err
		}
		onOther = b.CheckInput(y, func([]float64) error { return nil })
		return y, nil
	}
	m, err := graph.NewModel(net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if !registered || onOther {
		t.Fatalf("CheckInput reported %v for the input and %v for another node, want true and false", registered, onOther)
	}
	if err := g.SetX([]float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := g.SetX([]float64{1, -2}); !errors.Is(err, errNegative) || !strings.Contains(err.Error(), "graph: input x") {
		t.Fatalf("SetX of a rejected value: error %v, want one wrapping the check's and naming the input", err)
	}
	if err := g.Run(); err != nil { // the rejected values were not stored
		t.Fatal(err)
	}
	if got := g.Output(nil); got[0] != 1 || got[1] != 4 {
		t.Fatalf("output %v after a rejected SetX, want [1 4] from the values stored before", got)
	}
	if _, err := m.Predict([]float64{3, -1}, 1); !errors.Is(err, errNegative) {
		t.Fatalf("Predict of a rejected value: error %v, want the check's", err)
	}
}
