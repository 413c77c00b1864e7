// Package redistest gives tests the test Redis: MASTHEAD_TEST_REDIS_URL, or
// the one on 127.0.0.1:6379. A test that needs Redis fails when it cannot
// be reached, rather than skip: `make test` starts it (.ci/services redis).
package redistest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"masthead/internal/ratelimit"
)

// URL is the test Redis's URL; db is the database used when
// MASTHEAD_TEST_REDIS_URL is not set. It fails t when Redis does not answer.
func URL(t testing.TB, db int) string {
	t.Helper()
	u := os.Getenv("MASTHEAD_TEST_REDIS_URL")
	if u == "" {
		u = fmt.Sprintf("redis://127.0.0.1:6379/%d", db)
	}
	c := Open(t, u)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s: %v (make test starts it: .ci/services redis)", u, err)
	}
	return u
}

// Open is a client of url, closed when t ends.
func Open(t testing.TB, url string) *redis.Client {
	t.Helper()
	c, err := ratelimit.OpenRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
