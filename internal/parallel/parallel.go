// Package parallel splits elementwise loops over large slices across the
// available cores. Elementwise results do not depend on the split, so a
// loop run this way gives the same values, bit for bit, as run whole.
package parallel

import (
	"runtime"
	"sync"
)

// MinChunk is the smallest share of a loop worth a goroutine: below about
// 32k elements the goroutine costs more than the work it takes over.
const MinChunk = 1 << 15

// For calls fn on consecutive ranges [lo, hi) covering [0, n), at once on
// up to GOMAXPROCS goroutines when n is large enough, and returns when all
// are done. fn must only touch elements in its range.
func For(n int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/MinChunk)
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	size := (n + parts - 1) / parts
	for lo := size; lo < n; lo += size {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+size, n))
	}
	fn(0, size)
	wg.Wait()
}
