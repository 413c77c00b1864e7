package comments_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/blocks"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	svc      *comments.Service
	articles []string
	db       *store.DB
}

func setup(t testing.TB) fixture {
	t.Helper()
	db := storetest.Open(t)
	cs := content.NewService(db, content.Options{Now: func() time.Time { return t0 }})
	var ids []string
	for _, slug := range []string{"first", "second"} {
		a, err := cs.CreateArticle(context.Background(), content.ArticleInput{
			Lang: "en", Slug: slug, Title: slug, Access: content.AccessPublic, Status: content.StatusPublished,
			CommentsEnabled: true, Body: []blocks.Block{{Type: blocks.TypeParagraph, Text: "Body."}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return fixture{svc: newService(t, db, cs), articles: ids, db: db}
}

// newService wires a comments service the way serve does: the content
// service answers for the articles, the accounts service for member names.
func newService(t testing.TB, db *store.DB, articles comments.Articles) *comments.Service {
	t.Helper()
	accs, err := accounts.NewService(db, accounts.Options{
		Hasher: accounts.NewHasher(accounts.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	return comments.NewService(db, comments.Options{Now: func() time.Time { return t0 }, Articles: articles, Members: accs})
}

// add stores a comment created at t0+minute.
func (f fixture) add(t *testing.T, article int, parent string, st comments.Status, minute int, body string) comments.Comment {
	t.Helper()
	c, err := f.svc.Create(context.Background(), comments.Comment{
		ArticleID: f.articles[article], ParentID: parent, AuthorName: "Ann", Email: "ann@example.org",
		Body: body, Status: st, CreatedAt: t0.Add(time.Duration(minute) * time.Minute),
	})
	if err != nil {
		t.Fatalf("create %q: %v", body, err)
	}
	return c
}

func bodies(nodes []comments.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.Body)
	}
	return out
}

func TestThreadApprovedNested(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	a := f.add(t, 0, "", comments.StatusApproved, 1, "A")
	a1 := f.add(t, 0, a.ID, comments.StatusApproved, 2, "A.1")
	f.add(t, 0, a1.ID, comments.StatusApproved, 3, "A.1.a")
	f.add(t, 0, a.ID, comments.StatusRejected, 4, "A.2 rejected")
	pend := f.add(t, 0, a.ID, comments.StatusPending, 5, "A.3 pending")
	f.add(t, 0, pend.ID, comments.StatusApproved, 6, "A.3.a approved under pending")
	spam := f.add(t, 0, "", comments.StatusSpam, 7, "S spam")
	f.add(t, 0, spam.ID, comments.StatusApproved, 8, "S.1 approved under spam")
	f.add(t, 0, "", comments.StatusPending, 9, "P pending")
	f.add(t, 0, a.ID, comments.StatusApproved, 10, "A.4")
	b := f.add(t, 0, "", comments.StatusApproved, 11, "B")
	f.add(t, 1, "", comments.StatusApproved, 0, "other article")

	nodes, next, err := f.svc.Thread(ctx, f.articles[0], 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if next != nil {
		t.Errorf("next = %+v on the only page", next)
	}
	if got := fmt.Sprint(bodies(nodes)); got != "[A B]" {
		t.Fatalf("top level = %s, want [A B]", got)
	}
	top := nodes[0]
	if got := fmt.Sprint(bodies(top.Replies)); got != "[A.1 A.4]" {
		t.Errorf("replies of A = %s, want [A.1 A.4]", got)
	}
	if len(top.Replies) > 0 {
		r := top.Replies[0]
		if got := fmt.Sprint(bodies(r.Replies)); got != "[A.1.a]" {
			t.Errorf("replies of A.1 = %s", got)
		}
		if r.ParentID != a.ID || r.Depth != 1 || r.Replies[0].Depth != 2 {
			t.Errorf("A.1: parent %s depth %d, A.1.a depth %d", r.ParentID, r.Depth, r.Replies[0].Depth)
		}
	}
	if nodes[1].ID != b.ID || nodes[1].Replies == nil || len(nodes[1].Replies) != 0 {
		t.Errorf("B: %+v (replies must be an empty list, not nil)", nodes[1])
	}
	// Nothing anywhere in the tree that is not approved.
	var walk func([]comments.Node)
	walk = func(ns []comments.Node) {
		for _, n := range ns {
			if n.Status != comments.StatusApproved {
				t.Errorf("%q (%s) is shown", n.Body, n.Status)
			}
			walk(n.Replies)
		}
	}
	walk(nodes)

	// An article without comments gets an empty list.
	nodes, next, err = f.svc.Thread(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV", 10, nil)
	if err != nil || nodes == nil || len(nodes) != 0 || next != nil {
		t.Errorf("no comments: %v %v %v", nodes, next, err)
	}
}

func TestThreadPagination(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	var want []string
	for i := range 7 {
		minute := i
		if i == 3 || i == 4 {
			minute = 3 // two top-level comments at the same instant
		}
		c := f.add(t, 0, "", comments.StatusApproved, minute, fmt.Sprintf("c%d", i))
		f.add(t, 0, c.ID, comments.StatusApproved, 20+i, fmt.Sprintf("c%d.r", i))
		want = append(want, c.ID)
		if i == 2 {
			f.add(t, 0, "", comments.StatusPending, minute, "hidden")
		}
	}
	var got []string
	var cur *comments.Cursor
	for page := 0; ; page++ {
		if page > 10 {
			t.Fatal("pagination does not end")
		}
		nodes, next, err := f.svc.Thread(ctx, f.articles[0], 2, cur)
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) > 2 || (next != nil && len(nodes) != 2) {
			t.Fatalf("page %d: %d nodes, next %v", page, len(nodes), next)
		}
		for _, n := range nodes {
			if len(n.Replies) != 1 || n.Replies[0].Body != n.Body+".r" {
				t.Errorf("%s: replies %v", n.Body, bodies(n.Replies))
			}
			got = append(got, n.ID)
		}
		if next == nil {
			break
		}
		cur = next
	}
	if len(got) != len(want) {
		t.Fatalf("%d comments over the pages, want %d", len(got), len(want))
	}
	// Oldest first; the two at the same instant by id. IDs are ULIDs made
	// in order, so creation order is the wanted order.
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("position %d: %s, want %s", i, got[i], want[i])
		}
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	top := f.add(t, 0, "", comments.StatusApproved, 1, "top")
	if top.ID == "" || top.Depth != 0 || !top.CreatedAt.Equal(t0.Add(time.Minute)) || !top.UpdatedAt.Equal(t0) {
		t.Errorf("top = %+v", top)
	}
	child := f.add(t, 0, top.ID, comments.StatusPending, 2, "child")
	grand := f.add(t, 0, child.ID, comments.StatusApproved, 3, "grandchild")
	if child.Depth != 1 || grand.Depth != 2 {
		t.Errorf("depths %d %d, want 1 2", child.Depth, grand.Depth)
	}
	// The given depth is ignored: it comes from the parent.
	c1, err := f.svc.Create(ctx, comments.Comment{ArticleID: f.articles[0], ParentID: top.ID, Depth: 7,
		AuthorName: "B", Body: "x", Status: comments.StatusApproved})
	if err != nil || c1.Depth != 1 {
		t.Errorf("depth %d (%v), want 1", c1.Depth, err)
	}
	c, err := f.svc.Create(ctx, comments.Comment{ArticleID: f.articles[0], Depth: 3,
		AuthorName: "B", Body: "x", Status: comments.StatusApproved})
	if err != nil || c.Depth != 0 {
		t.Errorf("top-level depth %d (%v), want 0", c.Depth, err)
	}
	// CreatedAt defaults to the clock.
	if !c.CreatedAt.Equal(t0) {
		t.Errorf("created_at %v, want %v", c.CreatedAt, t0)
	}

	before, _ := f.svc.CountApproved(ctx, f.articles[1])
	// A parent from another article is refused as not found.
	_, err = f.svc.Create(ctx, comments.Comment{ArticleID: f.articles[1], ParentID: top.ID,
		AuthorName: "C", Body: "cross", Status: comments.StatusApproved})
	if !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("parent of another article: err = %v, want ErrNotFound", err)
	}
	// So is a parent that does not exist.
	_, err = f.svc.Create(ctx, comments.Comment{ArticleID: f.articles[0], ParentID: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
		AuthorName: "C", Body: "orphan", Status: comments.StatusApproved})
	if !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("missing parent: err = %v, want ErrNotFound", err)
	}
	after, _ := f.svc.CountApproved(ctx, f.articles[1])
	if after != before {
		t.Errorf("a refused comment was stored (%d → %d)", before, after)
	}
	// An article that does not exist is refused by the database.
	_, err = f.svc.Create(ctx, comments.Comment{ArticleID: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
		AuthorName: "C", Body: "nowhere", Status: comments.StatusApproved})
	if err == nil {
		t.Error("a comment on a missing article was stored")
	}
	// The private fields survive the round trip.
	nodes, _, err := f.svc.Thread(ctx, f.articles[0], 10, nil)
	if err != nil || len(nodes) == 0 {
		t.Fatal(err)
	}
	var got *comments.Node
	for i := range nodes {
		if nodes[i].ID == top.ID {
			got = &nodes[i]
		}
	}
	if got == nil {
		t.Fatalf("top comment not in the thread")
	}
	if got.Email != "ann@example.org" || got.AuthorName != "Ann" || got.ArticleID != f.articles[0] || got.Body != "top" {
		t.Errorf("round trip: %+v", got.Comment)
	}
	if len(got.Replies) != 1 || got.Replies[0].ID != c1.ID {
		t.Errorf("replies of top: %+v (the pending child hides its approved grandchild)", got.Replies)
	}
}

func TestCountApproved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	if n, err := f.svc.CountApproved(ctx, f.articles[0]); err != nil || n != 0 {
		t.Fatalf("empty: %d, %v", n, err)
	}
	top := f.add(t, 0, "", comments.StatusApproved, 1, "a")
	f.add(t, 0, top.ID, comments.StatusApproved, 2, "b")
	f.add(t, 0, "", comments.StatusPending, 3, "c")
	f.add(t, 0, "", comments.StatusRejected, 4, "d")
	f.add(t, 0, "", comments.StatusSpam, 5, "e")
	f.add(t, 1, "", comments.StatusApproved, 6, "f")
	if n, err := f.svc.CountApproved(ctx, f.articles[0]); err != nil || n != 2 {
		t.Errorf("first article: %d, %v, want 2", n, err)
	}
	if n, err := f.svc.CountApproved(ctx, f.articles[1]); err != nil || n != 1 {
		t.Errorf("second article: %d, %v, want 1", n, err)
	}
}
