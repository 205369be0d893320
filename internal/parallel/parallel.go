// Package parallel splits elementwise loops over large slices across the
// available cores. Elementwise results do not depend on the split, so a
// loop run this way gives the same values, bit for bit, as run whole.
package parallel

import (
	"runtime"
	"sync"
)

// MinChunk is the smallest share of a loop worth handing to another core:
// below about 32k elements the hand-over costs more than the work it takes.
const MinChunk = 1 << 15

// task is one range of a For call, run by a worker.
type task struct {
	fn     func(lo, hi int)
	lo, hi int
	wg     *sync.WaitGroup
}

// The workers are started on demand and live for the program: starting a
// goroutine per range allocated on every call, which solvers promising no
// allocation per step cannot afford.
var (
	tasks   = make(chan task, 64)
	mu      sync.Mutex
	workers int
	waits   = sync.Pool{New: func() any { return new(sync.WaitGroup) }}
)

// ensureWorkers starts workers until n run.
func ensureWorkers(n int) {
	mu.Lock()
	defer mu.Unlock()
	for ; workers < n; workers++ {
		go func() {
			for t := range tasks {
				t.fn(t.lo, t.hi)
				t.wg.Done()
			}
		}()
	}
}

// For calls fn on consecutive ranges [lo, hi) covering [0, n), at once on
// up to GOMAXPROCS cores when n is large enough, and returns when all are
// done. fn must only touch elements in its range, and must not call For
// itself. For allocates nothing when fn is an existing function value.
func For(n int, fn func(lo, hi int)) { ForBlocks(n, 1, fn) }

// ForBlocks is For with every range starting at a multiple of block (> 0),
// for loops whose results depend on where a range starts, such as vector
// kernels that leave a range's tail to scalar code.
func ForBlocks(n, block int, fn func(lo, hi int)) {
	split(n, block, min(runtime.GOMAXPROCS(0), n/MinChunk), fn)
}

// ForWeighted is For for loops whose every index stands for weight
// elements of work (an example of a batch, a channel's plane): it splits
// [0, n) as For would split n·weight elements, at whole indices.
func ForWeighted(n, weight int, fn func(lo, hi int)) {
	split(n, 1, min(runtime.GOMAXPROCS(0), n*weight/MinChunk, n), fn)
}

// split runs fn on parts ranges covering [0, n), each starting at a
// multiple of block, the first on the calling goroutine.
func split(n, block, parts int, fn func(lo, hi int)) {
	if parts <= 1 {
		fn(0, n)
		return
	}
	ensureWorkers(parts - 1)
	wg := waits.Get().(*sync.WaitGroup)
	size := (n + parts - 1) / parts
	size = (size + block - 1) / block * block
	for lo := size; lo < n; lo += size {
		wg.Add(1)
		tasks <- task{fn: fn, lo: lo, hi: min(lo+size, n), wg: wg}
	}
	fn(0, min(size, n))
	wg.Wait()
	waits.Put(wg)
}
