package content_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/internal/blocks"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/store/storetest"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

// clock is a settable clock for the service under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*content.Service, *clock) {
	t.Helper()
	clk := &clock{t: t0}
	svc := content.NewService(storetest.Open(t), content.Options{Now: clk.Now, PreviewWords: 30})
	return svc, clk
}

func para(s string) blocks.Block { return blocks.Block{Type: blocks.TypeParagraph, Text: s} }

// words returns a sentence-rich paragraph of n words.
func words(n int, seed string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s%d", seed, i)
		if i%10 == 9 {
			b.WriteByte('.')
		}
	}
	return b.String() + "."
}

func longBody() []blocks.Block {
	return []blocks.Block{
		para(words(20, "alpha")),
		para(words(20, "bravo")),
		{Type: blocks.TypeHeading, Level: 2, Text: "Later"},
		para(words(40, "charlie")),
		para(words(40, "delta")),
	}
}

func validInput(slug string) content.ArticleInput {
	return content.ArticleInput{
		Lang: "en", Slug: slug, Title: "A title", Access: content.AccessPublic,
		Status: content.StatusPublished, Body: []blocks.Block{para("Hello world.")},
	}
}

func count(t *testing.T, svc *content.Service) int64 {
	t.Helper()
	n, err := svc.CountArticles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateArticleValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	zero, two := 0, 2
	cases := []struct {
		name   string
		edit   func(*content.ArticleInput)
		fields []string
	}{
		{"empty lang", func(in *content.ArticleInput) { in.Lang = "" }, []string{"lang"}},
		{"upper-case lang", func(in *content.ArticleInput) { in.Lang = "EN" }, []string{"lang"}},
		{"long lang", func(in *content.ArticleInput) { in.Lang = "eng" }, []string{"lang"}},
		{"empty slug", func(in *content.ArticleInput) { in.Slug = "" }, []string{"slug"}},
		{"upper-case slug", func(in *content.ArticleInput) { in.Slug = "Hello" }, []string{"slug"}},
		{"slug with space", func(in *content.ArticleInput) { in.Slug = "a b" }, []string{"slug"}},
		{"slug with slash", func(in *content.ArticleInput) { in.Slug = "a/b" }, []string{"slug"}},
		{"slug leading dash", func(in *content.ArticleInput) { in.Slug = "-a" }, []string{"slug"}},
		{"slug trailing dash", func(in *content.ArticleInput) { in.Slug = "a-" }, []string{"slug"}},
		{"slug accented", func(in *content.ArticleInput) { in.Slug = "été" }, []string{"slug"}},
		{"slug too long", func(in *content.ArticleInput) { in.Slug = strings.Repeat("a", 201) }, []string{"slug"}},
		{"empty title", func(in *content.ArticleInput) { in.Title = "" }, []string{"title"}},
		{"blank title", func(in *content.ArticleInput) { in.Title = " \t\n" }, []string{"title"}},
		{"title of forbidden characters only", func(in *content.ArticleInput) { in.Title = "\x03\x1b\uFFFE" }, []string{"title"}},
		{"bad access", func(in *content.ArticleInput) { in.Access = "premium" }, []string{"access"}},
		{"empty access", func(in *content.ArticleInput) { in.Access = "" }, []string{"access"}},
		{"bad status", func(in *content.ArticleInput) { in.Status = "live" }, []string{"status"}},
		{"scheduled without publish_at", func(in *content.ArticleInput) { in.Status = content.StatusScheduled }, []string{"publish_at"}},
		{"preview_break zero", func(in *content.ArticleInput) { in.PreviewBreak = &zero }, []string{"preview_break"}},
		{"preview_break past the body", func(in *content.ArticleInput) { in.PreviewBreak = &two }, []string{"preview_break"}},
		{"source url relative", func(in *content.ArticleInput) { in.Source = content.Source{Name: "X", URL: "/x"} }, []string{"source.url"}},
		{"source url javascript", func(in *content.ArticleInput) { in.Source = content.Source{URL: "javascript:alert(1)"} }, []string{"source.url"}},
		{"source url ftp", func(in *content.ArticleInput) { in.Source = content.Source{URL: "ftp://x.example/a"} }, []string{"source.url"}},
		{"empty paragraph", func(in *content.ArticleInput) { in.Body = []blocks.Block{para("ok"), para("  ")} }, []string{"body.blocks[1].text"}},
		{"unknown block", func(in *content.ArticleInput) { in.Body = []blocks.Block{{Type: "marquee", Text: "x"}} }, []string{"body.blocks[0].type"}},
		{"heading level", func(in *content.ArticleInput) {
			in.Body = []blocks.Block{{Type: blocks.TypeHeading, Text: "x", Level: 1}}
		}, []string{"body.blocks[0].level"}},
		{"several at once", func(in *content.ArticleInput) {
			in.Lang, in.Slug, in.Title, in.Access, in.Status = "x", "X", "", "y", "z"
		}, []string{"lang", "slug", "title", "access", "status"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := count(t, svc)
			in := validInput("valid-slug")
			tc.edit(&in)
			a, err := svc.CreateArticle(ctx, in)
			if err == nil {
				t.Fatalf("created %s", a.ID)
			}
			var ve *fault.Error
			if !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) {
				t.Fatalf("error %T %v is not an invalid fault", err, err)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
				if f.Message == "" {
					t.Errorf("field %s: no message", f.Field)
				}
			}
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields = %q, want %q", got, tc.fields)
			}
			if after := count(t, svc); after != before {
				t.Errorf("articles: %d before, %d after", before, after)
			}
		})
	}
	// The control: the valid input is stored.
	if _, err := svc.CreateArticle(ctx, validInput("valid-slug")); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	if n := count(t, svc); n != 1 {
		t.Errorf("%d articles, want 1", n)
	}
}

func TestCreateArticleDuplicateSlug(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	first, err := svc.CreateArticle(ctx, validInput("same-slug"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateArticle(ctx, validInput("same-slug"))
	if !errors.Is(err, content.ErrConflict) {
		t.Fatalf("duplicate slug: err = %v, want ErrConflict", err)
	}
	var ve *fault.Error
	if errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid) {
		t.Error("a conflict is not a validation error")
	}
	if n := count(t, svc); n != 1 {
		t.Errorf("%d articles after the conflict", n)
	}
	fr := validInput("same-slug")
	fr.Lang, fr.TranslationKey = "fr", first.TranslationKey
	second, err := svc.CreateArticle(ctx, fr)
	if err != nil {
		t.Fatalf("same slug in another language: %v", err)
	}
	if second.ID == first.ID {
		t.Error("same ID")
	}
	if first.TranslationKey != first.ID || second.TranslationKey != first.ID {
		t.Errorf("translation keys: %q %q, want %q", first.TranslationKey, second.TranslationKey, first.ID)
	}
	// Each language finds its own.
	for lang, id := range map[string]string{"en": first.ID, "fr": second.ID} {
		a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: "same-slug", Lang: lang})
		if err != nil || a.ID != id {
			t.Errorf("%s: got %s (%v), want %s", lang, a.ID, err, id)
		}
	}
	tr, err := svc.Translations(ctx, first)
	if err != nil || len(tr) != 1 || tr[0].ID != second.ID || tr[0].Lang != "fr" {
		t.Errorf("translations = %+v, %v", tr, err)
	}
}

func TestCreateArticleRendersAtWriteTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	body := longBody()
	cases := []struct {
		slug      string
		access    content.Access
		body      []blocks.Block
		truncated bool
		paywalled bool
	}{
		{"long-subscribers", content.AccessSubscribers, body, true, true},
		{"long-registered", content.AccessRegistered, body, true, true},
		{"long-public", content.AccessPublic, body, true, false},
		// However short, a paywalled article's preview leaves something out.
		{"short-subscribers", content.AccessSubscribers, []blocks.Block{para("Just a few words.")}, true, true},
		{"short-public", content.AccessPublic, []blocks.Block{para("Just a few words.")}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.slug, func(t *testing.T) {
			in := validInput(tc.slug)
			in.Access, in.Body = tc.access, tc.body
			a, err := svc.CreateArticle(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			// What was returned, and what a read gets back from the database.
			stored, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: a.ID})
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]content.Article{"returned": a, "stored": stored} {
				wantWords := blocks.Words(tc.body)
				if got.Body.HTML == "" || got.Body.Text == "" || len(got.Body.Blocks) == 0 {
					t.Errorf("%s: body not rendered: %+v", name, got.Body)
				}
				if got.WordCount != wantWords || got.Body.Words != wantWords {
					t.Errorf("%s: word count %d / %d, want %d", name, got.WordCount, got.Body.Words, wantWords)
				}
				if got.ReadingMinutes != blocks.ReadingMinutes(wantWords) {
					t.Errorf("%s: reading minutes %d", name, got.ReadingMinutes)
				}
				if got.Truncated != tc.truncated {
					t.Errorf("%s: truncated = %v, want %v", name, got.Truncated, tc.truncated)
				}
				if tc.truncated {
					if got.Preview.Words >= got.WordCount || len(got.Preview.Text) >= len(got.Body.Text) || got.Preview.Words == 0 {
						t.Errorf("%s: preview %d words (%d bytes) vs body %d words (%d bytes)",
							name, got.Preview.Words, len(got.Preview.Text), got.WordCount, len(got.Body.Text))
					}
					if got.Preview.Words > 30 {
						t.Errorf("%s: preview of %d words exceeds the budget of 30", name, got.Preview.Words)
					}
					if strings.Contains(got.Preview.HTML, "delta") || strings.Contains(got.Preview.Text, "delta") {
						t.Errorf("%s: the preview holds text from past the cut", name)
					}
				} else if got.Preview.Text != got.Body.Text {
					t.Errorf("%s: untruncated preview differs from the body", name)
				}
				if has := strings.Contains(got.Body.HTML, `class="paywalled"`); has != tc.paywalled {
					t.Errorf("%s: paywalled marker = %v, want %v\n%s", name, has, tc.paywalled, got.Body.HTML)
				}
				if strings.Contains(got.Preview.HTML, "paywalled") {
					t.Errorf("%s: the preview carries the paywall marker", name)
				}
				var bs []blocks.Block
				if err := json.Unmarshal(got.Body.Blocks, &bs); err != nil || len(bs) != len(tc.body) {
					t.Errorf("%s: body blocks %d (%v)", name, len(bs), err)
				}
			}
			if !stored.PublishedAt.Equal(t0) || stored.Version != 1 || !stored.CreatedAt.Equal(t0) {
				t.Errorf("stored times: published %v created %v version %d", stored.PublishedAt, stored.CreatedAt, stored.Version)
			}
		})
	}

	// An editor's break wins over the budget.
	in := validInput("with-break")
	brk := 1
	in.Access, in.Body, in.PreviewBreak = content.AccessSubscribers, body, &brk
	a, err := svc.CreateArticle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Truncated || a.Preview.Words != blocks.Words(body[:1]) {
		t.Errorf("preview_break 1: truncated %v, %d words", a.Truncated, a.Preview.Words)
	}
}

func TestLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk := newService(t)
	soon := t0.Add(time.Hour)
	mk := func(slug string, st content.Status, at *time.Time) content.Article {
		in := validInput(slug)
		in.Status, in.PublishAt = st, at
		a, err := svc.CreateArticle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	published := mk("published", content.StatusPublished, nil)
	scheduled := mk("scheduled", content.StatusScheduled, &soon)
	draft := mk("draft", content.StatusDraft, nil)
	draftDated := mk("draft-dated", content.StatusDraft, &soon)
	unpublished := mk("unpublished", content.StatusUnpublished, nil)
	past := t0.Add(-time.Hour)
	backdated := mk("backdated", content.StatusPublished, &past)
	future := t0.Add(48 * time.Hour)
	embargoed := mk("embargoed", content.StatusPublished, &future)

	if scheduled.PublishAt == nil || !scheduled.PublishAt.Equal(soon) || !scheduled.PublishedAt.Equal(soon) {
		t.Errorf("scheduled times: %v %v", scheduled.PublishAt, scheduled.PublishedAt)
	}
	if draft.PublishedAt != nil || unpublished.PublishedAt != nil {
		t.Error("a draft or unpublished article has a publication time")
	}

	check := func(when string, want map[string]bool) {
		t.Helper()
		now := clk.Now()
		for _, a := range []content.Article{published, scheduled, draft, draftDated, unpublished, backdated, embargoed} {
			if got := a.Live(now); got != want[a.Slug] {
				t.Errorf("%s: %s.Live = %v, want %v", when, a.Slug, got, want[a.Slug])
			}
			_, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: a.Slug, Lang: "en"})
			if want[a.Slug] && err != nil {
				t.Errorf("%s: LiveArticle(%s): %v", when, a.Slug, err)
			}
			if !want[a.Slug] && !errors.Is(err, content.ErrNotFound) {
				t.Errorf("%s: LiveArticle(%s): err = %v, want ErrNotFound", when, a.Slug, err)
			}
		}
		list, _, err := svc.ListLive(ctx, content.ListFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range list {
			got = append(got, a.Slug)
		}
		for slug, live := range want {
			if slices.Contains(got, slug) != live {
				t.Errorf("%s: ListLive has %s = %v, want %v (list %v)", when, slug, !live, live, got)
			}
		}
	}
	check("now", map[string]bool{"published": true, "backdated": true})
	clk.Set(soon.Add(-time.Microsecond))
	check("just before", map[string]bool{"published": true, "backdated": true})
	clk.Set(soon)
	check("at the time", map[string]bool{"published": true, "backdated": true, "scheduled": true})
	clk.Set(t0.Add(72 * time.Hour))
	check("later", map[string]bool{"published": true, "backdated": true, "scheduled": true, "embargoed": true})

	// Live on values, without a database.
	at := t0
	for _, c := range []struct {
		a    content.Article
		want bool
	}{
		{content.Article{Status: content.StatusPublished, PublishedAt: &at}, true},
		{content.Article{Status: content.StatusScheduled, PublishedAt: &at}, true},
		{content.Article{Status: content.StatusPublished}, false},
		{content.Article{Status: content.StatusDraft, PublishedAt: &at}, false},
		{content.Article{Status: content.StatusUnpublished, PublishedAt: &at}, false},
		{content.Article{Status: "", PublishedAt: &at}, false},
	} {
		if got := c.a.Live(t0.Add(time.Second)); got != c.want {
			t.Errorf("Live(%s, %v) = %v", c.a.Status, c.a.PublishedAt, got)
		}
	}
}

func TestListLiveKeysetTies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	same := t0.Add(-time.Hour).Add(123456 * time.Microsecond)
	older := same.Add(-time.Minute)
	newer := same.Add(time.Minute)
	var tied []string
	mk := func(slug string, at time.Time) string {
		in := validInput(slug)
		in.PublishAt = &at
		a, err := svc.CreateArticle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	newest := mk("newest", newer)
	for i := range 5 {
		tied = append(tied, mk(fmt.Sprintf("tied-%d", i), same))
	}
	oldest := mk("oldest", older)
	tied = append(tied, mk("also-tied", same))
	// A draft at the same time must not appear.
	in := validInput("real-draft")
	in.Status, in.PublishAt = content.StatusDraft, &same
	if _, err := svc.CreateArticle(ctx, in); err != nil {
		t.Fatal(err)
	}

	var all []content.Article
	var cur *content.Cursor
	for page := 0; ; page++ {
		if page > 20 {
			t.Fatal("pagination does not end")
		}
		list, next, err := svc.ListLive(ctx, content.ListFilter{Limit: 2, After: cur})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 2 {
			t.Fatalf("page %d has %d items", page, len(list))
		}
		if next != nil && len(list) != 2 {
			t.Fatalf("page %d: a next cursor after a short page", page)
		}
		for _, a := range list {
			if len(a.Body.HTML) != 0 || len(a.Body.Blocks) != 0 {
				t.Errorf("a list summary carries the body")
			}
		}
		all = append(all, list...)
		if next == nil {
			break
		}
		cur = next
	}
	var ids []string
	seen := map[string]int{}
	for _, a := range all {
		ids = append(ids, a.ID)
		seen[a.ID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", id, n)
		}
	}
	if len(all) != 8 {
		t.Fatalf("%d articles listed, want 8 (newest, 6 tied, oldest)", len(all))
	}
	// Newest first; within the tie, by id descending.
	if ids[0] != newest || ids[len(ids)-1] != oldest {
		t.Errorf("order: first %s last %s", ids[0], ids[len(ids)-1])
	}
	tiedGot := ids[1:7]
	for i := 1; i < len(tiedGot); i++ {
		if tiedGot[i] >= tiedGot[i-1] {
			t.Errorf("tie not ordered by id desc: %v", tiedGot)
			break
		}
	}
	for _, id := range tied {
		if !slices.Contains(tiedGot, id) {
			t.Errorf("tied article %s missing from %v", id, tiedGot)
		}
	}
	for i, a := range all[1:7] {
		if !a.PublishedAt.Equal(same) {
			t.Errorf("tied %d: published_at %v, want %v", i, a.PublishedAt, same)
		}
	}

	// Filters: language.
	fr := validInput("en-francais")
	fr.Lang = "fr"
	if _, err := svc.CreateArticle(ctx, fr); err != nil {
		t.Fatal(err)
	}
	list, _, err := svc.ListLive(ctx, content.ListFilter{Limit: 50, Lang: "fr"})
	if err != nil || len(list) != 1 || list[0].Slug != "en-francais" {
		t.Errorf("lang filter: %d items, %v", len(list), err)
	}
	if _, _, err := svc.ListLive(ctx, content.ListFilter{}); err == nil {
		t.Error("limit 0 accepted")
	}
}

func TestSectionTree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk := newService(t)
	mk := func(slug, parent string) content.Section {
		s, err := svc.CreateSection(ctx, content.Section{Slug: slug, ParentID: parent, Names: map[string]string{"en": strings.ToUpper(slug)}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	politics := mk("politics", "")
	world := mk("world", politics.ID)
	diplomacy := mk("diplomacy", world.ID)
	elections := mk("elections", politics.ID)
	sport := mk("sport", "")
	football := mk("football", sport.ID)

	ids, err := svc.SectionTree(ctx, "politics")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{politics.ID, world.ID, diplomacy.ID, elections.ID}
	if ids[0] != politics.ID || !sameSet(ids, want) {
		t.Errorf("politics tree = %v, want %v (root first)", ids, want)
	}
	if ids, _ := svc.SectionTree(ctx, "world"); !sameSet(ids, []string{world.ID, diplomacy.ID}) {
		t.Errorf("world tree = %v", ids)
	}
	if ids, _ := svc.SectionTree(ctx, "diplomacy"); !sameSet(ids, []string{diplomacy.ID}) {
		t.Errorf("leaf tree = %v", ids)
	}
	if ids, _ := svc.SectionTree(ctx, "sport"); !sameSet(ids, []string{sport.ID, football.ID}) {
		t.Errorf("sport tree = %v", ids)
	}
	if _, err := svc.SectionTree(ctx, "nope"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("unknown section: %v", err)
	}
	// A section created after the cache was filled is found.
	clk.Set(clk.Now().Add(time.Second))
	fifa := mk("fifa", football.ID)
	if ids, _ := svc.SectionTree(ctx, "sport"); !sameSet(ids, []string{sport.ID, football.ID, fifa.ID}) {
		t.Errorf("sport tree after a new section = %v", ids)
	}
	crumb, err := svc.Breadcrumb(ctx, diplomacy.ID)
	if err != nil || len(crumb) != 3 || crumb[0].ID != politics.ID || crumb[2].ID != diplomacy.ID {
		t.Errorf("breadcrumb = %+v, %v", crumb, err)
	}
	// The list filter by section tree finds articles in descendants.
	in := validInput("in-diplomacy")
	in.SectionID = diplomacy.ID
	if _, err := svc.CreateArticle(ctx, in); err != nil {
		t.Fatal(err)
	}
	list, _, err := svc.ListLive(ctx, content.ListFilter{Limit: 10, Section: "politics"})
	if err != nil || len(list) != 1 || list[0].SectionID != diplomacy.ID {
		t.Errorf("list by politics tree: %d items, %v", len(list), err)
	}
	if list, _, _ := svc.ListLive(ctx, content.ListFilter{Limit: 10, Section: "sport"}); len(list) != 0 {
		t.Errorf("list by sport tree: %d items", len(list))
	}
	// A slug that names nothing matches nothing, without an error.
	for _, f := range []content.ListFilter{{Limit: 10, Section: "nope"}, {Limit: 10, Tag: "nope"}, {Limit: 10, Author: "nope"}} {
		if list, next, err := svc.ListLive(ctx, f); err != nil || len(list) != 0 || next != nil {
			t.Errorf("filter %+v: %d items, %v", f, len(list), err)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestIsID(t *testing.T) {
	t.Parallel()
	id := content.NewID()
	for _, s := range []string{id, ulid.Make().String(), "01ARZ3NDEKTSV4RRFFQ69G5FAV", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"} {
		if !content.IsID(s) {
			t.Errorf("IsID(%q) = false", s)
		}
	}
	for _, s := range []string{
		strings.ToLower(id), "01arz3ndektsv4rrffq69g5fav", "01ARZ3NDEKTSV4RRFFQ69g5FAV",
		"hello-world", "", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVX",
		"01ARZ3NDEKTSV4RRFFQ69G5FA-", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "01ARZ3NDEKTSV4RRFFQ69G5FAU", // U is not Crockford
		"01ARZ3NDEKTSV4RRFFQ69G5FAÉ",
	} {
		if content.IsID(s) {
			t.Errorf("IsID(%q) = true", s)
		}
	}
	// A slug made of 26 upper-case-free characters is never an ID.
	if content.IsID("abcdefghijklmnopqrstuvwxyz") {
		t.Error("a 26-letter slug is an ID")
	}
}

// TestCreateArticles: a batch is stored in one transaction, rendered as
// CreateArticle renders, in order; an invalid article, a duplicate slug or
// an unknown tag anywhere in it stores none of it.
func TestCreateArticles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	tag, err := svc.CreateTag(ctx, content.Tag{Slug: "water", Name: "Water", Kind: content.TagTopic})
	if err != nil {
		t.Fatal(err)
	}
	long := validInput("long")
	long.Access, long.Body = content.AccessSubscribers, longBody()
	long.TagIDs = []string{tag.ID}

	bad := validInput("bad")
	bad.Title = " "
	dup := validInput("one")
	unknown := validInput("unknown-tag")
	unknown.TagIDs = []string{content.NewID()}
	for name, c := range map[string]struct {
		in   content.ArticleInput
		want error
	}{"invalid": {bad, fault.ErrInvalid}, "duplicate": {dup, content.ErrConflict}, "unknown tag": {unknown, nil}} {
		_, err := svc.CreateArticles(ctx, []content.ArticleInput{validInput("one"), c.in, validInput("two")})
		if err == nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
		if n := count(t, svc); n != 0 {
			t.Errorf("%s: %d articles stored", name, n)
		}
	}

	gen := svc.Generation()
	list, err := svc.CreateArticles(ctx, []content.ArticleInput{validInput("one"), long, validInput("two")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Slug != "one" || list[1].Slug != "long" || list[2].Slug != "two" {
		t.Fatalf("returned %+v", list)
	}
	if n := count(t, svc); n != 3 || svc.Generation() == gen {
		t.Errorf("%d articles, generation %d → %d", n, gen, svc.Generation())
	}
	one, err := svc.CreateArticle(ctx, validInput("single"))
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: "long", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != list[1].ID || !a.Truncated || a.WordCount != list[1].WordCount || a.Body.HTML == "" || len(a.Tags) != 1 || a.Tags[0].ID != tag.ID {
		t.Errorf("stored: %+v", a)
	}
	if list[0].Body.HTML != one.Body.HTML || list[0].WordCount != one.WordCount {
		t.Errorf("a batch renders otherwise than CreateArticle: %q %q", list[0].Body.HTML, one.Body.HTML)
	}
}
