package search

import (
	"database/sql"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" driver, built with sqlite_fts5
)

// engines are the two databases a query is proven against: a SQLite FTS5
// table laid out as the index is (stems, then folded words), and, when
// TEST_DATABASE_URL is set, PostgreSQL's tsvector @@ tsquery.
type engines struct {
	lite *sql.DB
	pg   *sql.DB // nil without TEST_DATABASE_URL
	next atomic.Int64
}

func openEngines(tb testing.TB) *engines {
	tb.Helper()
	lite, err := sql.Open("sqlite3", "file:"+filepath.Join(tb.TempDir(), "fts.db")+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { lite.Close() })
	if _, err := lite.Exec(`CREATE VIRTUAL TABLE docs USING fts5(
		title, standfirst, preview, body, title_w, standfirst_w, preview_w, body_w,
		tokenize = 'ascii')`); err != nil {
		tb.Fatalf("create the FTS5 table (built without -tags sqlite_fts5?): %v", err)
	}
	e := &engines{lite: lite}
	if url := os.Getenv("TEST_DATABASE_URL"); url != "" {
		pg, err := sql.Open("pgx", url)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { pg.Close() })
		if err := pg.Ping(); err != nil {
			tb.Fatalf("TEST_DATABASE_URL: %v", err)
		}
		e.pg = pg
	}
	return e
}

// indexed is a document stored in the FTS5 table, with its analysis.
type indexed struct {
	rowid int64
	a     Analyzed
}

func (e *engines) add(tb testing.TB, d Doc) indexed {
	tb.Helper()
	a := Analyze(d)
	id := e.next.Add(1)
	_, err := e.lite.Exec(`INSERT INTO docs (rowid, title, standfirst, preview, body,
		title_w, standfirst_w, preview_w, body_w) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id,
		a.Stems[Title], a.Stems[Standfirst], a.Stems[Preview], a.Stems[Body],
		a.Words[Title], a.Words[Standfirst], a.Words[Preview], a.Words[Body])
	if err != nil {
		tb.Fatal(err)
	}
	return indexed{id, a}
}

// liteMatch says whether the FTS5 expression finds doc; an expression
// FTS5 refuses fails the test.
func (e *engines) liteMatch(tb testing.TB, doc indexed, expr string) bool {
	tb.Helper()
	var n int
	if err := e.lite.QueryRow(`SELECT count(*) FROM docs WHERE docs MATCH ? AND rowid = ?`, expr, doc.rowid).Scan(&n); err != nil {
		tb.Fatalf("FTS5 refuses %q: %v", expr, err)
	}
	return n == 1
}

// liteValid runs expr against the whole table, failing the test when FTS5
// refuses it.
func (e *engines) liteValid(tb testing.TB, expr string) {
	tb.Helper()
	var n int
	if err := e.lite.QueryRow(`SELECT count(*) FROM docs WHERE docs MATCH ?`, expr).Scan(&n); err != nil {
		tb.Fatalf("FTS5 refuses %q: %v", expr, err)
	}
}

// pgMatch says whether tsquery finds tsvector on PostgreSQL; a literal
// PostgreSQL refuses fails the test.
func (e *engines) pgMatch(tb testing.TB, tsvector, tsquery string) bool {
	tb.Helper()
	var ok bool
	if err := e.pg.QueryRow(`SELECT $1::tsvector @@ $2::tsquery`, tsvector, tsquery).Scan(&ok); err != nil {
		tb.Fatalf("PostgreSQL refuses %q @@ %q: %v", tsvector, tsquery, err)
	}
	return ok
}
