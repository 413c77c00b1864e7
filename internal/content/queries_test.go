package content_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/search"
)

// The query budgets of the reads the API serves on a response-cache miss,
// counted on the real database (every statement GORM runs): one article in
// at most two statements; a page in one for its rows and one for the
// relations of them all, whatever its length.
const (
	oneBudget  = 2
	pageBudget = 2
)

// TestQueryBudget counts the statements of a single read and of every list,
// feed and sync read for pages of 1, 5 and 20 articles: the count must stay
// within the budget and must not grow with the page.
func TestQueryBudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := seeded.Open(t).DB
	svc := content.NewService(db, content.Options{Now: func() time.Time { return benchNow }})
	q := countQueries(t, db)
	// The sections are cached in process: warm the cache first, as any
	// running server has.
	if _, err := svc.Sections(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(t *testing.T, read func() error) int64 {
		t.Helper()
		before := q.Load()
		if err := read(); err != nil {
			t.Fatal(err)
		}
		return q.Load() - before
	}

	first, next, err := svc.ListLive(ctx, content.ListFilter{Limit: 20})
	if err != nil || next == nil || len(first) != 20 {
		t.Fatalf("first page: %d, %v, %v", len(first), next, err)
	}
	t.Run("one", func(t *testing.T) {
		var withPhoto, translated bool
		for _, a := range first {
			for _, l := range []content.Lookup{{IDOrSlug: a.ID}, {IDOrSlug: a.Slug, Lang: a.Lang}, {IDOrSlug: a.Slug}} {
				var got content.Article
				n := count(t, func() (err error) {
					got, _, err = svc.LiveArticle(ctx, l)
					return err
				})
				if n > oneBudget {
					t.Errorf("LiveArticle(%+v): %d statements, budget %d", l, n, oneBudget)
				}
				withPhoto = withPhoto || got.Photo != nil
				translated = translated || len(got.Translations) > 0
				if len(got.Authors) == 0 || len(got.Tags) == 0 {
					t.Errorf("LiveArticle(%+v): no authors or tags", l)
				}
			}
			n := count(t, func() error { _, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: a.ID}); return err })
			if n > oneBudget {
				t.Errorf("AnyArticle(%s): %d statements, budget %d", a.ID, n, oneBudget)
			}
		}
		if !withPhoto || !translated {
			t.Errorf("the page read has no article with a photo (%v) or translations (%v): the test checks too little", withPhoto, translated)
		}
	})

	query, err := search.Parse("budget", "")
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]func(limit int) (int, error){}
	for name, f := range map[string]content.ListFilter{
		"list":         {},
		"list section": {Section: "economy"},
		"list tag":     {Tag: "france"},
		"list author":  {Author: benchAuthor},
		"list lang":    {Lang: "de"},
		"list q":       {Query: &query, Full: []content.Access{content.AccessPublic}},
		"list cursor":  {After: next},
		"list all":     {Section: "economy", Tag: "budget", Lang: "fr", After: &content.Cursor{PublishedAt: benchNow, ID: "~"}},
	} {
		reads[name] = func(limit int) (int, error) {
			f.Limit = limit
			list, _, err := svc.ListLive(ctx, f)
			return len(list), err
		}
	}
	for name, f := range map[string]content.FeedFilter{
		"feed":         {},
		"feed section": {Section: "politics"},
		"feed tag":     {Tag: "germany", FullText: true},
		"feed lang":    {Lang: "ru"},
	} {
		reads[name] = func(limit int) (int, error) {
			f.Limit = limit
			list, err := svc.FeedArticles(ctx, f)
			return len(list), err
		}
	}
	for name, f := range map[string]content.AdminFilter{
		"admin":         {},
		"admin status":  {Status: content.StatusPublished},
		"admin lang":    {Lang: "en"},
		"admin section": {Section: "society"},
	} {
		reads[name] = func(limit int) (int, error) {
			f.Limit = limit
			list, _, err := svc.ListArticles(ctx, f)
			return len(list), err
		}
	}
	reads["changes"] = func(limit int) (int, error) {
		changes, err := svc.ChangesAfter(ctx, 0, limit)
		if err != nil {
			return 0, err
		}
		ids := make([]string, len(changes))
		for i, c := range changes {
			ids[i] = c.ArticleID
		}
		byID, err := svc.LiveByID(ctx, ids, true)
		return len(byID), err
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			var counts []int64
			for _, limit := range []int{1, 5, 20} {
				var got int
				n := count(t, func() (err error) { got, err = read(limit); return err })
				if got != limit && (name != "list all" || got == 0) {
					t.Fatalf("limit %d: %d articles (the seeded archive is too small for the test)", limit, got)
				}
				counts = append(counts, n)
			}
			budget := int64(pageBudget)
			if name == "changes" {
				budget++ // the change log's page, then its articles
			}
			if counts[0] != counts[1] || counts[1] != counts[2] {
				t.Errorf("statements for pages of 1, 5, 20: %v: they grow with the page", counts)
			}
			if counts[2] > budget {
				t.Errorf("statements for pages of 1, 5, 20: %v, budget %d", counts, budget)
			}
			t.Log(fmt.Sprint(counts))
		})
	}
}
