package parallel

import (
	"runtime"
	"slices"
	"sync"
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

func TestForDoesNotAllocate(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	xs := make([]float64, 4*MinChunk)
	double := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xs[i] = 2*xs[i] + 1
		}
	}
	For(len(xs), double) // starts the workers
	if a := testing.AllocsPerRun(20, func() { For(len(xs), double) }); a != 0 {
		t.Errorf("%v allocations per call, want 0", a)
	}
	want := float64(1<<22 - 1) // 22 doublings plus one from 0
	if i := slices.IndexFunc(xs, func(x float64) bool { return x != want }); i >= 0 {
		t.Errorf("xs[%d] = %v, want %v", i, xs[i], want)
	}
}

// TestForConcurrentCallers runs For from several goroutines at once, as
// graphs running in parallel do; -race checks the workers' hand-over.
func TestForConcurrentCallers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			xs := make([]int, 5*MinChunk+3)
			for range 10 {
				For(len(xs), func(lo, hi int) {
					for i := lo; i < hi; i++ {
						xs[i] += g
					}
				})
			}
			if i := slices.IndexFunc(xs, func(x int) bool { return x != 10*g }); i >= 0 {
				t.Errorf("caller %d: xs[%d] = %d, want %d", g, i, xs[i], 10*g)
			}
		}()
	}
	wg.Wait()
}

func TestForBlocksAlignsRanges(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	for _, n := range []int{0, 5, 3 * MinChunk, 3*MinChunk + 1, 7*MinChunk + 3} {
		const block = 1000
		var mu sync.Mutex
		hits := make([]int, n)
		ForBlocks(n, block, func(lo, hi int) {
			if lo%block != 0 {
				t.Errorf("n = %d: range [%d, %d) starts off a block", n, lo, hi)
			}
			mu.Lock()
			defer mu.Unlock()
			for i := lo; i < hi; i++ {
				hits[i]++
			}
		})
		if i := slices.IndexFunc(hits, func(h int) bool { return h != 1 }); i >= 0 {
			t.Fatalf("n = %d: index %d visited %d times", n, i, hits[i])
		}
	}
}

func TestForWeightedSplitsByWork(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	for _, c := range []struct{ n, weight, ranges int }{
		{64, 784, 1},          // under two chunks of work: one range
		{64, 6 * 576, 3},      // six chunks: as many ranges as cores
		{2, 10 * MinChunk, 2}, // never more ranges than indices
		{7, 3 * MinChunk, 3},  // uneven ranges
		{4, MinChunk / 2, 2},  // two chunks of work
		{0, MinChunk, 1},      // nothing to do: one empty range
	} {
		var mu sync.Mutex
		hits, ranges := make([]int, c.n), 0
		ForWeighted(c.n, c.weight, func(lo, hi int) {
			mu.Lock()
			defer mu.Unlock()
			ranges++
			for i := lo; i < hi; i++ {
				hits[i]++
			}
		})
		if i := slices.IndexFunc(hits, func(h int) bool { return h != 1 }); i >= 0 {
			t.Fatalf("n = %d, weight %d: index %d visited %d times", c.n, c.weight, i, hits[i])
		}
		if ranges != c.ranges {
			t.Errorf("n = %d, weight %d: %d ranges, want %d", c.n, c.weight, ranges, c.ranges)
		}
	}
}
