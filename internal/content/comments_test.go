package content_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/api/apitest"
	"masthead/internal/content"
	"masthead/internal/fault"
)

// TestCommentSide covers what content answers the comments domain: the live
// rule and the comments switch, the stored count, and the counts of lists.
func TestCommentSide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := apitest.OpenDB(t)
	clk := &clock{t: t0}
	svc := content.NewService(db, content.Options{Now: clk.Now})
	create := func(slug string, st content.Status, at *time.Time, enabled bool) string {
		t.Helper()
		in := editorial(slug)
		in.Slug, in.Status, in.PublishAt, in.CommentsEnabled = slug, st, at, enabled
		a, err := svc.CreateArticle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	later := t0.Add(time.Hour)
	open := create("ouvert", content.StatusPublished, nil, true)
	closed := create("ferme", content.StatusPublished, nil, false)
	draft := create("brouillon", content.StatusDraft, nil, true)
	scheduled := create("programme", content.StatusScheduled, &later, true)

	openAt := func(id string, now time.Time) (time.Time, bool, error) {
		t.Helper()
		var (
			at      time.Time
			enabled bool
		)
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			at, enabled, err = svc.OpenForComments(tx, id, now)
			return err
		})
		return at, enabled, err
	}
	for _, c := range []struct {
		name    string
		id      string
		now     time.Time
		found   bool
		at      time.Time
		enabled bool
	}{
		{"published", open, t0, true, t0, true},
		{"comments off", closed, t0, true, t0, false},
		{"draft", draft, t0, false, time.Time{}, false},
		{"scheduled, not yet", scheduled, t0, false, time.Time{}, false},
		{"scheduled, time come", scheduled, later, true, later, true},
		{"unknown", content.NewID(), t0, false, time.Time{}, false},
	} {
		at, enabled, err := openAt(c.id, c.now)
		if !c.found {
			if !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("%s: %v, want a not-found fault", c.name, err)
			}
			continue
		}
		if err != nil || !at.Equal(c.at) || enabled != c.enabled {
			t.Errorf("%s: %v, %v, %v; want %v, %v", c.name, at, enabled, err, c.at, c.enabled)
		}
	}

	// The count is stored in the caller's transaction; the generation moves
	// only when the caller says so, after its commit.
	store := func(id string, n int) bool {
		t.Helper()
		var changed bool
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			if err := svc.LockForComments(tx, id); err != nil {
				return err
			}
			var err error
			changed, err = svc.StoreCommentCount(tx, id, n)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	gen := svc.Generation()
	if !store(open, 3) || store(open, 3) || !store(scheduled, 2) {
		t.Error("StoreCommentCount does not report changes exactly")
	}
	if svc.Generation() != gen {
		t.Error("the generation moved inside the caller's transaction")
	}
	svc.CommentsChanged(open)
	if svc.Generation() == gen {
		t.Error("CommentsChanged did not move the generation")
	}
	if err := db.Tx(ctx, func(tx *gorm.DB) error { return svc.LockForComments(tx, content.NewID()) }); err != nil {
		t.Errorf("lock of a missing article: %v", err)
	}
	if a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: open}); err != nil || a.CommentCount != 3 {
		t.Errorf("public count %d, %v; want 3", a.CommentCount, err)
	}

	counts, err := svc.CommentCounts(ctx, []string{open, closed, draft, scheduled, content.NewID()}, t0)
	if err != nil || len(counts) != 2 || counts[open] != 3 || counts[closed] != 0 {
		t.Errorf("counts at t0: %v, %v", counts, err)
	}
	counts, err = svc.CommentCounts(ctx, []string{open, scheduled}, later)
	if err != nil || len(counts) != 2 || counts[scheduled] != 2 {
		t.Errorf("counts once scheduled is live: %v, %v", counts, err)
	}
}
