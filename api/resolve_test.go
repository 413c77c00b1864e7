package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
	"masthead/internal/content"
)

const wpSource = "wordpress:https://courrier.example"

// wpImport imports a WordPress post through the content service, as
// `masthead import wordpress` does.
func wpImport(t *testing.T, a *apitest.App, id, slug, title string, st content.Status, paths ...string) content.ImportOutcome {
	t.Helper()
	published := a.Clock.Now().Add(-24 * time.Hour)
	out, err := a.Content.ImportArticle(context.Background(), content.ImportedArticle{
		Source: wpSource, ExternalID: id, Digest: "d1", Paths: paths,
		Input: content.ArticleInput{
			Lang: "fr", Slug: slug, Title: title, Access: content.AccessPublic, Status: st, PublishAt: &published,
			Body: []blocks.Block{{Type: blocks.TypeParagraph, Text: "Un paragraphe importé."}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func resolveURL(path string) string { return "/v1/resolve?path=" + url.QueryEscape(path) }

func TestResolvePath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := apitest.New(t, apitest.Options{NoDemo: true})
	live := wpImport(t, a, "8", "sommet-de-la-vallée", "Un sommet", content.StatusPublished, "/2026/03/sommet-de-la-vallée/", "/?p=8")
	wpImport(t, a, "9", "brouillon", "Un brouillon très secret", content.StatusDraft, "/2026/03/brouillon/", "/?p=9")
	deleted := wpImport(t, a, "10", "retire", "Retiré", content.StatusPublished, "/?p=10")
	if err := a.Content.DeleteArticle(ctx, deleted.ID, 0); err != nil {
		t.Fatal(err)
	}
	sec, err := a.Content.CreateSection(ctx, content.Section{Slug: "politique", Names: map[string]string{"fr": "Politique"}})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := a.Content.CreateTag(ctx, content.Tag{Slug: "eau", Name: "Eau", Kind: content.TagTopic})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Content.PutPaths(ctx, []content.LegacyPath{
		{Path: "/category/politique/", Kind: content.KindSection, TargetID: sec.ID, Source: wpSource},
		{Path: "/tag/eau/", Kind: content.KindTag, TargetID: tag.ID, Source: wpSource},
		{Path: "/about/", Kind: content.KindGone, Source: wpSource},
	})
	if err != nil {
		t.Fatal(err)
	}
	reader := a.Token(access.RoleReader)

	type answer struct {
		Kind         string   `json:"kind"`
		ID           string   `json:"id"`
		Slug         string   `json:"slug"`
		Lang         string   `json:"lang"`
		SectionPath  []string `json:"section_path"`
		CanonicalURL string   `json:"canonical_url"`
		Location     string   `json:"location"`
		Path         string   `json:"path"`
	}
	for _, c := range []struct {
		path, token string
		want        answer
	}{
		{"/2026/03/sommet-de-la-vall%C3%A9e/", "", answer{Kind: "article", ID: live.ID, Slug: "sommet-de-la-vallee", Lang: "fr",
			CanonicalURL: "https://publisher.example/fr/sommet-de-la-vallee", Location: "/v1/articles/" + live.ID, Path: "/2026/03/sommet-de-la-vallée"}},
		{"/2026/03/Sommet-de-la-Vallée", reader, answer{Kind: "article", ID: live.ID, Slug: "sommet-de-la-vallee", Lang: "fr",
			CanonicalURL: "https://publisher.example/fr/sommet-de-la-vallee", Location: "/v1/articles/" + live.ID, Path: "/2026/03/sommet-de-la-vallée"}},
		{"/?p=8&utm_source=newsletter", "", answer{Kind: "article", ID: live.ID, Slug: "sommet-de-la-vallee", Lang: "fr",
			CanonicalURL: "https://publisher.example/fr/sommet-de-la-vallee", Location: "/v1/articles/" + live.ID, Path: "/?p=8"}},
		{"/fr/sommet-de-la-vallee", "", answer{Kind: "article", ID: live.ID, Slug: "sommet-de-la-vallee", Lang: "fr",
			CanonicalURL: "https://publisher.example/fr/sommet-de-la-vallee", Location: "/v1/articles/" + live.ID, Path: "/fr/sommet-de-la-vallee"}},
		{"/category/politique", "", answer{Kind: "section", ID: sec.ID, Slug: "politique", SectionPath: []string{"politique"},
			Location: "/v1/articles?section=politique", Path: "/category/politique"}},
		{"/tag/eau", "", answer{Kind: "tag", ID: tag.ID, Slug: "eau", Location: "/v1/articles?tag=eau", Path: "/tag/eau"}},
	} {
		r := a.Get(resolveURL(c.path), c.token)
		mustStatus(t, r, http.StatusOK, c.path)
		var got answer
		r.JSON(t, &got)
		if got.Kind != c.want.Kind || got.ID != c.want.ID || got.Slug != c.want.Slug || got.Lang != c.want.Lang ||
			got.CanonicalURL != c.want.CanonicalURL || got.Location != c.want.Location || got.Path != c.want.Path ||
			strings.Join(got.SectionPath, "/") != strings.Join(c.want.SectionPath, "/") {
			t.Errorf("%s: %+v, want %+v", c.path, got, c.want)
		}
		if r.Header.Get("ETag") == "" {
			t.Errorf("%s: no ETag", c.path)
		}
		if c.token == "" && r.Header.Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("%s: Cache-Control %q", c.path, r.Header.Get("Cache-Control"))
		}
	}

	// Gone: what the public may not see, and nothing of it.
	for _, p := range []string{"/?p=9", "/2026/03/brouillon/", "/fr/brouillon", "/?p=10", "/about"} {
		r := a.Get(resolveURL(p), "")
		mustStatus(t, r, http.StatusGone, p)
		if code := problemCode(t, r); code != "gone" {
			t.Errorf("%s: code %q", p, code)
		}
		if strings.Contains(string(r.Body), "secret") || strings.Contains(string(r.Body), "brouillon\"") {
			t.Errorf("%s: the answer tells of the draft: %s", p, r.Body)
		}
	}
	for _, p := range []string{"/nowhere", "/?p=11", "/en/sommet-de-la-vallee"} {
		r := a.Get(resolveURL(p), "")
		mustStatus(t, r, http.StatusNotFound, p)
		if code := problemCode(t, r); code != "not_found" {
			t.Errorf("%s: code %q", p, code)
		}
	}

	// Bad paths: 400, whoever asks.
	for name, query := range map[string]string{
		"missing":         "",
		"empty":           "?path=",
		"blank":           "?path=%20%20",
		"relative":        "?path=2026%2F03%2Fslug",
		"absolute URL":    "?path=" + url.QueryEscape("https://courrier.example/2026/03/slug/"),
		"too long":        "?path=" + strings.Repeat("/a", 1025),
		"not UTF-8":       "?path=%2F%FF",
		"decoded not UTF": "?path=" + url.QueryEscape("/%FF"),
		"control":         "?path=" + url.QueryEscape("/a%00b"),
		"malformed":       "?path=" + url.QueryEscape("/%zz"),
		"twice":           "?path=%2Fa&path=%2Fb",
	} {
		r := a.Get("/v1/resolve"+query, reader)
		mustStatus(t, r, http.StatusBadRequest, name)
		if code := problemCode(t, r); code != "bad_request" {
			t.Errorf("%s: code %q", name, code)
		}
		if !strings.Contains(string(r.Body), `"field":"path"`) {
			t.Errorf("%s: the problem does not name path: %s", name, r.Body)
		}
	}
	// 2,048 bytes is still a path.
	if r := a.Get(resolveURL("/"+strings.Repeat("a", 2047)), ""); r.Status != http.StatusNotFound {
		t.Errorf("a path of 2,048 bytes: %d", r.Status)
	}
}

// TestResolveCache: answers come from the response cache, keyed on the
// canonical path, until a write moves the generation.
func TestResolveCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := apitest.New(t, apitest.Options{NoDemo: true})
	first := wpImport(t, a, "8", "sommet", "Sommet", content.StatusPublished, "/2026/03/sommet/")
	r1 := a.Get(resolveURL("/2026/03/sommet/"), "")
	mustStatus(t, r1, http.StatusOK, "first")
	etag := r1.Header.Get("ETag")
	// Another spelling of the same path is the same entry.
	r2 := a.Get(resolveURL("/2026/03/SOMMET"), "", "If-None-Match", etag)
	mustStatus(t, r2, http.StatusNotModified, "revalidation")

	// Re-pointing the path is seen at once.
	second := wpImport(t, a, "9", "autre", "Autre", content.StatusPublished)
	if err := a.Content.PutPaths(ctx, []content.LegacyPath{{Path: "/2026/03/sommet", Kind: content.KindArticle, TargetID: second.ID}}); err != nil {
		t.Fatal(err)
	}
	r3 := a.Get(resolveURL("/2026/03/sommet/"), "", "If-None-Match", etag)
	mustStatus(t, r3, http.StatusOK, "after the write")
	if !strings.Contains(string(r3.Body), second.ID) || strings.Contains(string(r3.Body), first.ID) {
		t.Errorf("stale answer: %s", r3.Body)
	}
	// Withdrawing the article makes it gone at once.
	if _, err := a.Content.UnpublishArticle(ctx, second.ID, 0, "editor-1"); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a.Get(resolveURL("/2026/03/sommet/"), ""), http.StatusGone, "withdrawn")
}

func TestFeaturedArticles(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{NoDemo: true})
	ed := a.Token(access.RoleEditor)
	create := func(title string, featured bool) aaArticle {
		t.Helper()
		body := `{"title":"` + title + `","lang":"fr","access":"public","status":"published",` +
			`"blocks":[{"type":"paragraph","text":"Texte."}]`
		if featured {
			body += `,"featured":true`
		}
		r := aaSend(a, http.MethodPost, "/v1/admin/articles", ed, body+"}")
		mustStatus(t, r, http.StatusCreated, "create "+title)
		var art aaArticle
		r.JSON(t, &art)
		if got := r.Map(t)["featured"]; got != featured {
			t.Errorf("%s: featured %v in the newsroom's view", title, got)
		}
		a.Clock.Advance(time.Minute)
		return art
	}
	one := create("Une", true)
	create("Deux", false)
	three := create("Trois", true)

	ids := func(path string) []string {
		t.Helper()
		r := a.Get(path, "")
		mustStatus(t, r, http.StatusOK, path)
		var page struct {
			Data []struct {
				ID       string `json:"id"`
				Featured bool   `json:"featured"`
			} `json:"data"`
		}
		r.JSON(t, &page)
		var out []string
		for _, s := range page.Data {
			if !s.Featured && strings.Contains(path, "featured=true") {
				t.Errorf("%s lists %s, not featured", path, s.ID)
			}
			out = append(out, s.ID)
		}
		return out
	}
	if got := ids("/v1/articles?featured=true"); strings.Join(got, ",") != three.ID+","+one.ID {
		t.Errorf("featured list %v", got)
	}
	if got := ids("/v1/articles"); len(got) != 3 {
		t.Errorf("whole list %v", got)
	}
	r := a.Get("/v1/articles/"+one.ID, "")
	if got := r.Map(t)["featured"]; got != true {
		t.Errorf("article: featured %v", got)
	}
	// PATCH semantics: absent leaves it, false clears it.
	r = aaSend(a, http.MethodPatch, "/v1/admin/articles/"+one.ID, ed, `{"title":"Une, encore"}`, "If-Match", aaETag(one.ID, 1))
	mustStatus(t, r, http.StatusOK, "patch title")
	if got := r.Map(t)["featured"]; got != true {
		t.Errorf("a patch without featured changed it: %v", got)
	}
	r = aaSend(a, http.MethodPatch, "/v1/admin/articles/"+one.ID, ed, `{"featured":false}`, "If-Match", aaETag(one.ID, 2))
	mustStatus(t, r, http.StatusOK, "patch featured")
	if got := r.Map(t)["featured"]; got != false {
		t.Errorf("featured after the patch: %v", got)
	}
	if got := ids("/v1/articles?featured=true"); strings.Join(got, ",") != three.ID {
		t.Errorf("featured list after the patch %v", got)
	}
	for _, v := range []string{"false", "yes", "1"} {
		r := a.Get("/v1/articles?featured="+v, "")
		mustStatus(t, r, http.StatusBadRequest, "featured="+v)
		if code := problemCode(t, r); code != "bad_request" {
			t.Errorf("featured=%s: code %q", v, code)
		}
	}
}
