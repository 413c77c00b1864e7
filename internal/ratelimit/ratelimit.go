// Package ratelimit holds the request budgets of the API: a number of
// requests per minute per key (a partner, an anonymous client address),
// counted in this process or, when several processes serve the API, in a
// Redis server they share.
//
// Both counters are the same algorithm, so a budget behaves the same in
// either: a token bucket of N requests refilled at N per minute (GCRA, its
// equivalent, in Redis). A client may spend its whole budget at once, then
// gets one request back every 60/N seconds; there is no window edge at
// which two budgets can be spent back to back, as with fixed windows.
//
//   - In process: golang.org/x/time/rate, which takes the time as an
//     argument, so tests move an injected clock instead of sleeping.
//   - Shared: github.com/go-redis/redis_rate, one Lua script per request
//     that reads and updates the key atomically on Redis's own clock, so
//     processes whose clocks disagree still agree on the budget.
package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Result is the state of a budget after one request.
type Result struct {
	Allowed bool
	// Limit is the budget: requests per minute.
	Limit int
	// Remaining is how many more requests would be allowed right now.
	Remaining int
	// ResetAfter is how long until the whole budget is back.
	ResetAfter time.Duration
	// RetryAfter is how long until the next request is allowed; zero when
	// this one was.
	RetryAfter time.Duration
}

// Limiter spends one request of key's budget of perMinute requests per
// minute (perMinute > 0).
type Limiter interface {
	Allow(ctx context.Context, key string, perMinute int) (Result, error)
}

// DefaultMaxKeys bounds the in-process limiter's memory (a bucket is about
// 150 bytes with its key).
const DefaultMaxKeys = 100_000

// Memory counts budgets in this process.
type Memory struct {
	mu      sync.Mutex
	now     func() time.Time
	max     int
	buckets map[string]*rate.Limiter
}

// NewMemory returns an in-process limiter on the clock now (nil:
// time.Now) that keeps at most maxKeys budgets (0: DefaultMaxKeys).
func NewMemory(now func() time.Time, maxKeys int) *Memory {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{now: now, max: maxKeys, buckets: map[string]*rate.Limiter{}}
}

// Allow implements Limiter; it never fails.
func (m *Memory) Allow(_ context.Context, key string, perMinute int) (Result, error) {
	now := m.now()
	every := perSecond(perMinute)
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.buckets[key]
	switch {
	case b == nil:
		if len(m.buckets) >= m.max {
			m.evict(now)
		}
		b = rate.NewLimiter(every, perMinute) // starts full
		m.buckets[key] = b
	case b.Burst() != perMinute:
		// The budget changed (an admin edited the partner). Keep the share
		// of it that was left, as GCRA in Redis does: a partner at half its
		// budget is at half the new one.
		left := b.TokensAt(now) / float64(b.Burst()) * float64(perMinute)
		b = rate.NewLimiter(every, perMinute)
		if spent := int(math.Round(float64(perMinute) - left)); spent > 0 {
			b.AllowN(now, spent)
		}
		m.buckets[key] = b
	}
	ok := b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	r := Result{Allowed: ok, Limit: perMinute, Remaining: max(0, int(math.Floor(tokens))),
		ResetAfter: seconds((float64(perMinute) - tokens) / float64(every))}
	if !ok {
		r.RetryAfter = seconds((1 - tokens) / float64(every))
	}
	return r, nil
}

// evict drops the budgets that are whole again (they hold nothing a fresh
// one would not); if none is, arbitrary ones, so that a flood of new keys
// costs at worst some clients a fresh budget, never memory. Called with mu
// held.
func (m *Memory) evict(now time.Time) {
	for k, b := range m.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(m.buckets, k)
		}
	}
	for k := range m.buckets {
		if len(m.buckets) < m.max {
			break
		}
		delete(m.buckets, k)
	}
}

func perSecond(perMinute int) rate.Limit { return rate.Limit(float64(perMinute) / 60) }

func seconds(s float64) time.Duration {
	if s <= 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}
