package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/metering"
	"masthead/internal/partners"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
	"masthead/internal/webhooks"
	"masthead/migrations"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

// openSQLite opens (and migrates) a SQLite file of its own, whatever the
// harness's database: these tests are about SQLite.
func openSQLite(t *testing.T, opts store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "nested", "masthead.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Dialect != store.SQLite {
		t.Fatalf("dialect %q", db.Dialect)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openSQLite(t, store.Options{ReadConns: 3})
	pools := map[string]func(context.Context) *gorm.DB{"write": db.Write, "read": db.Read}
	for name, pool := range pools {
		// Several rounds, in parallel, so that the reader pool hands out
		// more than one connection: every one must carry the pragmas.
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn := pool(ctx)
				var mode string
				var fk, busy, sync int
				if err := conn.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil {
					t.Errorf("%s %d: %v", name, i, err)
					return
				}
				conn.Raw("PRAGMA foreign_keys").Scan(&fk)
				conn.Raw("PRAGMA busy_timeout").Scan(&busy)
				conn.Raw("PRAGMA synchronous").Scan(&sync)
				if mode != "wal" || fk != 1 || busy != 5000 || sync != 1 {
					t.Errorf("%s pool: journal_mode=%q foreign_keys=%d busy_timeout=%d synchronous=%d; want wal 1 5000 1",
						name, mode, fk, busy, sync)
				}
			}()
		}
		wg.Wait()
	}

	// Foreign keys are enforced: an article tag naming no article is refused.
	err := db.Write(ctx).Exec(`INSERT INTO article_tags (article_id, tag_id, position) VALUES ('nope', 'nope', 0)`).Error
	if err == nil {
		t.Fatal("a foreign key violation was accepted")
	}
	if !errors.Is(err, gorm.ErrForeignKeyViolated) && !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		t.Errorf("unexpected error for a foreign key violation: %v", err)
	}
	var n int64
	db.Read(ctx).Table("article_tags").Count(&n)
	if n != 0 {
		t.Errorf("%d rows stored", n)
	}

	// Open accepts the prefixed forms and still sets the pragmas.
	for _, prefix := range []string{"sqlite:", "file:"} {
		p := prefix + filepath.Join(t.TempDir(), "x.db") + "?ignored=1"
		db2, err := store.Open(ctx, p, store.Options{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var mode string
		db2.Write(ctx).Raw("PRAGMA journal_mode").Scan(&mode)
		db2.Close()
		if mode != "wal" {
			t.Errorf("%s: journal_mode %q", p, mode)
		}
	}
}

func TestSQLiteConcurrentWritesAndReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openSQLite(t, store.Options{ReadConns: 8})
	const (
		writers = 8
		readers = 8
		each    = 40
	)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
		locked int
	)
	record := func(err error) {
		if err == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			locked++
		}
		errs = append(errs, err)
	}
	now := time.Now().UTC()
	start := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range each {
				slug := fmt.Sprintf("tag-%d-%d", w, i)
				insert := func(tx *gorm.DB) error {
					return tx.Exec(`INSERT INTO tags (id, slug, name, kind, created_at, updated_at) VALUES (?, ?, ?, 'topic', ?, ?)`,
						content.NewID(), slug, slug, now, now).Error
				}
				if i%2 == 0 {
					record(insert(db.Write(ctx)))
				} else {
					// Transactions too: they take the write lock up front.
					record(db.Tx(ctx, func(tx *gorm.DB) error {
						var n int64
						if err := tx.Table("tags").Count(&n).Error; err != nil {
							return err
						}
						return insert(tx)
					}))
				}
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range each * 2 {
				var n int64
				record(db.Read(ctx).Table("tags").Count(&n).Error)
				var rows []struct{ Slug string }
				record(db.Read(ctx).Table("tags").Select("slug").Order("slug").Limit(20).Scan(&rows).Error)
			}
		}()
	}
	close(start)
	wg.Wait()
	if locked > 0 {
		t.Errorf("%d 'database is locked' errors", locked)
	}
	for _, err := range errs[:min(len(errs), 5)] {
		t.Error(err)
	}
	var n int64
	if err := db.Read(ctx).Table("tags").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != writers*each {
		t.Errorf("%d rows, want %d", n, writers*each)
	}
}

// TestSchemaMatchesModels checks the GORM models against the tables the
// migrations built, on the harness's dialect (SQLite, or PostgreSQL with
// TEST_DATABASE_URL).
func TestSchemaMatchesModels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	g := db.Write(ctx)
	t.Logf("dialect %s", db.Dialect)

	models := append(content.Models(), comments.Models()...)
	models = append(models, metering.Models()...)
	models = append(models, accounts.Models()...)
	models = append(models, webhooks.Models()...)
	models = append(models, partners.Models()...)
	covered := map[string]bool{}
	var cache sync.Map
	for _, m := range models {
		sch, err := schema.Parse(m, &cache, g.NamingStrategy)
		if err != nil {
			t.Fatalf("parse %T: %v", m, err)
		}
		table := sch.Table
		if covered[table] {
			t.Errorf("two models map to table %s", table)
		}
		covered[table] = true
		t.Run(table, func(t *testing.T) {
			if !g.Migrator().HasTable(table) {
				t.Fatalf("model %T: table %s does not exist", m, table)
			}
			cols, err := g.Migrator().ColumnTypes(table)
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]gorm.ColumnType{}
			for _, c := range cols {
				byName[c.Name()] = c
			}
			fields := map[string]*schema.Field{}
			for _, f := range sch.Fields {
				if f.DBName == "" {
					continue
				}
				fields[f.DBName] = f
			}
			for _, name := range sortedKeys(fields) {
				f := fields[name]
				c, ok := byName[name]
				if !ok {
					t.Errorf("field %s.%s: no column %q", sch.Name, f.Name, name)
					continue
				}
				nullable, known := c.Nullable()
				if !known {
					t.Errorf("column %s: nullability unknown", name)
					continue
				}
				pointer := f.FieldType.Kind() == reflect.Pointer
				switch {
				case pointer && !nullable:
					t.Errorf("field %s.%s is a pointer but column %s is NOT NULL", sch.Name, f.Name, name)
				case !pointer && nullable && !f.PrimaryKey:
					t.Errorf("field %s.%s is not a pointer but column %s is nullable: a NULL would not scan", sch.Name, f.Name, name)
				}
			}
			var engine []string
			if e, ok := m.(interface{ EngineColumns(string) []string }); ok {
				engine = e.EngineColumns(db.Dialect)
			}
			for _, name := range sortedKeys(byName) {
				if _, ok := fields[name]; !ok && !slices.Contains(engine, name) {
					t.Errorf("column %s.%s: no model field", table, name)
				}
			}
			// The primary keys agree.
			var pk []string
			for _, f := range sch.PrimaryFields {
				pk = append(pk, f.DBName)
			}
			var colPK []string
			for _, c := range cols {
				if p, ok := c.PrimaryKey(); ok && p {
					colPK = append(colPK, c.Name())
				}
			}
			sort.Strings(pk)
			sort.Strings(colPK)
			if !slices.Equal(pk, colPK) {
				t.Errorf("primary key: model %v, table %v", pk, colPK)
			}
		})
	}

	tables, err := g.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 2 {
		t.Fatalf("tables = %v", tables)
	}
	for _, table := range tables {
		if table == "goose_db_version" || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		if db.Dialect == store.SQLite && (strings.HasPrefix(table, "search_fts") || strings.HasPrefix(table, "search_heads")) {
			continue // FTS5's virtual table and its shadow tables: the engine's
		}
		if !covered[table] {
			t.Errorf("table %s (created by the migrations) has no model", table)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func migrationFiles(t *testing.T, dialect string) []string {
	t.Helper()
	entries, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestMigrateIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// From nothing, on SQLite: every migration applies, once.
	raw, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	pending, err := raw.Pending(ctx)
	if err != nil || !pending {
		t.Fatalf("fresh database: pending = %v, %v", pending, err)
	}
	n, err := raw.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(migrationFiles(t, store.SQLite)); n != want {
		t.Errorf("first Migrate applied %d, want %d", n, want)
	}

	// On the harness's database (already migrated once by OpenDB).
	for name, db := range map[string]*store.DB{"fresh sqlite": raw, "harness": storetest.Open(t)} {
		t.Run(name, func(t *testing.T) {
			n, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("second Migrate applied %d", n)
			}
			list, err := db.Migrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			files := migrationFiles(t, db.Dialect)
			if len(list) != len(files) {
				t.Fatalf("Migrations() lists %d, %d files", len(list), len(files))
			}
			for i, m := range list {
				if !m.Applied {
					t.Errorf("%05d %s not applied", m.Version, m.Name)
				}
				if filepath.Base(m.Name) != files[i] || !strings.HasPrefix(files[i], fmt.Sprintf("%05d_", m.Version)) {
					t.Errorf("migration %d = %+v, file %s", i, m, files[i])
				}
			}
			pending, err := db.Pending(ctx)
			if err != nil || pending {
				t.Errorf("Pending() = %v, %v", pending, err)
			}
		})
	}
}

func TestMigrationFoldersMatch(t *testing.T) {
	t.Parallel()
	lite, pg := migrationFiles(t, store.SQLite), migrationFiles(t, store.Postgres)
	if len(lite) == 0 {
		t.Fatal("no migrations")
	}
	if !slices.Equal(lite, pg) {
		t.Errorf("sqlite/ has %v, postgres/ has %v", lite, pg)
	}
	for i, name := range lite {
		if want := fmt.Sprintf("%05d_", i+1); !strings.HasPrefix(name, want) || !strings.HasSuffix(name, ".sql") {
			t.Errorf("migration %q: want %sname.sql (numbered without gaps)", name, want)
		}
		for _, d := range []string{store.SQLite, store.Postgres} {
			b, err := fs.ReadFile(migrations.FS, d+"/"+name)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "-- +goose Up") || !strings.Contains(string(b), "-- +goose Down") {
				t.Errorf("%s/%s: missing goose Up or Down", d, name)
			}
		}
	}
	// Nothing else lies in the folders that embed would miss.
	for _, d := range []string{store.SQLite, store.Postgres} {
		entries, err := os.ReadDir(filepath.Join("..", "..", "migrations", d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !slices.Contains(lite, e.Name()) {
				t.Errorf("migrations/%s/%s is not embedded", d, e.Name())
			}
		}
	}
}

func TestMaskURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"postgres://masthead:s3cret@db:5432/news?sslmode=disable", "postgres://masthead:xxxxx@db:5432/news?sslmode=disable"},
		{"postgresql://u:p%40ss@h/d", "postgresql://u:xxxxx@h/d"},
		{"postgres://masthead@db/news", "postgres://masthead@db/news"},
		{"postgres://db/news", "postgres://db/news"},
		{"./data/masthead.db", "./data/masthead.db"},
		{"", ""},
	}
	for _, c := range cases {
		got := store.MaskURL(c.in)
		if got != c.want {
			t.Errorf("MaskURL(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "p%40ss") {
			t.Errorf("MaskURL(%q) leaks the password: %q", c.in, got)
		}
	}
}

func TestTranslate(t *testing.T) {
	t.Parallel()
	if store.Translate(nil) != nil {
		t.Error("Translate(nil) != nil")
	}
	if err := store.Translate(gorm.ErrRecordNotFound); !errors.Is(err, store.ErrNotFound) || !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("not found: %v", err)
	}
	if err := store.Translate(gorm.ErrDuplicatedKey); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	other := errors.New("boom")
	if store.Translate(other) != other { //nolint:errorlint // the very same error, not one that wraps it
		t.Error("other errors pass through")
	}

	// And the real driver's duplicate, on the harness's database.
	ctx := context.Background()
	db := storetest.Open(t)
	now := time.Now().UTC()
	ins := func() error {
		return db.Write(ctx).Exec(`INSERT INTO tags (id, slug, name, kind, created_at, updated_at) VALUES (?, 'dup', 'Dup', 'topic', ?, ?)`,
			content.NewID(), now, now).Error
	}
	if err := ins(); err != nil {
		t.Fatal(err)
	}
	if err := store.Translate(ins()); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("%s duplicate slug: %v, want ErrDuplicate", db.Dialect, err)
	}
	var row struct{ ID string }
	err := db.Read(ctx).Table("tags").Where("slug = ?", "none").Take(&row).Error
	if !errors.Is(store.Translate(err), store.ErrNotFound) {
		t.Errorf("missing row: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Error(err)
	}
}
