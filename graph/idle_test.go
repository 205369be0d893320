package graph_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestCloseIdleGraphs checks that closing a model's idle graphs changes
// no prediction, seeded or not, and lets their memory go: the graphs of
// an input of two chunks hold at least the chunks' input buffers.
func TestCloseIdleGraphs(t *testing.T) {
	rows := graph.MaxPredictBatch + 5
	keep, x := benchModel(t, rows)
	closing, _ := benchModel(t, rows)
	for call := range 3 {
		seeded, err := predictAll(keep, x, 11)
		if err != nil {
			t.Fatal(err)
		}
		closing.CloseIdleGraphs()
		got, err := predictAll(closing, x, 11)
		if err != nil {
			t.Fatal(err)
		}
		if !got.equal(seeded) {
			t.Fatalf("call %d: seeded predictions differ after CloseIdleGraphs", call)
		}
		// Unseeded: the model's generator goes on as if nothing closed.
		want, err := keep.PredictMarginal(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		closing.CloseIdleGraphs()
		p, err := closing.PredictMarginal(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !sameSamples(p.Samples, want.Samples) {
			t.Fatalf("call %d: unseeded predictions differ after CloseIdleGraphs", call)
		}
	}

	held := heapAlloc()
	closing.CloseIdleGraphs()
	freed := int64(held) - int64(heapAlloc())
	if inputs := int64(rows * closing.InputWidth() * 8); freed < inputs {
		t.Errorf("CloseIdleGraphs freed %d bytes, want at least the %d of the graphs' input buffers", freed, inputs)
	}
	runtime.KeepAlive(keep)
}

// heapAlloc returns the bytes of live heap objects, after two
// collections: the first moves sync.Pool's items to its victim cache.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestCloseIdleGraphsConcurrently closes a model's idle graphs while
// other goroutines predict from it (run it with -race): every seeded
// answer stays the serial one.
func TestCloseIdleGraphsConcurrently(t *testing.T) {
	m, x := benchModel(t, graph.MaxPredictBatch+5)
	want, err := predictAll(m, x, 3)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var closer sync.WaitGroup
	closer.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				m.CloseIdleGraphs()
				runtime.Gosched()
			}
		}
	})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				got, err := predictAll(m, x, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if !got.equal(want) {
					t.Error("a seeded answer differs while idle graphs are closed meanwhile")
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	closer.Wait()
}
