package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

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
	// Prefix starts every key (default "masthead:rate:").
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

// Redis counts budgets in a Redis server (5 or later) shared by every
// process. While Redis cannot be reached it counts in this process instead
// (the Fallback): the API stays up and every budget still holds within each
// process, so across N processes a client may get up to N times its budget
// until Redis is back. The outage and the recovery are logged once each.
//
// A key holds the budget's TAT in microseconds since the Unix epoch on
// Redis's clock (exact in a Lua double until the year 2255), and expires
// when the budget is full again.
type Redis struct {
	client   *redis.Client
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
		o.Prefix = "masthead:rate:"
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
	return &Redis{client: client, prefix: o.Prefix, fallback: o.Fallback, pause: o.Pause,
		timeout: o.Timeout, log: o.Logger}
}

// allowScript is gcra (ratelimit.go) in Lua. KEYS[1] is the budget's key;
// ARGV are the emission interval and the burst, in microseconds. It
// returns {allowed (0 or 1), remaining, retry after, reset after}, the
// durations in microseconds. Lua numbers are doubles: every value here is
// an integer below 2^53, so the arithmetic is exact.
var allowScript = redis.NewScript(`
local ei = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call("GET", KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + ei
local allow_at = new_tat - burst
if allow_at > now then
  return {0, 0, allow_at - now, tat - now}
end
redis.call("SET", KEYS[1], string.format("%d", new_tat), "PX", math.ceil((new_tat - now) / 1000))
return {1, math.floor((now - allow_at) / ei), 0, new_tat - now}
`)

// refundScript moves the TAT back by one emission interval (ARGV[1], in
// microseconds), and drops the key when that makes the budget full.
var refundScript = redis.NewScript(`
local tat = tonumber(redis.call("GET", KEYS[1]))
if not tat then
  return 0
end
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
tat = tat - tonumber(ARGV[1])
if tat <= now then
  redis.call("DEL", KEYS[1])
else
  redis.call("SET", KEYS[1], string.format("%d", tat), "PX", math.ceil((tat - now) / 1000))
end
return 1
`)

// Allow implements Limiter. It fails only when ctx is done or l is
// invalid.
func (r *Redis) Allow(ctx context.Context, l Limit) (Result, error) {
	if err := l.check(); err != nil {
		return Result{}, err
	}
	ei := max(1, l.interval().Microseconds())
	var out Result
	err := r.run(ctx, func(ctx context.Context) error {
		v, err := allowScript.Run(ctx, r.client, []string{r.prefix + l.Key}, ei, ei*int64(l.Rate)).Int64Slice()
		if err != nil {
			return err
		}
		if len(v) != 4 {
			return fmt.Errorf("rate script: %d values", len(v))
		}
		out = Result{Allowed: v[0] == 1, Limit: l.Rate, Remaining: int(v[1]),
			RetryAfter: time.Duration(v[2]) * time.Microsecond, ResetAfter: time.Duration(v[3]) * time.Microsecond}
		return nil
	}, func() error {
		var err error
		out, err = r.fallback.Allow(ctx, l)
		return err
	})
	return out, err
}

// Refund implements Limiter. It fails only when ctx is done or l is
// invalid. An event spent in Redis and refunded during an outage (or the
// reverse) is not given back where it was spent: it comes back with time,
// like any other.
func (r *Redis) Refund(ctx context.Context, l Limit) error {
	if err := l.check(); err != nil {
		return err
	}
	ei := max(1, l.interval().Microseconds())
	return r.run(ctx, func(ctx context.Context) error {
		return refundScript.Run(ctx, r.client, []string{r.prefix + l.Key}, ei).Err()
	}, func() error {
		return r.fallback.Refund(ctx, l)
	})
}

// run calls shared with a bounded context unless Redis is thought down,
// and local when it is or when shared fails.
func (r *Redis) run(ctx context.Context, shared func(context.Context) error, local func() error) error {
	r.mu.Lock()
	down := !r.downUntil.IsZero()
	skip := down && time.Now().Before(r.downUntil)
	r.mu.Unlock()
	if skip {
		return local()
	}
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	err := shared(cctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			// The client went away: nothing to count.
			return ctx.Err()
		}
		r.mu.Lock()
		if r.downUntil.IsZero() {
			r.log.Warn("rate limits: Redis unreachable, counting in this process until it is back",
				slog.String("error", err.Error()))
		}
		r.downUntil = time.Now().Add(r.pause)
		r.mu.Unlock()
		return local()
	}
	if down {
		r.mu.Lock()
		if !r.downUntil.IsZero() {
			r.downUntil = time.Time{}
			r.log.Info("rate limits: Redis is back, budgets are shared again")
		}
		r.mu.Unlock()
	}
	return nil
}
