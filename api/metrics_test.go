package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/config"
	"masthead/internal/webhooks"
)

var metricsToken = strings.Repeat("m3tr1c5", 6)

// scrape reads /metrics on the public port with the metrics token and
// parses it as Prometheus would.
func scrape(t *testing.T, a *apitest.App) map[string]*dto.MetricFamily {
	t.Helper()
	r := a.Get("/metrics", metricsToken)
	if r.Status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, r.Body)
	}
	return fams
}

// series finds the series of family name whose labels include want.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) []*dto.Metric {
	var out []*dto.Metric
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// One series, or the test fails.
func one(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	s := series(fams, name, labels)
	if len(s) != 1 {
		t.Fatalf("%s%v: %d series", name, labels, len(s))
	}
	return s[0]
}

// Requests are counted by route pattern and status, the response cache's
// lookups by kind and result, and the pools and the outbox are there.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.MetricsToken = metricsToken
		c.WebhookAllow = []string{"127.0.0.1"}
	}})
	wells := a.Article("wells")

	for range 3 {
		a.Get("/v1/articles?limit=5", "")
	}
	a.Get("/v1/articles/"+wells.Slug, "")
	a.Get("/v1/articles/"+wells.ID, "")
	a.Get("/v1/articles/no-such-article", "")
	a.Validate = false // not API answers
	a.Get("/no/such/path", "")
	a.Validate = true

	fams := scrape(t, a)
	const hist = "masthead_http_request_duration_seconds"
	if f := fams[hist]; f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("%s missing or not a histogram", hist)
	}
	lists := one(t, fams, hist, map[string]string{"route": "/v1/articles", "method": "GET", "status": "200"})
	if n := lists.GetHistogram().GetSampleCount(); n != 3 {
		t.Errorf("list requests counted %d, want 3", n)
	}
	byRoute := one(t, fams, hist, map[string]string{"route": "/v1/articles/:id_or_slug", "method": "GET", "status": "200"})
	if n := byRoute.GetHistogram().GetSampleCount(); n != 2 {
		t.Errorf("article requests counted %d, want 2 (by slug and by id, one route)", n)
	}
	if n := one(t, fams, hist, map[string]string{"route": "/v1/articles/:id_or_slug", "status": "404"}).GetHistogram().GetSampleCount(); n != 1 {
		t.Errorf("404s counted %d, want 1", n)
	}
	one(t, fams, hist, map[string]string{"route": "unmatched", "status": "404"})
	if len(series(fams, hist, map[string]string{"status": "404"})) != 2 {
		t.Errorf("404 series: %v", series(fams, hist, map[string]string{"status": "404"}))
	}
	// Never the URL: no label carries what the caller typed.
	for _, m := range fams[hist].GetMetric() {
		for _, l := range m.GetLabel() {
			if v := l.GetValue(); strings.Contains(v, wells.Slug) || strings.Contains(v, wells.ID) ||
				strings.Contains(v, "no-such") || strings.Contains(v, "limit") {
				t.Errorf("a label carries the URL: %s=%q", l.GetName(), v)
			}
		}
	}

	// The list: one miss, then hits; the article by slug and by id are
	// two keys, two misses.
	const lookups = "masthead_cache_lookups_total"
	for _, c := range []struct {
		kind, result string
		want         float64
	}{{"list", "miss", 1}, {"list", "hit", 2}, {"article", "miss", 3}} {
		if v := one(t, fams, lookups, map[string]string{"kind": c.kind, "result": c.result}).GetCounter().GetValue(); v != c.want {
			t.Errorf("%s %s: %v, want %v", c.kind, c.result, v, c.want)
		}
	}

	// The pools (SQLite's writer and readers, or PostgreSQL's one).
	if len(series(fams, "go_sql_max_open_connections", nil)) == 0 || len(series(fams, "go_sql_wait_count_total", nil)) == 0 {
		t.Error("no database pool series")
	}
	if a.DB.Dialect == "postgres" {
		one(t, fams, "go_sql_max_open_connections", map[string]string{"db_name": "main"})
	} else {
		one(t, fams, "go_sql_max_open_connections", map[string]string{"db_name": "write"})
		one(t, fams, "go_sql_max_open_connections", map[string]string{"db_name": "read"})
	}

	// The outbox: nothing pending, then a delivery the partner refuses,
	// pending while the clock runs.
	const lag = "masthead_webhook_outbox_lag_seconds"
	if v := one(t, fams, lag, nil).GetGauge().GetValue(); v != 0 {
		t.Errorf("lag %v with nothing pending", v)
	}
	d := webhooks.NewDispatcher(a.Webhooks, webhooks.DispatchOptions{})
	rcv := newHookReceiver(t, a)
	h := createHook(t, a, rcv.URL(), "article.published")
	rcv.trust(h.Secret)
	rcv.failNext(100)
	hookArticle(t, a, "Pont fermé")
	if r := runOnce(t, d); r.Attempted != 1 || r.Delivered != 0 {
		t.Fatalf("attempt: %+v", r)
	}
	a.Clock.Advance(90 * time.Second)
	if v := one(t, scrape(t, a), lag, nil).GetGauge().GetValue(); v != 90 {
		t.Errorf("lag %v, want 90 (seconds since the delivery was enqueued)", v)
	}
}

// On the public port, /metrics is for the metrics token or an admin: a
// 401 problem without a token or with a wrong one, 403 for another role.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{NoDemo: true, Configure: func(c *config.Config) { c.MetricsToken = metricsToken }})
	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"none", "", http.StatusUnauthorized},
		{"wrong", strings.Repeat("x", len(metricsToken)), http.StatusUnauthorized},
		{"prefix", metricsToken[:len(metricsToken)-1], http.StatusUnauthorized},
		{"editor", a.Token(access.RoleEditor), http.StatusForbidden},
		{"admin", a.Token(access.RoleAdmin), http.StatusOK},
		{"metrics token", metricsToken, http.StatusOK},
	} {
		r := a.Get("/metrics", c.token)
		if r.Status != c.want {
			t.Errorf("%s: %d, want %d\n%s", c.name, r.Status, c.want, r.Body)
			continue
		}
		if c.want != http.StatusOK {
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" || strings.Contains(string(r.Body), "go_") {
				t.Errorf("%s: %s %s", c.name, ct, r.Body)
			}
		} else if !strings.Contains(string(r.Body), "masthead_http_request_duration_seconds") {
			t.Errorf("%s: no request metrics in\n%s", c.name, r.Body)
		}
	}
	if r := a.Do(http.MethodHead, "/metrics", metricsToken, nil); r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", r.Status, len(r.Body))
	}

	// Without a token setting the public port has no /metrics.
	b := apitest.New(t, apitest.Options{NoDemo: true, Configure: func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" }})
	b.Validate = false
	if r := b.Get("/metrics", metricsToken); r.Status != http.StatusNotFound {
		t.Errorf("/metrics without a token setting: %d", r.Status)
	}
}
