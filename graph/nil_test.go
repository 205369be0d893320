package graph_test

import (
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestNilAndZeroModel calls every method that returns an error on a nil
// *Model and on a zero Model{}: each is ErrNoModel naming the method, not
// a nil-pointer panic.
func TestNilAndZeroModel(t *testing.T) {
	x := []float64{1, 2}
	for _, m := range []*graph.Model{nil, {}} {
		calls := map[string]func() error{
			"Predict":         func() error { _, err := m.Predict(x, 1); return err },
			"PredictMean":     func() error { _, err := m.PredictMean(x); return err },
			"PredictMarginal": func() error { _, err := m.PredictMarginal(x, 1, graph.PredictSeed(1)); return err },
			"Build":           func() error { _, err := m.Build(1, nil); return err },
			"InitParams":      m.InitParams,
			"RNGState":        func() error { _, err := m.RNGState(); return err },
			"SetRNGState":     func() error { return m.SetRNGState(graph.RNGState{}) },
			"Replace":         func() error { return m.Replace(nil, nil) },
		}
		for name, call := range calls {
			err := call()
			if !errors.Is(err, graph.ErrNoModel) || !strings.Contains(err.Error(), name) {
				t.Errorf("%s on %#v: got %v, want ErrNoModel naming %s", name, m, err, name)
			}
		}
	}
}

// TestNilAndZeroGraph checks a nil *Graph, a zero Graph{} and nil
// arguments where graphs and builders take them.
func TestNilAndZeroGraph(t *testing.T) {
	for _, g := range []*graph.Graph{nil, {}} {
		for name, err := range map[string]error{
			"Run":      g.Run(),
			"Execute":  g.Execute(),
			"SetX":     g.SetX([]float64{1}),
			"SetNoise": g.SetNoise("w", []float64{1}),
		} {
			if err == nil || !strings.Contains(err.Error(), "no graph") {
				t.Errorf("%s on %#v: got %v, want an error saying there is no graph", name, g, err)
			}
		}
	}
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, sumObjective{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AddGradients(nil); err == nil || !strings.Contains(err.Error(), "nil graph") {
		t.Errorf("AddGradients(nil): got %v, want an error naming the nil graph", err)
	}
	if err := (*graph.Graph)(nil).AddGradients(g); err == nil {
		t.Error("AddGradients on a nil graph: no error")
	}

	// Builder.Once with no function to build the node.
	once := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		if _, err := b.Once("key", nil); err != nil {
			return nil, err
		}
		return x, nil
	}
	m2, err := graph.NewModel(once, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Build(1, nil); err == nil || !strings.Contains(err.Error(), "nil build function") {
		t.Errorf("Builder.Once(key, nil): got %v, want an error naming the nil function", err)
	}
}
