// Package ratelimit holds every budget of the API: requests per minute per
// anonymous address or partner, failed logins per account and per address,
// comment submissions per account and per address. A budget is counted in
// this process or, when several processes serve the API, in a Redis server
// they share.
//
// Both counters are the same algorithm with the same arithmetic, so a budget
// behaves the same in either: GCRA, the "generic cell rate algorithm", a
// token bucket of Rate events refilled at Rate per Period kept as a single
// time per key, the theoretical arrival time (TAT) of the next event. A
// client may spend its whole budget at once, then gets one event back every
// Period/Rate; there is no window edge at which two budgets can be spent
// back to back, as with fixed windows.
//
// GCRA can also give an event back (Refund): the TAT moves back by one
// emission interval, never before now (a full budget). That lets a login be
// counted before the password is checked and handed back when it succeeds,
// so that concurrent attempts can never spend more than the budget, in one
// process or across many.
//
//   - In process: Memory, on an injected clock, so tests move the clock
//     instead of sleeping.
//   - Shared: Redis, one Lua script per event that reads and updates the
//     key atomically on Redis's own clock, so processes whose clocks
//     disagree still agree on the budget.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Limit is one budget: Rate events per Period for Key. Rate is also the
// burst: a full budget allows Rate events at once. Keys of different kinds
// of budgets must not collide: callers prefix them ("req:", "login-acct:",
// …).
type Limit struct {
	Key    string
	Rate   int
	Period time.Duration
}

// PerMinute is the budget of n events a minute for key.
func PerMinute(key string, n int) Limit {
	return Limit{Key: key, Rate: n, Period: time.Minute}
}

// ErrInvalidLimit reports a Limit without a positive Rate and Period.
var ErrInvalidLimit = errors.New("ratelimit: invalid limit")

func (l Limit) check() error {
	if l.Rate <= 0 || l.Period <= 0 {
		return fmt.Errorf("%w: %d per %s for %q", ErrInvalidLimit, l.Rate, l.Period, l.Key)
	}
	return nil
}

// interval is the emission interval: the time one event takes to come back.
func (l Limit) interval() time.Duration {
	return max(1, l.Period/time.Duration(l.Rate))
}

// Result is the state of a budget after one event.
type Result struct {
	Allowed bool
	// Limit is the size of the budget (the Limit's Rate).
	Limit int
	// Remaining is how many more events would be allowed right now.
	Remaining int
	// ResetAfter is how long until the whole budget is back.
	ResetAfter time.Duration
	// RetryAfter is how long until the next event is allowed; zero when
	// this one was.
	RetryAfter time.Duration
}

// Limiter counts budgets. Allow is atomic per key: however many callers
// race on a budget with k events left, in one process or (Redis) in many,
// exactly k are allowed.
type Limiter interface {
	// Allow spends one event of l's budget, if one is left.
	Allow(ctx context.Context, l Limit) (Result, error)
	// Refund gives back one event that Allow spent on l, as if it had not
	// been spent (a budget never grows past full).
	Refund(ctx context.Context, l Limit) error
}

// gcra is the whole algorithm, on a key's TAT (the zero time: a full
// budget). It returns the new TAT and the result; a refused event leaves
// the TAT as it was. Redis runs the same arithmetic in Lua (redis.go).
func gcra(tat, now time.Time, l Limit) (time.Time, Result) {
	ei := l.interval()
	burst := ei * time.Duration(l.Rate)
	tat = later(tat, now)
	next := tat.Add(ei)
	allowAt := next.Add(-burst)
	if allowAt.After(now) {
		return tat, Result{Limit: l.Rate, ResetAfter: tat.Sub(now), RetryAfter: allowAt.Sub(now)}
	}
	return next, Result{Allowed: true, Limit: l.Rate, Remaining: int(now.Sub(allowAt) / ei), ResetAfter: next.Sub(now)}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// DefaultMaxKeys bounds the in-process limiter's memory (a budget is about
// 100 bytes with its key).
const DefaultMaxKeys = 100_000

// Memory counts budgets in this process.
type Memory struct {
	mu  sync.Mutex
	now func() time.Time
	max int
	tat map[string]time.Time
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
	return &Memory{now: now, max: maxKeys, tat: map[string]time.Time{}}
}

// Allow implements Limiter; it fails only on an invalid Limit. A budget
// whose Rate changes keeps the share of it that was left, as long as its
// Period stays: a partner at half its budget is at half the new one.
func (m *Memory) Allow(_ context.Context, l Limit) (Result, error) {
	if err := l.check(); err != nil {
		return Result{}, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	tat, ok := m.tat[l.Key]
	if !ok && len(m.tat) >= m.max {
		m.evict(now)
	}
	tat, r := gcra(tat, now, l)
	if r.Allowed {
		m.tat[l.Key] = tat
	}
	return r, nil
}

// Refund implements Limiter; it fails only on an invalid Limit.
func (m *Memory) Refund(_ context.Context, l Limit) error {
	if err := l.check(); err != nil {
		return err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	tat, ok := m.tat[l.Key]
	if !ok {
		return nil // full, or evicted: nothing to give back
	}
	if tat = tat.Add(-l.interval()); tat.After(now) {
		m.tat[l.Key] = tat
	} else {
		delete(m.tat, l.Key)
	}
	return nil
}

// evict drops the budgets that are whole again (they hold nothing a fresh
// one would not); if none is, arbitrary ones, so that a flood of new keys
// costs at worst some clients a fresh budget, never memory. Called with mu
// held.
func (m *Memory) evict(now time.Time) {
	for k, tat := range m.tat {
		if !tat.After(now) {
			delete(m.tat, k)
		}
	}
	for k := range m.tat {
		if len(m.tat) < m.max {
			break
		}
		delete(m.tat, k)
	}
}
