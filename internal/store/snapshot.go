package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// SQLitePath returns the file a SQLite dsn names, as Open reads it ("sqlite:"
// or "file:" prefixes and "?…" parameters removed), and false when dsn is
// a PostgreSQL URL.
func SQLitePath(dsn string) (string, bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path, true
}

// Snapshot writes a consistent copy of the SQLite database to the new file
// dst while this and other processes go on reading and writing: the copy
// is the database as one read transaction sees it, every transaction
// committed before it and none after. In WAL mode that read transaction
// blocks no writer. dst must not exist; the copy is synced to disk.
//
// It runs VACUUM INTO on a reader connection. SQLite's online backup API
// (sqlite3_backup_step through mattn's raw connection) was measured
// against it on a 174 MB archive (10,000 articles) on two busy cores: 2.4
// to 3.5 s against 2.5 to 2.8 s, the same 22 MB of memory, and VACUUM
// INTO's copy 1.4% smaller (no free pages). At equal cost, one SQL
// statement won over driver-specific code.
func (db *DB) Snapshot(ctx context.Context, dst string) error {
	if db.Dialect != SQLite {
		return fmt.Errorf("snapshot: %s has no file to copy", db.Dialect)
	}
	if _, err := os.Lstat(dst); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("snapshot: %s already exists", dst)
	}
	if err := db.read.WithContext(ctx).Exec("VACUUM INTO ?", dst).Error; err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	// SQLite does not sync what VACUUM INTO writes.
	f, err := os.OpenFile(dst, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("snapshot: sync %s: %w", dst, err)
	}
	return nil
}
