package storetest

import (
	"context"
	"strings"
	"testing"

	"masthead/internal/store"
)

// Explain returns the plan of a statement, a line per node: EXPLAIN QUERY
// PLAN's details on SQLite; on PostgreSQL EXPLAIN's lines, with options
// such as "(ANALYZE, FORMAT JSON)" (SQLite takes none). The plan tests of
// the lists, the search, the threads and the moderation queue read it.
func Explain(tb testing.TB, db *store.DB, options, query string, vars ...any) []string {
	tb.Helper()
	ctx := context.Background()
	sqlDB, err := db.Read(ctx).DB()
	if err != nil {
		tb.Fatal(err)
	}
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect == store.Postgres {
		prefix = "EXPLAIN " + options + " "
	}
	rows, err := sqlDB.QueryContext(ctx, prefix+query, vars...)
	if err != nil {
		tb.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		switch v := vals[len(vals)-1].(type) {
		case string:
			lines = append(lines, strings.TrimSpace(v))
		case []byte:
			lines = append(lines, strings.TrimSpace(string(v)))
		}
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return lines
}
