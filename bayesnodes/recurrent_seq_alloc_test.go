//go:build !race

// The race detector makes sync.Pool drop what it holds at random (the
// matrix products' and the worker pool's), so allocations are counted
// only without it.

package bayesnodes

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// TestSequenceOpsAllocateNothing checks that a run of the forward and
// backward ops, after the first, allocates nothing: they keep their states
// and scratch in memory of their own.
func TestSequenceOpsAllocateNothing(t *testing.T) {
	const B, T, In, H = 16, 5, 3, 64 // a step's rows split between goroutines
	for _, flip := range []bool{false, true} {
		ih, hh := seqProduct{In, 4 * H, flip}, seqProduct{H, 4 * H, flip}
		gi, gh := seqProduct{In, 3 * H, flip}, seqProduct{H, 3 * H, flip}
		cells := map[string]seqCell[float64]{
			"lstm":          newLSTMCell[float64](lstmSeq{batch: B, steps: T, hidden: H, ih: ih, hh: hh, bias: true, h0: true, c0: true}),
			"lstm/peephole": newLSTMCell[float64](lstmSeq{batch: B, steps: T, hidden: H, peephole: true, ih: ih, hh: hh, bias: true, c0: true}),
			"gru":           newGRUCell[float64](gruSeq{batch: B, steps: T, hidden: H, ih: gi, hh: gh, bias: true, h0: true}),
		}
		for name, cell := range cells {
			rng := rand.New(rand.NewPCG(3, 1))
			value := func(s tensor.Shape) G.Value {
				v := make([]float64, s.TotalSize())
				for i := range v {
					v[i] = rng.NormFloat64()
				}
				return denseOf(tensor.Float64, s, v)
			}
			var in []G.Value
			for _, s := range cell.inputShapes() {
				in = append(in, value(s))
			}
			fwd := opkit.New[float64](seqFwd[float64]{cell})
			buf, err := fwd.Do(in...)
			if err != nil {
				t.Fatal(err)
			}
			gin := append(append([]G.Value{}, in...), buf)
			for _, o := range cell.outputs() {
				gin = append(gin, value(o.shape))
			}
			bwd := opkit.New[float64](seqGrad[float64]{cell: cell, outs: 1<<len(cell.outputs()) - 1})
			allocs := testing.AllocsPerRun(5, func() {
				if _, err := fwd.Do(in...); err != nil {
					t.Fatal(err)
				}
				if _, err := bwd.Do(gin...); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s/flipout=%t: a forward and backward run allocated %v times, want 0", name, flip, allocs)
			}
		}
	}
}
