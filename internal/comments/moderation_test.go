package comments_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/blocks"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

type modFixture struct {
	db      *store.DB
	svc     *comments.Service
	article string
	content *content.Service
}

func modSetup(t *testing.T) modFixture {
	t.Helper()
	db := storetest.Open(t)
	cs := content.NewService(db, content.Options{Now: func() time.Time { return t0 }})
	a, err := cs.CreateArticle(context.Background(), content.ArticleInput{
		Lang: "en", Slug: "moderated", Title: "Moderated", Access: content.AccessPublic, Status: content.StatusPublished,
		CommentsEnabled: true, Body: []blocks.Block{{Type: blocks.TypeParagraph, Text: "Body."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return modFixture{db: db, svc: newService(t, db, cs), article: a.ID, content: cs}
}

func (f modFixture) add(t *testing.T, parent string, st comments.Status) comments.Comment {
	t.Helper()
	c, err := f.svc.Create(context.Background(), comments.Comment{
		ArticleID: f.article, ParentID: parent, AuthorName: "Ann", Email: "ann@example.org",
		Body: "A comment.", Status: st,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// storedCount is the article's comment_count column.
func (f modFixture) storedCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.Read(context.Background()).Raw("SELECT comment_count FROM articles WHERE id = ?", f.article).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f modFixture) checkCount(t *testing.T) {
	t.Helper()
	want, err := f.svc.CountApproved(context.Background(), f.article)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.storedCount(t); got != want {
		t.Errorf("comment_count %d, approved comments %d", got, want)
	}
}

func TestModerateLogsAndCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := modSetup(t)
	c := f.add(t, "", comments.StatusPending)
	got, err := f.svc.Moderate(ctx, c.ID, comments.StatusApproved, "ed", "fine", nil)
	if err != nil || got.Status != comments.StatusApproved || got.Version != 2 {
		t.Fatalf("approve: %+v %v", got, err)
	}
	if f.storedCount(t) != 1 {
		t.Errorf("count %d after approval", f.storedCount(t))
	}
	stale := 1
	if _, err := f.svc.Moderate(ctx, c.ID, comments.StatusRejected, "ed", "", &stale); !errors.Is(err, comments.ErrStale) {
		t.Errorf("stale version: %v", err)
	}
	var ie *fault.Error
	if _, err := f.svc.Moderate(ctx, c.ID, "gone", "ed", "", nil); !(errors.As(err, &ie) && errors.Is(err, fault.ErrInvalid)) {
		t.Errorf("bad status: %v", err)
	}
	if _, err := f.svc.Moderate(ctx, c.ID, comments.StatusSpam, "ed", "bad\x00note", nil); !(errors.As(err, &ie) && errors.Is(err, fault.ErrInvalid)) {
		t.Errorf("control character in note: %v", err)
	}
	if _, err := f.svc.Moderate(ctx, "01J00000000000000000000000", comments.StatusSpam, "ed", "", nil); !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
	h, err := f.svc.History(ctx, c.ID)
	if err != nil || len(h) != 1 || h[0].From != comments.StatusPending || h[0].To != comments.StatusApproved || h[0].Moderator != "ed" || h[0].Note != "fine" || !h[0].CreatedAt.Equal(t0) {
		t.Errorf("history: %+v %v", h, err)
	}
	f.checkCount(t)
}

func TestModerateConcurrentCountsExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := modSetup(t)
	var ids []string
	for i := range 10 {
		st := comments.StatusPending
		if i%2 == 0 {
			st = comments.StatusApproved
		}
		ids = append(ids, f.add(t, "", st).ID)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := []comments.Status{comments.StatusApproved, comments.StatusRejected, comments.StatusSpam}[i%3]
			if _, err := f.svc.Moderate(ctx, ids[i%len(ids)], to, fmt.Sprintf("m%d", i), "", nil); err != nil {
				t.Errorf("moderate: %v", err)
			}
		}()
	}
	wg.Wait()
	f.checkCount(t)
	for _, id := range ids {
		h, err := f.svc.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(h); i++ {
			if h[i].From != h[i-1].To {
				t.Errorf("%s: broken chain %+v", id, h)
			}
		}
		if len(h) > 0 && h[len(h)-1].To != c.Status {
			t.Errorf("%s: status %s, last logged %s", id, c.Status, h[len(h)-1].To)
		}
		if c.Version != 1+len(h) {
			t.Errorf("%s: version %d after %d logged changes", id, c.Version, len(h))
		}
	}
}

func TestModerateManyAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := modSetup(t)
	a := f.add(t, "", comments.StatusPending)
	b := f.add(t, "", comments.StatusPending)
	reply := f.add(t, a.ID, comments.StatusApproved)
	up, nf, err := f.svc.ModerateMany(ctx, []string{a.ID, "01J00000000000000000000000", b.ID, a.ID}, comments.StatusApproved, "ed", "")
	if err != nil || len(up) != 2 || len(nf) != 1 {
		t.Fatalf("bulk: %d updated, %v not found, %v", len(up), nf, err)
	}
	if f.storedCount(t) != 3 {
		t.Errorf("count %d, want 3", f.storedCount(t))
	}
	if _, _, err := f.svc.ModerateMany(ctx, make([]string, 101), comments.StatusApproved, "ed", ""); err == nil {
		t.Error("101 ids accepted")
	}
	if _, err := f.svc.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, reply.ID); !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("reply survived its parent: %v", err)
	}
	if _, err := f.svc.Delete(ctx, a.ID); !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if f.storedCount(t) != 1 {
		t.Errorf("count %d after delete, want 1", f.storedCount(t))
	}
}

func TestReportThreshold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := modSetup(t)
	c := f.add(t, "", comments.StatusApproved)
	pending := f.add(t, "", comments.StatusPending)
	if _, err := f.svc.Report(ctx, pending.ID, "r1", comments.ReasonSpam, "", 2); !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("report of a pending comment: %v", err)
	}
	var ie *fault.Error
	if _, err := f.svc.Report(ctx, c.ID, "r1", "dull", "", 2); !(errors.As(err, &ie) && errors.Is(err, fault.ErrInvalid)) {
		t.Errorf("bad reason: %v", err)
	}
	out, err := f.svc.Report(ctx, c.ID, "r1", comments.ReasonSpam, "", 2)
	if err != nil || out.Held || out.ReportCount != 1 {
		t.Fatalf("first report: %+v %v", out, err)
	}
	if _, err := f.svc.Report(ctx, c.ID, "r1", comments.ReasonAbuse, "", 2); !errors.Is(err, comments.ErrAlreadyReported) {
		t.Errorf("second report by r1: %v", err)
	}
	// Concurrent reports by distinct readers: counted exactly, held once.
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Report(ctx, c.ID, fmt.Sprintf("r%d", i+2), comments.ReasonOther, "", 2)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, comments.ErrNotFound) {
			t.Errorf("report: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d reports accepted after the first, want 1 (then it is held)", ok)
	}
	got, err := f.svc.Get(ctx, c.ID)
	if err != nil || got.Status != comments.StatusPending || got.ReportCount != 2 || len(got.HoldReasons) != 1 || got.HoldReasons[0] != comments.HoldReported {
		t.Errorf("after threshold: %+v %v", got, err)
	}
	h, _ := f.svc.History(ctx, c.ID)
	if len(h) != 1 || h[0].Moderator != comments.SystemModerator || h[0].From != comments.StatusApproved || h[0].To != comments.StatusPending {
		t.Errorf("history: %+v", h)
	}
	f.checkCount(t)
}
