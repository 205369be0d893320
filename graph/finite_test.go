package graph_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestFloat32Overflow checks that values a float32 model cannot hold are
// refused where they enter it (inputs, SetValues, values set before the
// parameter exists), instead of becoming infinities.
func TestFloat32Overflow(t *testing.T) {
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2), graph.WithDtype(graph.Float32))
	if err != nil {
		t.Fatal(err)
	}
	if err := ns.w.SetValues([]float64{1, 1e39}); err != nil {
		t.Fatalf("before a model uses it, a parameter has no dtype: %v", err)
	}
	if _, err := m.Predict([]float64{1, 2}, 1); err == nil || !strings.Contains(err.Error(), "scale.w") || !strings.Contains(err.Error(), "float32") {
		t.Fatalf("building with a pending 1e39 in a float32 model: got %v, want an error naming scale.w and float32", err)
	}
	if err := ns.w.SetValues([]float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict([]float64{1, 2}, 1); err != nil {
		t.Fatal(err)
	}
	if err := ns.w.SetValues([]float64{1, -1e39}); err == nil || !strings.Contains(err.Error(), "value 1") {
		t.Errorf("SetValues(-1e39) on a float32 parameter: got %v, want an error naming value 1", err)
	}
	if got := ns.w.Values(); got[1] != 2 {
		t.Errorf("a refused SetValues changed the parameter: %v", got)
	}
	if _, err := m.Predict([]float64{1, 3e38 * 10}, 1); err == nil || !strings.Contains(err.Error(), "input x") {
		t.Errorf("Predict with 3e39 in a float32 model: got %v, want an error naming input x", err)
	}
	if _, err := m.PredictMean([]float64{1, 3e38}); err != nil {
		t.Errorf("3e38 fits float32: %v", err)
	}

	// float64 holds them.
	ns64 := newNoisyScale(t, 2)
	m64, err := graph.NewModel(ns64.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m64.Predict([]float64{1, 1e39}, 1); err != nil {
		t.Error(err)
	}
	if err := ns64.w.SetValues([]float64{1, 1e39}); err != nil {
		t.Error(err)
	}
}

// TestFloat32OverflowBoundary checks the edge of float32's range: the
// largest value that rounds to MaxFloat32 enters a float32 model, the
// least that rounds to +Inf does not.
func TestFloat32OverflowBoundary(t *testing.T) {
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2), graph.WithDtype(graph.Float32))
	if err != nil {
		t.Fatal(err)
	}
	over := math.MaxFloat32 + 0x1p103 // half an ulp above: rounds to +Inf
	if float32(over) != float32(math.Inf(1)) || float32(math.Nextafter(over, 0)) != math.MaxFloat32 {
		t.Fatalf("the test's boundary is wrong: %v rounds to %v", over, float32(over))
	}
	for _, v := range []float64{math.MaxFloat32, math.Nextafter(over, 0), -math.Nextafter(over, 0)} {
		if _, err := m.PredictMean([]float64{1, v}); err != nil {
			t.Errorf("%v rounds to a finite float32: %v", v, err)
		}
	}
	for _, v := range []float64{over, -over, math.Inf(1), math.NaN()} {
		if _, err := m.PredictMean([]float64{1, v}); err == nil || !strings.Contains(err.Error(), "value 1") {
			t.Errorf("PredictMean with %v in a float32 model: got %v, want an error naming value 1", v, err)
		}
	}
}
