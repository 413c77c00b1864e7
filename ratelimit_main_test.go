package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"masthead/internal/ratelimit/redistest"
)

// Two `serve` processes given one MASTHEAD_REDIS_URL share the anonymous
// budget; with Redis unreachable, serve starts anyway and limits alone.
func TestServeRateLimits(t *testing.T) {
	t.Parallel()
	// Database 15 of the test Redis, so as not to touch anything else's
	// keys; serve's key for a loopback client is fixed, so it is cleared
	// first.
	u := redistest.URL(t, 15)
	c := redistest.Open(t, u)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Del(ctx, "masthead:rate:req:ip:127.0.0.1").Err(); err != nil {
		t.Fatal(err)
	}
	get := func(addr string) int {
		t.Helper()
		res, err := http.Get("http://" + addr + "/v1/sections")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	shared := map[string]string{"MASTHEAD_REDIS_URL": u, "MASTHEAD_RATE_LIMIT_ANON": "3"}
	one := startServe(t, t.TempDir(), shared)
	two := startServe(t, t.TempDir(), shared)
	for i, addr := range []string{one.addr, two.addr, one.addr} {
		if st := get(addr); st != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, st)
		}
	}
	if st := get(two.addr); st != http.StatusTooManyRequests {
		t.Errorf("fourth request, on the other process: %d, want 429", st)
	}
	if !strings.Contains(one.logs.String(), "rate limits shared through Redis") {
		t.Errorf("no log of the shared limits:\n%s", one.logs.String())
	}
	one.stop(t)
	two.stop(t)

	alone := startServe(t, t.TempDir(), map[string]string{"MASTHEAD_REDIS_URL": "redis://127.0.0.1:1/0", "MASTHEAD_RATE_LIMIT_ANON": "2"})
	for i := range 2 {
		if st := get(alone.addr); st != http.StatusOK {
			t.Fatalf("Redis down, request %d: %d", i+1, st)
		}
	}
	if st := get(alone.addr); st != http.StatusTooManyRequests {
		t.Errorf("Redis down, past the budget: %d, want 429", st)
	}
	if !strings.Contains(alone.logs.String(), "Redis does not answer") {
		t.Errorf("no warning about Redis:\n%s", alone.logs.String())
	}
	alone.stop(t)
}

func TestServeRefusesBadRateLimitSettings(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--redis-url", "http://127.0.0.1:6379"},
		{"--rate-limit-anon", "-5"},
		{"--rate-limit-partner", "lots"},
		{"--partner-token-ttl", "1m"},
	} {
		_, _, err := runCmd(t, nil, append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, args...)...)
		if err == nil {
			t.Errorf("serve %v: no error", args)
		}
	}
}
