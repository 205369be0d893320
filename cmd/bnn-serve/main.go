// Command bnn-serve serves a checkpoint written by netspec.Save (for
// example by examples/mnist -save) on the Open Inference Protocol, with no
// Go code from the user: the checkpoint records its network.
//
//	bnn-serve -checkpoint mlp.safetensors -addr :8080
//	curl localhost:8080/v2/models/mlp
//
// Every flag can also be set in the environment as BNN_ and its name in
// capitals with underscores (BNN_ADDR, BNN_MAX_BATCH, ...); a flag on the
// command line wins. SIGHUP reloads the checkpoint (so does POST
// /v2/repository/models/{name}/load): the new model must be the same
// network, or the old one keeps serving. SIGINT and SIGTERM stop accepting
// connections and finish the requests in flight before exiting.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
	"github.com/gorgonia-bnn/bnn/serve"
)

type config struct {
	checkpoint   string
	addr         string
	name         string
	samples      int
	parallel     int
	seed         uint64
	quantiles    string
	level        float64
	maxSamples   int
	maxInstances int
	maxBody      int64
	maxBatch     int
	maxDelay     time.Duration
	queue        int
	workers      int
	timeout      time.Duration
	readTimeout  time.Duration
	writeTimeout time.Duration
	idleTimeout  time.Duration
	shutdown     time.Duration
}

// parse reads the flags from args, with defaults from the environment.
func parse(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("bnn-serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.checkpoint, "checkpoint", "", "checkpoint written by netspec.Save (required)")
	fs.StringVar(&c.addr, "addr", ":8080", "address to listen on")
	fs.StringVar(&c.name, "name", "", "model name in the URLs (default: the checkpoint's file name without extension)")
	fs.IntVar(&c.samples, "samples", scoring.DefaultSamples, "Monte-Carlo samples per request unless it asks otherwise")
	fs.IntVar(&c.parallel, "parallel", 1, "predictive passes run at once (more only pays with cores to spare)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the samples' weights unless a request asks otherwise")
	fs.StringVar(&c.quantiles, "quantiles", "", "comma-separated quantiles a regression answers, e.g. 0.05,0.5,0.95")
	fs.Float64Var(&c.level, "level", scoring.DefaultLevel, "coverage of a regression's interval (without a conformal calibration)")
	fs.IntVar(&c.maxSamples, "max-samples", serve.DefaultMaxSamples, "most samples a request may ask")
	fs.IntVar(&c.maxInstances, "max-instances", serve.DefaultMaxInstances, "most instances in one request")
	fs.Int64Var(&c.maxBody, "max-body", serve.DefaultMaxBody, "largest request body in bytes")
	fs.IntVar(&c.maxBatch, "max-batch", serve.DefaultMaxBatch, "most instances merged into one predictive pass (1: no micro-batching)")
	fs.DurationVar(&c.maxDelay, "max-delay", serve.DefaultMaxDelay, "longest wait for more requests to merge")
	fs.IntVar(&c.queue, "queue", serve.DefaultQueue, "most requests waiting for a pass; more are answered 503")
	fs.IntVar(&c.workers, "workers", 1, "goroutines forming and scoring batches")
	fs.DurationVar(&c.timeout, "request-timeout", serve.DefaultTimeout, "longest wait of a request for its pass")
	fs.DurationVar(&c.readTimeout, "read-timeout", 10*time.Second, "HTTP read timeout")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 60*time.Second, "HTTP write timeout")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 120*time.Second, "HTTP keep-alive idle timeout")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 30*time.Second, "longest wait for requests in flight on SIGINT or SIGTERM")
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "BNN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := lookupEnv(name); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", name, v, err)
			}
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.checkpoint == "" {
		return c, errors.New("-checkpoint (or BNN_CHECKPOINT) is required")
	}
	if c.name == "" {
		c.name = strings.TrimSuffix(filepath.Base(c.checkpoint), filepath.Ext(c.checkpoint))
	}
	return c, nil
}

// load reads the checkpoint into a scorer.
func (c config) load() (*scoring.Scorer, error) {
	m, spec, err := netspec.Load(c.checkpoint)
	if err != nil {
		return nil, err
	}
	opts := []scoring.Option{scoring.Samples(c.samples), scoring.Seed(c.seed), scoring.Level(c.level), scoring.Parallel(c.parallel)}
	if c.quantiles != "" {
		var qs []float64
		for _, f := range strings.Split(c.quantiles, ",") {
			q, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, fmt.Errorf("-quantiles %q: %v", c.quantiles, err)
			}
			qs = append(qs, q)
		}
		opts = append(opts, scoring.Quantiles(qs...))
	}
	return scoring.New(m, spec, opts...)
}

// newServer loads the checkpoint and returns the server and the registry
// of its metrics.
func newServer(c config) (*serve.Server, error) {
	sc, err := c.load()
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return serve.New(c.name, sc, serve.Registry(reg), serve.Reloader(c.load),
		serve.MaxSamples(c.maxSamples), serve.MaxInstances(c.maxInstances), serve.MaxBodyBytes(c.maxBody),
		serve.Batching(c.maxBatch, c.maxDelay), serve.QueueSize(c.queue), serve.Workers(c.workers), serve.Timeout(c.timeout))
}

// run serves on ln until ctx is done, reloading on every value from hup,
// then finishes the requests in flight.
func run(ctx context.Context, c config, ln net.Listener, hup <-chan os.Signal, logger *log.Logger) error {
	srv, err := newServer(c)
	if err != nil {
		return err
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv, ReadTimeout: c.readTimeout, WriteTimeout: c.writeTimeout, IdleTimeout: c.idleTimeout,
		ReadHeaderTimeout: c.readTimeout, ErrorLog: logger}
	spec := srv.Spec()
	logger.Printf("serving %s (%s, input %v, %d layers) from %s on %s", c.name, spec.Task, spec.Input, len(spec.Layers), c.checkpoint, ln.Addr())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	for {
		select {
		case err := <-served:
			return err
		case <-hup:
			if err := srv.Reload(); err != nil {
				logger.Printf("reload: %v", err)
			} else {
				logger.Printf("reloaded %s: version %d", c.checkpoint, srv.Version())
			}
		case <-ctx.Done():
			logger.Printf("shutting down: finishing the requests in flight")
			sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
			defer cancel()
			return hs.Shutdown(sctx)
		}
	}
}

func main() {
	logger := log.New(os.Stderr, "bnn-serve: ", log.LstdFlags)
	c, err := parse(os.Args[1:], os.LookupEnv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		logger.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		logger.Fatal(err)
	}
	if err := run(ctx, c, ln, hup, logger); err != nil {
		logger.Fatal(err)
	}
}
