package comments_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"masthead/internal/comments"
	"masthead/internal/fault"
)

func guest(article, body string) comments.SubmitInput {
	return comments.SubmitInput{ArticleID: article, Body: body, AuthorName: "Guest", Email: "guest@example.org", IP: "192.0.2.1"}
}

func countRows(t *testing.T, f fixture) int {
	t.Helper()
	var n int64
	if err := f.db.Read(context.Background()).Table("comments").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestSubmitRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	now := t0.Add(time.Hour)
	top := f.add(t, 0, "", comments.StatusApproved, 1, "top")
	pending := f.add(t, 0, "", comments.StatusPending, 2, "pending")
	other := f.add(t, 1, "", comments.StatusApproved, 3, "other article")
	deep := top
	for i := range 5 {
		deep = f.add(t, 0, deep.ID, comments.StatusApproved, 4+i, fmt.Sprintf("depth %d", i+1))
	}
	if err := f.db.Write(ctx).Exec("INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES ('u1', 'm@example.org', 'Marie Curie', 'x', 'reader', ?, ?)", t0, t0).Error; err != nil {
		t.Fatal(err)
	}
	pol := comments.Policy{Mode: comments.ModePost, Banned: []string{"con", "foul word"}}
	a := f.articles[0]
	cases := []struct {
		name  string
		in    comments.SubmitInput
		field string
	}{
		{"empty", guest(a, "   "), "body"},
		{"one char", guest(a, " x "), "body"},
		{"too long", guest(a, strings.Repeat("é", 5001)), "body"},
		{"invalid utf8", guest(a, "ok \xff"), "body"},
		{"control", guest(a, "next line \u0085 here"), "body"},
		{"only forbidden characters", guest(a, "\a\x03\x1b"), "body"},
		{"banned", guest(a, "what a CON, really"), "body"},
		{"banned phrase", guest(a, "such a Foul  word"), "body"},
		{"parent pending", func() comments.SubmitInput { in := guest(a, "reply"); in.ParentID = pending.ID; return in }(), "parent_id"},
		{"parent other article", func() comments.SubmitInput { in := guest(a, "reply"); in.ParentID = other.ID; return in }(), "parent_id"},
		{"parent unknown", func() comments.SubmitInput { in := guest(a, "reply"); in.ParentID = "nope"; return in }(), "parent_id"},
		{"too deep", func() comments.SubmitInput { in := guest(a, "reply"); in.ParentID = deep.ID; return in }(), "parent_id"},
		{"no name", func() comments.SubmitInput { in := guest(a, "hello"); in.AuthorName = " "; return in }(), "author_name"},
		{"long name", func() comments.SubmitInput {
			in := guest(a, "hello")
			in.AuthorName = strings.Repeat("n", 81)
			return in
		}(), "author_name"},
		{"bad email", func() comments.SubmitInput { in := guest(a, "hello"); in.Email = "nope"; return in }(), "email"},
		{"member name", func() comments.SubmitInput { in := guest(a, "hello"); in.AuthorName = "marie CURIE"; return in }(), "author_name"},
		{"reserved name", func() comments.SubmitInput { in := guest(a, "hello"); in.AuthorName = "Mod-erator"; return in }(), "author_name"},
	}
	before := countRows(t, f)
	for _, tc := range cases {
		_, err := f.svc.Submit(ctx, pol, tc.in, now)
		var ve *fault.Error
		if !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) || ve.Fields[0].Field != tc.field {
			t.Errorf("%s: err = %v, want a validation error on %s", tc.name, err, tc.field)
		}
	}
	if after := countRows(t, f); after != before {
		t.Errorf("rejected submissions stored %d rows", after-before)
	}
	// "con" is a whole word: "contrat" passes.
	c, err := f.svc.Submit(ctx, pol, guest(a, "un contrat, économie"), now)
	if err != nil || c.Status != comments.StatusApproved {
		t.Errorf("contrat: %v %v", c.Status, err)
	}
	// A reply at the deepest allowed level passes.
	in := guest(a, "reply at 5")
	in.ParentID = deep.ID
	if _, err := f.svc.Submit(ctx, comments.Policy{Mode: comments.ModePost, MaxDepth: 6}, in, now); err != nil {
		t.Errorf("depth 6 with MaxDepth 6: %v", err)
	}
}

func TestSubmitClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	pol := comments.Policy{Mode: comments.ModePost, CloseDays: 3}
	if _, err := f.svc.Submit(ctx, pol, guest(f.articles[0], "in time"), t0.Add(71*time.Hour)); err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := f.svc.Submit(ctx, pol, guest(f.articles[0], "too late"), t0.Add(72*time.Hour)); !errors.Is(err, comments.ErrClosed) {
		t.Errorf("after 3 days: %v", err)
	}
	if err := f.db.Write(ctx).Exec("UPDATE articles SET comments_enabled = ? WHERE id = ?", false, f.articles[1]).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, comments.Policy{}, guest(f.articles[1], "disabled"), t0); !errors.Is(err, comments.ErrClosed) {
		t.Errorf("disabled: %v", err)
	}
	if _, err := f.svc.Submit(ctx, comments.Policy{}, guest("01ARZ3NDEKTSV4RRFFQ69G5FAV", "unknown"), t0); !errors.Is(err, comments.ErrNoArticle) {
		t.Errorf("unknown article: %v", err)
	}
}

func TestSubmitPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	a := f.articles[0]
	now := t0.Add(time.Minute)
	type want struct {
		status  comments.Status
		reasons string
	}
	check := func(name string, pol comments.Policy, in comments.SubmitInput, w want) {
		t.Helper()
		c, err := f.svc.Submit(ctx, pol, in, now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Status != w.status || strings.Join(c.HoldReasons, ",") != w.reasons {
			t.Errorf("%s: %s %v, want %s [%s]", name, c.Status, c.HoldReasons, w.status, w.reasons)
		}
	}
	trusted := comments.Policy{Suspect: []string{"casino"}}
	check("new guest", trusted, guest(a, "hello"), want{comments.StatusPending, "new_author"})
	member := comments.SubmitInput{ArticleID: a, Body: "hi all", AuthorName: "Sam", UserID: "user-1", UserRole: "subscriber"}
	check("subscriber", trusted, member, want{comments.StatusApproved, ""})
	reader := member
	reader.UserID, reader.UserRole = "user-2", "reader"
	check("new reader", trusted, reader, want{comments.StatusPending, "new_author"})
	f.add(t, 0, "", comments.StatusApproved, 0, "earlier") // by ann@example.org
	known := guest(a, "again")
	known.Email = "ANN@example.org"
	check("known guest", trusted, known, want{comments.StatusApproved, ""})
	check("suspect", trusted, func() comments.SubmitInput { in := known; in.Body = "Casino night"; return in }(), want{comments.StatusPending, "suspect_words"})
	check("links", trusted, func() comments.SubmitInput {
		in := known
		in.Body = "see http://a.example https://b.example HTTP://c.example"
		return in
	}(), want{comments.StatusPending, "too_many_links"})
	check("two links ok", trusted, func() comments.SubmitInput {
		in := known
		in.Body = "see http://a.example https://b.example"
		return in
	}(), want{comments.StatusApproved, ""})
	check("pre", comments.Policy{Mode: comments.ModePre}, member, want{comments.StatusPending, "premoderation"})
	check("post", comments.Policy{Mode: comments.ModePost}, guest(a, "new one"), want{comments.StatusApproved, ""})
	hp := guest(a, "buy now")
	hp.Honeypot = "http://spam.example"
	check("honeypot", comments.Policy{Mode: comments.ModePost}, hp, want{comments.StatusSpam, "honeypot"})

	var count, approved int64
	f.db.Read(ctx).Raw("SELECT comment_count FROM articles WHERE id = ?", a).Scan(&count)
	f.db.Read(ctx).Raw("SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved'", a).Scan(&approved)
	if count != approved || count == 0 { // the next approved submission recounts the fixture's too
		t.Errorf("comment_count %d, approved rows %d", count, approved)
	}
}

// TestSubmitConcurrentCount posts 50 comments at once, half of them
// published at once: the article's count must equal its approved rows.
func TestSubmitConcurrentCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	a := f.articles[0]
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			in := comments.SubmitInput{ArticleID: a, Body: fmt.Sprintf("comment %d", i), AuthorName: fmt.Sprintf("Reader %d", i),
				UserID: fmt.Sprintf("user-%d", i), UserRole: "reader"}
			if i%2 == 0 {
				in.UserRole = "subscriber"
			}
			if i%5 == 0 {
				in = guest(a, fmt.Sprintf("guest %d", i))
				in.Email = fmt.Sprintf("g%d@example.org", i)
				if i%2 == 0 {
					in.Email = "ann@example.org"
				}
			}
			_, err := f.svc.Submit(ctx, comments.Policy{}, in, t0.Add(time.Minute))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	var count, approved, total int64
	f.db.Read(ctx).Raw("SELECT comment_count FROM articles WHERE id = ?", a).Scan(&count)
	f.db.Read(ctx).Raw("SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved'", a).Scan(&approved)
	f.db.Read(ctx).Raw("SELECT count(*) FROM comments WHERE article_id = ?", a).Scan(&total)
	if total != 50 || count != approved || approved != 20 {
		t.Errorf("rows %d, approved %d, comment_count %d; want 50, 20, 20", total, approved, count)
	}
}

func TestThreadViewOwnHeldAndFlat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	a := f.articles[0]
	top := f.add(t, 0, "", comments.StatusApproved, 1, "A")
	f.add(t, 0, top.ID, comments.StatusApproved, 2, "A.1")
	mine, err := f.svc.Create(ctx, comments.Comment{ArticleID: a, Body: "mine", UserID: "me", AuthorName: "Me", Status: comments.StatusPending, CreatedAt: t0.Add(3 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	f.add(t, 0, "", comments.StatusApproved, 4, "B")
	got := func(o comments.ThreadOptions) string {
		nodes, _, err := f.svc.ThreadView(ctx, a, o)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(bodies(nodes))
	}
	if g := got(comments.ThreadOptions{}); g != "[A B]" {
		t.Errorf("anonymous: %s", g)
	}
	if g := got(comments.ThreadOptions{ViewerID: "someone"}); g != "[A B]" {
		t.Errorf("another reader: %s", g)
	}
	if g := got(comments.ThreadOptions{ViewerID: "me", Newest: true}); g != "[B "+mine.Body+" A]" {
		t.Errorf("author, newest: %s", g)
	}
	if g := got(comments.ThreadOptions{Flat: true}); g != "[A A.1 B]" {
		t.Errorf("flat: %s", g)
	}
	if g := got(comments.ThreadOptions{Flat: true, Newest: true, Limit: 2}); g != "[B A.1]" {
		t.Errorf("flat newest page: %s", g)
	}
}

func FuzzCommentBody(f *testing.F) {
	f.Add("hello")
	f.Fuzz(func(t *testing.T, body string) {
		got, err := comments.CheckBody(body)
		if err != nil {
			var ve *fault.Error
			if !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) {
				t.Fatalf("error is not a validation error: %v", err)
			}
			return
		}
		if !utf8.ValidString(got) || got != strings.TrimSpace(got) {
			t.Fatalf("accepted %q", got)
		}
		if n := utf8.RuneCountInString(got); n < 2 || n > 5000 {
			t.Fatalf("accepted %d runes", n)
		}
		for _, r := range got {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("accepted control %U", r)
			}
		}
	})
}
