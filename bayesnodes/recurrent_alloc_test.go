//go:build !race

// Allocations are counted only without the race detector, which makes
// sync.Pool drop what it holds at random.

package bayesnodes_test

import (
	"math"
	"runtime"
	"testing"

	"gorgonia.org/tensor"
)

// TestRecurrentStepAllocationBounded checks what a steady-state training
// step of an LSTM and a GRU (hidden 64, length 32, batch 32) allocates.
// Unrolled over the steps, an LSTM step allocated 49 MB when every time
// step's intermediates were fresh tensors, then 0.17 MB in 5,700
// allocations (Gorgonia's bookkeeping for ~900 nodes), a GRU step 5,400.
// Run as whole-sequence ops they allocate nothing of their own
// (TestSequenceOpsAllocateNothing): what is left, about 580 allocations
// and 15-30 kB, is Gorgonia's per-node bookkeeping for the rest of the
// graph (the head, the KL, the loss) and the trainer's. The bounds leave room for that, not for a per-time-step
// cost (32 steps of the old ~180 allocations).
func TestRecurrentStepAllocationBounded(t *testing.T) {
	bounds := map[string]struct {
		layer  func(int, int) (recurrentLast, error)
		bytes  uint64
		allocs uint64
	}{
		"lstm": {lstmLast, 64 << 10, 700},
		"gru":  {gruLast, 64 << 10, 700},
	}
	for name, b := range bounds {
		step := recurrentTrainer(t, b.layer, 1, tensor.Float64)
		step() // build the graph and the ops' memory
		step()
		// The least of a few rounds: a garbage collection empties the
		// pools Gorgonia draws tensor headers from, and the round after
		// it refills them.
		const rounds, steps = 4, 3
		bytes, allocs := uint64(math.MaxUint64), uint64(math.MaxUint64)
		for range rounds {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range steps {
				step()
			}
			runtime.ReadMemStats(&after)
			bytes = min(bytes, (after.TotalAlloc-before.TotalAlloc)/steps)
			allocs = min(allocs, (after.Mallocs-before.Mallocs)/steps)
		}
		t.Logf("%s: a training step allocated %d bytes in %d allocations", name, bytes, allocs)
		if bytes > b.bytes {
			t.Errorf("%s: a training step allocated %d bytes, want at most %d", name, bytes, b.bytes)
		}
		if allocs > b.allocs {
			t.Errorf("%s: a training step allocated %d times, want at most %d", name, allocs, b.allocs)
		}
	}
}
