package serve

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own (not the global one),
// so that two Servers in one process (tests) do not collide.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec   // by endpoint and status code
	latency   *prometheus.HistogramVec // by endpoint
	comments  *prometheus.CounterVec   // by endpoint
	errors    *prometheus.CounterVec   // by kind
	reloads   *prometheus.CounterVec   // by result: ok, error
	model     *prometheus.GaugeVec     // 1 for the version served, by version and path
	inflight  prometheus.Gauge
	articles  prometheus.Gauge
	evictions prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stance_http_requests_total", Help: "HTTP requests answered, by endpoint and status code.",
		}, []string{"endpoint", "code"}),
		// From 100 µs: a single comment is scored in tens of microseconds, and a histogram
		// starting at Prometheus's default 5 ms would put every request in its first bucket.
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stance_http_request_duration_seconds", Help: "Time from a request's headers to its last byte written, by endpoint.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10},
		}, []string{"endpoint"}),
		comments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stance_comments_scored_total", Help: "Comments scored, by endpoint.",
		}, []string{"endpoint"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stance_errors_total", Help: "Requests (or NDJSON lines) refused or failed, by kind: bad_request, too_large, not_found, unauthenticated, busy, method, reload, internal.",
		}, []string{"kind"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stance_model_reloads_total", Help: "Model reloads (SIGHUP or POST /v1/admin/reload), by result: ok, or error (the old model kept serving).",
		}, []string{"result"}),
		model: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "stance_model_info", Help: "1 for the model being served: version is the first 12 hex digits of its file's SHA-256.",
		}, []string{"version", "path"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stance_inflight_requests", Help: "Scoring requests being served.",
		}),
		articles: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stance_articles_registered", Help: "Articles held for comments that name them by article_id.",
		}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stance_article_evictions_total", Help: "Registered articles evicted, least recently used first, to stay within the limits.",
		}),
	}
	for _, r := range []string{"ok", "error"} {
		m.reloads.WithLabelValues(r) // present at 0 from the start, so that rate() sees the first
	}
	m.reg.MustRegister(m.requests, m.latency, m.comments, m.errors, m.reloads, m.model, m.inflight, m.articles, m.evictions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// setModel marks l as the model served instead of old (nil at start): the new series is set
// before the old one goes, so that a scrape between the two never sees no model.
func (m *metrics) setModel(l, old *loaded) {
	m.model.WithLabelValues(l.version, l.path).Set(1)
	if old != nil && (old.version != l.version || old.path != l.path) {
		m.model.DeleteLabelValues(old.version, old.path)
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
