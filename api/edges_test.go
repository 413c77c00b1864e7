package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/config"
)

// The policies the docs and the media are served with (server.go says why).
const (
	wantDocsCSP  = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	wantMediaCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
	cacheForever = "public, max-age=31536000, immutable"
)

// noCORS fails when h carries any CORS header.
func noCORS(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, v := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			t.Errorf("%s: %s: %q, want no CORS header at all", what, k, v)
		}
	}
}

func preflight(a *apitest.App, path, origin, method string) apitest.Response {
	return a.Do(http.MethodOptions, path, "", nil,
		"Origin", origin, "Access-Control-Request-Method", method,
		"Access-Control-Request-Headers", "authorization, content-type")
}

// Without --cors-origins no origin is allowed: no answer carries a CORS
// header, so a browser refuses every preflight and every cross-origin read.
func TestCORSDefaultNone(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.CORSOrigins = nil }})
	if d := config.Defaults(); len(d.CORSOrigins) != 0 {
		t.Fatalf("default cors origins %q, want none", d.CORSOrigins)
	}
	tok := a.Token(access.RoleSubscriber)
	for _, origin := range []string{"https://app.example", "https://evil.example", "null", "http://localhost:3000"} {
		a.Validate = false // preflights are not in the spec
		for _, p := range []struct{ path, method string }{
			{"/v1/articles", http.MethodGet}, {"/v1/me", http.MethodGet}, {"/v1/auth/login", http.MethodPost},
			{"/v1/admin/articles", http.MethodPost}, {"/openapi.json", http.MethodGet},
		} {
			r := preflight(a, p.path, origin, p.method)
			if r.Status >= 500 {
				t.Errorf("preflight %s from %s: %d", p.path, origin, r.Status)
			}
			noCORS(t, "preflight "+p.path+" from "+origin, r.Header)
		}
		a.Validate = true
		g := a.Get("/v1/articles", "", "Origin", origin)
		mustStatus(t, g, http.StatusOK, "GET with an Origin")
		noCORS(t, "GET /v1/articles from "+origin, g.Header)
		noCORS(t, "GET /v1/me from "+origin, a.Get("/v1/me", tok, "Origin", origin).Header)
		noCORS(t, "a 404 from "+origin, a.Get("/v1/articles/nope", "", "Origin", origin).Header)
	}
}

// "*" is explicit: any origin may read, with a token it holds, and never
// with credentials (Masthead has no cookies to share).
func TestCORSAnyOrigin(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{NoDemo: true, Configure: func(c *config.Config) { c.CORSOrigins = []string{"*"} }})
	a.Validate = false
	r := preflight(a, "/v1/articles", "https://whoever.example", http.MethodGet)
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight: %d, Allow-Origin %q, want 204 and *", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
	}
	if h := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "authorization") {
		t.Errorf("Allow-Headers %q lacks Authorization", h)
	}
	if m := r.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "HEAD") {
		t.Errorf("Allow-Methods %q lacks HEAD", m)
	}
	a.Validate = true
	g := a.Get("/v1/articles", "", "Origin", "https://whoever.example")
	if g.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(g.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("GET: Allow-Origin %q, Expose %q", g.Header.Get("Access-Control-Allow-Origin"), g.Header.Get("Access-Control-Expose-Headers"))
	}
	for _, h := range []http.Header{r.Header, g.Header} {
		if c := h.Get("Access-Control-Allow-Credentials"); c != "" {
			t.Errorf("Allow-Credentials %q with *", c)
		}
	}
}

// A configured origin matches exactly: no wildcard patterns, no suffixes.
func TestCORSExactOrigin(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{NoDemo: true, Configure: func(c *config.Config) { c.CORSOrigins = []string{"https://app.example"} }})
	a.Validate = false
	if r := preflight(a, "/v1/articles", "https://app.example", http.MethodGet); r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("configured origin: Allow-Origin %q", r.Header.Get("Access-Control-Allow-Origin"))
	}
	for _, o := range []string{"https://x.app.example", "https://app.example.evil.example", "http://app.example", "https://app.example:444"} {
		r := preflight(a, "/v1/articles", o, http.MethodGet)
		if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("%s allowed: %q", o, v)
		}
	}
}

// docsRefs are the URLs the Swagger UI page loads.
var docsRefs = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

// The Swagger UI opens on /openapi.json, and nothing under /docs/ is a 500.
func TestDocsUI(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{NoDemo: true})

	idx := a.Get("/docs/index.html", "")
	mustStatus(t, idx, http.StatusOK, "/docs/index.html")
	page := string(idx.Body)
	if !strings.Contains(page, `"/openapi.json"`) {
		t.Errorf("the page does not name /openapi.json:\n%s", page)
	}
	for _, bad := range []string{"doc.json", "doc.yaml", "petstore", "swagger.json"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page names %s", bad)
		}
	}
	// No inline script or style: the CSP allows neither.
	if strings.Contains(page, "<style") || strings.Contains(page, " style=") {
		t.Errorf("inline style in the page:\n%s", page)
	}
	scripts := regexp.MustCompile(`<script([^>]*)>([^<]*)</script>`).FindAllStringSubmatch(page, -1)
	if len(scripts) == 0 || len(scripts) != strings.Count(page, "<script") {
		t.Errorf("%d well-formed scripts in the page:\n%s", len(scripts), page)
	}
	for _, m := range scripts {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("inline script %q", m[0])
		}
	}
	refs := docsRefs.FindAllStringSubmatch(page, -1)
	if len(refs) < 4 {
		t.Fatalf("the page loads %d files:\n%s", len(refs), page)
	}
	var initializer string
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, "/docs/") || !strings.Contains(ref, "?v=") {
			t.Errorf("the page loads %q, want /docs/NAME?v=VERSION", ref)
			continue
		}
		r := a.Get(ref, "")
		mustStatus(t, r, http.StatusOK, ref)
		if len(r.Body) == 0 {
			t.Errorf("%s: empty", ref)
		}
		if cc := r.Header.Get("Cache-Control"); cc != cacheForever {
			t.Errorf("%s: Cache-Control %q, want %q", ref, cc, cacheForever)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Errorf("%s: no ETag", ref)
		} else if nm := a.Get(ref, "", "If-None-Match", etag); nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
			t.Errorf("%s with its ETag: %d, want 304", ref, nm.Status)
		}
		want := map[string]string{".js": "text/javascript", ".css": "text/css", ".png": "image/png"}[filepath.Ext(strings.Split(ref, "?")[0])]
		if ct := r.Header.Get("Content-Type"); want == "" || !strings.HasPrefix(ct, want) {
			t.Errorf("%s: Content-Type %q, want %q", ref, ct, want)
		}
		if strings.Contains(ref, "initializer") {
			initializer = string(r.Body)
		}
	}
	if initializer == "" || strings.Contains(initializer, "petstore") || !strings.Contains(initializer, "SwaggerUIBundle") {
		t.Errorf("initializer:\n%s", initializer)
	}

	cases := []struct {
		path     string
		status   int
		location string
	}{
		{"/docs", http.StatusMovedPermanently, "/docs/index.html"},
		{"/docs/", http.StatusFound, "/docs/index.html"},
		{"/docs/index.html?url=https://evil.example/x.json", http.StatusOK, ""},
		{"/docs/doc.json", http.StatusMovedPermanently, "/openapi.json"},
		{"/docs/doc.yaml", http.StatusNotFound, ""},
		{"/docs/swagger.json", http.StatusNotFound, ""},
		{"/docs/swagger-ui.css", http.StatusOK, ""},
		{"/docs/swagger-ui-bundle.js", http.StatusOK, ""},
		{"/docs/swagger-ui-standalone-preset.js", http.StatusNotFound, ""},
		{"/docs/swagger-initializer.js", http.StatusOK, ""},
		{"/docs/favicon-32x32.png", http.StatusOK, ""},
		{"/docs/nonsense", http.StatusNotFound, ""},
		{"/docs/swagger-ui.css.map", http.StatusNotFound, ""},
		{"/docs/oauth2-redirect.html", http.StatusNotFound, ""},
		{"/docs/swagger-ui-es-bundle.js", http.StatusNotFound, ""},
		{"/docs/INDEX.HTML", http.StatusNotFound, ""},
		{"/docs/index.html/", http.StatusNotFound, ""},
		{"/docs/./index.html", http.StatusNotFound, ""},
		{"/docs/../openapi.json", http.StatusNotFound, ""},
		{"/docs/../../go.mod", http.StatusNotFound, ""},
		{"/docs/..%2fopenapi.json", http.StatusNotFound, ""},
		{"/docs/%2e%2e/%2e%2e/etc/passwd", http.StatusNotFound, ""},
		{"/docs/%2e%2e%2f%2e%2e%2fgo.mod", http.StatusNotFound, ""},
		{"/docs/.%2e/api/server.go", http.StatusNotFound, ""},
		{"/docs//etc/passwd", http.StatusNotFound, ""},
		{"/docs/index.html%00", http.StatusNotFound, ""},
		{"/docs/%00", http.StatusNotFound, ""},
		{"/docs/swagger-ui.css%3f", http.StatusNotFound, ""},
		{"/docs/" + strings.Repeat("a/", 500), http.StatusNotFound, ""},
	}
	for _, tc := range cases {
		r := a.Get(tc.path, "")
		if r.Status != tc.status {
			t.Errorf("%s: %d, want %d\n%.300s", tc.path, r.Status, tc.status, r.Body)
			continue
		}
		if tc.location != "" && r.Header.Get("Location") != tc.location {
			t.Errorf("%s: Location %q, want %q", tc.path, r.Header.Get("Location"), tc.location)
		}
		if r.Status == http.StatusNotFound && problemCode(t, r) != "not_found" {
			t.Errorf("%s: %s", tc.path, r.Body)
		}
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		if r := a.Do(m, "/docs/index.html", "", nil); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s /docs/index.html: %d", m, r.Status)
		}
	}
}

// The docs and the media carry a strict Content-Security-Policy; the docs
// page is revalidated each time, its versioned files are kept a year.
func TestDocsAndMediaHeaders(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)

	for _, p := range []string{"/docs/index.html", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js", "/docs/nonsense", "/docs/doc.json"} {
		r := a.Get(p, "")
		if csp := r.Header.Get("Content-Security-Policy"); csp != wantDocsCSP {
			t.Errorf("%s: CSP %q, want %q", p, csp, wantDocsCSP)
		}
	}
	idx := a.Get("/docs/index.html", "")
	if cc := idx.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index Cache-Control %q, want no-cache", cc)
	}
	if ct := idx.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("index Content-Type %q", ct)
	}
	if etag := idx.Header.Get("ETag"); etag == "" {
		t.Error("index without ETag")
	} else if r := a.Get("/docs/index.html", "", "If-None-Match", etag); r.Status != http.StatusNotModified {
		t.Errorf("index with its ETag: %d", r.Status)
	}
	// A file asked without its version, or with another, is revalidated.
	for _, p := range []string{"/docs/swagger-ui.css", "/docs/swagger-ui.css?v=0000", "/docs/swagger-initializer.js"} {
		if cc := a.Get(p, "").Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", p, cc)
		}
	}

	// Media: a rendition, and a file that would run script if it could.
	ph := a.Get("/v1/photos/"+a.Article("summit-fr").PhotoID, "")
	mustStatus(t, ph, http.StatusOK, "photo")
	var photo struct {
		Renditions []struct {
			URL string `json:"url"`
		} `json:"renditions"`
	}
	ph.JSON(t, &photo)
	if len(photo.Renditions) == 0 {
		t.Fatal("no rendition")
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>`
	if err := os.WriteFile(filepath.Join(a.MediaRoot, "evil.svg"), []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a.MediaRoot, "evil.html"), []byte("<script>alert(1)</script>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{photo.Renditions[0].URL, "/media/evil.svg", "/media/evil.html", "/media/nope.jpg"} {
		r := a.Get(p, "")
		if csp := r.Header.Get("Content-Security-Policy"); csp != wantMediaCSP {
			t.Errorf("%s: %d, CSP %q, want %q", p, r.Status, csp, wantMediaCSP)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", p, r.Header.Get("X-Content-Type-Options"))
		}
	}
	if cc := a.Get(photo.Renditions[0].URL, "").Header.Get("Cache-Control"); cc != cacheForever {
		t.Errorf("rendition Cache-Control %q", cc)
	}
}

// HEAD is served wherever GET is, with GET's status and headers and no body.
func TestHEAD(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	e, ok := a.Handler.(*echo.Echo)
	if !ok {
		t.Fatalf("handler %T", a.Handler)
	}
	gets, heads := map[string]bool{}, map[string]bool{}
	for _, r := range e.Routes() {
		switch r.Method {
		case http.MethodGet:
			gets[r.Path] = true
		case http.MethodHead:
			heads[r.Path] = true
		}
	}
	if len(gets) < 20 {
		t.Fatalf("%d GET routes", len(gets))
	}
	for p := range gets {
		if !heads[p] {
			t.Errorf("GET %s has no HEAD route", p)
		}
	}
	for p := range heads {
		if !gets[p] {
			t.Errorf("HEAD %s without GET", p)
		}
	}

	fr, wells := a.Article("summit-fr"), a.Article("wells")
	var art struct {
		Photo struct {
			Renditions []struct {
				URL string `json:"url"`
			} `json:"renditions"`
		} `json:"photo"`
	}
	a.Get("/v1/articles/"+fr.Slug, "").JSON(t, &art)
	if len(art.Photo.Renditions) == 0 {
		t.Fatal("no rendition")
	}
	bundle := ""
	for _, m := range docsRefs.FindAllStringSubmatch(string(a.Get("/docs/index.html", "").Body), -1) {
		if strings.Contains(m[1], "swagger-ui-bundle.js") {
			bundle = m[1]
		}
	}
	sub, editor := a.Token(access.RoleSubscriber), a.Token(access.RoleEditor)
	samples := []struct{ path, token string }{
		{"/v1/articles", ""},
		{"/v1/articles?lang=fr&limit=2", ""},
		{"/v1/articles/" + fr.Slug, ""},
		{"/v1/articles/" + wells.Slug, sub},
		{"/v1/articles/" + fr.ID + "/comments", ""},
		{"/v1/sections", ""},
		{"/v1/feeds/latest.rss", ""},
		{"/v1/feeds/latest.json", ""},
		{"/v1/feeds/section/politique.atom", ""},
		{"/v1/admin/articles/" + fr.ID, editor},
		{"/v1/me", sub},
		{art.Photo.Renditions[0].URL, ""},
		{"/docs/index.html", ""},
		{"/docs/", ""},
		{"/docs/doc.json", ""},
		{bundle, ""},
		{"/docs/swagger-ui.css", ""},
		{"/healthz", ""},
		{"/readyz", ""},
		{"/openapi.json", ""},
		{"/.well-known/jwks.json", ""},
		{"/v1/articles/no-such-story", ""},
		{"/v1/admin/articles", ""},         // 401
		{"/v1/admin/articles", sub},        // 403
		{"/v1/articles?limit=oops", ""},    // 400
		{"/v1/auth/login", ""},             // 405: POST only
		{"/media/nope.jpg", ""},            // 404
		{"/v1/articles", "not-a-token"},    // 401 with WWW-Authenticate
		{"/docs/../openapi.json", ""},      // 404
		{"/v1/articles/" + fr.Slug, "bad"}, // 401
	}
	compared := []string{"Content-Type", "Content-Length", "Content-Encoding", "ETag", "Last-Modified", "Cache-Control",
		"Vary", "Location", "Allow", "Content-Security-Policy", "X-Content-Type-Options", "WWW-Authenticate", "Transfer-Encoding"}
	for _, s := range samples {
		for _, enc := range []string{"identity", "gzip"} {
			a.Validate = enc != "gzip" // the harness cannot read a gzip body
			g := a.Get(s.path, s.token, "Accept-Encoding", enc)
			h := a.Do(http.MethodHead, s.path, s.token, nil, "Accept-Encoding", enc)
			a.Validate = true
			what := "HEAD " + s.path + " (" + enc + ")"
			if g.Status >= 500 || h.Status != g.Status {
				t.Errorf("%s: %d, GET %d", what, h.Status, g.Status)
				continue
			}
			if len(h.Body) != 0 {
				t.Errorf("%s: %d bytes of body", what, len(h.Body))
			}
			for _, k := range compared {
				hv, gv := strings.Join(h.Header.Values(k), ", "), strings.Join(g.Header.Values(k), ", ")
				if k == "Content-Length" && gv == "0" && hv == "" {
					// net/http cannot tell an empty body from none on a HEAD,
					// and may omit it (RFC 9110, 8.6): a redirect.
					continue
				}
				if hv != gv {
					t.Errorf("%s: %s %q, GET has %q", what, k, hv, gv)
				}
			}
			// Text is compressed; images are compressed already.
			image := strings.HasPrefix(g.Header.Get("Content-Type"), "image/")
			if enc == "gzip" && len(g.Body) >= 2048 && !image && g.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s: GET of %d bytes not compressed", what, len(g.Body))
			}
			if etag := g.Header.Get("ETag"); etag != "" && g.Status == http.StatusOK {
				nm := a.Do(http.MethodHead, s.path, s.token, nil, "Accept-Encoding", enc, "If-None-Match", etag)
				if nm.Status != http.StatusNotModified || len(nm.Body) != 0 || nm.Header.Get("ETag") != etag {
					t.Errorf("%s with If-None-Match: %d, ETag %q", what, nm.Status, nm.Header.Get("ETag"))
				}
			}
		}
	}
}
