package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

// ErrNotSameNetwork: a model offered to Swap or Reload is not the network
// the server serves (another input, task or layer stack).
var ErrNotSameNetwork = errors.New("not the network being served")

// Server is an http.Handler answering the Open Inference Protocol for one
// model. It is safe for concurrent use.
type Server struct {
	name    string
	current atomic.Pointer[serving]
	cfg     config
	batcher *batcher // nil without micro-batching
	metrics *metrics
	gather  prometheus.Gatherer

	reloadMu sync.Mutex // one reload at a time
	draining atomic.Bool
}

// serving is the model a server answers with, and its version.
type serving struct {
	scorer  *scoring.Scorer
	version int
}

// New returns a server answering for the model of sc under name.
func New(name string, sc *scoring.Scorer, opts ...Option) (*Server, error) {
	if name == "" || strings.ContainsAny(name, "/?#% ") {
		return nil, fmt.Errorf("serve: model name %q: want a non-empty name without '/', '?', '#', '%%' or spaces", name)
	}
	if sc == nil {
		return nil, errors.New("serve: nil scorer")
	}
	cfg := defaults()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if sc.Samples() > cfg.maxSamples {
		return nil, fmt.Errorf("serve: the scorer's default of %d samples is over MaxSamples %d", sc.Samples(), cfg.maxSamples)
	}
	reg := cfg.registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m, err := newMetrics(reg, name)
	if err != nil {
		return nil, fmt.Errorf("serve: metrics: %w", err)
	}
	s := &Server{name: name, cfg: cfg, metrics: m, gather: reg}
	s.current.Store(&serving{scorer: sc, version: 1})
	m.version.Set(1)
	if cfg.maxBatch > 1 {
		s.batcher = newBatcher(s, cfg.queue, cfg.maxBatch, cfg.workers, cfg.maxDelay)
	}
	return s, nil
}

// Close stops the micro-batching workers once they have answered every
// queued request; call it after http.Server.Shutdown. Requests after Close
// are answered 503.
func (s *Server) Close() {
	s.draining.Store(true)
	if s.batcher != nil {
		s.batcher.close()
	}
}

// Version returns the version of the model serving: 1, then one more per
// successful Swap or Reload.
func (s *Server) Version() int { return s.current.Load().version }

// Swap makes sc the model serving, atomically: a request is answered
// wholly by the old model or wholly by sc. It refuses (ErrNotSameNetwork)
// a scorer of another network.
func (s *Server) Swap(sc *scoring.Scorer) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	return s.swap(sc)
}

func (s *Server) swap(sc *scoring.Scorer) error {
	if sc == nil {
		return errors.New("serve: Swap: nil scorer")
	}
	old := s.current.Load()
	if !old.scorer.Spec().SameNetwork(sc.Spec()) {
		return fmt.Errorf("serve: %w: the new model has input %v, task %s and %d layers; the server's %v, %s and %d layers (or their settings differ)",
			ErrNotSameNetwork, sc.Spec().Input, sc.Spec().Task, len(sc.Spec().Layers),
			old.scorer.Spec().Input, old.scorer.Spec().Task, len(old.scorer.Spec().Layers))
	}
	if sc.Samples() > s.cfg.maxSamples {
		return fmt.Errorf("serve: Swap: the scorer's default of %d samples is over MaxSamples %d", sc.Samples(), s.cfg.maxSamples)
	}
	s.current.Store(&serving{scorer: sc, version: old.version + 1})
	s.metrics.version.Set(float64(old.version + 1))
	return nil
}

// Reload calls the Reloader option's function and swaps in the model it
// returns. On any failure the old model keeps serving, and the error says
// why.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	err := s.reload()
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	s.metrics.reloads.WithLabelValues(outcome).Inc()
	return err
}

func (s *Server) reload() error {
	if s.cfg.reloader == nil {
		return errors.New("serve: Reload: the server has no Reloader")
	}
	sc, err := s.cfg.reloader()
	if err != nil {
		return fmt.Errorf("serve: Reload: %w", err)
	}
	return s.swap(sc)
}

// ServeHTTP routes the protocol's endpoints:
//
//	GET  /v2                                 server metadata
//	GET  /v2/health/live, /v2/health/ready   liveness, readiness
//	GET  /v2/models/{name}[/versions/{v}]    model metadata
//	GET  /v2/models/{name}[/versions/{v}]/ready
//	POST /v2/models/{name}[/versions/{v}]/infer
//	POST /v2/repository/models/{name}/load   reload the model (Reloader)
//	GET  /metrics                            Prometheus metrics
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	endpoint, status := s.route(w, r)
	outcome := "ok"
	switch {
	case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests:
		outcome = "overloaded"
	case status >= 500:
		outcome = "server_error"
	case status >= 400:
		outcome = "client_error"
	}
	s.metrics.requests.WithLabelValues(endpoint, outcome).Inc()
	s.metrics.latency.WithLabelValues(endpoint, outcome).Observe(time.Since(start).Seconds())
}

// route answers r and returns its endpoint's name and the status sent.
func (s *Server) route(w http.ResponseWriter, r *http.Request) (string, int) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	method := func(want string, endpoint string, h func() (any, error)) (string, int) {
		if r.Method != want && !(want == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", want)
			return endpoint, s.fail(w, &httpError{http.StatusMethodNotAllowed,
				fmt.Sprintf("method %s is not allowed on %s: use %s", r.Method, r.URL.Path, want)})
		}
		v, err := h()
		if err != nil {
			return endpoint, s.fail(w, err)
		}
		return endpoint, reply(w, http.StatusOK, v)
	}
	switch {
	case len(parts) == 1 && parts[0] == "metrics":
		if r.Method != http.MethodGet {
			return method(http.MethodGet, "metrics", nil)
		}
		promhttp.HandlerFor(s.gather, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		return "metrics", http.StatusOK
	case len(parts) == 1 && parts[0] == "v2":
		return method(http.MethodGet, "metadata", func() (any, error) {
			return map[string]any{"name": "bnn-serve", "version": "1", "extensions": []string{"model_repository"}}, nil
		})
	case len(parts) == 3 && parts[0] == "v2" && parts[1] == "health" && (parts[2] == "live" || parts[2] == "ready"):
		return method(http.MethodGet, "health", func() (any, error) {
			if parts[2] == "ready" && s.draining.Load() {
				return nil, &httpError{http.StatusServiceUnavailable, "the server is shutting down"}
			}
			return map[string]bool{parts[2]: true}, nil
		})
	case len(parts) == 5 && parts[0] == "v2" && parts[1] == "repository" && parts[2] == "models" && parts[4] == "load":
		return method(http.MethodPost, "load", func() (any, error) {
			if err := s.checkModel(parts[3], ""); err != nil {
				return nil, err
			}
			if err := s.Reload(); err != nil {
				status := http.StatusInternalServerError
				if s.cfg.reloader == nil {
					status = http.StatusNotImplemented
				}
				return nil, &httpError{status, err.Error() + "; the previous model keeps serving"}
			}
			return map[string]any{"name": s.name, "version": strconv.Itoa(s.Version())}, nil
		})
	case len(parts) >= 3 && parts[0] == "v2" && parts[1] == "models":
		return s.routeModel(w, r, parts[2:], method)
	}
	return "other", s.fail(w, &httpError{http.StatusNotFound, fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path)})
}

// routeModel routes /v2/models/{name}[/versions/{v}][/ready|/infer].
func (s *Server) routeModel(w http.ResponseWriter, r *http.Request, parts []string,
	method func(string, string, func() (any, error)) (string, int)) (string, int) {
	name, version := parts[0], ""
	rest := parts[1:]
	if len(rest) >= 2 && rest[0] == "versions" {
		version, rest = rest[1], rest[2:]
	}
	if err := s.checkModel(name, version); err != nil {
		return "other", s.fail(w, err)
	}
	switch {
	case len(rest) == 0:
		return method(http.MethodGet, "model_metadata", func() (any, error) { return s.modelMetadata(), nil })
	case len(rest) == 1 && rest[0] == "ready":
		return method(http.MethodGet, "model_ready", func() (any, error) {
			if s.draining.Load() {
				return nil, &httpError{http.StatusServiceUnavailable, "the server is shutting down"}
			}
			return map[string]any{"name": s.name, "ready": true}, nil
		})
	case len(rest) == 1 && rest[0] == "infer":
		return method(http.MethodPost, "infer", func() (any, error) { return s.infer(w, r) })
	}
	return "other", s.fail(w, &httpError{http.StatusNotFound, fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path)})
}

// checkModel reports a model name, or version, that the server does not
// serve.
func (s *Server) checkModel(name, version string) error {
	if name != s.name {
		return &httpError{http.StatusNotFound, fmt.Sprintf("unknown model %q: this server serves %q", name, s.name)}
	}
	if v := strconv.Itoa(s.Version()); version != "" && version != v {
		return &httpError{http.StatusNotFound, fmt.Sprintf("model %q has no version %q: version %s is serving", name, version, v)}
	}
	return nil
}

func (s *Server) modelMetadata() any {
	cur := s.current.Load()
	spec := cur.scorer.Spec()
	dt := "FP64"
	if spec.Dtype == "float32" {
		dt = "FP32"
	}
	var outputs []metadataTensor
	for _, t := range outputTensors(cur.scorer, -1, nil) {
		outputs = append(outputs, metadataTensor{Name: t.Name, Datatype: t.Datatype, Shape: t.Shape})
	}
	return map[string]any{
		"name":     s.name,
		"versions": []string{strconv.Itoa(cur.version)},
		"platform": "gorgonia-bnn",
		"inputs":   []metadataTensor{{Name: InputName, Datatype: dt, Shape: append([]int{-1}, spec.Input...)}},
		"outputs":  outputs,
		"parameters": map[string]any{
			"task": spec.Task, "samples": cur.scorer.Samples(), "max_samples": s.cfg.maxSamples,
			"max_instances": s.cfg.maxInstances, "seed": cur.scorer.Seed(), "ood_threshold": spec.OODThreshold,
			"noise_std": spec.NoiseStd, "quantiles": cur.scorer.Quantiles(), "spec": spec,
		},
	}
}

// infer answers an inference request.
func (s *Server) infer(w http.ResponseWriter, r *http.Request) (any, error) {
	if s.draining.Load() {
		return nil, &httpError{http.StatusServiceUnavailable, "the server is shutting down"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over the server's limit of %d bytes", tooBig.Limit)}
		}
		return nil, badRequest("reading the request body: %v (truncated?)", err)
	}
	cur := s.current.Load()
	d, err := decode(body, cur.scorer, limits{samples: cur.scorer.Samples(), seed: cur.scorer.Seed(),
		maxSamples: s.cfg.maxSamples, instances: s.cfg.maxInstances})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.timeout)
	defer cancel()
	j := &job{ctx: ctx, x: d.x, rows: d.rows, key: passKey{d.samples, d.seed}, done: make(chan answer, 1)}
	if s.batcher == nil {
		s.score([]*job{j})
	} else if !s.batcher.enqueue(j) {
		return nil, &httpError{http.StatusServiceUnavailable, fmt.Sprintf("server overloaded: %d requests are queued; retry later", s.cfg.queue)}
	}
	var a answer
	select {
	case a = <-j.done:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	if a.err != nil {
		if errors.Is(a.err, context.DeadlineExceeded) {
			return nil, &httpError{http.StatusServiceUnavailable, fmt.Sprintf("no predictive pass within the server's timeout of %v", s.cfg.timeout)}
		}
		if errors.Is(a.err, context.Canceled) {
			return nil, &httpError{499, "the client closed the request"}
		}
		return nil, &httpError{http.StatusInternalServerError, a.err.Error()}
	}
	outs := outputTensors(a.served.scorer, d.rows, a.rs)
	if d.outputs != nil {
		kept := outs[:0]
		for _, t := range outs {
			if d.outputs[t.Name] {
				kept = append(kept, t)
			}
		}
		outs = kept
	}
	return inferResponse{ModelName: s.name, ModelVersion: strconv.Itoa(a.served.version), ID: d.id,
		Parameters: map[string]any{ParamSamples: d.samples, ParamSeed: d.seed}, Outputs: outs}, nil
}

// fail writes err as the protocol's error object and returns its status.
func (s *Server) fail(w http.ResponseWriter, err error) int {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{http.StatusInternalServerError, err.Error()}
	}
	return reply(w, he.status, map[string]string{"error": he.msg})
}

func reply(w http.ResponseWriter, status int, v any) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // messages say ">=", not "\u003e="
	_ = enc.Encode(v)        // the client may have gone
	return status
}

// Spec returns the spec of the model serving.
func (s *Server) Spec() *netspec.Spec { return s.current.Load().scorer.Spec() }
