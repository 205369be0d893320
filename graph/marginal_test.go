package graph_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// ones returns n examples of width w, every value 1.
func ones(n, w int) []float64 {
	x := make([]float64, n*w)
	for i := range x {
		x[i] = 1
	}
	return x
}

// TestPredictMarginalWithoutDataLayerIsPredict checks that a network with
// no layer that uses the marginal graph (noisyScale samples its weights)
// gives Predict's samples for one chunk: the same noise streams, drawn
// pass by pass, and the generator left where Predict leaves it.
func TestPredictMarginalWithoutDataLayerIsPredict(t *testing.T) {
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2), graph.Seed(3))
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, -1, 0.5, 3, -2}
	state, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Predict(x, 5)
	if err != nil {
		t.Fatal(err)
	}
	afterPredict, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetRNGState(state); err != nil {
		t.Fatal(err)
	}
	got, err := m.PredictMarginal(x, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got.N != want.N || got.Width != want.Width || !sameSamples(got.Samples, want.Samples) {
		t.Fatalf("PredictMarginal %+v, want Predict's %+v", got, want)
	}
	afterMarginal, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(afterMarginal.Noise, afterPredict.Noise) {
		t.Fatal("PredictMarginal left the noise generator elsewhere than Predict does")
	}
	// Its graphs are cached apart: Predict still gives Predict's samples.
	if err := m.SetRNGState(state); err != nil {
		t.Fatal(err)
	}
	again, err := m.Predict(x, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSamples(again.Samples, want.Samples) {
		t.Fatal("Predict after PredictMarginal changed its samples")
	}
}

// TestPredictMarginalChunks checks the layout across MaxPredictBatch and
// that chunks of one pass draw independent noise (under Predict every
// example of a pass shares the weights).
func TestPredictMarginalChunks(t *testing.T) {
	ns := newNoisyScale(t, 1)
	m, err := graph.NewModel(ns.net, graph.Input(1), graph.Seed(2))
	if err != nil {
		t.Fatal(err)
	}
	n := 2*graph.MaxPredictBatch + 5 // two chunks share a graph
	x := ones(n, 1)
	p, err := m.PredictMarginal(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.N != n || p.Width != 1 || len(p.Samples) != 3 {
		t.Fatalf("prediction N=%d Width=%d samples=%d", p.N, p.Width, len(p.Samples))
	}
	for s, out := range p.Samples {
		if len(out) != n {
			t.Fatalf("pass %d has %d values, want %d", s, len(out), n)
		}
		for c := range 3 {
			start := c * graph.MaxPredictBatch
			for i := start; i < min(start+graph.MaxPredictBatch, n); i++ {
				if out[i] != out[start] {
					t.Fatalf("pass %d: example %d got %v, example %d of its chunk %v", s, i, out[i], start, out[start])
				}
			}
		}
		a, b, c := out[0], out[graph.MaxPredictBatch], out[2*graph.MaxPredictBatch]
		if a == b || b == c || a == c {
			t.Fatalf("pass %d: chunks drew the same noise: %v, %v, %v", s, a, b, c)
		}
	}
	if p.Samples[0][0] == p.Samples[1][0] {
		t.Fatal("two passes drew the same noise")
	}
	m.Freeze()
	frozen, err := m.PredictMarginal(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	mean, err := m.PredictMean(x)
	if err != nil {
		t.Fatal(err)
	}
	for s, out := range frozen.Samples {
		if !slices.Equal(out, mean) {
			t.Fatalf("frozen pass %d differs from PredictMean", s)
		}
	}
}

// TestPredictMarginalSeed checks that a seed reproduces the samples.
func TestPredictMarginalSeed(t *testing.T) {
	ns := newNoisyScale(t, 3)
	m, err := graph.NewModel(ns.net, graph.Input(3))
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, -1, 0, 1}
	m.ReseedNoise(11)
	a, err := m.PredictMarginal(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.PredictMarginal(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	m.ReseedNoise(11)
	c, err := m.PredictMarginal(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSamples(a.Samples, c.Samples) {
		t.Fatal("the same seed gave different samples")
	}
	if sameSamples(a.Samples, b.Samples) {
		t.Fatal("two calls drew the same samples")
	}
}

// TestBuilderMarginal checks what the Builder tells layers in each kind of
// graph.
func TestBuilderMarginal(t *testing.T) {
	type seen struct{ predicting, marginal, isX, isOther bool }
	var log []seen
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		y, err := G.Square(x)
		if err != nil {
			return nil, err
		}
		log = append(log, seen{b.Predicting(), b.Marginal(), b.IsX(x), b.IsX(y)})
		return y, nil
	}
	m, err := graph.NewModel(net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Build(3, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict([]float64{1, 2}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.PredictMarginal([]float64{1, 2}, 1); err != nil {
		t.Fatal(err)
	}
	want := []seen{{false, false, true, false}, {true, false, true, false}, {true, true, true, false}}
	if !slices.Equal(log, want) {
		t.Fatalf("Build, Predict, PredictMarginal saw %+v, want %+v", log, want)
	}
}

func TestPredictMarginalBadInput(t *testing.T) {
	ns := newNoisyScale(t, 2)
	m, err := graph.NewModel(ns.net, graph.Input(2))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		x       []float64
		samples int
		want    string
	}{
		{"no samples", []float64{1, 2}, 0, "PredictMarginal: samples is 0"},
		{"negative samples", []float64{1, 2}, -3, "samples is -3"},
		{"empty", nil, 2, "0 input values is not a whole number of examples of width 2"},
		{"ragged", []float64{1, 2, 3}, 2, "3 input values is not a whole number"},
		{"NaN", []float64{1, math.NaN()}, 2, "value 1 is NaN"},
		{"Inf", []float64{1, 2, math.Inf(-1), 0}, 2, "value 2 is -Inf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := m.PredictMarginal(c.x, c.samples)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}
