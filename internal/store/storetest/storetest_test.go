package storetest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/internal/store"
)

func TestMain(m *testing.M) { Main(m) }

func count(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Read(context.Background()).Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Each test's copy is migrated, and its own: what one writes, another
// never sees.
func TestCopiesAreIndependent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	one, two := Open(t), Open(t)
	for _, db := range []*store.DB{one, two} {
		if pending, err := db.Pending(ctx); err != nil || pending {
			t.Fatalf("copy not migrated: pending %v, %v", pending, err)
		}
	}
	now := time.Now().UTC()
	if err := one.Write(ctx).Exec(`INSERT INTO tags (id, slug, name, kind, created_at, updated_at) VALUES ('t1', 'only-here', 'Only here', 'topic', ?, ?)`, now, now).Error; err != nil {
		t.Fatal(err)
	}
	if n := count(t, one, "tags"); n != 1 {
		t.Errorf("the copy written to has %d tags", n)
	}
	if n := count(t, two, "tags"); n != 0 {
		t.Errorf("another copy has %d tags", n)
	}
	// Reopen sees the same database.
	if n := count(t, Reopen(t, one), "tags"); n != 1 {
		t.Errorf("reopened, the copy has %d tags", n)
	}
}

// A SQLite copy is opened as store.Open opens any file: WAL, foreign keys,
// busy timeout, synchronous=NORMAL, on the writer and the readers.
func TestSQLiteCopyPragmas(t *testing.T) {
	t.Parallel()
	if pgBase() != "" {
		t.Skip("TEST_DATABASE_URL is set: the copies are PostgreSQL databases")
	}
	ctx := context.Background()
	db := Open(t)
	for name, conn := range map[string]func(context.Context) *gorm.DB{"write": db.Write, "read": db.Read} {
		var mode string
		var fk, busy, syncMode int
		c := conn(ctx)
		if err := c.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil {
			t.Fatal(err)
		}
		c.Raw("PRAGMA foreign_keys").Scan(&fk)
		c.Raw("PRAGMA busy_timeout").Scan(&busy)
		c.Raw("PRAGMA synchronous").Scan(&syncMode)
		if mode != "wal" || fk != 1 || busy != 5000 || syncMode != 1 {
			t.Errorf("%s: journal_mode=%q foreign_keys=%d busy_timeout=%d synchronous=%d; want wal 1 5000 1", name, mode, fk, busy, syncMode)
		}
	}
	// The file is the test's own, in its folder.
	if dir := filepath.Dir(db.Source()); !filepath.IsAbs(dir) {
		t.Errorf("source %s", db.Source())
	}
}

// A template's files come with each copy, in a folder of its own.
func TestTemplateFiles(t *testing.T) {
	t.Parallel()
	tp := &Template[string]{Name: "files", Build: func(ctx context.Context, db *store.DB, dir string) (string, error) {
		if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
			return "", err
		}
		return "built", os.WriteFile(filepath.Join(dir, "a", "b", "c.txt"), []byte("hello"), 0o640)
	}}
	one, two := tp.Open(t), tp.Open(t)
	if one.Value != "built" || one.Dir == two.Dir {
		t.Fatalf("copies %+v and %+v", one, two)
	}
	for _, c := range []Copy[string]{one, two} {
		path := filepath.Join(c.Dir, "a", "b", "c.txt")
		b, err := os.ReadFile(path)
		info, serr := os.Stat(path)
		if err != nil || serr != nil || string(b) != "hello" || info.Mode().Perm() != 0o640 {
			t.Errorf("%s: %q %v %v", path, b, err, serr)
		}
	}
}

func TestOwnerOf(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]uint32{"mhtest_0000002a_7": 42, "mhtest_ffffffff_tpl_demo": 0xffffffff} {
		if got, ok := ownerOf(name); !ok || got != want {
			t.Errorf("ownerOf(%q) = %d, %v", name, got, ok)
		}
	}
	for _, name := range []string{"test", "mhtest_", "mhtest_0000002a", "mhtest_zzzzzzzz_1", "mhtest_0000002a1", "t_123"} {
		if _, ok := ownerOf(name); ok {
			t.Errorf("ownerOf(%q) recognised a test database", name)
		}
	}
}

// The sweep drops the databases of a binary that has ended, and only
// those: not a running binary's.
func TestSweep(t *testing.T) {
	if pgBase() == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	admin, err := admin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Two other binaries: one running (it holds its lock on a connection of
	// its own), one ended.
	running, ended := server.owner^0x5a5a5a5a, server.owner^0xa5a5a5a5
	other, err := sql.Open("pgx", pgBase())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, $2)", lockSpace, int32(running)); err != nil {
		t.Fatal(err)
	}
	dbs := []string{ownedName(running, "1"), ownedName(ended, "tpl_demo"), ownedName(ended, "3")}
	for _, n := range dbs {
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+n+`"`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS "`+n+`" WITH (FORCE)`); err != nil {
				t.Errorf("drop %s: %v", n, err)
			}
		})
	}
	if err := sweep(ctx); err != nil {
		t.Fatal(err)
	}
	// Another binary starting now may be the one dropping the ended
	// binary's databases: wait for its sweep to let go of the lock.
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, $2)", lockSpace, int32(ended)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, $2)", lockSpace, int32(ended)); err != nil {
		t.Fatal(err)
	}
	exists := func(n string) bool {
		var ok bool
		if err := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", n).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !exists(dbs[0]) {
		t.Error("the sweep dropped a running binary's database")
	}
	// Another test binary's sweep may hold the ended owner's lock at the
	// moment ours tries it (it saw the same databases): ours then leaves
	// them to it. Either way they go, so wait for that, with a generous
	// deadline: there is no event to wait on across processes.
	for _, n := range dbs[1:] {
		for deadline := time.Now().Add(30 * time.Second); exists(n); {
			if time.Now().After(deadline) {
				t.Errorf("the sweep left %s of an ended binary", n)
				break
			}
			if err := sweep(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
