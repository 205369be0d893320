package prune_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-bnn/bnn/prune"
)

// lenetPruned is LeNet-300-100 with the given fraction of each level's
// units live and density of the weights among them nonzero.
func lenetPruned(live []float64, density float64) (dense, compact *prune.Net) {
	rng := rand.New(rand.NewPCG(1, 1))
	sizes := []int{784, 300, 100, 10}
	alive := make([][]bool, len(sizes))
	for k, n := range sizes {
		alive[k] = make([]bool, n)
		for i := range alive[k] {
			alive[k][i] = rng.Float64() < live[k]
		}
	}
	var layers []prune.Layer
	for k := range len(sizes) - 1 {
		l := prune.Layer{In: sizes[k], Out: sizes[k+1], Weight: make([]float64, sizes[k]*sizes[k+1]), Bias: make([]float64, sizes[k+1])}
		for o := range l.Out {
			for i := range l.In {
				if alive[k][i] && alive[k+1][o] && rng.Float64() < density {
					l.Weight[o*l.In+i] = rng.NormFloat64()
				}
			}
			l.Bias[o] = rng.NormFloat64()
		}
		layers = append(layers, l)
	}
	dense, err := prune.NewNet(layers, prune.ReLU)
	if err != nil {
		panic(err)
	}
	if compact, err = prune.Compact(dense); err != nil {
		panic(err)
	}
	return dense, compact
}

// BenchmarkForward runs a pruned LeNet-300-100 over a batch of 100 digits:
// dense (zeros in place), compact, and compact in sparse rows. "scattered"
// is pruned as the example's run leaves it (97%, 74% and 87% of the units
// of the first three levels live, 5.5% of the weights among them, 22x
// compression); "units" as a structured method would (40%, 20%, 30% of the
// units, 25% of their weights).
func BenchmarkForward(b *testing.B) {
	for _, net := range []struct {
		name    string
		live    []float64
		density float64
	}{
		{"scattered", []float64{0.97, 0.74, 0.87, 1}, 0.055},
		{"units", []float64{0.4, 0.2, 0.3, 1}, 0.25},
	} {
		b.Run(net.name, func(b *testing.B) { benchmarkForward(b, net.live, net.density) })
	}
}

func benchmarkForward(b *testing.B, live []float64, density float64) {
	dense, compact := lenetPruned(live, density)
	x := randomX(rand.New(rand.NewPCG(2, 2)), 100*784)
	for _, c := range []struct {
		name    string
		forward func([]float64, int) ([]float64, error)
		params  int
	}{
		{"dense", dense.Forward, dense.NumParams()},
		{"compact", compact.Forward, compact.NumParams()},
		{"sparse", compact.Sparse().Forward, compact.Sparse().NonZero()},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.forward(x, 100); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.params), "weights")
		})
	}
}
