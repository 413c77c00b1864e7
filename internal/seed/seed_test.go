package seed_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/seed"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var end = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type seeded struct {
	db       *store.DB
	content  *content.Service
	comments *comments.Service
	sum      seed.Summary
}

func seedInto(t *testing.T, articles, cms int, s uint64) seeded {
	t.Helper()
	db := storetest.Open(t)
	now := func() time.Time { return end }
	cs := content.NewService(db, content.Options{Now: now})
	accs, err := accounts.NewService(db, accounts.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	svc := comments.NewService(db, comments.Options{Now: now, Articles: cs, Members: accs})
	sum, err := seed.Run(context.Background(), cs, seed.Options{Articles: articles, Comments: cms, CommentService: svc, Seed: s, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return seeded{db: db, content: cs, comments: svc, sum: sum}
}

// storedComment is a comment row with its article's slug and language.
type storedComment struct {
	ID, ArticleID, Slug, Lang, ParentID, AuthorName, UserID, Email, Body, Status, HoldReasons, IP string
	Depth, ReportCount, Version                                                                   int
	CreatedAt, UpdatedAt                                                                          time.Time
}

func readComments(t *testing.T, db *store.DB) []storedComment {
	t.Helper()
	var list []storedComment
	err := db.Read(context.Background()).Raw(`SELECT c.id, c.article_id, a.slug, a.lang, COALESCE(c.parent_id, '') AS parent_id,
		c.author_name, COALESCE(c.user_id, '') AS user_id, c.email, c.body, c.status, c.hold_reasons, c.ip,
		c.depth, c.report_count, c.version, c.created_at, c.updated_at
		FROM comments c JOIN articles a ON a.id = c.article_id ORDER BY c.id`).Scan(&list).Error
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestSeedComments: `seed.Run` with comments writes exactly that many
// under the articles that take comments, in their language, threaded
// within the depth the policy allows, with a skew (a few stories draw most
// of them), of every status, with reports and a moderation log that agree
// with the comments, and the articles' counts; the same seed writes the
// same comments; the public thread and the moderation queue serve them.
func TestSeedComments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const articles, total = 200, 4000
	a := seedInto(t, articles, total, 5)
	if a.sum.Comments != total || a.sum.Articles != articles {
		t.Fatalf("summary %+v", a.sum)
	}
	list := readComments(t, a.db)
	if len(list) != total {
		t.Fatalf("%d comments stored, want %d", len(list), total)
	}

	// Deterministic: the same seed, the same comments (ids included: they
	// are drawn from the seed too), on the same articles by slug.
	b := seedInto(t, articles, total, 5)
	other := readComments(t, b.db)
	for i := range list {
		x, y := list[i], other[i]
		x.ArticleID, y.ArticleID = "", ""
		if x != y {
			t.Fatalf("comment %d differs between two runs of one seed:\n%+v\n%+v", i, x, y)
		}
	}

	byID := map[string]storedComment{}
	for _, c := range list {
		byID[c.ID] = c
	}
	perArticle := map[string]int{}
	approved := map[string]int{}
	statuses := map[string]int{}
	replies, reported, held := 0, 0, 0
	for _, c := range list {
		perArticle[c.ArticleID]++
		statuses[c.Status]++
		if c.Status == "approved" {
			approved[c.ArticleID]++
		}
		if c.ReportCount > 0 {
			reported++
		}
		if c.HoldReasons == comments.HoldReported {
			held++
		}
		if c.ParentID != "" {
			replies++
			p, ok := byID[c.ParentID]
			switch {
			case !ok:
				t.Fatalf("%s: parent %s missing", c.ID, c.ParentID)
			case p.ArticleID != c.ArticleID:
				t.Fatalf("%s: parent under another article", c.ID)
			case c.Depth != p.Depth+1 || c.Depth > 5:
				t.Fatalf("%s: depth %d under a parent of depth %d", c.ID, c.Depth, p.Depth)
			case c.CreatedAt.Before(p.CreatedAt):
				t.Fatalf("%s: written before its parent", c.ID)
			case p.Status != "approved" && p.HoldReasons != comments.HoldReported:
				t.Fatalf("%s: a reply to a comment that was never published (%s)", c.ID, p.Status)
			}
		} else if c.Depth != 0 {
			t.Fatalf("%s: top-level at depth %d", c.ID, c.Depth)
		}
		if c.CreatedAt.After(end) || c.UpdatedAt.Before(c.CreatedAt) {
			t.Fatalf("%s: created %v, updated %v, archive ends %v", c.ID, c.CreatedAt, c.UpdatedAt, end)
		}
		if _, err := comments.CheckBody(c.Body); err != nil {
			t.Fatalf("%s: body %q: %v", c.ID, c.Body, err)
		}
		cyrillic := strings.ContainsFunc(c.Body, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
		if cyrillic != (c.Lang == "ru") {
			t.Fatalf("%s: a %s article's comment: %q", c.ID, c.Lang, c.Body)
		}
	}
	t.Logf("%d replies, statuses %v, %d reported, %d held again, %d articles with comments", replies, statuses, reported, held, len(perArticle))
	for _, st := range []string{"approved", "pending", "rejected", "spam"} {
		if statuses[st] == 0 {
			t.Errorf("no %s comment", st)
		}
	}
	if replies < total/3 || replies > total*2/3 || reported == 0 || held == 0 {
		t.Errorf("%d replies, %d reported, %d held again", replies, reported, held)
	}
	counts := make([]int, 0, len(perArticle))
	for _, n := range perArticle {
		counts = append(counts, n)
	}
	slices.Sort(counts)
	median, most := counts[len(counts)/2], counts[len(counts)-1]
	if most < 20*median {
		t.Errorf("no skew: the busiest article has %d comments, the median %d", most, median)
	}

	// Every article's stored count is its number of approved comments;
	// articles closed to comments have none.
	var arts []struct {
		ID              string
		CommentCount    int
		CommentsEnabled bool
	}
	if err := a.db.Read(ctx).Raw("SELECT id, comment_count, comments_enabled FROM articles").Scan(&arts).Error; err != nil {
		t.Fatal(err)
	}
	for _, art := range arts {
		if art.CommentCount != approved[art.ID] {
			t.Errorf("article %s: comment_count %d, %d approved", art.ID, art.CommentCount, approved[art.ID])
		}
		if !art.CommentsEnabled && perArticle[art.ID] > 0 {
			t.Errorf("article %s takes no comments but has %d", art.ID, perArticle[art.ID])
		}
	}
	// Reports and the moderation log agree with the comments.
	var nReports, nLog, nHeldLog, nRejectLog int64
	q := a.db.Read(ctx)
	q.Raw("SELECT COUNT(*) FROM comment_reports").Scan(&nReports)
	q.Raw("SELECT COUNT(*) FROM comment_moderations").Scan(&nLog)
	q.Raw("SELECT COUNT(*) FROM comment_moderations WHERE moderator = ? AND to_status = 'pending'", comments.SystemModerator).Scan(&nHeldLog)
	q.Raw("SELECT COUNT(*) FROM comment_moderations WHERE to_status = 'rejected'").Scan(&nRejectLog)
	sumReports := 0
	for _, c := range list {
		sumReports += c.ReportCount
	}
	if int(nReports) != sumReports || int(nHeldLog) != held || int(nRejectLog) != statuses["rejected"] || int(nLog) != held+statuses["rejected"] {
		t.Errorf("%d reports for a report count of %d; log: %d rows, %d held again (%d), %d rejections (%d)",
			nReports, sumReports, nLog, nHeldLog, held, nRejectLog, statuses["rejected"])
	}

	// The public thread of the busiest article shows every approved
	// comment whose chain of parents is approved, over its pages.
	busiest := ""
	for id, n := range perArticle {
		if busiest == "" || n > perArticle[busiest] || (n == perArticle[busiest] && id < busiest) {
			busiest = id
		}
	}
	shown := func(c storedComment) bool {
		for {
			if c.Status != "approved" {
				return false
			}
			if c.ParentID == "" {
				return true
			}
			c = byID[c.ParentID]
		}
	}
	want := 0
	for _, c := range list {
		if c.ArticleID == busiest && shown(c) {
			want++
		}
	}
	got := 0
	var count func([]comments.Node)
	count = func(ns []comments.Node) {
		for _, n := range ns {
			got++
			count(n.Replies)
		}
	}
	var cur *comments.Cursor
	for page := 0; ; page++ {
		nodes, next, err := a.comments.ThreadView(ctx, busiest, comments.ThreadOptions{Limit: 50, After: cur})
		if err != nil {
			t.Fatal(err)
		}
		count(nodes)
		if next == nil {
			break
		}
		cur = next
	}
	if got != want || want == 0 {
		t.Errorf("the busiest article's thread shows %d comments, want %d", got, want)
	}
	// The moderation queue: the comments held again by reports, newest
	// first, over pages.
	seen := 0
	var after *comments.Cursor
	var last time.Time
	for {
		page, next, err := a.comments.ListForModeration(ctx, comments.ModerationFilter{Status: comments.StatusPending, Reported: true, Limit: 7, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			if c.ReportCount < 3 || !slices.Equal(c.HoldReasons, []string{comments.HoldReported}) {
				t.Errorf("queue: %+v", c)
			}
			if !last.IsZero() && c.CreatedAt.After(last) {
				t.Errorf("queue out of order")
			}
			last = c.CreatedAt
		}
		seen += len(page)
		if next == nil {
			break
		}
		after = next
	}
	if seen != held {
		t.Errorf("the queue of comments held by reports has %d, want %d", seen, held)
	}
}

// TestSeedCommentsNeedArticles: comments with no service, or with no
// article to take them, are refused.
func TestSeedCommentsNeedArticles(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	cs := content.NewService(db, content.Options{})
	_, err := seed.Run(context.Background(), cs, seed.Options{Articles: 1, Comments: 10})
	if err == nil || !strings.Contains(err.Error(), "CommentService") {
		t.Errorf("no comment service: %v", err)
	}
}
