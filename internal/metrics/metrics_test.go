package metrics_test

import (
	"slices"
	"testing"
	"time"

	"masthead/internal/metrics"
)

// Recording a request or a cache lookup allocates nothing once its series
// exists: the middleware costs a map lookup and an atomic add.
func TestObservingDoesNotAllocate(t *testing.T) {
	m := metrics.New(metrics.Options{})
	m.ObserveRequest("/v1/articles/:id_or_slug", "GET", 200, time.Millisecond)
	m.ObserveCache("article", true)
	if n := testing.AllocsPerRun(1000, func() {
		m.ObserveRequest("/v1/articles/:id_or_slug", "GET", 200, time.Millisecond)
	}); n != 0 {
		t.Errorf("ObserveRequest: %v allocations", n)
	}
	if n := testing.AllocsPerRun(1000, func() { m.ObserveCache("article", true) }); n != 0 {
		t.Errorf("ObserveCache: %v allocations", n)
	}
}

// A method outside the standard ones is one series, "other", whatever it
// is; a request no route matched is "unmatched".
func TestLabelsAreBounded(t *testing.T) {
	m := metrics.New(metrics.Options{})
	for _, method := range []string{"BREW", "PROPFIND", "X-ANYTHING"} {
		m.ObserveRequest("", method, 404, time.Millisecond)
	}
	m.ObserveRequest("/v1/articles", "GET", 200, time.Millisecond)
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, f := range fams {
		if f.GetName() != "masthead_http_request_duration_seconds" {
			continue
		}
		for _, s := range f.GetMetric() {
			var l string
			for _, p := range s.GetLabel() {
				l += p.GetName() + "=" + p.GetValue() + " "
			}
			labels = append(labels, l)
		}
	}
	want := []string{"method=GET route=/v1/articles status=200 ", "method=other route=unmatched status=404 "}
	if !slices.Equal(labels, want) {
		t.Errorf("series %q, want %q", labels, want)
	}
}

func BenchmarkObserveRequest(b *testing.B) {
	m := metrics.New(metrics.Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.ObserveRequest("/v1/articles/:id_or_slug", "GET", 200, time.Millisecond)
		}
	})
}
