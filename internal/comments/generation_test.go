package comments_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"masthead/internal/comments"
	"masthead/internal/content"
)

// watchedArticles is the content service, watched: when comments say an
// article changed, it reads the article as the public does, on a reader
// outside the comment's transaction, and remembers the count it saw.
type watchedArticles struct {
	*content.Service
	mu   sync.Mutex
	seen []int
}

func (w *watchedArticles) CommentsChanged(id string) {
	a, _, err := w.LiveArticle(context.Background(), content.Lookup{IDOrSlug: id})
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.seen = append(w.seen, -1)
	} else {
		w.seen = append(w.seen, a.CommentCount)
	}
	w.Service.CommentsChanged(id)
}

func (w *watchedArticles) last() (int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.seen) == 0 {
		return -1, 0
	}
	return w.seen[len(w.seen)-1], len(w.seen)
}

// TestCommentWritesMoveContentGeneration: every comment write that changes
// an article's count moves the content service's generation (what the API's
// representation cache is keyed by), after the commit, so that the public
// read that follows shows the exact count; a write that leaves the count as
// it was leaves the generation alone.
func TestCommentWritesMoveContentGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := modSetup(t)
	w := &watchedArticles{Service: f.content}
	svc := newService(t, f.db, w)
	add := func(st comments.Status) comments.Comment {
		t.Helper()
		c, err := svc.Create(ctx, comments.Comment{ArticleID: f.article, AuthorName: "Ann", Email: "ann@example.org", Body: "A comment.", Status: st})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first, second, third := add(comments.StatusPending), add(comments.StatusPending), add(comments.StatusPending)

	step := func(name string, wantMoved bool, wantCount int, write func() error) {
		t.Helper()
		before := f.content.Generation()
		_, calls := w.last()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		moved := f.content.Generation() != before
		if moved != wantMoved {
			t.Errorf("%s: generation moved %v, want %v", name, moved, wantMoved)
		}
		seen, after := w.last()
		if wantMoved && (after == calls || seen != wantCount) {
			t.Errorf("%s: after the last commit the public read %d (%d calls), want %d", name, seen, after-calls, wantCount)
		}
		if !wantMoved && after != calls {
			t.Errorf("%s: told content of a change %d times", name, after-calls)
		}
		a, _, err := f.content.LiveArticle(ctx, content.Lookup{IDOrSlug: f.article})
		if err != nil {
			t.Fatal(err)
		}
		if a.CommentCount != wantCount {
			t.Errorf("%s: public comment_count %d, want %d", name, a.CommentCount, wantCount)
		}
		f.checkCount(t)
	}
	moderate := func(c comments.Comment, to comments.Status) func() error {
		return func() error { _, err := svc.Moderate(ctx, c.ID, to, "ed", "", nil); return err }
	}

	step("approve", true, 1, moderate(first, comments.StatusApproved))
	step("approve again", false, 1, moderate(first, comments.StatusApproved))
	step("reject a pending one", false, 1, moderate(second, comments.StatusRejected))
	step("stale decision", false, 1, func() error {
		v := 7
		if _, err := svc.Moderate(ctx, third.ID, comments.StatusApproved, "ed", "", &v); err == nil {
			return fmt.Errorf("stale version accepted")
		}
		return nil
	})
	step("bulk approve", true, 3, func() error {
		_, _, err := svc.ModerateMany(ctx, []string{second.ID, third.ID}, comments.StatusApproved, "ed", "")
		return err
	})
	step("submit, published", true, 4, func() error {
		_, err := svc.Submit(ctx, comments.Policy{Mode: comments.ModePost}, guest(f.article, "Published at once."), t0)
		return err
	})
	step("submit, held", false, 4, func() error {
		_, err := svc.Submit(ctx, comments.Policy{Mode: comments.ModePre}, guest(f.article, "Held for later."), t0)
		return err
	})
	step("report below the threshold", false, 4, func() error {
		_, err := svc.Report(ctx, first.ID, "r1", comments.ReasonSpam, "", 2)
		return err
	})
	step("report holds it", true, 3, func() error {
		_, err := svc.Report(ctx, first.ID, "r2", comments.ReasonSpam, "", 2)
		return err
	})
	step("delete an approved one", true, 2, func() error { _, err := svc.Delete(ctx, second.ID); return err })
	step("delete a held one", false, 2, func() error { _, err := svc.Delete(ctx, first.ID); return err })

	// Concurrent decisions: the count is exact, and it is what the public
	// reads once the generation has moved.
	var ids []string
	for i := range 8 {
		st := comments.StatusPending
		if i%2 == 0 {
			st = comments.StatusApproved
		}
		ids = append(ids, add(st).ID)
	}
	before := f.content.Generation()
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := []comments.Status{comments.StatusApproved, comments.StatusRejected, comments.StatusSpam}[i%3]
			if _, err := svc.Moderate(ctx, ids[i%len(ids)], to, fmt.Sprintf("m%d", i), "", nil); err != nil {
				t.Errorf("moderate: %v", err)
			}
		}()
	}
	wg.Wait()
	if f.content.Generation() == before {
		t.Error("concurrent decisions did not move the generation")
	}
	f.checkCount(t)
	want, err := svc.CountApproved(ctx, f.article)
	if err != nil {
		t.Fatal(err)
	}
	if a, _, err := f.content.LiveArticle(ctx, content.Lookup{IDOrSlug: f.article}); err != nil || a.CommentCount != want {
		t.Errorf("public comment_count %d after concurrent decisions, want %d (%v)", a.CommentCount, want, err)
	}
}
