package bayesnodes_test

import (
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

func TestMLP(t *testing.T) {
	m, err := bayesnodes.NewMLP([]int{3, 5, 2}, bayesnodes.WithName("net"), bayesnodes.WithoutBias())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Layers) != 2 || m.Layers[0].In != 3 || m.Layers[0].Out != 5 || m.Layers[1].Out != 2 {
		t.Fatalf("layers %+v", m.Layers)
	}
	if m.Layers[1].Weight.Name() != "net2.weight" || m.Layers[0].Bias != nil {
		t.Fatalf("second layer named %s, first bias %v", m.Layers[1].Weight.Name(), m.Layers[0].Bias)
	}
	model, err := graph.NewModel(m.Apply, graph.Input(3))
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := g.OutputShape(); len(s) != 2 || s[0] != 4 || s[1] != 2 {
		t.Fatalf("output shape %v, want [4 2]", s)
	}
	checkGradients(t, m.Apply, []int{3}, 4)
	for _, sizes := range [][]int{nil, {3}, {3, 0}} {
		if _, err := bayesnodes.NewMLP(sizes); err == nil || !strings.Contains(err.Error(), "bayesnodes") {
			t.Errorf("NewMLP(%v): error %v", sizes, err)
		}
	}
}
