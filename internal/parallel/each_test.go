package parallel

import (
	"sync/atomic"
	"testing"
)

// TestEach checks that Each calls fn once for each part, each with its own
// one-wide range, and none for no parts.
func TestEach(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 70} {
		calls := make([]atomic.Int32, n)
		var bad atomic.Bool
		Each(n, func(lo, hi int) {
			if hi != lo+1 || lo < 0 || lo >= n {
				bad.Store(true)
				return
			}
			calls[lo].Add(1)
		})
		if bad.Load() {
			t.Errorf("n=%d: a call outside [0, %d) or wider than one part", n, n)
		}
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("n=%d: part %d called %d times", n, i, c)
			}
		}
	}
}
