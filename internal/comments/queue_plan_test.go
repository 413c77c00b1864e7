package comments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/internal/blocks"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// TestModerationQueuePlan checks that every filter of the moderation queue
// (status, reported, article, each alone and together), on its first page
// and on a later one, is read from an index in the queue's order: no
// "USE TEMP B-TREE FOR ORDER BY" in SQLite's plan, no Sort in PostgreSQL's,
// and no scan of the whole table, over 60,000 comments under 120 articles
// (a few with thousands, most with few), analyzed.
func TestModerationQueuePlan(t *testing.T) {
	if testing.Short() {
		t.Skip("60,000 comments")
	}
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	cs := content.NewService(f.db, content.Options{Now: func() time.Time { return t0 }})
	ins := make([]content.ArticleInput, 120)
	for i := range ins {
		ins[i] = content.ArticleInput{
			Lang: "en", Slug: fmt.Sprintf("queue-%d", i), Title: "Queue", Access: content.AccessPublic, Status: content.StatusPublished,
			CommentsEnabled: true, Body: []blocks.Block{{Type: blocks.TypeParagraph, Text: "Body."}},
		}
	}
	arts, err := cs.CreateArticles(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	fillQueue(t, f.db, arts, 60000)

	rec := record(t, f.db)
	busiest := arts[0].ID
	var filters []comments.ModerationFilter
	for _, st := range []comments.Status{"", comments.StatusPending, comments.StatusApproved, comments.StatusRejected, comments.StatusSpam} {
		for _, reported := range []bool{false, true} {
			for _, article := range []string{"", busiest, arts[len(arts)-1].ID} {
				filters = append(filters, comments.ModerationFilter{Status: st, Reported: reported, ArticleID: article, Limit: 20})
			}
		}
	}
	for _, flt := range filters {
		name := fmt.Sprintf("status=%q reported=%v article=%q", flt.Status, flt.Reported, flt.ArticleID)
		for range 2 {
			var got []comments.Comment
			var next *comments.Cursor
			stmts := rec.during(func() { got, next, err = f.svc.ListForModeration(ctx, flt) })
			if err != nil {
				t.Fatal(err)
			}
			if len(stmts) != 1 {
				t.Fatalf("%s: %d statements", name, len(stmts))
			}
			for _, c := range got {
				if (flt.Status != "" && c.Status != flt.Status) || (flt.Reported && c.ReportCount == 0) || (flt.ArticleID != "" && c.ArticleID != flt.ArticleID) {
					t.Fatalf("%s: %+v does not pass the filter", name, c)
				}
			}
			checkQueuePlan(t, f.db, name, stmts[0], flt.Limit)
			if next == nil {
				break
			}
			flt.After = next
		}
	}
}

func checkQueuePlan(t *testing.T, db *store.DB, name string, s recorded, limit int) {
	t.Helper()
	if db.Dialect == store.Postgres {
		// A Sort is the planner's right choice for a filter that matches a
		// handful of rows (an article with few comments): it is allowed
		// when what it sorted, counted under EXPLAIN ANALYZE, is no more
		// than a page. Anything more, or a sequential scan, is a failure.
		out := storetest.Explain(t, db, "(ANALYZE, FORMAT JSON)", s.sql, s.vars...)
		var plans []struct {
			Plan planNode `json:"Plan"`
		}
		if err := json.Unmarshal([]byte(strings.Join(out, "")), &plans); err != nil {
			t.Fatalf("plan: %v", err)
		}
		var walk func(n planNode)
		walk = func(n planNode) {
			if n.Type == "Seq Scan" {
				t.Errorf("%s: the queue scans the table:\n%s\n%s", name, s.sql, strings.Join(out, ""))
			}
			if n.Type == "Sort" {
				sorted := 0.0
				for _, c := range n.Plans {
					sorted += c.Rows * c.Loops
				}
				if sorted > float64(limit+1) {
					t.Errorf("%s: the queue sorts %.0f comments, not read from an index in order:\n%s\n%s", name, sorted, s.sql, strings.Join(out, ""))
				}
			}
			for _, c := range n.Plans {
				walk(c)
			}
		}
		for _, p := range plans {
			walk(p.Plan)
		}
		return
	}
	plan := storetest.Explain(t, db, "", s.sql, s.vars...)
	text := strings.Join(plan, "\n")
	if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "SCAN comments\n") || strings.HasSuffix(text, "SCAN comments") {
		t.Errorf("%s: the queue is sorted or scanned, not read from an index in order:\n%s\n%s", name, s.sql, text)
	}
	if testing.Verbose() {
		t.Logf("%s: %s", name, text)
	}
}

// fillQueue writes n comments under arts: the first articles draw most,
// about one in eight held, rejected or spam, one in a hundred reported,
// spread over a year.
func fillQueue(tb testing.TB, db *store.DB, arts []content.Article, n int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(56, 78))
	entropy := ulid.Monotonic(rand.NewChaCha8([32]byte{56}), 0)
	batch, flush := commentBatch(tb, db)
	start := t0.Add(-365 * 24 * time.Hour)
	for i := range n {
		at := start.Add(time.Duration(i) * 365 * 24 * time.Hour / time.Duration(n))
		status := "approved"
		switch x := r.IntN(100); {
		case x < 7:
			status = "pending"
		case x < 11:
			status = "rejected"
		case x < 13:
			status = "spam"
		}
		reports := 0
		if r.IntN(100) == 0 {
			reports = 1 + r.IntN(3)
		}
		art := arts[int(float64(len(arts))*r.Float64()*r.Float64()*r.Float64())].ID
		id := ulid.MustNew(ulid.Timestamp(at), entropy).String()
		*batch = append(*batch, map[string]any{
			"id": id, "article_id": art, "parent_id": nil, "depth": 0, "author_name": "Reader",
			"user_id": nil, "email": "reader@example.org", "body": "A comment.", "status": status,
			"report_count": reports, "hold_reasons": "", "ip": "", "version": 1, "created_at": at, "updated_at": at,
		})
		if len(*batch) == cap(*batch) {
			flush()
		}
	}
	flush()
	analyze(tb, db)
}
