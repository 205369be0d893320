package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

// BenchmarkLoad is the load test: 32 clients on loopback, each sending
// one test digit at a time to the MNIST MLP (784-400-400-10, float32),
// with and without micro-batching, at 10 and 100 samples. b.N is the
// number of requests; every one must succeed. It reports throughput, the
// median and 99th-percentile latency and the mean instances per
// predictive pass:
//
//	go test ./serve/ -run '^$' -bench Load -benchtime 200x
func BenchmarkLoad(b *testing.B) {
	const clients = 32
	_, test, err := mnist10k.Load()
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, clients)
	for c := range bodies {
		bodies[c], _ = json.Marshal(map[string]any{"inputs": []map[string]any{{
			"name": "input", "shape": []int{1, 784}, "datatype": "FP32", "data": test.X[c*784 : (c+1)*784]}}})
	}
	spec := netspec.MLP(netspec.Classification, 784, 400, 400, 10)
	spec.Dtype = "float32"
	for _, bc := range []struct {
		name              string
		samples, parallel int
		opts              []Option
	}{
		{"samples=10/batching=off", 10, 1, []Option{Batching(1, 0)}},
		{"samples=10/batching=64x2ms", 10, 1, []Option{Batching(64, 2*time.Millisecond)}},
		{"samples=100/batching=off", 100, 1, []Option{Batching(1, 0)}},
		{"samples=100/batching=64x2ms", 100, 1, []Option{Batching(64, 2*time.Millisecond)}},
		{"samples=100/batching=64x2ms/workers=2", 100, 2, []Option{Batching(64, 2*time.Millisecond), Workers(2)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			// No request may time out: a queue of 32 takes its time.
			srv, err := New("mlp", scorer(b, spec, 1, scoring.Samples(bc.samples), scoring.Parallel(bc.parallel)), append(bc.opts, Timeout(time.Hour))...)
			if err != nil {
				b.Fatal(err)
			}
			ts := start(b, srv)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			url := ts.URL + "/v2/models/mlp/infer"
			latencies := make([]time.Duration, b.N)
			var next, failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			begin := time.Now()
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						t0 := time.Now()
						res, err := client.Post(url, "application/json", bytes.NewReader(bodies[c]))
						if err != nil {
							failed.Add(1)
							continue
						}
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusOK {
							failed.Add(1)
						}
						latencies[i] = time.Since(t0)
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(begin)
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d of %d requests failed", failed.Load(), b.N)
			}
			slices.Sort(latencies)
			q := func(p float64) float64 { return latencies[int(p*float64(len(latencies)-1))].Seconds() * 1000 }
			passes := metricValue(b, ts.URL, "bnn_serve_batch_size_count{")
			served := metricValue(b, ts.URL, "bnn_serve_instances_total{")
			if int(served) != b.N {
				b.Fatalf("%v instances scored for %d requests", served, b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(served/passes, "instances/pass")
			b.Logf("%s: %d requests in %.1f s, none failed", bc.name, b.N, elapsed.Seconds())
		})
	}
}
