package api_test

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
)

// TestSmoke reads the main public paths anonymously: each answers its
// status, its content type and the body it should.
func TestSmoke(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	wells := a.Article("wells")
	kid := access.KeyID(a.Key.Public().(ed25519.PublicKey))
	for _, c := range []struct {
		path   string
		status int
		ctype  string
		check  func(t *testing.T, r apitest.Response)
	}{
		{"/v1/articles", http.StatusOK, "application/json", func(t *testing.T, r apitest.Response) {
			var page summaryPage
			r.JSON(t, &page)
			slugs := map[string]bool{}
			for _, s := range page.Data {
				slugs[s.Slug] = true
			}
			if len(page.Data) != len(liveRefs) || !slugs[wells.Slug] {
				t.Errorf("%d articles (%v), want the %d live ones, %s among them", len(page.Data), slugs, len(liveRefs), wells.Slug)
			}
		}},
		{"/v1/articles/" + wells.Slug, http.StatusOK, "application/json", func(t *testing.T, r apitest.Response) {
			var art article
			r.JSON(t, &art)
			if art.ID != wells.ID || art.Title != wells.Title || art.Access.Level != "subscribers" ||
				art.Access.Granted || !art.Access.Truncated || art.Body.Text != wells.Preview.Text {
				t.Errorf("article %s %q, access %+v: want the preview of %s", art.ID, art.Title, art.Access, wells.ID)
			}
		}},
		{"/v1/sections", http.StatusOK, "application/json", func(t *testing.T, r apitest.Response) {
			mustContain(t, r, `"slug":"politique"`, `"slug":"diplomatie"`)
		}},
		{"/v1/tags", http.StatusOK, "application/json", func(t *testing.T, r apitest.Response) {
			mustContain(t, r, `"slug":"equimont"`, `"kind":"country"`)
		}},
		{"/healthz", http.StatusOK, "application/json", func(t *testing.T, r apitest.Response) {
			if m := r.Map(t); m["status"] != "ok" {
				t.Errorf("health %v", m)
			}
		}},
		{"/readyz", http.StatusOK, "application/json", func(t *testing.T, r apitest.Response) {
			if m := r.Map(t); m["status"] != "ready" {
				t.Errorf("readiness %v", m)
			}
		}},
		{"/.well-known/jwks.json", http.StatusOK, "application/json", func(t *testing.T, r apitest.Response) {
			var set struct{ Keys []access.JWK }
			r.JSON(t, &set)
			if len(set.Keys) != 1 || set.Keys[0].Kid != kid {
				t.Errorf("key set %s, want our key %s alone", r.Body, kid)
			}
		}},
		{"/v1/articles/nope", http.StatusNotFound, "application/problem+json", func(t *testing.T, r apitest.Response) {
			if code := problemCode(t, r); code != "not_found" {
				t.Errorf("code %q", code)
			}
		}},
	} {
		t.Run(c.path, func(t *testing.T) {
			r := rawGet(t, a, c.path, nil)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d\n%.500s", r.Status, c.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.ctype) {
				t.Errorf("content type %q, want %s", ct, c.ctype)
			}
			c.check(t, r)
		})
	}
	// And through the harness, which validates each answer against the spec.
	for _, p := range []string{"/v1/articles", "/v1/articles/" + wells.Slug, "/v1/sections", "/v1/tags", "/healthz", "/readyz", "/.well-known/jwks.json", "/v1/articles/nope"} {
		a.Get(p, "")
	}
}

// mustContain fails t unless r's body contains every one of subs.
func mustContain(t *testing.T, r apitest.Response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("body lacks %s\n%.500s", s, r.Body)
		}
	}
}
