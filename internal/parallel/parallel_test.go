package parallel

import (
	"runtime"
	"slices"
	"testing"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{0, 1, MinChunk - 1, 2 * MinChunk, 3*MinChunk + 7, 10 * MinChunk} {
		hits := make([]int32, n)
		For(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				hits[i]++
			}
		})
		if i := slices.IndexFunc(hits, func(h int32) bool { return h != 1 }); i >= 0 {
			t.Fatalf("n = %d: index %d visited %d times", n, i, hits[i])
		}
	}
}

func TestForSplitsLargeLoops(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	calls := 0
	var ranges [][2]int
	done := make(chan [2]int, 8)
	For(4*MinChunk, func(lo, hi int) { done <- [2]int{lo, hi} })
	close(done)
	for r := range done {
		calls++
		ranges = append(ranges, r)
	}
	if calls != 4 {
		t.Errorf("4 cores, 4 chunks' worth: %d calls %v, want 4", calls, ranges)
	}
}
