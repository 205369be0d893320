package prune_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/prune"
)

// TestNewSparseNetFromLayers: a SparseNet rebuilt from another's layers
// computes the same outputs.
func TestNewSparseNetFromLayers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	net, err := prune.NewNet([]prune.Layer{sparseLayer(rng, 12, 8, 0.3), sparseLayer(rng, 8, 3, 0.6)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := prune.Compact(net)
	if err != nil {
		t.Fatal(err)
	}
	s := compact.Sparse()
	rebuilt, err := prune.NewSparseNet(s.InputWidth(), s.Inputs(), s.Layers(), prune.ReLU)
	if err != nil {
		t.Fatal(err)
	}
	x := randomX(rng, 4*12)
	want, err := net.Forward(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rebuilt.Forward(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(got, want); d > 1e-12 {
		t.Errorf("outputs differ by %g", d)
	}
}

func TestNewSparseNetErrors(t *testing.T) {
	ok := prune.SparseLayer{In: 3, Out: 2, RowStart: []int{0, 1, 2}, Cols: []int32{0, 2}, Values: []float64{1, 2}}
	for _, tc := range []struct {
		name   string
		width  int
		inputs []int
		layers []prune.SparseLayer
		want   string
	}{
		{"no layers", 3, nil, nil, "no layers"},
		{"column out of range", 3, nil, []prune.SparseLayer{{In: 3, Out: 1, RowStart: []int{0, 1}, Cols: []int32{3}, Values: []float64{1}}}, "column 3"},
		{"offsets", 3, nil, []prune.SparseLayer{{In: 3, Out: 2, RowStart: []int{0, 1}, Cols: []int32{0}, Values: []float64{1}}}, "row offsets"},
		{"decreasing offsets", 3, nil, []prune.SparseLayer{{In: 3, Out: 2, RowStart: []int{0, 2, 1}, Cols: []int32{0}, Values: []float64{1}}}, "decrease"},
		{"values and columns", 3, nil, []prune.SparseLayer{{In: 3, Out: 1, RowStart: []int{0, 2}, Cols: []int32{0}, Values: []float64{1, 2}}}, "2 values"},
		{"chain", 3, nil, []prune.SparseLayer{ok, ok}, "layer 1 takes 3 inputs"},
		{"width", 4, nil, []prune.SparseLayer{ok}, "examples of 4 values"},
		{"inputs", 5, []int{3, 1, 4}, []prune.SparseLayer{ok}, "ascending"},
	} {
		_, err := prune.NewSparseNet(tc.width, tc.inputs, tc.layers, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if err != nil && tc.name != "no layers" && !errors.Is(err, prune.ErrShape) {
			t.Errorf("%s: error %v does not wrap ErrShape", tc.name, err)
		}
	}
}
