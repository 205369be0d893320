package serve

import (
	"context"
	"sync"
	"time"

	"github.com/gorgonia-bnn/bnn/scoring"
)

// job is one inference request waiting for a predictive pass.
type job struct {
	ctx  context.Context
	x    []float64
	rows int
	key  passKey
	done chan answer // buffered: the worker never waits for the handler
}

// passKey is what requests must share to be merged into one pass.
type passKey struct {
	samples int
	seed    uint64
}

// answer is a job's results and the model that computed them.
type answer struct {
	rs     []scoring.Result
	served *serving
	err    error
}

// batcher merges queued jobs into predictive passes: a worker takes the
// first job waiting, adds those that arrive until the batch holds maxBatch
// instances or maxDelay has passed since, and scores them together (one
// pass per seed and sample count among them). Records are scored
// independently (see package scoring), so a merged request gets the
// answers it would alone.
type batcher struct {
	srv      *Server
	queue    chan *job
	maxBatch int
	maxDelay time.Duration

	mu      sync.RWMutex // held to send on queue, and to close it
	closed  bool
	workers sync.WaitGroup
}

func newBatcher(srv *Server, queue, maxBatch, workers int, maxDelay time.Duration) *batcher {
	b := &batcher{srv: srv, queue: make(chan *job, queue), maxBatch: maxBatch, maxDelay: maxDelay}
	b.workers.Add(workers)
	for range workers {
		go b.work()
	}
	return b
}

// enqueue adds j to the queue, or reports false if it is full or closed.
func (b *batcher) enqueue(j *job) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return false
	}
	select {
	case b.queue <- j:
		b.srv.metrics.queue.Inc()
		return true
	default:
		return false
	}
}

// close stops taking jobs, lets the workers finish those queued, and waits
// for them.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	b.workers.Wait()
}

func (b *batcher) take(j *job) *job {
	b.srv.metrics.queue.Dec()
	return j
}

func (b *batcher) work() {
	defer b.workers.Done()
	var carry *job // the job that would have overfilled the last batch
	for {
		first := carry
		carry = nil
		if first == nil {
			j, ok := <-b.queue
			if !ok {
				return
			}
			first = b.take(j)
		}
		batch, rows := []*job{first}, first.rows
		timer := time.NewTimer(b.maxDelay)
	collect:
		for rows < b.maxBatch {
			select {
			case j, ok := <-b.queue:
				if !ok {
					break collect
				}
				b.take(j)
				if rows+j.rows > b.maxBatch {
					carry = j
					break collect
				}
				batch, rows = append(batch, j), rows+j.rows
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		b.srv.score(batch)
	}
}

// score answers jobs, one pass per key among them, with the model serving
// now: every job of one pass gets the same version.
func (s *Server) score(jobs []*job) {
	var keys []passKey
	groups := map[passKey][]*job{}
	for _, j := range jobs {
		if j.ctx.Err() != nil {
			j.done <- answer{err: j.ctx.Err()} // the client left or timed out
			continue
		}
		if groups[j.key] == nil {
			keys = append(keys, j.key)
		}
		groups[j.key] = append(groups[j.key], j)
	}
	for _, k := range keys {
		group := groups[k]
		cur := s.current.Load()
		var x []float64
		rows := 0
		for _, j := range group {
			x, rows = append(x, j.x...), rows+j.rows
		}
		rs, err := cur.scorer.Score(x, rows, scoring.Samples(k.samples), scoring.Seed(k.seed))
		if err == nil {
			s.metrics.batch.Observe(float64(rows))
			s.metrics.samples.Add(float64(k.samples))
			s.metrics.instances.Add(float64(rows))
		}
		at := 0
		for _, j := range group {
			a := answer{served: cur, err: err}
			if err == nil {
				a.rs = rs[at : at+j.rows]
			}
			at += j.rows
			j.done <- a
		}
	}
}
