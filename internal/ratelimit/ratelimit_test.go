package ratelimit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/internal/ratelimit"
	"masthead/internal/ratelimit/redistest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func allow(t *testing.T, l ratelimit.Limiter, key string, n int) ratelimit.Result {
	t.Helper()
	r, err := l.Allow(context.Background(), ratelimit.PerMinute(key, n))
	if err != nil {
		t.Fatalf("allow %s: %v", key, err)
	}
	return r
}

// spend takes the whole budget of n and checks that remaining counts down
// to zero and the next request is refused.
func spend(t *testing.T, l ratelimit.Limiter, key string, n int) ratelimit.Result {
	t.Helper()
	for i := 1; i <= n; i++ {
		r := allow(t, l, key, n)
		if !r.Allowed || r.Limit != n || r.Remaining != n-i {
			t.Fatalf("request %d of %d: %+v, want allowed with %d remaining", i, n, r, n-i)
		}
		if r.RetryAfter != 0 || r.ResetAfter <= 0 || r.ResetAfter > time.Minute {
			t.Fatalf("request %d: retry %s, reset %s", i, r.RetryAfter, r.ResetAfter)
		}
	}
	r := allow(t, l, key, n)
	if r.Allowed || r.Remaining != 0 {
		t.Fatalf("request %d of a budget of %d: %+v, want refused", n+1, n, r)
	}
	return r
}

func TestMemoryBudget(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 9, 19, 14, 0, 0, 0, time.UTC)}
	m := ratelimit.NewMemory(c.Now, 0)
	r := spend(t, m, "a", 6)
	// One request comes back every 60/6 = 10 s; the whole budget in 60 s.
	if r.RetryAfter <= 9*time.Second || r.RetryAfter > 10*time.Second {
		t.Errorf("retry after %s, want about 10s", r.RetryAfter)
	}
	if r.ResetAfter < 59*time.Second || r.ResetAfter > time.Minute {
		t.Errorf("reset after %s, want about 60s", r.ResetAfter)
	}
	// Another key has its own budget.
	if r := allow(t, m, "b", 6); !r.Allowed || r.Remaining != 5 {
		t.Errorf("other key: %+v", r)
	}
	c.Advance(10 * time.Second)
	if r := allow(t, m, "a", 6); !r.Allowed || r.Remaining != 0 {
		t.Errorf("after 10s: %+v, want one request back", r)
	}
	if r := allow(t, m, "a", 6); r.Allowed {
		t.Errorf("after 10s, second request: %+v, want refused", r)
	}
	c.Advance(time.Minute)
	if r := allow(t, m, "a", 6); !r.Allowed || r.Remaining != 5 {
		t.Errorf("after a minute: %+v, want the whole budget back", r)
	}
}

func TestMemoryBudgetChange(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 9, 19, 14, 0, 0, 0, time.UTC)}
	m := ratelimit.NewMemory(c.Now, 0)
	spend(t, m, "p", 3)
	// A larger budget does not forgive what was spent, but refills faster.
	if r := allow(t, m, "p", 60); r.Allowed {
		t.Errorf("raised budget at once: %+v, want still refused", r)
	}
	c.Advance(time.Second)
	if r := allow(t, m, "p", 60); !r.Allowed || r.Limit != 60 || r.Remaining != 0 {
		t.Errorf("raised budget after 1s: %+v, want one request", r)
	}
	// The share left is kept: half of 60 is half of 10.
	c.Advance(time.Minute)
	for range 30 {
		allow(t, m, "p", 60)
	}
	if r := allow(t, m, "p", 10); !r.Allowed || r.Remaining != 4 {
		t.Errorf("lowered budget at half: %+v, want 5 left before this request", r)
	}
}

func TestMemoryEviction(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 9, 19, 14, 0, 0, 0, time.UTC)}
	m := ratelimit.NewMemory(c.Now, 10)
	spend(t, m, "busy", 2)
	for i := range 50 {
		allow(t, m, "k"+string(rune('a'+i)), 1000)
	}
	// Keys come and go, memory stays bounded, and no request ever fails.
	c.Advance(time.Hour)
	if r := allow(t, m, "busy", 2); !r.Allowed {
		t.Errorf("after an hour: %+v", r)
	}
}

// refunds checks Refund on a budget of 5 per 15 minutes, the shape of the
// failed-login budget: an event given back can be spent again, and
// refunds never grow a budget past full.
func refunds(t *testing.T, l ratelimit.Limiter) {
	t.Helper()
	ctx := context.Background()
	lim := ratelimit.Limit{Key: "login", Rate: 5, Period: 15 * time.Minute}
	do := func() ratelimit.Result {
		t.Helper()
		r, err := l.Allow(ctx, lim)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	refund := func(n int) {
		t.Helper()
		for range n {
			if err := l.Refund(ctx, lim); err != nil {
				t.Fatal(err)
			}
		}
	}
	refund(2) // on a full budget: nothing to give back
	for i := 1; i <= 5; i++ {
		if r := do(); !r.Allowed || r.Limit != 5 || r.Remaining != 5-i {
			t.Fatalf("event %d: %+v, want allowed with %d remaining", i, r, 5-i)
		}
	}
	r := do()
	// One event comes back every 15m/5 = 3 minutes.
	if r.Allowed || r.RetryAfter <= 179*time.Second || r.RetryAfter > 180*time.Second ||
		r.ResetAfter < 899*time.Second || r.ResetAfter > 15*time.Minute {
		t.Fatalf("past the budget: %+v, want refused, retry in about 3m, reset in about 15m", r)
	}
	refund(1)
	if r := do(); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("after a refund: %+v, want one event", r)
	}
	if r := do(); r.Allowed {
		t.Fatalf("after a refund, second event: %+v, want refused", r)
	}
	refund(6) // one more than was spent
	if r := do(); !r.Allowed || r.Remaining != 4 {
		t.Fatalf("after refunding everything: %+v, want a whole budget, no more", r)
	}
}

func TestMemoryRefund(t *testing.T) {
	c := &clock{t: time.Date(2026, 9, 19, 14, 0, 0, 0, time.UTC)}
	refunds(t, ratelimit.NewMemory(c.Now, 0))
}

func TestRedisRefund(t *testing.T) {
	url := redistest.URL(t, 0)
	refunds(t, ratelimit.NewRedis(redistest.Open(t, url), ratelimit.RedisOptions{Prefix: "masthead-test:" + ulid.Make().String() + ":"}))
}

// However many callers race on a budget, exactly the budget is allowed: in
// one process, and across two sharing a Redis.
func TestConcurrentSpends(t *testing.T) {
	url := redistest.URL(t, 0)
	prefix := "masthead-test:" + ulid.Make().String() + ":"
	shared := func() ratelimit.Limiter {
		// A generous timeout: a slow machine must not send a call to the
		// fallback, which would count apart.
		return ratelimit.NewRedis(redistest.Open(t, url), ratelimit.RedisOptions{Prefix: prefix, Timeout: 5 * time.Second})
	}
	m := ratelimit.NewMemory(nil, 0)
	for name, ls := range map[string][]ratelimit.Limiter{
		"memory": {m, m},
		"redis":  {shared(), shared()},
	} {
		t.Run(name, func(t *testing.T) {
			lim := ratelimit.Limit{Key: "k", Rate: 5, Period: 15 * time.Minute}
			var allowed atomic.Int32
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Go(func() {
					r, err := ls[i%2].Allow(context.Background(), lim)
					if err != nil {
						t.Error(err)
					}
					if r.Allowed {
						allowed.Add(1)
					}
				})
			}
			wg.Wait()
			if n := allowed.Load(); n != 5 {
				t.Errorf("%d of 16 concurrent events allowed, want 5", n)
			}
		})
	}
}

func TestInvalidLimit(t *testing.T) {
	ctx := context.Background()
	r := ratelimit.NewRedis(redistest.Open(t, "redis://127.0.0.1:1/0"), ratelimit.RedisOptions{})
	for _, l := range []ratelimit.Limiter{ratelimit.NewMemory(nil, 0), r} {
		for _, lim := range []ratelimit.Limit{{Key: "k"}, {Key: "k", Rate: 1}, {Key: "k", Rate: -1, Period: time.Minute}} {
			if _, err := l.Allow(ctx, lim); !errors.Is(err, ratelimit.ErrInvalidLimit) {
				t.Errorf("%T allow %+v: %v", l, lim, err)
			}
			if err := l.Refund(ctx, lim); !errors.Is(err, ratelimit.ErrInvalidLimit) {
				t.Errorf("%T refund %+v: %v", l, lim, err)
			}
		}
	}
}

// Two limiters on one Redis, as two processes would have, share a budget.
func TestRedisSharedBudget(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t, 0)
	prefix := "masthead-test:" + ulid.Make().String() + ":"
	one := ratelimit.NewRedis(redistest.Open(t, url), ratelimit.RedisOptions{Prefix: prefix})
	two := ratelimit.NewRedis(redistest.Open(t, url), ratelimit.RedisOptions{Prefix: prefix})
	const n = 6
	for i := 1; i <= n; i++ {
		l := ratelimit.Limiter(one)
		if i%2 == 0 {
			l = two
		}
		r := allow(t, l, "k", n)
		if !r.Allowed || r.Remaining != n-i || r.Limit != n {
			t.Fatalf("request %d: %+v, want allowed, %d remaining", i, r, n-i)
		}
	}
	for _, l := range []ratelimit.Limiter{one, two} {
		r := allow(t, l, "k", n)
		if r.Allowed || r.Remaining != 0 {
			t.Fatalf("past the budget: %+v, want refused", r)
		}
		// Redis runs on its own clock: bound the wait instead of sleeping.
		if r.RetryAfter <= 9*time.Second || r.RetryAfter > 10*time.Second {
			t.Errorf("retry after %s, want about 10s", r.RetryAfter)
		}
		if r.ResetAfter < 59*time.Second || r.ResetAfter > time.Minute {
			t.Errorf("reset after %s, want about 60s", r.ResetAfter)
		}
	}
	// Another key is untouched.
	if r := allow(t, two, "other", n); !r.Allowed || r.Remaining != n-1 {
		t.Errorf("other key: %+v", r)
	}
}

// A budget of 60 per minute gives one request back each second, on
// Redis's clock.
func TestRedisRefill(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t, 0)
	l := ratelimit.NewRedis(redistest.Open(t, url), ratelimit.RedisOptions{Prefix: "masthead-test:" + ulid.Make().String() + ":"})
	spend(t, l, "k", 60)
	r := allow(t, l, "k", 60)
	if r.Allowed || r.RetryAfter <= 0 || r.RetryAfter > time.Second {
		t.Fatalf("refused request: %+v, want a retry within 1s", r)
	}
	// Redis refills on its own clock: ask again each time it says to, until
	// it lets a request through. The deadline only keeps a broken refill
	// from hanging the run.
	deadline := time.Now().Add(30 * time.Second)
	for !r.Allowed {
		if time.Now().After(deadline) {
			t.Fatalf("still refused after the retry delays: %+v", r)
		}
		if r.RetryAfter <= 0 || r.RetryAfter > time.Second {
			t.Fatalf("refused request: %+v, want a retry within 1s", r)
		}
		<-time.After(r.RetryAfter)
		r = allow(t, l, "k", 60)
	}
}

// With Redis unreachable, requests are counted in the process: the budget
// still holds, nothing fails, and the outage is logged once.
func TestRedisDownFallsBack(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c := &clock{t: time.Date(2026, 9, 19, 14, 0, 0, 0, time.UTC)}
	l := ratelimit.NewRedis(redistest.Open(t, "redis://127.0.0.1:1/0"), ratelimit.RedisOptions{
		Fallback: ratelimit.NewMemory(c.Now, 0),
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
	})
	spend(t, l, "k", 4)
	// A refund goes to the fallback too.
	if err := l.Refund(context.Background(), ratelimit.PerMinute("k", 4)); err != nil {
		t.Fatal(err)
	}
	if r := allow(t, l, "k", 4); !r.Allowed {
		t.Errorf("after a refund: %+v, want allowed", r)
	}
	if n := strings.Count(logs.String(), "Redis unreachable"); n != 1 {
		t.Errorf("%d outage lines, want 1:\n%s", n, logs.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ratelimit.NewRedis(redistest.Open(t, "redis://127.0.0.1:1/0"), ratelimit.RedisOptions{}).Allow(ctx, ratelimit.PerMinute("k", 4)); err == nil {
		t.Error("a canceled request: no error")
	}
}

// A Redis that accepts connections but never answers costs one bounded
// wait, then the fallback counts without trying Redis again.
func TestRedisSilentFallsBack(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	var logs bytes.Buffer
	var mu sync.Mutex
	l := ratelimit.NewRedis(redistest.Open(t, "redis://"+ln.Addr().String()+"/0"), ratelimit.RedisOptions{
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &logs}, nil)),
	})
	spend(t, l, "k", 3)
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections to the silent Redis, want 1 (then the pause)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "Redis unreachable") {
		t.Errorf("no outage logged:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
