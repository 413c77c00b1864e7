package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/demo"
	"masthead/internal/media"
	"masthead/internal/search"
	"masthead/internal/store"
)

// TestSearchReindexCommand: `masthead search reindex` rebuilds an index
// that lost its rows; `masthead migrate` (catchUpIndex) indexes the
// articles whose rows are missing or were built by another version of the
// analysis.
func TestSearchReindexCommand(t *testing.T) {
	t.Parallel()
	dir, dbArgs, dsn := testData(t)
	flags := append([]string{"--data", dir}, dbArgs...)
	if _, _, err := runCmd(t, nil, append([]string{"migrate"}, flags...)...); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := openTestDB(t, dsn)
	defer db.Close()

	// The demo content, as serve --demo loads it.
	now := func() time.Time { return time.Date(2026, 5, 12, 9, 30, 0, 0, time.UTC) }
	cs := content.NewService(db, content.Options{Now: now})
	accs, err := accounts.NewService(db, accounts.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := media.NewStore(filepath.Join(dir, "media"), []int{160}, media.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := demo.Loader{
		Content: cs, Comments: comments.NewService(db, comments.Options{Now: now, Articles: cs, Members: accs}),
		Media: ms, PictureWidth: 160, Now: now,
	}.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}

	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Write(ctx).Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := db.Read(ctx).Raw(sql, args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	articles := count("SELECT count(*) FROM articles")
	if articles != len(sum.Refs) || articles < 10 {
		t.Fatalf("%d articles, %d refs", articles, len(sum.Refs))
	}
	// checkRows: one index row per article, of this analysis.
	checkRows := func(when string) {
		t.Helper()
		docs := count("SELECT count(*) FROM search_docs")
		current := count("SELECT count(*) FROM search_docs WHERE analyzer = ?", search.Version)
		if docs != articles || current != articles {
			t.Errorf("%s: %d articles, %d search_docs rows, %d of this analysis", when, articles, docs, current)
		}
		if db.Dialect != store.Postgres {
			if fts := count("SELECT count(*) FROM search_fts"); fts != articles {
				t.Errorf("%s: %d FTS5 rows for %d articles", when, fts, articles)
			}
		}
	}
	// finds: the articles a search over every article's whole text finds.
	svc := content.NewService(db, content.Options{Now: now})
	finds := func(q string) map[string]bool {
		t.Helper()
		pq, err := search.Parse(q, "")
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Search(ctx, content.SearchFilter{
			Query: pq, Limit: 100,
			Full: []content.Access{content.AccessPublic, content.AccessRegistered, content.AccessSubscribers},
		})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, h := range res.Hits {
			out[h.Article.ID] = true
		}
		return out
	}
	checkRows("after loading")
	lanne := finds("lanne")
	if len(lanne) < 5 {
		t.Fatalf("q=lanne finds %d articles", len(lanne))
	}
	ferry, hospital := sum.Refs["ferry"], sum.Refs["hospital"]
	if !finds("crews")[ferry.ID] || !finds("urgences")[hospital.ID] {
		t.Fatal("the demo's words do not find their articles")
	}

	// The index emptied: nothing found; reindex: all of it again.
	if db.Dialect == store.Postgres {
		exec("DELETE FROM search_docs")
	} else {
		exec("DELETE FROM search_fts")
		exec("DELETE FROM search_docs")
	}
	if n := len(finds("lanne")); n != 0 {
		t.Fatalf("an empty index finds %d articles", n)
	}
	out, errOut, err := runCmd(t, nil, append([]string{"search", "reindex"}, flags...)...)
	if err != nil {
		t.Fatalf("search reindex: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, strconv.Itoa(articles)+" article(s) indexed") {
		t.Errorf("search reindex said %q", out)
	}
	checkRows("after search reindex")
	if got := finds("lanne"); len(got) != len(lanne) {
		t.Errorf("after reindex q=lanne finds %d articles, before %d", len(got), len(lanne))
	}
	// Again, on a full index: the same rows, none twice.
	if _, errOut, err := runCmd(t, nil, append([]string{"search", "reindex"}, flags...)...); err != nil {
		t.Fatalf("search reindex again: %v\n%s", err, errOut)
	}
	checkRows("after a second search reindex")
	if got := finds("lanne"); len(got) != len(lanne) {
		t.Errorf("after a second reindex q=lanne finds %d articles, before %d", len(got), len(lanne))
	}

	// One article without its rows, another whose rows are of an older
	// analysis (and hold something else): migrate catches up with both.
	if db.Dialect == store.Postgres {
		exec("DELETE FROM search_docs WHERE article_id = ?", ferry.ID)
		exec("UPDATE search_docs SET analyzer = 0, public_doc = 'zzstale'::tsvector, full_doc = 'zzstale'::tsvector WHERE article_id = ?", hospital.ID)
	} else {
		exec("DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE article_id = ?)", ferry.ID)
		exec("DELETE FROM search_docs WHERE article_id = ?", ferry.ID)
		var rowid int64
		if err := db.Read(ctx).Raw("SELECT id FROM search_docs WHERE article_id = ?", hospital.ID).Scan(&rowid).Error; err != nil {
			t.Fatal(err)
		}
		exec("DELETE FROM search_fts WHERE rowid = ?", rowid)
		exec(`INSERT INTO search_fts (rowid, title, standfirst, preview, body, title_w, standfirst_w, preview_w, body_w)
			VALUES (?, 'zzstale', '', 'zzstale', 'zzstale', 'zzstale', '', 'zzstale', 'zzstale')`, rowid)
		exec("UPDATE search_docs SET analyzer = 0 WHERE article_id = ?", hospital.ID)
	}
	if finds("crews")[ferry.ID] || finds("urgences")[hospital.ID] || !finds("zzstale")[hospital.ID] {
		t.Fatal("the index was not changed as the test meant")
	}
	if _, errOut, err := runCmd(t, nil, append([]string{"migrate"}, flags...)...); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut)
	}
	checkRows("after migrate")
	if !finds("crews")[ferry.ID] {
		t.Error("after migrate, the article without index rows is still not found")
	}
	if !finds("urgences")[hospital.ID] || finds("zzstale")[hospital.ID] {
		t.Error("after migrate, the article indexed by an older analysis is not reindexed")
	}
	if got := finds("lanne"); len(got) != len(lanne) {
		t.Errorf("after migrate q=lanne finds %d articles, before %d", len(got), len(lanne))
	}

	// Usage errors.
	for _, args := range [][]string{{"search"}, {"search", "rebuild"}, {"search", "reindex", "now"}} {
		if _, _, err := runCmd(t, nil, append(args, flags...)...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
