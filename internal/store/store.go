// Package store is the plumbing under the domain packages: it opens SQLite or
// PostgreSQL through GORM, sets the pragmas and pools, applies the embedded
// migrations and translates driver errors. It knows no domain type.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Sentinel errors the domain packages translate into their own.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("duplicate")
)

// DB is an open database: one pool for writes and one for reads. On SQLite
// the writer is a single connection, so writers queue in Go instead of
// failing with "database is locked"; on PostgreSQL both are the same pool.
type DB struct {
	Dialect string
	write   *gorm.DB
	read    *gorm.DB
	sqlW    *sql.DB
	sqlR    *sql.DB
	source  string // the path or URL, secrets masked, for logs
}

// Options tune Open.
type Options struct {
	// ReadConns sizes the SQLite reader pool and the PostgreSQL pool.
	ReadConns int
	// Logger receives slow-query and error logs from GORM; nil discards them.
	Logger *slog.Logger
}

// Open connects to url: "postgres://…" or "postgresql://…" selects PostgreSQL,
// anything else is a SQLite file path (optionally prefixed "sqlite:" or "file:").
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.ReadConns <= 0 {
		opts.ReadConns = 8
	}
	gcfg := &gorm.Config{
		Logger:                 gormLogger(opts.Logger),
		TranslateError:         true,
		SkipDefaultTransaction: true,
		// Both databases keep microseconds: truncate so that what is read
		// back equals what was written.
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, gcfg, opts)
	}
	return openSQLite(ctx, dsn, gcfg, opts)
}

func openSQLite(ctx context.Context, path string, gcfg *gorm.Config, opts Options) (*DB, error) {
	path, _ = SQLitePath(path)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// mattn/go-sqlite3 reads these parameters (it ignores modernc's _pragma=):
	// busy_timeout first so the others wait instead of failing.
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	w, err := gorm.Open(sqlite.Open(dsn), gcfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	sqlW, err := w.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	sqlW.SetMaxOpenConns(1)
	sqlW.SetMaxIdleConns(1)
	sqlW.SetConnMaxIdleTime(0)
	sqlW.SetConnMaxLifetime(0)

	r, err := gorm.Open(sqlite.Open(dsn), gcfg)
	if err != nil {
		sqlW.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	sqlR, err := r.DB()
	if err != nil {
		sqlW.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	sqlR.SetMaxOpenConns(opts.ReadConns)
	sqlR.SetMaxIdleConns(opts.ReadConns)
	sqlR.SetConnMaxIdleTime(0)
	sqlR.SetConnMaxLifetime(0)

	db := &DB{Dialect: SQLite, write: w, read: r, sqlW: sqlW, sqlR: sqlR, source: path}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string, gcfg *gorm.Config, opts Options) (*DB, error) {
	g, err := gorm.Open(postgres.Open(withConnectTimeout(dsn)), gcfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := watchConnections(g); err != nil {
		return nil, err
	}
	// Connections the server dropped are found out and replaced by the
	// pool: pgx pings one idle for over a second before lending it and
	// discards it if the ping fails. Lifetimes are capped so that a
	// failover or a DNS change is followed, and connecting is bounded
	// (connect_timeout, unless the URL sets its own).
	s.SetMaxOpenConns(opts.ReadConns * 2)
	s.SetMaxIdleConns(opts.ReadConns * 2)
	s.SetConnMaxIdleTime(5 * time.Minute)
	s.SetConnMaxLifetime(30 * time.Minute)
	db := &DB{Dialect: Postgres, write: g, read: g, sqlW: s, sqlR: s, source: MaskURL(dsn)}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// connectTimeout bounds making a PostgreSQL connection when the URL does
// not say (pgx waits for the context alone).
const connectTimeout = "5"

func withConnectTimeout(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("connect_timeout") != "" {
		return dsn
	}
	q.Set("connect_timeout", connectTimeout)
	u.RawQuery = q.Encode()
	return u.String()
}

// Source names the database for logs, with any password masked.
func (db *DB) Source() string { return db.source }

// Write returns the writer bound to ctx: use it for every insert, update,
// delete and transaction.
func (db *DB) Write(ctx context.Context) *gorm.DB { return db.write.WithContext(ctx) }

// Read returns a reader bound to ctx.
func (db *DB) Read(ctx context.Context) *gorm.DB { return db.read.WithContext(ctx) }

// Tx runs fn in a transaction on the writer.
func (db *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return unavailable(db.write.WithContext(ctx).Transaction(fn))
}

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sqlW.PingContext(ctx); err != nil {
		return unavailable(fmt.Errorf("ping %s: %w", db.Dialect, err))
	}
	if db.sqlR != db.sqlW {
		if err := db.sqlR.PingContext(ctx); err != nil {
			return unavailable(fmt.Errorf("ping %s readers: %w", db.Dialect, err))
		}
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.sqlW.Close()
	if db.sqlR != db.sqlW {
		err = errors.Join(err, db.sqlR.Close())
	}
	return err
}

// Translate maps GORM and driver errors to the package's sentinels, so the
// domain packages never look at a driver type.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", ErrDuplicate, err)
	}
	return err
}

// MaskURL hides the password of a database URL.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func gormLogger(l *slog.Logger) logger.Interface {
	if l == nil {
		return logger.Discard
	}
	return logger.NewSlogLogger(l, logger.Config{
		SlowThreshold:             500 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	})
}
