package content_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"masthead/internal/blocks"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/search"
)

var slugShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestSlugify(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Très longue phrase ", 10)
	for _, c := range []struct{ title, lang, want string }{
		{"Un sommet régional sous le signe de l’eau", "fr", "un-sommet-regional-sous-le-signe-de-leau"},
		{"Grüße aus Köln: Straße gesperrt", "de", "gruesse-aus-koeln-strasse-gesperrt"},
		{"Москва встречает весну", "ru", "moskva-vstrechaet-vesnu"},
		{"Ça coûte 100 € & plus_encore", "fr", "ca-coute-100-eu-et-plus-encore"},
		{"  --Hello__World--  ", "en", "hello-world"},
		{"!!! ??? …", "en", content.FallbackSlug},
		{"🎉", "en", content.FallbackSlug},
		{"", "fr", content.FallbackSlug},
		{long, "fr", "tres-longue-phrase-tres-longue-phrase-tres-longue-phrase-tres-longue-phrase-tres"},
		{strings.Repeat("x", 100), "en", strings.Repeat("x", content.MaxSlugLen)},
	} {
		got := content.Slugify(c.title, c.lang)
		if got != c.want {
			t.Errorf("Slugify(%q, %s) = %q, want %q", c.title, c.lang, got, c.want)
		}
		if len(got) > content.MaxSlugLen || !slugShape.MatchString(got) {
			t.Errorf("Slugify(%q) = %q: bad shape or too long", c.title, got)
		}
	}
}

// FuzzSlug: whatever the title and language, the slug has the documented
// shape, is never empty and never longer than MaxSlugLen.
func FuzzSlug(f *testing.F) {
	for _, s := range []string{"Grüße aus Köln", "Élections à Pontvieux : la liste citoyenne", "Москва", "", "---", "a_b"} {
		f.Add(s, "fr")
	}
	f.Fuzz(func(t *testing.T, title, lang string) {
		got := content.Slugify(title, lang)
		if got == "" || len(got) > content.MaxSlugLen || !slugShape.MatchString(got) {
			t.Fatalf("Slugify(%q, %q) = %q", title, lang, got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 %q", got)
		}
	})
}

func editorial(title string) content.ArticleInput {
	return content.ArticleInput{
		Lang: "fr", Title: title, Access: content.AccessPublic, Status: content.StatusDraft,
		Body: []blocks.Block{para("Bonjour le monde.")},
	}
}

func revisions(t *testing.T, svc *content.Service, id string) []content.Revision {
	t.Helper()
	revs, err := svc.Revisions(context.Background(), id, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func TestCreateArticleBySlugs(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	a, err := svc.CreateArticleBy(ctx, editorial("Élection à Pontvieux"), "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Slug != "election-a-pontvieux" || a.Version != 1 {
		t.Fatalf("slug %q version %d", a.Slug, a.Version)
	}
	b, err := svc.CreateArticleBy(ctx, editorial("Élection à Pontvieux !"), "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Slug != "election-a-pontvieux-2" {
		t.Errorf("second slug %q", b.Slug)
	}
	// The same title in another language is free.
	en := editorial("Élection à Pontvieux")
	en.Lang = "en"
	if c, err := svc.CreateArticleBy(ctx, en, "ed-1"); err != nil || c.Slug != "election-a-pontvieux" {
		t.Errorf("other language: %q, %v", c.Slug, err)
	}
	// An editor's slug that is taken is a conflict; nothing is stored.
	n := count(t, svc)
	in := editorial("Autre chose")
	in.Slug = "election-a-pontvieux"
	if _, err := svc.CreateArticleBy(ctx, in, "ed-1"); !errors.Is(err, content.ErrConflict) {
		t.Errorf("taken slug: %v", err)
	}
	in.Slug = "Not A Slug"
	var ve *fault.Error
	if _, err := svc.CreateArticleBy(ctx, in, "ed-1"); !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) || ve.Fields[0].Field != "slug" {
		t.Errorf("bad slug: %v", err)
	}
	if count(t, svc) != n {
		t.Errorf("a refused create stored something")
	}

	// Renaming keeps the old slug for a's redirect: nobody else gets it.
	newSlug := "pontvieux-vote"
	if _, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Slug: &newSlug}, 1, "ed-2"); err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateArticleBy(ctx, editorial("Élection à Pontvieux"), "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Slug != "election-a-pontvieux-3" {
		t.Errorf("after a rename, a new namesake got %q", c.Slug)
	}
	in.Slug = "election-a-pontvieux"
	if _, err := svc.CreateArticleBy(ctx, in, "ed-1"); !errors.Is(err, content.ErrConflict) {
		t.Errorf("an old slug was given away: %v", err)
	}
	if _, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: "election-a-pontvieux", Lang: "fr"}); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("a draft must not be live: %v", err)
	}
	// Back to the first slug: allowed, it is a's own.
	old := "election-a-pontvieux"
	if back, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Slug: &old}, 2, "ed-2"); err != nil || back.Slug != old {
		t.Errorf("back to the old slug: %v", err)
	}
	// And to the second again (its row in article_slugs is a's own).
	if _, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Slug: &newSlug}, 3, "ed-2"); err != nil {
		t.Errorf("forth again: %v", err)
	}
	// Another article may not take a's current or old slug.
	if _, err := svc.UpdateArticle(ctx, b.ID, content.ArticlePatch{Slug: &old}, 1, "ed-2"); !errors.Is(err, content.ErrConflict) {
		t.Errorf("b took a's old slug: %v", err)
	}
	if _, err := svc.UpdateArticle(ctx, b.ID, content.ArticlePatch{Slug: &newSlug}, 1, "ed-2"); !errors.Is(err, content.ErrConflict) {
		t.Errorf("b took a's slug: %v", err)
	}
}

func TestUpdateArticlePatch(t *testing.T) {
	t.Parallel()
	svc, clk := newService(t)
	ctx := context.Background()
	in := editorial("Titre")
	in.Standfirst = "Chapeau."
	in.Access = content.AccessSubscribers
	in.Body = longBody()
	pb := 2
	in.PreviewBreak = &pb
	a, err := svc.CreateArticleBy(ctx, in, "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(time.Minute))
	title := "Nouveau titre"
	b, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: &title}, 1, "ed-2")
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != title || b.Standfirst != "Chapeau." || b.Access != content.AccessSubscribers || b.Version != 2 ||
		b.PreviewBreak == nil || *b.PreviewBreak != 2 || !b.UpdatedAt.Equal(t0.Add(time.Minute)) || !b.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("after a title patch: %+v", b)
	}
	if string(b.Body.Blocks) != string(a.Body.Blocks) || b.Preview.Words != a.Preview.Words {
		t.Errorf("the body changed with the title")
	}
	// Clearing the break re-renders the preview by the word budget.
	c, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{ClearPreviewBreak: true}, 2, "ed-2")
	if err != nil {
		t.Fatal(err)
	}
	if c.PreviewBreak != nil || c.Preview.Words == b.Preview.Words {
		t.Errorf("preview break not cleared: %v, %d words", c.PreviewBreak, c.Preview.Words)
	}
	// A new body is rendered at write time.
	body := []blocks.Block{para("Court.")}
	d, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Body: &body}, 3, "ed-2")
	if err != nil {
		t.Fatal(err)
	}
	// The article is for subscribers: even one word is not shown whole.
	if d.Body.Text != "Court." || d.WordCount != 1 || !d.Truncated || d.Preview.Words != 0 {
		t.Errorf("body %q, %d words, truncated %v, %d shown", d.Body.Text, d.WordCount, d.Truncated, d.Preview.Words)
	}
	// Invalid patches store nothing.
	bad := 5
	empty := ""
	for name, p := range map[string]content.ArticlePatch{
		"break past the body": {PreviewBreak: &bad},
		"empty title":         {Title: &empty},
	} {
		if _, err := svc.UpdateArticle(ctx, a.ID, p, 4, "ed-2"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: &title}, 3, "ed-2"); !errors.Is(err, content.ErrStale) {
		t.Errorf("stale version: %v", err)
	}
	revs := revisions(t, svc, a.ID)
	if len(revs) != 4 || revs[0].Version != 4 || revs[3].Action != content.ActionCreate || revs[0].Editor != "ed-2" {
		t.Fatalf("revisions %+v", revs)
	}
	var snap struct {
		Title  string         `json:"title"`
		Blocks []blocks.Block `json:"blocks"`
	}
	if err := json.Unmarshal(revs[0].Snapshot, &snap); err != nil || snap.Title != title || len(snap.Blocks) != 1 {
		t.Errorf("snapshot %s: %v", revs[0].Snapshot, err)
	}
	if _, err := svc.UpdateArticle(ctx, "01JD3Q8V6K2M7T4X9R5B1N0C8E", content.ArticlePatch{Title: &title}, 1, "ed"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("unknown article: %v", err)
	}
}

// Of many editors saving from the same version at once, exactly one wins;
// the others store nothing, not even a revision.
func TestUpdateArticleRace(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	a, err := svc.CreateArticleBy(ctx, editorial("Course"), "ed-0")
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			title := "Titre " + string(rune('A'+i))
			_, errs[i] = svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: &title}, 1, "ed-"+string(rune('A'+i)))
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner == -1:
			winner = i
		case err == nil:
			t.Errorf("editors %d and %d both won", winner, i)
		case !errors.Is(err, content.ErrStale):
			t.Errorf("editor %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody won")
	}
	got, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Titre " + string(rune('A'+winner)); got.Title != want || got.Version != 2 {
		t.Errorf("stored %q v%d, want %q v2", got.Title, got.Version, want)
	}
	revs := revisions(t, svc, a.ID)
	if len(revs) != 2 || revs[0].Editor != "ed-"+string(rune('A'+winner)) {
		t.Errorf("revisions %+v", revs)
	}
}

// Saves that ask for no particular version (If-Match: * or none) all land,
// however many of them race on one article: the client set no
// precondition, so none of them may be refused as stale. Each lands on the
// version it read, and every one leaves its revision.
func TestUpdateArticleUnconditionalRace(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	a, err := svc.CreateArticleBy(ctx, editorial("Course"), "ed-0")
	if err != nil {
		t.Fatal(err)
	}
	const n = 32
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			title := fmt.Sprintf("Titre %d", i)
			_, errs[i] = svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Title: &title}, 0, fmt.Sprintf("ed-%d", i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("save %d without a precondition: %v", i, err)
		}
	}
	got, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1+n {
		t.Errorf("version %d after %d saves, want %d", got.Version, n, 1+n)
	}
	if revs := revisions(t, svc, a.ID); len(revs) != 1+n {
		t.Errorf("%d revisions after %d saves, want %d", len(revs), n, 1+n)
	}
}

func TestPublishingWorkflow(t *testing.T) {
	t.Parallel()
	svc, clk := newService(t)
	ctx := context.Background()
	var ve *fault.Error

	in := editorial("Programmé")
	in.Status = content.StatusScheduled
	past := t0.Add(-time.Hour)
	in.PublishAt = &past
	if _, err := svc.CreateArticleBy(ctx, in, "ed"); !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) || ve.Fields[0].Field != "publish_at" {
		t.Errorf("scheduled in the past: %v", err)
	}
	in.Status = content.StatusUnpublished
	in.PublishAt = nil
	if _, err := svc.CreateArticleBy(ctx, in, "ed"); !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) || ve.Fields[0].Field != "status" {
		t.Errorf("created unpublished: %v", err)
	}
	future := t0.Add(time.Hour)
	in.Status, in.PublishAt = content.StatusScheduled, &future
	a, err := svc.CreateArticleBy(ctx, in, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if a.Live(t0) || !a.Live(future) {
		t.Errorf("scheduled article live at the wrong time")
	}

	// Publish now: published_at is now, not the future schedule.
	clk.Set(t0.Add(time.Minute))
	b, err := svc.PublishArticle(ctx, a.ID, 1, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != content.StatusPublished || b.PublishedAt == nil || !b.PublishedAt.Equal(t0.Add(time.Minute)) || b.PublishAt != nil {
		t.Errorf("published: %+v", b)
	}
	// Unpublish keeps the date; publish again keeps it too.
	clk.Set(t0.Add(2 * time.Minute))
	c, err := svc.UnpublishArticle(ctx, a.ID, 2, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if c.Live(clk.Now()) || !c.PublishedAt.Equal(*b.PublishedAt) {
		t.Errorf("unpublished: %+v", c)
	}
	if _, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: a.ID}); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("unpublished article still live: %v", err)
	}
	d, err := svc.PublishArticle(ctx, a.ID, 3, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if !d.PublishedAt.Equal(*b.PublishedAt) {
		t.Errorf("republished at %v, want %v", d.PublishedAt, b.PublishedAt)
	}
	// Reschedule via a patch: into the future only.
	st := content.StatusScheduled
	if _, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Status: &st}, 4, "ed"); !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) || ve.Fields[0].Field != "publish_at" {
		t.Errorf("scheduled without a time: %v", err)
	}
	if _, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Status: &st, PublishAt: &past}, 4, "ed"); !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) {
		t.Errorf("rescheduled into the past: %v", err)
	}
	later := t0.Add(48 * time.Hour)
	e, err := svc.UpdateArticle(ctx, a.ID, content.ArticlePatch{Status: &st, PublishAt: &later}, 4, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if e.Live(clk.Now()) || !e.Live(later) {
		t.Errorf("rescheduled article: %+v", e)
	}
	actions := []string{}
	for _, r := range revisions(t, svc, a.ID) {
		actions = append(actions, r.Action)
	}
	if strings.Join(actions, ",") != "update,publish,unpublish,publish,create" {
		t.Errorf("actions %v", actions)
	}

	// Delete: gone with its revisions; a stale version is refused.
	if err := svc.DeleteArticle(ctx, a.ID, 4); !errors.Is(err, content.ErrStale) {
		t.Errorf("stale delete: %v", err)
	}
	if err := svc.DeleteArticle(ctx, a.ID, 5); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteArticle(ctx, a.ID, 0); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := svc.Revisions(ctx, a.ID, 10, 0); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("revisions of a deleted article: %v", err)
	}
}

func TestListArticlesAdmin(t *testing.T) {
	t.Parallel()
	svc, clk := newService(t)
	ctx := context.Background()
	var ids []string
	for i, title := range []string{"Alpha 100%", "Bravo_x", "alpha minuscule", "Charlie"} {
		clk.Set(t0.Add(time.Duration(i) * time.Second))
		in := editorial(title)
		if i%2 == 1 {
			in.Status = content.StatusPublished
		}
		a, err := svc.CreateArticleBy(ctx, in, "ed")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	list := func(f content.AdminFilter) []string {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 10
		}
		got, _, err := svc.ListArticles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, a := range got {
			if len(a.Body.Blocks) != 0 {
				t.Errorf("a list carries bodies")
			}
			out = append(out, a.ID)
		}
		return out
	}
	eq := func(name string, got, want []string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	eq("all, newest first", list(content.AdminFilter{}), []string{ids[3], ids[2], ids[1], ids[0]})
	eq("drafts", list(content.AdminFilter{Status: content.StatusDraft}), []string{ids[2], ids[0]})
	eq("q, any case", list(content.AdminFilter{Query: query(t, "ALPHA")}), []string{ids[2], ids[0]})
	eq("q with %", list(content.AdminFilter{Query: query(t, "100%")}), []string{ids[0]})
	eq("q, a prefix", list(content.AdminFilter{Query: query(t, "brav")}), []string{ids[1]})
	eq("q and status", list(content.AdminFilter{Query: query(t, "alpha"), Status: content.StatusDraft}), []string{ids[2], ids[0]})
	eq("q, nothing", list(content.AdminFilter{Query: query(t, "zulu")}), []string{})
	eq("other lang", list(content.AdminFilter{Lang: "en"}), []string{})
	eq("unknown section", list(content.AdminFilter{Section: "nope"}), []string{})

	// Pages: stable, no duplicates, even when an article is edited between.
	page, next, err := svc.ListArticles(ctx, content.AdminFilter{Limit: 3})
	if err != nil || len(page) != 3 || next == nil {
		t.Fatalf("page 1: %d, %v, %v", len(page), next, err)
	}
	title := "Edited"
	if _, err := svc.UpdateArticle(ctx, ids[0], content.ArticlePatch{Title: &title}, 1, "ed"); err != nil {
		t.Fatal(err)
	}
	page2, next2, err := svc.ListArticles(ctx, content.AdminFilter{Limit: 3, After: next})
	if err != nil || len(page2) != 1 || page2[0].ID != ids[0] || next2 != nil {
		t.Errorf("page 2: %v, %v, %v", page2, next2, err)
	}
}

// query parses q as the API does.
func query(t *testing.T, q string) *search.Query {
	t.Helper()
	sq, err := search.Parse(q, "")
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return &sq
}
