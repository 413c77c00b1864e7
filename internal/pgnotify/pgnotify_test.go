package pgnotify_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pool the buses notify through

	"masthead/internal/pgnotify"
)

// within bounds the waits of these tests: far longer than anything takes.
const within = 30 * time.Second

func dsn(t *testing.T) string {
	t.Helper()
	d := os.Getenv("TEST_DATABASE_URL")
	if d == "" {
		t.Skip("TEST_DATABASE_URL not set: LISTEN/NOTIFY needs PostgreSQL")
	}
	return d
}

func pool(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// bus is a running Bus and how many times it invalidated.
type bus struct {
	*pgnotify.Bus
	invalidated atomic.Int64
}

func start(t *testing.T, db *sql.DB, o pgnotify.Options) *bus {
	t.Helper()
	b := &bus{}
	o.Invalidate = func() { b.invalidated.Add(1) }
	b.Bus = pgnotify.New(db, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(within):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	return b
}

// waitFor polls cond until it holds, failing after within.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// channel is a channel of the test's own, so that tests running side by
// side on one database do not hear one another.
func channel() string { return fmt.Sprintf("masthead_test_%d", rand.Uint64()) }

// Each process hears the other's writes, never its own.
func TestProcessesHearEachOther(t *testing.T) {
	d := dsn(t)
	db := pool(t, d)
	ch := channel()
	a := start(t, db, pgnotify.Options{DSN: d, Channel: ch})
	b := start(t, db, pgnotify.Options{DSN: d, Channel: ch})
	waitFor(t, "both listening", func() bool { return a.Listening() && b.Listening() })

	before := b.invalidated.Load()
	a.Publish()
	waitFor(t, "b to hear a", func() bool { return b.Heard() == 1 })
	if b.invalidated.Load() <= before {
		t.Error("b heard a but did not invalidate")
	}
	b.Publish()
	// PostgreSQL delivers in commit order: a's own notification reached
	// it before b's.
	waitFor(t, "a to hear b", func() bool { return a.Heard() == 1 })
	if a.Heard() != 1 || b.Heard() != 1 {
		t.Errorf("heard a %d, b %d: a bus heard itself", a.Heard(), b.Heard())
	}

	// A burst of writes is one or two notifications, not one each.
	for range 100 {
		a.Publish()
	}
	waitFor(t, "b to hear the burst", func() bool { return b.Heard() >= 2 })
	b.Publish() // a marker after the burst
	waitFor(t, "a to hear the marker", func() bool { return a.Heard() == 2 })
	if n := b.Heard() - 1; n > 2 {
		t.Errorf("100 publications in a row were %d notifications", n)
	}
}

// The listening connection killed by the server: the bus invalidates (it
// may miss writes from then on), reconnects, invalidates again (it may
// have missed some), and hears the next write.
func TestListenerReconnects(t *testing.T) {
	d := dsn(t)
	db := pool(t, d)
	ch := channel()
	b := start(t, db, pgnotify.Options{DSN: d, Channel: ch, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	other := start(t, db, pgnotify.Options{DSN: d, Channel: ch})
	waitFor(t, "listening", func() bool { return b.Listening() && other.Listening() })
	pid := b.BackendPID()
	if pid == 0 || b.Connects() != 1 {
		t.Fatalf("listening on backend %d after %d connections", pid, b.Connects())
	}
	before := b.invalidated.Load()

	var killed bool
	if err := db.QueryRow("SELECT pg_terminate_backend($1)", int64(pid)).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate backend %d: %v %v", pid, killed, err)
	}
	waitFor(t, "a second connection", func() bool { return b.Connects() == 2 && b.Listening() })
	if b.BackendPID() == pid {
		t.Error("listening on the terminated backend")
	}
	if n := b.invalidated.Load() - before; n < 2 {
		t.Errorf("invalidated %d times over the loss and the return, want 2 or more", n)
	}
	other.Publish()
	waitFor(t, "the write after reconnecting", func() bool { return b.Heard() == 1 })
}

// A database that cannot be reached: the bus keeps trying, is never
// listening, invalidates nothing, and stops when told to.
func TestUnreachable(t *testing.T) {
	const d = "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1"
	db := pool(t, d)
	b := start(t, db, pgnotify.Options{DSN: d, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	b.Publish()                       // fails and is only logged
	time.Sleep(50 * time.Millisecond) // several attempts, not an assertion
	if b.Listening() || b.Connects() != 0 || b.invalidated.Load() != 0 {
		t.Errorf("listening %v after %d connections, %d invalidations", b.Listening(), b.Connects(), b.invalidated.Load())
	}
}
