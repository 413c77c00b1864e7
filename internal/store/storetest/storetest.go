// Package storetest gives tests a database of their own: a SQLite file in
// the test's temporary folder, or, when TEST_DATABASE_URL is set, a
// PostgreSQL database of its own, dropped when the test ends.
//
// Migrating (and filling, see Template) a database is the slow part, so
// each test binary does it once, into a template, and every test gets a
// copy: on SQLite the template's file (checkpointed, so that it is whole)
// is written into the test's folder and opened as any database is; on
// PostgreSQL each test's database is made with CREATE DATABASE … TEMPLATE.
// Tests may run in parallel: every copy is independent.
package storetest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"masthead/internal/store"
)

// ReadConns sizes the pools of every database opened here.
const ReadConns = 4

// migrated is the template of Open: the migrations and nothing else.
var migrated = &Template[struct{}]{Name: "migrated"}

// Open returns a fresh, migrated database for t (see the package comment),
// closed when t ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	return migrated.Open(t).DB
}

// Template is a database state built once per test binary, on the first
// Open, and copied for every test: the migrated schema, then whatever Build
// writes, with the files Build leaves in dir (media, say), which each copy
// gets in a folder of its own.
type Template[T any] struct {
	// Name tells the binary's templates apart: lower-case letters and
	// digits.
	Name string
	// Build fills the freshly migrated db; dir is an empty folder for the
	// files that go with the database. Its result is handed to every
	// copy. The db is closed by the caller; Build must not keep it, nor
	// any service on it.
	Build func(ctx context.Context, db *store.DB, dir string) (T, error)

	once  sync.Once
	err   error
	value T
	files map[string]file // dir's files by slash-separated path
	file  []byte          // SQLite: the database file
	pg    string          // PostgreSQL: the template database
}

// Copy is one test's copy of a template.
type Copy[T any] struct {
	DB *store.DB
	// Dir is the test's own folder with the template's files.
	Dir string
	// Value is what Build returned (shared by every copy: treat it as read
	// only, or copy it).
	Value T
}

// Open builds the template if this binary has not yet, and returns a copy
// of it for t, closed (and on PostgreSQL dropped) when t ends.
func (tp *Template[T]) Open(t testing.TB) Copy[T] {
	t.Helper()
	tp.once.Do(func() { tp.err = tp.build(context.Background()) })
	if tp.err != nil {
		t.Fatalf("template %s: %v", tp.Name, tp.err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	if err := writeFiles(dir, tp.files); err != nil {
		t.Fatalf("template %s: %v", tp.Name, err)
	}
	var dsn string
	if pgBase() != "" {
		dsn = cloneDatabase(t, tp.pg)
	} else {
		dsn = filepath.Join(dir, "test.db")
		if err := os.WriteFile(dsn, tp.file, 0o600); err != nil {
			t.Fatalf("template %s: %v", tp.Name, err)
		}
	}
	db, err := store.Open(ctx, dsn, store.Options{ReadConns: ReadConns})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	dsns.Store(db, dsn)
	t.Cleanup(func() {
		dsns.Delete(db)
		db.Close()
	})
	return Copy[T]{DB: db, Dir: dir, Value: tp.value}
}

// dsns remembers where each database opened here lives, for Reopen.
var dsns sync.Map // *store.DB → string

// Reopen opens db, a database Open gave this test, a second time, with
// pools of its own: what another process on the same database would have.
// It is closed when t ends.
func Reopen(t testing.TB, db *store.DB) *store.DB {
	t.Helper()
	dsn, ok := dsns.Load(db)
	if !ok {
		t.Fatal("storetest.Reopen: not a database from storetest.Open")
	}
	other, err := store.Open(context.Background(), dsn.(string), store.Options{ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// build makes the template: migrate, Build, then keep the result where
// copies come from.
func (tp *Template[T]) build(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "masthead-template-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "files")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}

	var dsn string
	if pgBase() != "" {
		if tp.pg, err = createTemplateDatabase(ctx, tp.Name); err != nil {
			return err
		}
		dsn = pgDSN(tp.pg)
	} else {
		dsn = filepath.Join(tmp, "template.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{ReadConns: ReadConns})
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	if tp.Build != nil {
		if tp.value, err = tp.Build(ctx, db, dir); err != nil {
			db.Close()
			return err
		}
	}
	if db.Dialect == store.SQLite {
		// Everything into the main file, so that the file alone is the
		// database; closing the last connection removes the WAL.
		if err := db.Write(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
			db.Close()
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	// No connection may stay on a PostgreSQL template: CREATE DATABASE
	// refuses to copy a database in use.
	if err := db.Close(); err != nil {
		return err
	}
	if db.Dialect == store.SQLite {
		if _, err := os.Stat(dsn + "-wal"); err == nil {
			return fmt.Errorf("%s-wal is still there after the checkpoint", dsn)
		}
		if tp.file, err = os.ReadFile(dsn); err != nil {
			return err
		}
	}
	tp.files, err = readFiles(dir)
	return err
}

type file struct {
	mode fs.FileMode
	data []byte
}

// readFiles reads every file under dir into memory: the templates stay in
// the process, and nothing is left behind on disk when it ends.
func readFiles(dir string) (map[string]file, error) {
	files := map[string]file{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = file{mode: info.Mode().Perm(), data: b}
		return err
	})
	return files, err
}

func writeFiles(dir string, files map[string]file) error {
	for rel, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}
