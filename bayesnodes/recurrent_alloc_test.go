package bayesnodes_test

import (
	"runtime"
	"testing"
)

// TestRecurrentStepAllocationBounded checks that a steady-state training
// step of an LSTM and a GRU (hidden 64, length 32, batch 32) reuses its
// ops' memory: it allocated 49 MB a step when every time step's
// intermediates were fresh tensors, and about 0.2 MB now (Gorgonia's
// per-node bookkeeping). The bound, 2 MB, is far from both.
func TestRecurrentStepAllocationBounded(t *testing.T) {
	const bound = 2 << 20
	for name, layer := range map[string]func(int, int) (recurrentLast, error){"lstm": lstmLast, "gru": gruLast} {
		step := recurrentTrainer(t, layer, 1)
		step() // build the graph and the ops' memory
		step()
		const steps = 3
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range steps {
			step()
		}
		runtime.ReadMemStats(&after)
		if perStep := (after.TotalAlloc - before.TotalAlloc) / steps; perStep > bound {
			t.Errorf("%s: a training step allocated %d bytes, want at most %d", name, perStep, bound)
		}
	}
}
