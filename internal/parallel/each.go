package parallel

import "sync"

// Each calls fn(i, i+1) for every i in [0, n) at once, fn(0, 1) on the
// calling goroutine and the others on the workers, and returns when all
// are done: for work already split into n parts of its own choosing (the
// blocks of a matrix product), which For would split again by size. Like
// For it allocates nothing when fn is an existing function value.
func Each(n int, fn func(lo, hi int)) {
	if n <= 1 {
		if n == 1 {
			fn(0, 1)
		}
		return
	}
	ensureWorkers(n - 1)
	wg := waits.Get().(*sync.WaitGroup)
	for i := 1; i < n; i++ {
		wg.Add(1)
		tasks <- task{fn: fn, lo: i, hi: i + 1, wg: wg}
	}
	fn(0, 1)
	wg.Wait()
	waits.Put(wg)
}
