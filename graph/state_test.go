package graph_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
)

func predict(t *testing.T, m *graph.Model, x []float64) [][]float64 {
	t.Helper()
	p, err := m.Predict(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	return p.Samples
}

func sameSamples(a, b [][]float64) bool { return slices.EqualFunc(a, b, slices.Equal) }

// TestRNGStateReplaysNoise checks that restoring a saved position of the
// noise generator replays the same predictive samples, in the same model
// or in another one made with a different seed.
func TestRNGStateReplaysNoise(t *testing.T) {
	ns := newNoisyScale(t, 3)
	m, err := graph.NewModel(ns.net, graph.Input(3), graph.Seed(5))
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, -1, 0, 1}
	predict(t, m, x) // move the generator off its start
	st, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	a := predict(t, m, x)
	if b := predict(t, m, x); sameSamples(a, b) {
		t.Fatal("two predictions drew the same noise")
	}
	if err := m.SetRNGState(st); err != nil {
		t.Fatal(err)
	}
	if b := predict(t, m, x); !sameSamples(a, b) {
		t.Error("restoring the generator's position did not replay its noise")
	}

	other, err := graph.NewModel(ns.net, graph.Input(3), graph.Seed(6))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.SetRNGState(st); err != nil {
		t.Fatal(err)
	}
	if b := predict(t, other, x); !sameSamples(a, b) {
		t.Error("a model of another seed given the position did not draw the same noise")
	}

	// A bad state is refused and leaves the generators where they were.
	st2, _ := m.RNGState()
	short := append([]byte(nil), st.Noise[:len(st.Noise)-1]...)
	for _, bad := range []graph.RNGState{{}, {Init: st.Init}, {Init: []byte("pcg:short"), Noise: st.Noise}, {Init: st.Init, Noise: short}} {
		if err := bad.Check(); err == nil {
			t.Errorf("RNGState{%q, %q}.Check() passed", bad.Init, bad.Noise)
		}
		if err := m.SetRNGState(bad); err == nil {
			t.Errorf("SetRNGState(%q, %q) succeeded", bad.Init, bad.Noise)
		}
	}
	if st3, _ := m.RNGState(); !slices.Equal(st2.Noise, st3.Noise) || !slices.Equal(st2.Init, st3.Init) {
		t.Error("a refused SetRNGState moved the generators")
	}
}

// TestRNGStateTakesPCGNoise checks that a checkpoint saved when the noise
// generator was a PCG still loads, and continues reproducibly.
func TestRNGStateTakesPCGNoise(t *testing.T) {
	ns := newNoisyScale(t, 3)
	m, err := graph.NewModel(ns.net, graph.Input(3), graph.Seed(5))
	if err != nil {
		t.Fatal(err)
	}
	st, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	if st.Noise, err = rand.NewPCG(5, 0x5eed0002).MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3}
	if err := m.SetRNGState(st); err != nil {
		t.Fatalf("a PCG noise state: %v", err)
	}
	a := predict(t, m, x)
	if err := m.SetRNGState(st); err != nil {
		t.Fatal(err)
	}
	if b := predict(t, m, x); !sameSamples(a, b) {
		t.Error("a PCG noise state did not replay")
	}
}

// TestRNGStateCarriesInitialisation checks that the initialisation
// generator's position travels too: a model given another's position
// before its first build initialises its parameters alike.
func TestRNGStateCarriesInitialisation(t *testing.T) {
	a, b := newNoisyScale(t, 4), newNoisyScale(t, 4)
	ma, err := graph.NewModel(a.net, graph.Input(4), graph.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	mb, err := graph.NewModel(b.net, graph.Input(4), graph.Seed(2))
	if err != nil {
		t.Fatal(err)
	}
	st, err := ma.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	if err := mb.SetRNGState(st); err != nil {
		t.Fatal(err)
	}
	if len(ma.Params()) != 0 {
		t.Fatal("parameters exist before the first build")
	}
	for _, m := range []*graph.Model{ma, mb} {
		if err := m.InitParams(); err != nil {
			t.Fatal(err)
		}
		if err := m.InitParams(); err != nil { // a no-op the second time
			t.Fatal(err)
		}
	}
	if len(ma.Params()) != 1 || ma.Param("scale.w") == nil {
		t.Fatalf("InitParams made %d parameters, want scale.w", len(ma.Params()))
	}
	if !slices.Equal(a.w.Values(), b.w.Values()) {
		t.Errorf("initial values %v and %v differ", a.w.Values(), b.w.Values())
	}
}
