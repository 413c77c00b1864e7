package content_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/fault"
)

// kinds reads the whole change log as "kind article" lines, checking that
// seqs increase.
func logOf(t *testing.T, svc *content.Service) []content.Change {
	t.Helper()
	cs, err := svc.ChangesAfter(context.Background(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(cs); i++ {
		if cs[i].Seq <= cs[i-1].Seq {
			t.Fatalf("seq %d after %d", cs[i].Seq, cs[i-1].Seq)
		}
	}
	return cs
}

func kindsOf(cs []content.Change, id string) []content.ChangeKind {
	var out []content.ChangeKind
	for _, c := range cs {
		if c.ArticleID == id {
			out = append(out, c.Kind)
		}
	}
	return out
}

func TestChangeLogFollowsTheArticleLife(t *testing.T) {
	t.Parallel()
	svc, clk := newService(t)
	ctx := context.Background()
	str := func(s string) *string { return &s }
	st := func(s content.Status) *content.Status { return &s }

	in := editorial("Crue de la Vive")
	in.Status = content.StatusPublished
	a, err := svc.CreateArticleBy(ctx, in, "ed")
	if err != nil {
		t.Fatal(err)
	}
	a, err = svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: str("Crue de la Vive : la digue tient")}, a.Version, "ed")
	if err != nil {
		t.Fatal(err)
	}
	a, err = svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{
		Standfirst: str("La cote est de 4,2 m."), Correction: str("La cote était de 4,2 m, pas de 4,8 m."),
	}, a.Version, "ed")
	if err != nil {
		t.Fatal(err)
	}
	a, err = svc.UnpublishArticle(ctx, a.ID, a.Version, "ed")
	if err != nil {
		t.Fatal(err)
	}
	// Saving what nobody can read logs nothing; a correction of it is refused.
	a, err = svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: str("Brouillon")}, a.Version, "ed")
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: str("x"), Correction: str("note")}, a.Version, "ed")
	var ve *fault.Error
	if !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) || ve.Fields[0].Field != "correction" {
		t.Fatalf("correction of an unpublished article: %v", err)
	}
	a, err = svc.PublishArticle(ctx, a.ID, a.Version, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteArticle(ctx, a.ID, 0); err != nil {
		t.Fatal(err)
	}

	cs := logOf(t, svc)
	got := kindsOf(cs, a.ID)
	want := []content.ChangeKind{
		content.ChangePublished, content.ChangeUpdated, content.ChangeCorrected,
		content.ChangeUnpublished, content.ChangePublished, content.ChangeUnpublished,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log %v, want %v", got, want)
	}
	for _, c := range cs {
		if c.Kind == content.ChangeCorrected && c.Note != "La cote était de 4,2 m, pas de 4,8 m." {
			t.Errorf("correction note %q", c.Note)
		}
		if c.Lang != "fr" || c.At.IsZero() || c.Version == 0 {
			t.Errorf("incomplete change %+v", c)
		}
	}

	// A draft deleted, and a draft never published: nothing.
	d, err := svc.CreateArticleBy(ctx, editorial("Jamais publié"), "ed")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteArticle(ctx, d.ID, 0); err != nil {
		t.Fatal(err)
	}
	if k := kindsOf(logOf(t, svc), d.ID); len(k) != 0 {
		t.Errorf("a draft left %v", k)
	}

	// Scheduled: nothing until the time comes and PromoteDue runs, once.
	s := editorial("Programmé")
	s.Status, s.PublishAt = content.StatusScheduled, new(t0.Add(time.Hour))
	sa, err := svc.CreateArticleBy(ctx, s, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.PromoteDue(ctx); err != nil || n != 0 {
		t.Fatalf("promoted %d early (%v)", n, err)
	}
	clk.Set(t0.Add(2 * time.Hour))
	if n, err := svc.PromoteDue(ctx); err != nil || n != 1 {
		t.Fatalf("promoted %d, want 1 (%v)", n, err)
	}
	if n, err := svc.PromoteDue(ctx); err != nil || n != 0 {
		t.Fatalf("promoted again: %d (%v)", n, err)
	}
	got2, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: sa.ID})
	if err != nil || got2.Status != content.StatusPublished || got2.Version != sa.Version+1 {
		t.Fatalf("after promotion: %v %v %d", err, got2.Status, got2.Version)
	}
	// The promotion is dated on the service's clock, not the wall clock.
	if !got2.UpdatedAt.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("promoted article updated_at %v, want the clock's %v", got2.UpdatedAt, t0.Add(2*time.Hour))
	}
	if k := kindsOf(logOf(t, svc), sa.ID); fmt.Sprint(k) != "[published]" {
		t.Errorf("scheduled article log %v", k)
	}
	if revs := revisions(t, svc, sa.ID); revs[0].Editor != content.SchedulerEditor || revs[0].Action != content.ActionPublish {
		t.Errorf("newest revision %+v", revs[0])
	}

	// Due but not yet promoted, then saved by an editor: the save says
	// published (once), and the scheduler has nothing left to do.
	s2 := editorial("Programmé puis modifié")
	s2.Status, s2.PublishAt = content.StatusScheduled, new(t0.Add(3*time.Hour))
	sb, err := svc.CreateArticleBy(ctx, s2, "ed")
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(4 * time.Hour))
	sb, err = svc.UpdateArticle(ctx, sb.ID, content.ArticlePatch{Title: str("Modifié à temps")}, sb.Version, "ed")
	if err != nil || sb.Status != content.StatusPublished {
		t.Fatalf("save of a due article: %v %v", err, sb.Status)
	}
	if n, _ := svc.PromoteDue(ctx); n != 0 {
		t.Errorf("promoted %d after the save", n)
	}
	// Rescheduled into the future: it leaves the public, a tombstone.
	if _, err := svc.UpdateArticle(ctx, sb.ID, content.ArticlePatch{Status: st(content.StatusScheduled), PublishAt: new(t0.Add(9 * time.Hour))}, sb.Version, "ed"); err != nil {
		t.Fatal(err)
	}
	if k := kindsOf(logOf(t, svc), sb.ID); fmt.Sprint(k) != "[published unpublished]" {
		t.Errorf("due article log %v", k)
	}
}

// TestChangeLogUnderConcurrentWriters: editors write while a partner follows
// the log by seq; the follower sees every entry once, in order, and the
// entries match what the writers did.
func TestChangeLogUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	const writers, each = 4, 12

	var mu sync.Mutex
	want := map[string]int{} // article → changes its writer made
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range each {
				in := editorial(fmt.Sprintf("Article %d-%d", w, i))
				in.Status = content.StatusPublished
				a, err := svc.CreateArticleBy(ctx, in, "ed")
				if err != nil {
					errs <- err
					return
				}
				n := 1
				for range r.IntN(3) {
					title := fmt.Sprintf("Article %d-%d, v%d", w, i, a.Version+1)
					if a, err = svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: &title}, a.Version, "ed"); err != nil {
						errs <- err
						return
					}
					n++
				}
				if r.IntN(2) == 0 {
					if _, err = svc.UnpublishArticle(ctx, a.ID, a.Version, "ed"); err != nil {
						errs <- err
						return
					}
					n++
				}
				mu.Lock()
				want[a.ID] = n
				mu.Unlock()
			}
		})
	}
	go func() { wg.Wait(); close(done) }()

	var seen []content.Change
	var after int64
	follow := func() {
		for {
			page, err := svc.ChangesAfter(ctx, after, 7)
			if err != nil {
				t.Error(err)
				return
			}
			if len(page) == 0 {
				return
			}
			seen = append(seen, page...)
			after = page[len(page)-1].Seq
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			follow()
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	follow()

	all := logOf(t, svc)
	if len(seen) != len(all) {
		t.Fatalf("the follower saw %d entries, the log has %d", len(seen), len(all))
	}
	for i := range all {
		if seen[i].Seq != all[i].Seq {
			t.Fatalf("entry %d: seen seq %d, log seq %d", i, seen[i].Seq, all[i].Seq)
		}
	}
	got := map[string]int{}
	for _, c := range seen {
		got[c.ArticleID]++
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("article %s: %d entries, its writer made %d changes", id, got[id], n)
		}
	}
	if len(want) != writers*each {
		t.Errorf("%d articles written, want %d", len(want), writers*each)
	}
}
