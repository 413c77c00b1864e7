package api

import (
	"net"
	"sync"
	"time"
)

// Failed-login limits. A login attempt counts against both its account
// (the normalized email) and its client address from the moment it starts,
// before any hashing, so that neither a slow attacker nor a burst of
// parallel guesses gets more than these; a successful login gives its
// attempt back, so it never counts. While a key is over its limit every
// attempt is answered 429, with the right password too, until the window
// that began with the key's first failure ends (Retry-After says when).
//
// A fixed window counter per key is used rather than x/time/rate's token
// bucket: "5 failures in 15 minutes" is exactly what it counts, Retry-After
// is the window's end, and an attempt can be counted before hashing and
// handed back after a success, which a token bucket cannot do.
const (
	accountFailures = 5
	ipFailures      = 20
	failureWindow   = 15 * time.Minute
	// maxLimiterKeys bounds each limiter's memory (about 100 bytes a key).
	maxLimiterKeys = 100_000
)

// windowLimiter counts attempts per key in fixed windows.
type windowLimiter struct {
	mu      sync.Mutex
	now     func() time.Time
	max     int
	window  time.Duration
	entries map[string]*windowEntry
}

type windowEntry struct {
	start time.Time
	count int
}

func newWindowLimiter(max int, window time.Duration, now func() time.Time) *windowLimiter {
	return &windowLimiter{now: now, max: max, window: window, entries: map[string]*windowEntry{}}
}

// take counts one attempt for key, unless key is already at its limit: then
// it reports false and how long until the window ends.
func (l *windowLimiter) take(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e != nil && !now.Before(e.start.Add(l.window)) {
		delete(l.entries, key)
		e = nil
	}
	if e == nil {
		if len(l.entries) >= maxLimiterKeys {
			l.evict(now)
		}
		e = &windowEntry{start: now}
		l.entries[key] = e
	}
	if e.count >= l.max {
		return false, e.start.Add(l.window).Sub(now)
	}
	e.count++
	return true, 0
}

// giveBack returns an attempt that turned out to be a success.
func (l *windowLimiter) giveBack(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.entries[key]; e != nil {
		if e.count--; e.count <= 0 {
			delete(l.entries, key)
		}
	}
}

// evict drops the ended windows; if none has ended, an arbitrary entry
// goes (map order), so that a flood of new keys can never lock every
// login out. Called with mu held.
func (l *windowLimiter) evict(now time.Time) {
	for k, e := range l.entries {
		if !now.Before(e.start.Add(l.window)) {
			delete(l.entries, k)
		}
	}
	for k := range l.entries {
		if len(l.entries) < maxLimiterKeys {
			break
		}
		delete(l.entries, k)
	}
}

// loginLimiter limits failed logins per account and per client address.
type loginLimiter struct {
	accounts *windowLimiter
	ips      *windowLimiter
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{
		accounts: newWindowLimiter(accountFailures, failureWindow, now),
		ips:      newWindowLimiter(ipFailures, failureWindow, now),
	}
}

// attempt counts a login attempt for the account and the address. When
// either is at its limit it counts nothing and returns false with the wait;
// otherwise done must be called with whether the login succeeded.
func (l *loginLimiter) attempt(account, ip string) (done func(success bool), ok bool, retry time.Duration) {
	ipKey := clientKey(ip)
	okIP, waitIP := l.ips.take(ipKey)
	if !okIP {
		return nil, false, waitIP
	}
	okAcc, waitAcc := l.accounts.take(account)
	if !okAcc {
		l.ips.giveBack(ipKey)
		return nil, false, waitAcc
	}
	return func(success bool) {
		if success {
			l.ips.giveBack(ipKey)
			l.accounts.giveBack(account)
		}
	}, true, 0
}

// clientKey is the unit a client address is limited by: the address for
// IPv4, its /64 for IPv6 (one host usually holds a whole /64).
func clientKey(ip string) string {
	parsed := net.ParseIP(ip)
	if parsed == nil || parsed.To4() != nil {
		return ip
	}
	return parsed.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
