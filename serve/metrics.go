package serve

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus collectors, all named bnn_serve_*.
type metrics struct {
	requests  *prometheus.CounterVec   // by endpoint and outcome
	latency   *prometheus.HistogramVec // by endpoint and outcome
	batch     prometheus.Histogram     // instances per predictive pass
	queue     prometheus.Gauge         // requests waiting for a pass
	samples   prometheus.Counter       // Monte-Carlo passes drawn
	instances prometheus.Counter       // instances scored
	reloads   *prometheus.CounterVec   // by outcome
	version   prometheus.Gauge         // the version serving
}

func newMetrics(reg prometheus.Registerer, model string) (*metrics, error) {
	labels := prometheus.Labels{"model": model}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bnn_serve_requests_total", Help: "Requests by endpoint and outcome (ok, client_error, server_error, overloaded).", ConstLabels: labels,
		}, []string{"endpoint", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bnn_serve_request_duration_seconds", Help: "Request latency by endpoint and outcome.", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"endpoint", "outcome"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bnn_serve_batch_size", Help: "Instances per predictive pass (micro-batch).", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(1, 2, 11),
		}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bnn_serve_queue_depth", Help: "Inference requests waiting for a predictive pass.", ConstLabels: labels,
		}),
		samples: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bnn_serve_samples_total", Help: "Monte-Carlo passes drawn (one weight sample each).", ConstLabels: labels,
		}),
		instances: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bnn_serve_instances_total", Help: "Instances scored.", ConstLabels: labels,
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bnn_serve_reloads_total", Help: "Checkpoint reloads by outcome (ok, error).", ConstLabels: labels,
		}, []string{"outcome"}),
		version: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bnn_serve_model_version", Help: "The version of the model serving (1, then one more per reload).", ConstLabels: labels,
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.batch, m.queue, m.samples, m.instances, m.reloads, m.version} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
