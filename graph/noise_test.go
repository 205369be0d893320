package graph

import (
	"math"
	"runtime"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// noiseOnly is a network with weight noise of both kinds (shapes that do
// not depend on the batch), per-example noise of both kinds, and a tiny
// bias noise; the output is x, untouched: these tests read the noise.
func noiseOnly(rows, cols int) Network {
	return func(b *Builder, x *G.Node) (*G.Node, error) {
		for _, n := range []struct {
			name  string
			kind  NoiseKind
			shape []int
		}{
			{"w", Gaussian, []int{rows, cols}},
			{"signs", Rademacher, []int{rows, cols}},
			{"example", Gaussian, []int{b.Batch(), 37}},
			{"example.signs", Rademacher, []int{b.Batch(), 129}},
			{"bias", Gaussian, []int{3}},
		} {
			if _, err := b.Noise(n.name, n.kind, n.shape...); err != nil {
				return nil, err
			}
		}
		return x, nil
	}
}

// noiseValues returns a copy of every noise input's values after g's
// last draw, as float64.
func noiseValues(g *Graph) [][]float64 {
	var vs [][]float64
	for _, in := range g.b.noise {
		vs = append(vs, valueInto(in.buf, nil))
	}
	return vs
}

func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func buildNoise(t testing.TB, dt tensor.Dtype, batch int, seed uint64) *Graph {
	t.Helper()
	m, err := NewModel(noiseOnly(700, 500), Input(1), WithDtype(dt), Seed(seed))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestNoiseSameOnAnyCoreCount fills 350,000-value noise inputs (split
// over up to 4 cores) with GOMAXPROCS at 1, 2 and 4, in float32 and
// float64, and wants the same bits from each.
func TestNoiseSameOnAnyCoreCount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, dt := range []tensor.Dtype{Float64, Float32} {
		var want [][]float64
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			g := buildNoise(t, dt, 5, 9)
			g.Resample()
			g.Resample() // the second run, not only the first
			got := noiseValues(g)
			if want == nil {
				want = got
				continue
			}
			for k := range want {
				if !sameBits(got[k], want[k]) {
					t.Errorf("%v, noise %s: %d cores drew other bits than 1", dt, g.b.noise[k].name, procs)
				}
			}
		}
	}
}

// TestNoisePositions checks what a noise value does not depend on: an
// example's draws not on the batch size, a run not on frozen draws before
// it, signs not on the dtype.
func TestNoisePositions(t *testing.T) {
	small, large := buildNoise(t, Float64, 2, 4), buildNoise(t, Float64, 7, 4)
	small.Resample()
	large.Resample()
	a, b := noiseValues(small), noiseValues(large)
	for k, in := range small.b.noise {
		if !sameBits(a[k], b[k][:len(a[k])]) {
			t.Errorf("noise %s: the first examples' draws depend on the batch size", in.name)
		}
	}
	// A frozen draw takes no run: unfrozen, the next draw is run 1.
	large.m.Freeze()
	large.Resample()
	for k, v := range noiseValues(large) {
		if slices.ContainsFunc(v, func(x float64) bool { return x != 0 }) {
			t.Errorf("frozen noise %d holds non-zeros", k)
		}
	}
	large.m.Unfreeze()
	large.Resample()
	small.Resample()
	a, b = noiseValues(small), noiseValues(large)
	for k := range a {
		if !sameBits(a[k], b[k][:len(a[k])]) {
			t.Errorf("noise %d: a frozen draw moved the run counter", k)
		}
	}
	// Rademacher signs are the same in float32 and float64.
	f32 := buildNoise(t, Float32, 2, 4)
	f32.Resample()
	f32.Resample()
	c := noiseValues(f32)
	for k, in := range small.b.noise {
		if in.kind == Rademacher && !sameBits(a[k], c[k]) {
			t.Errorf("noise %s: float32 signs differ from float64 ones", in.name)
		}
	}
}

// TestNoiseRunsDiffer checks that runs, noise inputs and seeds give
// distinct draws.
func TestNoiseRunsDiffer(t *testing.T) {
	g := buildNoise(t, Float32, 3, 1)
	g.Resample()
	first := noiseValues(g)
	g.Resample()
	second := noiseValues(g)
	other := buildNoise(t, Float32, 3, 2)
	other.Resample()
	seed2 := noiseValues(other)
	for k := range first {
		if sameBits(first[k], second[k]) || sameBits(first[k], seed2[k]) {
			t.Errorf("noise %d repeats across runs or seeds", k)
		}
	}
	if sameBits(first[0][:len(first[2])], first[2]) || sameBits(first[0][:3], first[4]) {
		t.Error("two noise inputs of one run share draws")
	}
	g.m.ReseedNoise(1)
	g.Resample()
	if again := noiseValues(g); !sameBits(again[0], first[0]) {
		t.Error("ReseedNoise(1) did not replay the first run")
	}
}

// TestResampleAllocatesNothing: drawing a run, large inputs over several
// cores included, allocates nothing once the graph has drawn once.
func TestResampleAllocatesNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, dt := range []tensor.Dtype{Float64, Float32} {
		g := buildNoise(t, dt, 4, 1)
		g.Resample()
		if a := testing.AllocsPerRun(20, g.Resample); a != 0 {
			t.Errorf("%v: Resample allocates %v times per run", dt, a)
		}
	}
}
