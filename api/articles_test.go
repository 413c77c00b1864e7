package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/blocks"
	"masthead/internal/content"
)

// listAll fetches /v1/articles?<query> with limit=100 and returns its items.
func listAll(t *testing.T, a *apitest.App, query string) []summary {
	t.Helper()
	r := a.Get("/v1/articles?limit=100&"+query, "")
	mustStatus(t, r, http.StatusOK, "list "+query)
	var p summaryPage
	r.JSON(t, &p)
	if p.NextCursor != nil {
		t.Fatalf("list %s: unexpected next page", query)
	}
	return p.Data
}

func idsOf(a *apitest.App, refs []string) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, a.Article(r).ID)
	}
	sort.Strings(out)
	return out
}

func sortedIDs(items []summary) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.ID)
	}
	sort.Strings(out)
	return out
}

// checkNewestFirst asserts the order is published_at DESC, id DESC.
func checkNewestFirst(t *testing.T, items []summary) {
	t.Helper()
	for i := 1; i < len(items); i++ {
		p, q := items[i-1], items[i]
		tp, err1 := time.Parse(time.RFC3339Nano, p.PublishedAt)
		tq, err2 := time.Parse(time.RFC3339Nano, q.PublishedAt)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad published_at %q / %q", p.PublishedAt, q.PublishedAt)
		}
		if tp.Before(tq) || tp.Equal(tq) && p.ID < q.ID {
			t.Errorf("order: %s (%s) before %s (%s)", p.Slug, p.PublishedAt, q.Slug, q.PublishedAt)
		}
	}
}

func TestListArticles(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)

	t.Run("all live, newest first", func(t *testing.T) {
		r := a.Get("/v1/articles?limit=100", "")
		mustStatus(t, r, http.StatusOK, "list")
		for _, s := range []string{draftTitle, scheduledTitle, a.Article(draftRef).ID, a.Article(scheduledRef).ID} {
			if strings.Contains(string(r.Body), s) {
				t.Errorf("list shows %q", s)
			}
		}
		var p summaryPage
		r.JSON(t, &p)
		if got, want := sortedIDs(p.Data), idsOf(a, liveRefs); !slices.Equal(got, want) {
			t.Errorf("ids %v, want %v", got, want)
		}
		checkNewestFirst(t, p.Data)
		// "border" and "nighttrain" share AgeHours 72: the id breaks the tie.
		if len(p.Data) > 0 && p.Data[0].ID != a.Article("wells").ID {
			t.Errorf("first is %s, want the newest, wells", p.Data[0].Slug)
		}
		if last := p.Data[len(p.Data)-1]; last.ID != a.Article("lanternes").ID {
			t.Errorf("last is %s, want the oldest, lanternes", last.Slug)
		}
	})

	// Expected members written from content.go: Section, Tags, Authors, Lang.
	filters := []struct {
		query string
		refs  []string
	}{
		{"section=politique", []string{"summit-fr", "summit-en", "budget", "municipales", "border"}}, // diplomatie is a child
		{"section=diplomatie", []string{"summit-fr", "summit-en", "border"}},
		{"section=societe", []string{"wells", "hospital"}}, // environnement is a child; census is scheduled
		{"section=environnement", []string{"wells"}},       // draft-dikes is a draft
		{"tag=eau", []string{"summit-fr", "summit-en", "wells"}},
		{"tag=transports", []string{"ferry", "border", "nighttrain"}},
		{"author=nadia-ferreira", []string{"wells", "hospital", "municipales", "lanternes"}},
		{"author=jonas-ekdahl", []string{"summit-en", "ferry", "border", "nighttrain"}},
		{"lang=fr", []string{"summit-fr", "wells", "hospital", "municipales", "lanternes"}},
		{"lang=en", []string{"summit-en", "budget", "ferry", "border", "nighttrain"}},
		{"section=economie&lang=en", []string{"ferry", "nighttrain"}},
		{"tag=equimont&author=lea-morvand&lang=fr", []string{"summit-fr", "municipales"}},
		{"section=nope", nil},
		{"tag=nope", nil},
		{"author=nope", nil},
		{"lang=de", nil},
		{"section=culture&tag=eau", nil},
	}
	for _, f := range filters {
		t.Run(f.query, func(t *testing.T) {
			items := listAll(t, a, f.query)
			if got, want := sortedIDs(items), idsOf(a, f.refs); !slices.Equal(got, want) {
				t.Errorf("got %d items %v, want %v", len(items), got, want)
			}
			checkNewestFirst(t, items)
		})
	}

	t.Run("fields=title", func(t *testing.T) {
		r := a.Get("/v1/articles?fields=title", "")
		mustStatus(t, r, http.StatusOK, "fields")
		var p struct {
			Data []map[string]any `json:"data"`
		}
		r.JSON(t, &p)
		if len(p.Data) != len(liveRefs) {
			t.Fatalf("%d items, want %d", len(p.Data), len(liveRefs))
		}
		for _, it := range p.Data {
			if len(it) != 2 || it["id"] == nil || it["title"] == nil {
				t.Errorf("item keeps %v, want only id and title", it)
			}
		}
	})

	comments := a.Get("/v1/articles/"+a.Article("summit-fr").ID+"/comments?limit=1", "")
	mustStatus(t, comments, http.StatusOK, "comments")
	var cp struct {
		NextCursor *string `json:"next_cursor"`
	}
	comments.JSON(t, &cp)
	if cp.NextCursor == nil {
		t.Fatal("comments page 1 has no next cursor")
	}
	page := a.Get("/v1/articles?limit=3", "")
	var p1 summaryPage
	page.JSON(t, &p1)
	if p1.NextCursor == nil {
		t.Fatal("no next cursor with limit=3")
	}
	real := *p1.NextCursor
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	bad := []apitest.Scenario{}
	for _, q := range []string{"limit=0", "limit=101", "limit=abc", "limit=-1", "limit=1.5", "limit=",
		"cursor=garbage", "cursor=" + flip(real, 3), "cursor=" + flip(real, len(real)/2), "cursor=" + flip(real, len(real)-1),
		"cursor=" + real[:len(real)-2], "cursor=" + url.QueryEscape(*cp.NextCursor),
		"cursor=" + strings.Repeat("A", 5000), "fields=bogus", "fields=title,body", "lang=french", "lang=FR"} {
		if q == "limit=" {
			continue // an empty limit is the default
		}
		bad = append(bad, apitest.Scenario{Name: q, Path: "/v1/articles?" + q, WantStatus: http.StatusBadRequest, WantCode: "bad_request"})
	}
	apitest.RunShared(t, a, bad)
}

func TestListArticlesPagination(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	walk := func(t *testing.T, between func(page int)) []summary {
		var all []summary
		path := "/v1/articles?limit=3"
		for page := 0; page < 20; page++ {
			r := a.Get(path, "")
			mustStatus(t, r, http.StatusOK, path)
			var p summaryPage
			r.JSON(t, &p)
			if len(p.Data) > 3 {
				t.Fatalf("page of %d items with limit=3", len(p.Data))
			}
			all = append(all, p.Data...)
			if p.NextCursor == nil {
				return all
			}
			if between != nil {
				between(page)
			}
			path = "/v1/articles?limit=3&cursor=" + url.QueryEscape(*p.NextCursor)
		}
		t.Fatal("more than 20 pages")
		return nil
	}
	checkOnce := func(t *testing.T, all []summary, want []string) {
		t.Helper()
		seen := map[string]int{}
		for _, s := range all {
			seen[s.ID]++
			if seen[s.ID] > 1 {
				t.Errorf("%s served twice", s.Slug)
			}
		}
		if got := sortedIDs(all); !slices.Equal(got, want) {
			t.Errorf("walk served %v, want %v", got, want)
		}
		checkNewestFirst(t, all)
	}

	t.Run("walk", func(t *testing.T) {
		all := walk(t, nil)
		checkOnce(t, all, idsOf(a, liveRefs))
		if len(all) != 10 {
			t.Errorf("%d items, want 10", len(all))
		}
	})

	t.Run("publishing while walking", func(t *testing.T) {
		var fresh []string
		all := walk(t, func(page int) {
			if page > 1 {
				return
			}
			// A story published now is newer than every page already
			// served: it must not shift the older items into a
			// duplicate or a skip.
			art, err := a.Content.CreateArticle(context.Background(), content.ArticleInput{
				Lang: "en", Slug: fmt.Sprintf("breaking-%d", page), Title: fmt.Sprintf("Breaking %d", page),
				Access: content.AccessPublic, Status: content.StatusPublished,
				Body: []blocks.Block{{Type: "paragraph", Text: "A breaking story published while a client pages."}},
			})
			if err != nil {
				t.Fatal(err)
			}
			fresh = append(fresh, art.ID)
		})
		checkOnce(t, all, idsOf(a, liveRefs))
		if len(fresh) != 2 {
			t.Fatalf("published %d articles, want 2", len(fresh))
		}
		// A new walk sees them first.
		again := listAll(t, a, "")
		if len(again) != 12 || !slices.Contains(fresh, again[0].ID) || !slices.Contains(fresh, again[1].ID) {
			t.Errorf("after publishing, list starts %v", again[:2])
		}
	})
}

func TestGetArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	fr, en := a.Article("summit-fr"), a.Article("summit-en")
	draft, sched := a.Article(draftRef), a.Article(scheduledRef)

	// An old slug of summit-fr, as a rename would have left it.
	const oldSlug = "ancien-sommet-vallee"
	if err := a.DB.Write(context.Background()).Exec(
		"INSERT INTO article_slugs (lang, slug, article_id, created_at) VALUES (?, ?, ?, ?)",
		"fr", oldSlug, fr.ID, a.Clock.Now()).Error; err != nil {
		t.Fatal(err)
	}

	get := func(t *testing.T, path string) article {
		t.Helper()
		r := a.Get(path, "")
		mustStatus(t, r, http.StatusOK, path)
		var art article
		r.JSON(t, &art)
		return art
	}

	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "by id", Path: "/v1/articles/" + fr.ID, WantStatus: 200, WantContains: []string{`"slug":"sommet-de-la-vallee"`}},
		{Name: "by slug", Path: "/v1/articles/valley-summit", WantStatus: 200, WantContains: []string{`"id":"` + en.ID + `"`}},
		{Name: "by slug and lang", Path: "/v1/articles/valley-summit?lang=en", WantStatus: 200, WantContains: []string{`"id":"` + en.ID + `"`}},
		{Name: "slug in another lang", Path: "/v1/articles/valley-summit?lang=fr", WantStatus: 404, WantCode: "not_found"},
		{Name: "unknown slug", Path: "/v1/articles/no-such-story", WantStatus: 404, WantCode: "not_found"},
		{Name: "unknown id", Path: "/v1/articles/" + content.NewID(), WantStatus: 404, WantCode: "not_found"},
		{Name: "bad slug upper", Path: "/v1/articles/Sommet_De_La_Vallee", WantStatus: 404, WantCode: "not_found"},
		{Name: "bad slug quote", Path: "/v1/articles/" + url.PathEscape("x' OR '1'='1"), WantStatus: 404, WantCode: "not_found"},
		{Name: "bad slug unicode", Path: "/v1/articles/" + url.PathEscape("été"), WantStatus: 404, WantCode: "not_found"},
		{Name: "bad slug long", Path: "/v1/articles/" + strings.Repeat("a", 300), WantStatus: 404, WantCode: "not_found"},
		{Name: "bad slug percent", Path: "/v1/articles/%25", WantStatus: 404, WantCode: "not_found"},
		{Name: "draft by id", Path: "/v1/articles/" + draft.ID, WantStatus: 404, WantCode: "not_found", WantNotContains: []string{draftTitle}},
		{Name: "draft by slug", Path: "/v1/articles/" + draft.Slug, WantStatus: 404, WantCode: "not_found", WantNotContains: []string{draftTitle}},
		{Name: "scheduled by id", Path: "/v1/articles/" + sched.ID, WantStatus: 404, WantCode: "not_found", WantNotContains: []string{scheduledTitle}},
		{Name: "scheduled by slug", Path: "/v1/articles/" + sched.Slug, WantStatus: 404, WantCode: "not_found", WantNotContains: []string{scheduledTitle}},
		{Name: "scheduled by slug as editor", Path: "/v1/articles/" + sched.Slug, Token: apitest.As("editor"), WantStatus: 404, WantCode: "not_found"},
		{Name: "format bogus", Path: "/v1/articles/" + fr.Slug + "?format=bogus", WantStatus: 400, WantCode: "bad_request"},
		{Name: "format empty list", Path: "/v1/articles/" + fr.Slug + "?format=,", WantStatus: 400, WantCode: "bad_request"},
		{Name: "fields bogus", Path: "/v1/articles/" + fr.Slug + "?fields=bogus", WantStatus: 400, WantCode: "bad_request"},
		{Name: "lang bogus", Path: "/v1/articles/" + fr.Slug + "?lang=fra", WantStatus: 400, WantCode: "bad_request"},
		{
			Name: "old slug redirects", Path: "/v1/articles/" + oldSlug, WantStatus: http.StatusMovedPermanently,
			WantHeaders: map[string]string{"Location": "/v1/articles/sommet-de-la-vallee?lang=fr"},
		},
		{
			Name: "old slug keeps the query", Path: "/v1/articles/" + oldSlug + "?lang=fr&format=text", WantStatus: http.StatusMovedPermanently,
			Check: func(t *testing.T, a *apitest.App, r apitest.Response) {
				u, err := url.Parse(r.Header.Get("Location"))
				if err != nil || u.Path != "/v1/articles/sommet-de-la-vallee" || u.Query().Get("format") != "text" || u.Query().Get("lang") != "fr" {
					t.Errorf("Location %q", r.Header.Get("Location"))
				}
			},
		},
		{Name: "old slug in another lang", Path: "/v1/articles/" + oldSlug + "?lang=en", WantStatus: 404, WantCode: "not_found"},
	})

	t.Run("redirect target answers", func(t *testing.T) {
		r := a.Get("/v1/articles/"+oldSlug, "")
		mustStatus(t, r, http.StatusMovedPermanently, "old slug")
		if art := get(t, r.Header.Get("Location")); art.ID != fr.ID {
			t.Errorf("redirect leads to %s", art.ID)
		}
	})

	t.Run("format=html", func(t *testing.T) {
		r := a.Get("/v1/articles/"+fr.Slug+"?format=html", "")
		mustStatus(t, r, 200, "format=html")
		var m struct {
			Body map[string]json.RawMessage `json:"body"`
		}
		r.JSON(t, &m)
		if len(m.Body) != 1 || m.Body["html"] == nil {
			t.Errorf("body has %v, want only html", keys(m.Body))
		}
		var h string
		_ = json.Unmarshal(m.Body["html"], &h)
		if h != fr.Body.HTML {
			t.Errorf("body.html differs from the stored HTML")
		}
	})

	t.Run("format=text,blocks", func(t *testing.T) {
		art := get(t, "/v1/articles/"+fr.Slug+"?format=text,blocks")
		if art.Body.HTML != "" || art.Body.Text != fr.Body.Text || len(art.Body.Blocks) != 5 {
			t.Errorf("body: html %d bytes, text equal %v, %d blocks", len(art.Body.HTML), art.Body.Text == fr.Body.Text, len(art.Body.Blocks))
		}
	})

	t.Run("fields=title,access", func(t *testing.T) {
		var m map[string]any
		r := a.Get("/v1/articles/"+fr.Slug+"?fields=title,access", "")
		mustStatus(t, r, 200, "fields")
		r.JSON(t, &m)
		if got := keys(m); !slices.Equal(got, []string{"access", "id", "title"}) {
			t.Errorf("keys %v", got)
		}
	})

	t.Run("translations", func(t *testing.T) {
		f := get(t, "/v1/articles/"+fr.Slug)
		if len(f.Translations) != 1 || f.Translations[0] != (translation{ID: en.ID, Lang: "en", Slug: "valley-summit"}) {
			t.Errorf("fr translations %+v", f.Translations)
		}
		e := get(t, "/v1/articles/"+en.ID)
		if len(e.Translations) != 1 || e.Translations[0] != (translation{ID: fr.ID, Lang: "fr", Slug: "sommet-de-la-vallee"}) {
			t.Errorf("en translations %+v", e.Translations)
		}
		if l := get(t, "/v1/articles/"+a.Article("lanternes").Slug); len(l.Translations) != 0 {
			t.Errorf("lanternes translations %+v", l.Translations)
		}
	})

	t.Run("breadcrumb", func(t *testing.T) {
		f := get(t, "/v1/articles/"+fr.Slug)
		// content.go: diplomatie (fr "Diplomatie", en "Diplomacy") under politique.
		if f.Section == nil || f.Section.Slug != "diplomatie" || f.Section.Name != "Diplomatie" || len(f.Section.Breadcrumb) != 2 ||
			f.Section.Breadcrumb[0].Slug != "politique" || f.Section.Breadcrumb[0].Name != "Politique" || f.Section.Breadcrumb[1].Slug != "diplomatie" {
			t.Errorf("fr section %+v", f.Section)
		}
		e := get(t, "/v1/articles/"+en.Slug)
		if e.Section == nil || e.Section.Name != "Diplomacy" || len(e.Section.Breadcrumb) != 2 || e.Section.Breadcrumb[0].Name != "Politics" {
			t.Errorf("en section %+v", e.Section)
		}
	})

	t.Run("photo and media", func(t *testing.T) {
		f := get(t, "/v1/articles/"+fr.Slug)
		if f.Photo == nil || f.Photo.ID != fr.PhotoID || len(f.Photo.Renditions) == 0 {
			t.Fatalf("photo %+v", f.Photo)
		}
		for _, rd := range f.Photo.Renditions {
			if !strings.HasPrefix(rd.URL, "/media/") || rd.Width <= 0 || rd.Height <= 0 {
				t.Errorf("rendition %+v", rd)
				continue
			}
			r := a.Get(rd.URL, "")
			mustStatus(t, r, 200, rd.URL)
			if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("%s Cache-Control %q", rd.URL, cc)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/") {
				t.Errorf("%s Content-Type %q", rd.URL, ct)
			}
			if len(r.Body) < 100 {
				t.Errorf("%s: %d bytes", rd.URL, len(r.Body))
			}
		}
		for _, p := range []string{"/media/nope.jpg", "/media/../../etc/passwd", "/media/"} {
			if r := a.Get(p, ""); r.Status != http.StatusNotFound || problemCode(t, r) != "not_found" {
				t.Errorf("%s: %d %s, want 404 not_found", p, r.Status, r.Body)
			}
		}
	})

	t.Run("structured data", func(t *testing.T) {
		for _, ref := range liveRefs {
			art := get(t, "/v1/articles/"+a.Article(ref).ID)
			var sd struct {
				Type    string `json:"@type"`
				Free    *bool  `json:"isAccessibleForFree"`
				HasPart *struct {
					Free     *bool  `json:"isAccessibleForFree"`
					Selector string `json:"cssSelector"`
				} `json:"hasPart"`
			}
			if err := json.Unmarshal(art.StructuredData, &sd); err != nil {
				t.Fatal(err)
			}
			public := slices.Contains(publicRefs, ref)
			if sd.Type != "NewsArticle" || sd.Free == nil || *sd.Free != public {
				t.Errorf("%s: structured data %s", ref, art.StructuredData)
			}
			if public != (sd.HasPart == nil) {
				t.Errorf("%s: hasPart %s", ref, art.StructuredData)
			}
			if sd.HasPart != nil && (sd.HasPart.Free == nil || *sd.HasPart.Free || sd.HasPart.Selector == "") {
				t.Errorf("%s: hasPart %s", ref, art.StructuredData)
			}
		}
	})
}

func TestScheduledArticleAppears(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	sched := a.Article(scheduledRef)
	if r := a.Get("/v1/articles/"+sched.Slug, ""); r.Status != 404 {
		t.Fatalf("before its time: %d", r.Status)
	}
	// Read the list first: nothing remembered of it may hide the article
	// once its time has come.
	if before := listAll(t, a, ""); len(before) != 10 {
		t.Fatalf("%d items before its time", len(before))
	}
	a.Clock.Advance(49 * time.Hour)
	for _, p := range []string{"/v1/articles/" + sched.Slug, "/v1/articles/" + sched.ID} {
		r := a.Get(p, "")
		mustStatus(t, r, 200, p)
		if !strings.Contains(string(r.Body), scheduledTitle) {
			t.Errorf("%s lacks its title", p)
		}
	}
	items := listAll(t, a, "")
	if len(items) != 11 || items[0].ID != sched.ID {
		t.Errorf("list has %d items, first %v; want 11, census first", len(items), items[0].Slug)
	}
	if r := a.Get("/v1/articles/"+a.Article(draftRef).ID, ""); r.Status != 404 {
		t.Errorf("the draft answers %d after the clock moved", r.Status)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
