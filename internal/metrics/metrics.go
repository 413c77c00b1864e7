// Package metrics is what Masthead tells Prometheus: request durations by
// route and status, the response cache's hits and misses by kind, the
// database pools, the webhook outbox's lag, the cache notifications'
// connection, and the Go runtime's and the process's own figures. Each
// Metrics has its own registry, so that several servers in one process
// (the tests) do not mix their counts.
//
// Recording is cheap: the observer of a (route, method, status) and the
// counter of a (kind, result) are looked up in a map under a read lock,
// made once each; an observation allocates nothing.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options say where the figures read at scrape time come from; any may be
// absent.
type Options struct {
	// Pools are the database pools by name: their sql.DBStats become the
	// go_sql_* series, labelled db_name.
	Pools map[string]*sql.DB
	// OutboxLag is the age of the oldest undelivered webhook delivery.
	OutboxLag func(ctx context.Context) (time.Duration, error)
	// Logger receives the failures of the figures read at scrape time.
	Logger *slog.Logger
}

// Metrics records and serves the figures of one server.
type Metrics struct {
	reg      *prometheus.Registry
	handler  http.Handler
	requests *prometheus.HistogramVec
	cache    *prometheus.CounterVec

	mu        sync.RWMutex
	observers map[requestKey]prometheus.Observer
	counters  map[cacheKey]prometheus.Counter
}

type requestKey struct {
	route, method string
	status        int
}

type cacheKey struct {
	kind string
	hit  bool
}

// Buckets of the request durations, in seconds: from a cached read (well
// under a millisecond) to a slow search or an upload.
var Buckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New makes the metrics and their registry.
func New(o Options) *Metrics {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "masthead_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route (the route's pattern, never the URL), method and status.",
			Buckets: Buckets,
		}, []string{"route", "method", "status"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "masthead_cache_lookups_total",
			Help: "Lookups in the response cache, by kind of representation and result (hit or miss).",
		}, []string{"kind", "result"}),
		observers: make(map[requestKey]prometheus.Observer),
		counters:  make(map[cacheKey]prometheus.Counter),
	}
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Timeout: 10 * time.Second,
		// The public port compresses already (Echo's gzip).
		DisableCompression: true})
	m.reg.MustRegister(m.requests, m.cache,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range o.Pools {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	if o.OutboxLag != nil {
		m.reg.MustRegister(&outboxLag{lag: o.OutboxLag, log: o.Logger, desc: prometheus.NewDesc(
			"masthead_webhook_outbox_lag_seconds",
			"Age of the oldest webhook delivery not yet made (0 when none is pending), read at scrape time.",
			nil, nil)})
	}
	return m
}

// Listening adds the gauge of the cache notifications' connection
// (PostgreSQL only), read at scrape time from listening.
func (m *Metrics) Listening(listening func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "masthead_cache_notifications_listening",
		Help: "1 while this process listens for the other processes' writes (PostgreSQL), 0 while it reconnects.",
	}, func() float64 {
		if listening() {
			return 1
		}
		return 0
	}))
}

// Registry is where the metrics are registered (a test may gather it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus's text format (or
// OpenMetrics, when asked). A figure that cannot be read at scrape time is
// left out; the others are served.
func (m *Metrics) Handler() http.Handler {
	return m.handler
}

// ObserveRequest records one answered request. route is the route's
// pattern ("" when none matched); a method outside the standard ones is
// "other", so that neither can grow the series without bound.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	k := requestKey{route: route, method: method, status: status}
	m.mu.RLock()
	o, ok := m.observers[k]
	m.mu.RUnlock()
	if !ok {
		o = m.observer(k)
	}
	o.Observe(d.Seconds())
}

func (m *Metrics) observer(k requestKey) prometheus.Observer {
	route := k.route
	if route == "" {
		route = "unmatched"
	}
	method := k.method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
		k.method = method
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.observers[k]; ok {
		return o
	}
	o := m.requests.WithLabelValues(route, method, strconv.Itoa(k.status))
	m.observers[k] = o
	return o
}

// ObserveCache records a lookup in the response cache: kind is the kind
// of representation (a constant of the code: "article", "list"…).
func (m *Metrics) ObserveCache(kind string, hit bool) {
	k := cacheKey{kind: kind, hit: hit}
	m.mu.RLock()
	c, ok := m.counters[k]
	m.mu.RUnlock()
	if !ok {
		result := "miss"
		if hit {
			result = "hit"
		}
		m.mu.Lock()
		if c, ok = m.counters[k]; !ok {
			c = m.cache.WithLabelValues(kind, result)
			m.counters[k] = c
		}
		m.mu.Unlock()
	}
	c.Inc()
}

// outboxLag reads the webhook outbox's lag when scraped.
type outboxLag struct {
	lag  func(ctx context.Context) (time.Duration, error)
	log  *slog.Logger
	desc *prometheus.Desc
}

func (c *outboxLag) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxLag) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	lag, err := c.lag(ctx)
	if err != nil {
		c.log.Warn("metrics: webhook outbox lag", slog.String("error", err.Error()))
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, lag.Seconds())
}
