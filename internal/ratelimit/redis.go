package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// OpenRedis connects to the Redis server at url (redis://, rediss:// or
// unix://) with short timeouts and no retries: a rate check is not worth
// waiting for, the fallback counts instead. Nothing is sent until the
// first request.
func OpenRedis(url string) (*redis.Client, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	o.DialTimeout = 500 * time.Millisecond
	o.ReadTimeout = 250 * time.Millisecond
	o.WriteTimeout = 250 * time.Millisecond
	o.PoolTimeout = 250 * time.Millisecond
	o.MaxRetries = -1
	o.DialerRetries = 1
	o.ContextTimeoutEnabled = true
	return redis.NewClient(o), nil
}

// RedisOptions configure a shared limiter.
type RedisOptions struct {
	// Prefix starts every key (default "masthead:"); redis_rate adds its
	// own "rate:" before it.
	Prefix string
	// Fallback counts while Redis cannot be reached (default: a Memory on
	// the real clock).
	Fallback Limiter
	// Pause is how long Redis is left alone after a failure before it is
	// tried again (default 5s), so that an outage costs one timeout per
	// pause, not one per request.
	Pause time.Duration
	// Timeout bounds one rate check (default 300ms).
	Timeout time.Duration
	Logger  *slog.Logger
}

// Redis counts budgets in a Redis server shared by every process. While
// Redis cannot be reached it counts in this process instead (the Fallback):
// the API stays up and every budget still holds within each process, so
// across N processes a client may get up to N times its budget until Redis
// is back. The outage and the recovery are logged once each.
type Redis struct {
	lim      *redis_rate.Limiter
	prefix   string
	fallback Limiter
	pause    time.Duration
	timeout  time.Duration
	log      *slog.Logger

	mu        sync.Mutex
	downUntil time.Time // zero: Redis is thought up
}

// NewRedis returns a limiter on client.
func NewRedis(client *redis.Client, o RedisOptions) *Redis {
	if o.Prefix == "" {
		o.Prefix = "masthead:"
	}
	if o.Fallback == nil {
		o.Fallback = NewMemory(nil, 0)
	}
	if o.Pause <= 0 {
		o.Pause = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 300 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Redis{lim: redis_rate.NewLimiter(client), prefix: o.Prefix, fallback: o.Fallback, pause: o.Pause,
		timeout: o.Timeout, log: o.Logger}
}

// Allow implements Limiter. It fails only when ctx is done.
func (r *Redis) Allow(ctx context.Context, key string, perMinute int) (Result, error) {
	r.mu.Lock()
	down := !r.downUntil.IsZero()
	skip := down && time.Now().Before(r.downUntil)
	r.mu.Unlock()
	if skip {
		return r.fallback.Allow(ctx, key, perMinute)
	}
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	res, err := r.lim.Allow(cctx, r.prefix+key, redis_rate.PerMinute(perMinute))
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			// The client went away: nothing to count.
			return Result{}, ctx.Err()
		}
		r.mu.Lock()
		if r.downUntil.IsZero() {
			r.log.Warn("rate limits: Redis unreachable, counting in this process until it is back",
				slog.String("error", err.Error()))
		}
		r.downUntil = time.Now().Add(r.pause)
		r.mu.Unlock()
		return r.fallback.Allow(ctx, key, perMinute)
	}
	if down {
		r.mu.Lock()
		if !r.downUntil.IsZero() {
			r.downUntil = time.Time{}
			r.log.Info("rate limits: Redis is back, budgets are shared again")
		}
		r.mu.Unlock()
	}
	out := Result{Allowed: res.Allowed > 0, Limit: perMinute, Remaining: max(0, res.Remaining),
		ResetAfter: max(0, res.ResetAfter)}
	if !out.Allowed {
		out.RetryAfter = max(0, res.RetryAfter)
	}
	return out, nil
}
