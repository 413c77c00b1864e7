// Package pgnotify tells the other processes on a PostgreSQL database that
// this one wrote, and this one when another did, with LISTEN/NOTIFY: the
// cached representations of every process are then invalidated within a
// moment of any write, not only when their TTL runs out.
//
// Publish sends a notification on the channel after a write committed
// (coalesced: a burst of writes is one or two notifications). Run listens on
// a dedicated connection and calls Invalidate when another process's
// notification arrives, and also when the connection drops and when it is
// back (what was written in between was not heard): while it is down,
// nothing cached outlives the cache's TTL, as before. It reconnects with a
// growing, jittered backoff.
//
// SQLite has no such channel and needs none: a SQLite database is used by
// one process (see docs/reliability.md).
package pgnotify

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is the channel Masthead's processes notify and listen on.
const Channel = "masthead_cache"

// Options configure a Bus.
type Options struct {
	// DSN is the database's URL, for the listening connection.
	DSN string
	// Channel defaults to Channel.
	Channel string
	// Invalidate is called when another process wrote, and when listening
	// stopped or resumed; it must be cheap and safe from any goroutine.
	Invalidate func()
	// Logger receives connection losses and failed notifications; nil
	// discards them.
	Logger *slog.Logger
	// MinBackoff and MaxBackoff bound the wait before reconnecting
	// (defaults 100ms and 30s); each failure doubles it.
	MinBackoff, MaxBackoff time.Duration
	// Heartbeat is how long the listener waits for a notification before
	// it pings its connection, to find out a silent loss (default 30s).
	Heartbeat time.Duration
}

// Bus is one process's end of the channel.
type Bus struct {
	db      *sql.DB
	o       Options
	self    string // this process's payload, to recognise its own notifications
	pending chan struct{}

	listening atomic.Bool
	pid       atomic.Uint32 // the listening connection's backend
	connects  atomic.Int64
	heard     atomic.Int64
}

// New returns a bus that notifies through db (a pool on the database the
// DSN names). Nothing runs until Run.
func New(db *sql.DB, o Options) *Bus {
	if o.Channel == "" {
		o.Channel = Channel
	}
	if o.Invalidate == nil {
		o.Invalidate = func() {}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 30 * time.Second
	}
	return &Bus{db: db, o: o, self: crand.Text(), pending: make(chan struct{}, 1)}
}

// Publish asks for a notification to be sent: call it after a write
// committed. It never blocks; one is sent for any number of calls made
// while the previous one is in flight.
func (b *Bus) Publish() {
	select {
	case b.pending <- struct{}{}:
	default:
	}
}

// Listening reports whether the listener is connected and listening.
func (b *Bus) Listening() bool { return b.listening.Load() }

// Connects counts the listener's successful connections (1 after the
// first, 2 after a reconnection…).
func (b *Bus) Connects() int64 { return b.connects.Load() }

// Heard counts the other processes' notifications received.
func (b *Bus) Heard() int64 { return b.heard.Load() }

// BackendPID is the listening connection's server process (0 while not
// connected).
func (b *Bus) BackendPID() uint32 { return b.pid.Load() }

// Run sends what Publish asks for and listens until ctx is done.
func (b *Bus) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.publishLoop(ctx)
	}()
	b.listenLoop(ctx)
	<-done
}

func (b *Bus) publishLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.pending:
		}
		nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := b.db.ExecContext(nctx, "SELECT pg_notify($1, $2)", b.o.Channel, b.self)
		cancel()
		if err != nil && ctx.Err() == nil {
			// The other processes find out when their cache's TTL
			// runs out, as without the channel.
			b.o.Logger.Warn("cache notification not sent", slog.String("error", err.Error()))
		}
	}
}

func (b *Bus) listenLoop(ctx context.Context) {
	backoff := b.o.MinBackoff
	for ctx.Err() == nil {
		err := b.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		if b.listening.Swap(false) {
			backoff = b.o.MinBackoff // it had worked: start the backoff afresh
			b.pid.Store(0)
			// Writes may be missed from now until the listener is
			// back: what is cached goes, and what is cached meanwhile
			// lives at most the TTL.
			b.o.Invalidate()
			b.o.Logger.Warn("cache notifications: connection lost; reconnecting", slog.String("error", errString(err)))
		} else {
			b.o.Logger.Warn("cache notifications: cannot listen; retrying", slog.String("error", errString(err)),
				slog.Duration("in", backoff))
		}
		// Full jitter over the upper half, so that processes cut off
		// together do not reconnect together.
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(backoff*2, b.o.MaxBackoff)
	}
}

// listen connects, listens and waits for notifications until the
// connection fails or ctx is done.
func (b *Bus) listen(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, b.o.DSN)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(cctx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.o.Channel}.Sanitize()); err != nil {
		return err
	}
	b.pid.Store(conn.PgConn().PID())
	b.listening.Store(true)
	if b.connects.Add(1) == 1 {
		b.o.Logger.Info("cache notifications: listening", slog.String("channel", b.o.Channel))
	} else {
		b.o.Logger.Info("cache notifications: listening again", slog.String("channel", b.o.Channel))
	}
	// Listening again after a loss: what was written meanwhile was not
	// heard.
	b.o.Invalidate()
	for {
		wctx, cancel := context.WithTimeout(ctx, b.o.Heartbeat)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if n.Payload != b.self {
				b.heard.Add(1)
				b.o.Invalidate()
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Quiet for a while: make sure the connection is still
			// there (a dead peer can leave a socket open for long).
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "closed"
	}
	return err.Error()
}
