package content

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/internal/search"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// TestSearchPlan checks how SQLite runs a search: from the full-text index,
// never by reading every article (PostgreSQL's plan is logged).
func TestSearchPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	r := repo{db: db}
	q, err := search.Parse("lanne accord", "")
	if err != nil {
		t.Fatal(err)
	}
	sq := searchQuery{liveQuery: liveQuery{Limit: 20}, query: q, full: []Access{AccessPublic}}
	now := time.Now()
	stmt := r.searchBase(ctx, sq, now).Session(&gorm.Session{DryRun: true}).
		Select("search_docs.article_id AS id, ? AS score", r.scoreColumn(sq)).Find(&[]hitRow{}).Statement
	lines := storetest.Explain(t, db, "", stmt.SQL.String(), stmt.Vars...)
	text := strings.Join(lines, "\n")
	t.Logf("%s plan:\n%s", db.Dialect, text)
	if db.Dialect == store.Postgres {
		return // the planner's choice depends on the statistics of the day
	}
	// SQLite: the full-text index is the outer loop, and the index's rows
	// are read by key; no article is read (search_docs has what a search
	// filters on).
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "SCAN search_fts VIRTUAL TABLE") {
		t.Errorf("the search does not start from the full-text index")
	}
	if strings.Contains(text, "articles") || strings.Contains(text, "SCAN search_docs") {
		t.Errorf("the search reads articles")
	}
}
