package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
)

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	fr := a.Article("summit-fr")
	paths := []string{
		"/v1/articles", "/v1/articles?lang=fr&limit=2",
		"/v1/articles/" + fr.Slug, "/v1/articles/" + fr.ID + "?format=text",
		"/v1/sections", "/v1/tags", "/v1/tags?kind=country",
		"/v1/authors/lea-morvand", "/v1/photos/" + fr.PhotoID,
		"/v1/articles/" + fr.ID + "/comments",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			r := a.Get(p, "")
			mustStatus(t, r, http.StatusOK, p)
			etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
			if !strings.HasPrefix(etag, `W/"`) || len(etag) < 6 {
				t.Fatalf("ETag %q", etag)
			}
			if _, err := http.ParseTime(lm); err != nil {
				t.Errorf("Last-Modified %q: %v", lm, err)
			}
			// The same request gives the same ETag.
			if again := a.Get(p, ""); again.Header.Get("ETag") != etag {
				t.Errorf("ETag changed between identical requests: %q, %q", etag, again.Header.Get("ETag"))
			}
			for _, inm := range []string{etag, strings.TrimPrefix(etag, "W/"), `"nope", ` + etag, "*"} {
				nm := a.Get(p, "", "If-None-Match", inm)
				if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
					t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and no body", inm, nm.Status, len(nm.Body))
				}
				if nm.Header.Get("ETag") != etag {
					t.Errorf("304 ETag %q, want %q", nm.Header.Get("ETag"), etag)
				}
			}
			if other := a.Get(p, "", "If-None-Match", `W/"0000000000000000"`); other.Status != http.StatusOK {
				t.Errorf("a stale ETag: %d, want 200", other.Status)
			}
			ims := a.Get(p, "", "If-Modified-Since", lm)
			if ims.Status != http.StatusNotModified || len(ims.Body) != 0 {
				t.Errorf("If-Modified-Since %s: %d", lm, ims.Status)
			}
			if old := a.Get(p, "", "If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"); old.Status != http.StatusOK {
				t.Errorf("If-Modified-Since 2001: %d, want 200", old.Status)
			}
			// If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2).
			if both := a.Get(p, "", "If-None-Match", `W/"0000000000000000"`, "If-Modified-Since", lm); both.Status != http.StatusOK {
				t.Errorf("stale If-None-Match with a current If-Modified-Since: %d, want 200", both.Status)
			}
		})
	}

	t.Run("representations differ", func(t *testing.T) {
		wells := a.Article("wells")
		anon := a.Get("/v1/articles/"+wells.Slug, "")
		sub := a.Token(access.RoleSubscriber)
		full := a.Get("/v1/articles/"+wells.Slug, sub)
		e1, e2 := anon.Header.Get("ETag"), full.Header.Get("ETag")
		if e1 == "" || e1 == e2 {
			t.Fatalf("preview ETag %q, full ETag %q: must differ", e1, e2)
		}
		// The preview's ETag must not validate a subscriber's cached copy
		// (nor the reverse).
		if r := a.Get("/v1/articles/"+wells.Slug, sub, "If-None-Match", e1); r.Status != http.StatusOK {
			t.Errorf("subscriber with the preview's ETag: %d, want 200", r.Status)
		}
		if r := a.Get("/v1/articles/"+wells.Slug, "", "If-None-Match", e2); r.Status != http.StatusOK {
			t.Errorf("anonymous with the full body's ETag: %d, want 200", r.Status)
		}
		// Formats are representations too.
		if r := a.Get("/v1/articles/"+wells.Slug+"?format=text", ""); r.Header.Get("ETag") == e1 {
			t.Error("format=text has the ETag of the full representation")
		}
	})

	t.Run("errors carry no validators", func(t *testing.T) {
		r := a.Get("/v1/articles/no-such-story", "")
		if r.Header.Get("ETag") != "" || r.Header.Get("Last-Modified") != "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("404 headers: ETag %q, Last-Modified %q, Cache-Control %q",
				r.Header.Get("ETag"), r.Header.Get("Last-Modified"), r.Header.Get("Cache-Control"))
		}
	})
}

func TestHTTPConventions(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	fr := a.Article("summit-fr")

	t.Run("gzip", func(t *testing.T) {
		for _, p := range []string{"/v1/articles", "/v1/articles/" + fr.Slug} {
			plain := a.Get(p, "")
			mustStatus(t, plain, 200, p)
			if plain.Header.Get("Content-Encoding") != "" {
				t.Fatalf("%s: encoded without Accept-Encoding", p)
			}
			a.Validate = false // the harness cannot read a gzip body
			gz := a.Get(p, "", "Accept-Encoding", "gzip")
			a.Validate = true
			if gz.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: Content-Encoding %q", p, gz.Header.Get("Content-Encoding"))
			}
			if !varyHas(gz.Header, "Accept-Encoding") {
				t.Errorf("%s: Vary %q lacks Accept-Encoding", p, gz.Header.Values("Vary"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, plain.Body) {
				t.Errorf("%s: gunzipped body differs from the plain one", p)
			}
			if len(gz.Body) >= len(plain.Body) {
				t.Errorf("%s: gzip did not shrink %d bytes", p, len(plain.Body))
			}
		}
	})

	t.Run("CORS", func(t *testing.T) {
		a.Validate = false // preflights are not in the spec
		defer func() { a.Validate = true }()
		pre := func(origin string) apitest.Response {
			return a.Do(http.MethodOptions, "/v1/articles", "", nil,
				"Origin", origin, "Access-Control-Request-Method", "GET",
				"Access-Control-Request-Headers", "authorization, if-none-match")
		}
		r := pre("https://app.example")
		if r.Status >= 300 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
			t.Errorf("preflight from the configured origin: %d, Allow-Origin %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
		}
		if h := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "authorization") {
			t.Errorf("Allow-Headers %q lacks Authorization", h)
		}
		if m := r.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "GET") {
			t.Errorf("Allow-Methods %q", m)
		}
		for _, o := range []string{"https://evil.example", "https://app.example.evil.example", "null", "http://app.example"} {
			if r := pre(o); r.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("preflight from %s allowed: %q", o, r.Header.Get("Access-Control-Allow-Origin"))
			}
		}
		// A simple request from the configured origin exposes the ETag.
		g := a.Get("/v1/articles", "", "Origin", "https://app.example")
		if g.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
			!strings.Contains(g.Header.Get("Access-Control-Expose-Headers"), "ETag") {
			t.Errorf("GET from the origin: Allow-Origin %q, Expose %q", g.Header.Get("Access-Control-Allow-Origin"), g.Header.Get("Access-Control-Expose-Headers"))
		}
		if g := a.Get("/v1/articles", "", "Origin", "https://evil.example"); g.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET from another origin allowed")
		}
	})

	t.Run("request id", func(t *testing.T) {
		seen := map[string]bool{}
		for _, p := range []string{"/v1/articles", "/v1/articles/nope", "/healthz", "/nope"} {
			r := a.Get(p, "")
			id := r.Header.Get("X-Request-ID")
			if id == "" || seen[id] {
				t.Errorf("%s: X-Request-ID %q", p, id)
			}
			seen[id] = true
			if r.Status >= 400 {
				var pr struct {
					RequestID string `json:"request_id"`
				}
				r.JSON(t, &pr)
				if pr.RequestID != id {
					t.Errorf("%s: problem request_id %q, header %q", p, pr.RequestID, id)
				}
			}
		}
	})

	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "unknown route", Path: "/v2/nothing", WantStatus: 404, WantCode: "not_found",
			WantHeaders: map[string]string{"Content-Type": "application/problem+json"}},
		{Name: "unknown v1 route", Path: "/v1/nothing", WantStatus: 404, WantCode: "not_found",
			WantHeaders: map[string]string{"Content-Type": "application/problem+json"}},
		{Name: "POST to a GET route", Method: http.MethodPost, Path: "/v1/articles", Body: "{}", WantStatus: 405, WantCode: "method_not_allowed",
			WantHeaders: map[string]string{"Content-Type": "application/problem+json", "Allow": "GET"}},
		{Name: "DELETE an article", Method: http.MethodDelete, Path: "/v1/articles/" + fr.Slug, WantStatus: 405, WantCode: "method_not_allowed",
			WantNotContains: []string{fr.Title}},
		{Name: "healthz", Path: "/healthz", WantStatus: 200, WantContains: []string{`"ok"`}},
		{Name: "readyz", Path: "/readyz", WantStatus: 200, WantContains: []string{`"ready"`}},
		{Name: "jwks", Path: "/.well-known/jwks.json", WantStatus: 200, WantContains: []string{`"OKP"`, `"Ed25519"`},
			Check: func(t *testing.T, a *apitest.App, r apitest.Response) {
				var k struct {
					Keys []map[string]any `json:"keys"`
				}
				r.JSON(t, &k)
				if len(k.Keys) != 1 || k.Keys[0]["d"] != nil {
					t.Errorf("jwks %s", r.Body)
				}
			}},
		{Name: "openapi", Path: "/openapi.json", WantStatus: 200, Check: func(t *testing.T, a *apitest.App, r apitest.Response) {
			var doc struct {
				OpenAPI string                     `json:"openapi"`
				Paths   map[string]json.RawMessage `json:"paths"`
			}
			r.JSON(t, &doc)
			if !strings.HasPrefix(doc.OpenAPI, "3.") {
				t.Errorf("openapi %q", doc.OpenAPI)
			}
			for _, p := range []string{"/v1/articles", "/v1/articles/{id_or_slug}", "/v1/articles/{id}/comments", "/v1/sections", "/v1/tags", "/v1/authors/{slug}", "/v1/photos/{id}"} {
				if doc.Paths[p] == nil {
					t.Errorf("spec lacks %s", p)
				}
			}
		}},
		{Name: "docs redirect", Path: "/docs/", WantStatus: http.StatusFound, WantHeaders: map[string]string{"Location": "/docs/index.html"}},
		{Name: "docs bare redirect", Path: "/docs", Check: func(t *testing.T, a *apitest.App, r apitest.Response) {
			if r.Status/100 != 3 || !strings.Contains(r.Header.Get("Location"), "/docs/") {
				t.Errorf("/docs: %d to %q", r.Status, r.Header.Get("Location"))
			}
		}},
		{Name: "swagger ui", Path: "/docs/index.html", WantStatus: 200, WantContains: []string{"<html", "swagger"},
			WantHeaders: map[string]string{"Content-Type": "text/html"}},
	})
}
