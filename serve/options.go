package serve

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gorgonia-bnn/bnn/scoring"
)

// Option configures a Server.
type Option func(*config) error

type config struct {
	maxSamples   int
	maxInstances int
	maxBody      int64
	maxBatch     int
	maxDelay     time.Duration
	queue        int
	workers      int
	timeout      time.Duration
	registry     *prometheus.Registry
	reloader     func() (*scoring.Scorer, error)
}

// Defaults of a Server.
const (
	DefaultMaxSamples   = 1000
	DefaultMaxInstances = 1024
	DefaultMaxBody      = 16 << 20
	DefaultMaxBatch     = 64
	DefaultMaxDelay     = 2 * time.Millisecond
	DefaultQueue        = 1024
	DefaultTimeout      = 30 * time.Second
)

func defaults() config {
	return config{maxSamples: DefaultMaxSamples, maxInstances: DefaultMaxInstances, maxBody: DefaultMaxBody,
		maxBatch: DefaultMaxBatch, maxDelay: DefaultMaxDelay, queue: DefaultQueue,
		workers: 1, timeout: DefaultTimeout}
}

func positive(what string, n int) error {
	if n < 1 {
		return fmt.Errorf("serve: %s %d: want at least 1", what, n)
	}
	return nil
}

// MaxSamples bounds the "samples" parameter of a request (default
// DefaultMaxSamples); the scorer's Samples is the default.
func MaxSamples(n int) Option {
	return func(c *config) error { c.maxSamples = n; return positive("MaxSamples", n) }
}

// MaxInstances bounds the instances of one request (default
// DefaultMaxInstances).
func MaxInstances(n int) Option {
	return func(c *config) error { c.maxInstances = n; return positive("MaxInstances", n) }
}

// MaxBodyBytes bounds a request's body (default DefaultMaxBody).
func MaxBodyBytes(n int64) Option {
	return func(c *config) error {
		c.maxBody = n
		if n < 1 {
			return fmt.Errorf("serve: MaxBodyBytes %d: want at least 1", n)
		}
		return nil
	}
}

// Batching merges concurrent requests into one predictive pass of up to
// maxBatch instances, waiting at most maxDelay after the first for others
// (defaults DefaultMaxBatch and DefaultMaxDelay). maxBatch 1 turns
// micro-batching off: each request is scored on its own goroutine.
func Batching(maxBatch int, maxDelay time.Duration) Option {
	return func(c *config) error {
		if maxBatch < 1 || maxDelay < 0 {
			return fmt.Errorf("serve: Batching(%d, %v): want maxBatch >= 1 and maxDelay >= 0", maxBatch, maxDelay)
		}
		c.maxBatch, c.maxDelay = maxBatch, maxDelay
		return nil
	}
}

// QueueSize bounds the requests waiting for a pass (default DefaultQueue);
// more are answered 503.
func QueueSize(n int) Option {
	return func(c *config) error { c.queue = n; return positive("QueueSize", n) }
}

// Workers sets the goroutines that form and score batches (default 1).
// While a pass runs, the requests arriving wait for the next batch, so one
// worker makes the largest batches; more run passes at once only as far
// as the scorer's Parallel allows (measured, 32 clients and 100 samples on
// the MNIST MLP, 2 cores: 17.9 requests/s with one worker, 4.2 with two
// and two passes at once).
func Workers(n int) Option {
	return func(c *config) error { c.workers = n; return positive("Workers", n) }
}

// Timeout bounds how long a request waits for its pass (default
// DefaultTimeout); then it is answered 503.
func Timeout(d time.Duration) Option {
	return func(c *config) error {
		c.timeout = d
		if d <= 0 {
			return fmt.Errorf("serve: Timeout %v: want > 0", d)
		}
		return nil
	}
}

// Registry registers the server's metrics with reg, which /metrics then
// serves (default: a registry of the server's own).
func Registry(reg *prometheus.Registry) Option {
	return func(c *config) error { c.registry = reg; return nil }
}

// Reloader gives Reload, and the endpoint POST
// /v2/repository/models/{name}/load, the function that loads the new
// model, typically from the checkpoint the server started with.
func Reloader(load func() (*scoring.Scorer, error)) Option {
	return func(c *config) error { c.reloader = load; return nil }
}
