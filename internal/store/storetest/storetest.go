// Package storetest gives tests a database of their own: a SQLite file in
// the test's temporary folder, or, when TEST_DATABASE_URL is set, a new
// PostgreSQL schema dropped when the test ends.
package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/store"
)

// PostgresDSN creates a schema on TEST_DATABASE_URL for t and returns a DSN
// whose search_path is that schema; "" when TEST_DATABASE_URL is not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return ""
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, base, store.Options{ReadConns: 1})
	if err != nil {
		t.Fatalf("open TEST_DATABASE_URL: %v", err)
	}
	schema := fmt.Sprintf("t_%d_%08x", time.Now().UnixNano(), rand.Uint32())
	if err := admin.Write(ctx).Exec(`CREATE SCHEMA "` + schema + `"`).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := admin.Write(context.Background()).Exec(`DROP SCHEMA "` + schema + `" CASCADE`).Error; err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + url.QueryEscape(schema)
}

// Open returns a fresh, migrated database for t (see the package comment),
// closed when t ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	dsn := PostgresDSN(t)
	if dsn == "" {
		dsn = filepath.Join(t.TempDir(), "test.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{ReadConns: 4})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
