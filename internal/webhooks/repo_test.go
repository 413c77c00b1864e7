package webhooks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/store/storetest"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

// memLog is a change log in memory.
type memLog struct {
	mu      sync.Mutex
	changes []Change
}

func (l *memLog) add(kind, article string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changes = append(l.changes, Change{Seq: int64(len(l.changes) + 1), ArticleID: article, Kind: kind, Lang: "fr", Version: 1, At: time.Now()})
}

func (l *memLog) LastSeq(context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.changes)), nil
}

func (l *memLog) ChangesAfter(_ context.Context, after int64, limit int) ([]Change, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Change
	for _, c := range l.changes {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (l *memLog) Summary(_ context.Context, id string) (Summary, bool, error) {
	return Summary{Title: "Titre " + id}, true, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestService(t testing.TB) (*Service, *memLog, *clock) {
	t.Helper()
	p, err := NewPolicy([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	log := &memLog{}
	clk := &clock{t: time.Date(2026, 9, 19, 14, 0, 0, 0, time.UTC)}
	return NewService(storetest.Open(t), log, Options{Now: clk.Now, Policy: p}), log, clk
}

func countDeliveries(t *testing.T, s *Service) int64 {
	t.Helper()
	var n int64
	if err := s.db.Read(context.Background()).Model(&deliveryRow{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTakeIsExclusive: of two dispatchers that listed the same due
// deliveries, only the first leases them, until its lease ends; the one
// that lost a lease cannot record an attempt.
func TestTakeIsExclusive(t *testing.T) {
	t.Parallel()
	s, log, clk := newTestService(t)
	ctx := context.Background()
	w, err := s.Create(ctx, Input{URL: "http://127.0.0.1:9/h", Events: []string{AllEvents}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		log.add("published", fmt.Sprintf("A%d", i))
	}
	if n, err := NewDispatcher(s, DispatchOptions{}).Enqueue(ctx); err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v", n, err)
	}

	now := clk.Now()
	ids, err := s.due(ctx, now, 10)
	if err != nil || len(ids) != 3 {
		t.Fatalf("due = %v, %v", ids, err)
	}
	lease := now.Add(time.Minute)
	if n, err := s.take(ctx, ids, now, lease, "A"); err != nil || n != 3 {
		t.Fatalf("first take = %d, %v", n, err)
	}
	if n, err := s.take(ctx, ids, now, lease, "B"); err != nil || n != 0 {
		t.Fatalf("second take of the same rows = %d, %v; want 0", n, err)
	}
	if again, _ := s.due(ctx, now, 10); len(again) != 0 {
		t.Errorf("leased deliveries still listed as due: %v", again)
	}
	jobs, err := s.jobs(ctx, "A")
	if err != nil || len(jobs) != 3 {
		t.Fatalf("jobs(A) = %d, %v", len(jobs), err)
	}
	if j := jobs[0]; j.URL != w.URL || j.Secret != w.Secret || j.WebhookID != w.ID || !strings.Contains(j.Payload, `"title":"Titre A`) {
		t.Errorf("job %+v", j)
	}
	if b, _ := s.jobs(ctx, "B"); len(b) != 0 {
		t.Errorf("B got %d jobs", len(b))
	}

	// A dies; when its lease ends B takes over, and A can record nothing.
	clk.add(time.Minute)
	later := clk.Now()
	if n, err := s.take(ctx, ids, later, later.Add(time.Minute), "B"); err != nil || n != 3 {
		t.Fatalf("take after the lease = %d, %v", n, err)
	}
	if ok, err := s.finish(ctx, ids[0], "A", map[string]any{"attempts": 1}); err != nil || ok {
		t.Errorf("A recorded an attempt on a lease it lost: %v, %v", ok, err)
	}
	if ok, err := s.finish(ctx, ids[0], "B", map[string]any{"attempts": 1, "status": StatusDelivered}); err != nil || !ok {
		t.Errorf("B could not record its attempt: %v, %v", ok, err)
	}
}

// TestAdvanceIsACompareAndSwap: a position moves once; a second dispatcher
// holding the same position, or one that read the webhook before an edit,
// enqueues nothing; and a failed insert moves nothing.
func TestAdvanceIsACompareAndSwap(t *testing.T) {
	t.Parallel()
	s, log, clk := newTestService(t)
	ctx := context.Background()
	w, err := s.Create(ctx, Input{URL: "http://127.0.0.1:9/h", Events: []string{EventPublished}})
	if err != nil {
		t.Fatal(err)
	}
	log.add("published", "A")
	log.add("updated", "A") // not subscribed: moves the position, no delivery
	ps, err := s.behind(ctx, 2)
	if err != nil || len(ps) != 1 || ps[0].lastSeq != 0 {
		t.Fatalf("behind = %+v, %v", ps, err)
	}
	p := ps[0]
	row := func(seq int64) []deliveryRow {
		now := clk.Now()
		return []deliveryRow{{ID: newID(), WebhookID: w.ID, Event: EventPublished, ChangeSeq: seq, ArticleID: "A",
			Payload: "{}", Status: StatusPending, NextAttemptAt: &now, CreatedAt: now}}
	}
	if ok, err := s.advance(ctx, p, 2, row(1)); err != nil || !ok {
		t.Fatalf("first advance = %v, %v", ok, err)
	}
	if ok, err := s.advance(ctx, p, 2, row(1)); err != nil || ok {
		t.Fatalf("second advance from the same position = %v, %v; want false", ok, err)
	}
	if n := countDeliveries(t, s); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}

	// The unique (webhook, change) pair: even at the right position, a
	// change enqueued twice rolls the whole move back.
	log.add("published", "B")
	p.lastSeq = 2
	if ok, err := s.advance(ctx, p, 3, row(1)); err == nil || ok {
		t.Fatalf("a duplicate delivery was accepted: %v, %v", ok, err)
	}
	if ps, _ := s.behind(ctx, 3); len(ps) != 1 || ps[0].lastSeq != 2 {
		t.Fatalf("the position moved although the insert failed: %+v", ps)
	}

	// Edited after it was read: the stale position enqueues nothing.
	desc := "changed"
	if _, err := s.Update(ctx, w.ID, Patch{Description: &desc}, 0); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.advance(ctx, p, 3, row(3)); err != nil || ok {
		t.Fatalf("advance with a stale version = %v, %v", ok, err)
	}
	// Deleted: nothing either, and no error.
	if err := s.Delete(ctx, w.ID, 0); err != nil {
		t.Fatal(err)
	}
	p.version = 2
	if ok, err := s.advance(ctx, p, 3, row(3)); err != nil || ok {
		t.Fatalf("advance of a deleted webhook = %v, %v", ok, err)
	}
	if n := countDeliveries(t, s); n != 0 {
		t.Errorf("%d deliveries left after the delete", n)
	}
}

// BenchmarkRound measures a dispatcher round that enqueues and delivers
// 100 changes to a local receiver answering 204 at once: the cost of the
// outbox, the leases and the signatures, not of the network.
func BenchmarkRound(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s, log, _ := newTestService(b)
	ctx := context.Background()
	if _, err := s.Create(ctx, Input{URL: srv.URL + "/hook", Events: []string{AllEvents}}); err != nil {
		b.Fatal(err)
	}
	d := NewDispatcher(s, DispatchOptions{})
	const per = 100
	b.ResetTimer()
	for range b.N {
		for i := range per {
			log.add("published", fmt.Sprintf("A%d", i))
		}
		r, err := d.RunOnce(ctx)
		if err != nil || r.Enqueued != per || r.Delivered != per {
			b.Fatalf("round: %+v, %v", r, err)
		}
	}
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "deliveries/s")
}
