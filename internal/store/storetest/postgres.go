package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"masthead/internal/store"
)

// On PostgreSQL every database a test binary makes is named
// mhtest_<owner>_<what>, where owner is a random number the binary holds a
// session-level advisory lock on (lockSpace, owner) for as long as it
// runs. Binaries run concurrently (go test runs packages side by side, and
// several runs may share a server), so names never collide, and a
// database whose owner's lock is free belongs to a binary that has ended:
// the next binary drops it (see sweep). A binary whose TestMain calls Main
// drops its own on the way out.
const (
	namePrefix = "mhtest_"
	lockSpace  = 0x6d687473 // "mhts"
	// cloneStrategy copies a template for a test. FILE_COPY checkpoints
	// twice per copy; WAL_LOG, PostgreSQL 15's default, writes the small
	// template (7-8 MB, mostly catalogs) through the WAL. Measured on the
	// 2-core CI machine with other work going on, 16 copies of the demo
	// template each followed by 0.5 s of CPU, two at a time: WAL_LOG
	// 11.5-16 s, FILE_COPY 16-19.5 s. (DROP DATABASE checkpoints either
	// way; making copies ahead in the background, or taking turns, was
	// slower still: creating beside a drop waits on its checkpoint.)
	cloneStrategy = "WAL_LOG"
)

func pgBase() string { return os.Getenv("TEST_DATABASE_URL") }

// server is this binary's connection to TEST_DATABASE_URL, for creating
// and dropping databases, and the connection holding its owner lock.
var server struct {
	once  sync.Once
	err   error
	db    *sql.DB
	close func() error
	lock  *sql.Conn
	owner uint32
	seq   atomic.Int64
}

func admin(ctx context.Context) (*sql.DB, error) {
	server.once.Do(func() { server.err = connect(ctx) })
	return server.db, server.err
}

func connect(ctx context.Context) error {
	db, err := store.Open(ctx, pgBase(), store.Options{ReadConns: ReadConns})
	if err != nil {
		return fmt.Errorf("open TEST_DATABASE_URL: %w", err)
	}
	sqlDB, err := db.Write(ctx).DB()
	if err != nil {
		db.Close()
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		db.Close()
		return err
	}
	for {
		owner := rand.Uint32()
		var mine bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockSpace, int32(owner)).Scan(&mine); err != nil {
			conn.Close()
			db.Close()
			return fmt.Errorf("owner lock: %w", err)
		}
		if mine {
			server.owner = owner
			break
		}
	}
	server.db, server.close, server.lock = sqlDB, db.Close, conn
	return sweep(ctx)
}

// sweep drops the databases of binaries that have ended: those whose
// owner lock it can take.
func sweep(ctx context.Context) error {
	all, err := databases(ctx, `mhtest\_%`)
	if err != nil {
		return fmt.Errorf("list test databases: %w", err)
	}
	byOwner := map[uint32][]string{}
	for _, name := range all {
		if owner, ok := ownerOf(name); ok && owner != server.owner {
			byOwner[owner] = append(byOwner[owner], name)
		}
	}
	for owner, names := range byOwner {
		var ended bool
		if err := server.lock.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockSpace, int32(owner)).Scan(&ended); err != nil {
			return err
		}
		if !ended {
			continue // its binary is still running
		}
		for _, name := range names {
			if _, err := server.lock.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
				return fmt.Errorf("drop stale %s: %w", name, err)
			}
		}
		if _, err := server.lock.ExecContext(ctx, "SELECT pg_advisory_unlock($1, $2)", lockSpace, int32(owner)); err != nil {
			return err
		}
	}
	return nil
}

// ownerOf reads the owner out of a database name made here.
func ownerOf(name string) (uint32, bool) {
	rest, ok := strings.CutPrefix(name, namePrefix)
	if !ok || len(rest) < 9 || rest[8] != '_' {
		return 0, false
	}
	n, err := strconv.ParseUint(rest[:8], 16, 32)
	return uint32(n), err == nil
}

// dbName names one of this binary's databases.
func dbName(what string) string { return ownedName(server.owner, what) }

func ownedName(owner uint32, what string) string {
	return fmt.Sprintf("%s%08x_%s", namePrefix, owner, what)
}

// pgDSN is TEST_DATABASE_URL pointed at database name.
func pgDSN(name string) string {
	u, err := url.Parse(pgBase())
	if err != nil {
		return pgBase() // store.Open reports it
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// createTemplateDatabase makes the empty database a template is built in.
func createTemplateDatabase(ctx context.Context, template string) (string, error) {
	db, err := admin(ctx)
	if err != nil {
		return "", err
	}
	name := dbName("tpl_" + template)
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return "", fmt.Errorf("create template database: %w", err)
	}
	return name, nil
}

// cloneDatabase gives t a database made from template (one of
// createTemplateDatabase's, or "" for an empty one) and drops it when t
// ends, after what t opened on it is closed (cleanups run last first).
func cloneDatabase(t testing.TB, template string) string {
	t.Helper()
	ctx := context.Background()
	db, err := admin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name, err := createDatabase(ctx, db, template)
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		// FORCE: a connection the test leaked must not keep the database.
		if _, err := db.ExecContext(context.Background(), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return pgDSN(name)
}

// createDatabase makes one of this binary's databases from template ("":
// the server's default).
func createDatabase(ctx context.Context, db *sql.DB, template string) (string, error) {
	name := dbName(strconv.FormatInt(server.seq.Add(1), 10))
	stmt := `CREATE DATABASE "` + name + `" STRATEGY ` + cloneStrategy
	if template != "" {
		stmt += ` TEMPLATE "` + template + `"`
	}
	_, err := db.ExecContext(ctx, stmt)
	return name, err
}

// PostgresDSN creates an empty database on TEST_DATABASE_URL for t,
// dropped when t ends, and returns its DSN; "" when TEST_DATABASE_URL is
// not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	if pgBase() == "" {
		return ""
	}
	return cloneDatabase(t, "")
}

// Main runs a package's tests, then drops the PostgreSQL databases this
// binary made, templates included. Call it from TestMain:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
// Without it they stay until the next test binary sweeps them.
func Main(m *testing.M) {
	code := m.Run()
	if server.db != nil {
		if err := dropOwn(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			if code == 0 {
				code = 1
			}
		}
		server.lock.Close()
		if err := server.close(); err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
		}
	}
	os.Exit(code)
}

func dropOwn(ctx context.Context) error {
	names, err := databases(ctx, strings.ReplaceAll(dbName(""), "_", `\_`)+"%")
	if err != nil {
		return err
	}
	for _, name := range names {
		if _, err := server.lock.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}

// databases lists the databases whose name is LIKE pattern.
func databases(ctx context.Context, pattern string) ([]string, error) {
	rows, err := server.lock.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE $1`, pattern)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}
