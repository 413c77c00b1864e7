package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/config"
)

// The authorization matrix: every registered route, called by every kind of
// caller, answers what its rule says. A route registered without a rule here
// fails the test, so no route reaches production without someone deciding
// who may call it.

// party is one column of the matrix.
type party string

const (
	anonymous  party = "anonymous"
	reader     party = "reader"
	subscriber party = "subscriber"
	headlines  party = "partner:headlines"
	fullText   party = "partner:full_text"
	editor     party = "editor"
	admin      party = "admin"
	badToken   party = "bad token"
)

var parties = []party{anonymous, reader, subscriber, headlines, fullText, editor, admin, badToken}

// outcome is what a party gets from a route: let through (whatever the
// handler then answers: 200, 404 for a made-up id, 400 or 422 for the empty
// body the matrix sends), 401 or 403.
type outcome int

const (
	through outcome = iota
	unauth
	forbidden
)

func (o outcome) String() string {
	return [...]string{"through", "401", "403"}[o]
}

// rule is a route's row: who is let through; everyone else gets 401 when
// anonymous and 403 when signed in. checksToken says whether the route reads
// the Authorization header at all (a bad token is then a 401, never served
// as anonymous); routes that do not read it ignore it.
type rule struct {
	allowed     []party
	checksToken bool
}

func (r rule) expect(c party) outcome {
	if c == badToken {
		if r.checksToken {
			return unauth
		}
		return through
	}
	for _, a := range r.allowed {
		if a == c {
			return through
		}
	}
	if c == anonymous {
		return unauth
	}
	return forbidden
}

var (
	everyone   = []party{anonymous, reader, subscriber, headlines, fullText, editor, admin}
	signedIn   = []party{reader, subscriber, headlines, fullText, editor, admin}
	members    = []party{reader, subscriber, editor, admin}
	newsroom   = []party{editor, admin}
	adminsOnly = []party{admin}
	syncers    = []party{headlines, fullText, editor, admin}
	// people may comment (guests too when the configuration lets them);
	// partners are machines and may not.
	people = []party{anonymous, reader, subscriber, editor, admin}
)

// open routes read no token: health, keys, the spec, the docs, media.
func open() rule { return rule{allowed: everyone} }

// authorization is the matrix's rows, by method and Echo path. HEAD routes
// take their GET's row.
var authorization = map[string]rule{
	"GET /healthz":               open(),
	"GET /readyz":                open(),
	"GET /.well-known/jwks.json": open(),
	"GET /openapi.json":          open(),
	"GET /docs":                  open(),
	"GET /docs/":                 open(),
	"GET /docs/*":                open(),
	"GET /media/*":               open(),
	// With a metrics token configured: that token, or an admin.
	"GET /metrics": {adminsOnly, true},

	"GET /v1/articles":                        {everyone, true},
	"GET /v1/articles/:id_or_slug":            {everyone, true},
	"GET /v1/articles/:id/comments":           {everyone, true},
	"GET /v1/search":                          {everyone, true},
	"POST /v1/articles/:id/comments":          {people, true},
	"GET /v1/comments/counts":                 {everyone, true},
	"GET /v1/sections":                        {everyone, true},
	"GET /v1/tags":                            {everyone, true},
	"GET /v1/authors/:slug":                   {everyone, true},
	"GET /v1/photos/:id":                      {everyone, true},
	"GET /v1/resolve":                         {everyone, true},
	"GET /v1/feeds/:file":                     {everyone, true},
	"GET /v1/feeds/section/:file":             {everyone, true},
	"GET /v1/feeds/tag/:file":                 {everyone, true},
	"GET /v1/feeds/lang/:file":                {everyone, true},
	"GET /v1/changes":                         {syncers, true},
	"POST /v1/auth/login":                     open(),
	"POST /v1/auth/refresh":                   open(),
	"POST /v1/auth/logout":                    open(),
	"GET /v1/me":                              {signedIn, true},
	"POST /v1/comments/:id/reports":           {members, true},
	"POST /v1/admin/photos":                   {newsroom, true},
	"PATCH /v1/admin/photos/:id":              {newsroom, true},
	"DELETE /v1/admin/photos/:id":             {newsroom, true},
	"POST /v1/admin/articles":                 {newsroom, true},
	"GET /v1/admin/articles":                  {newsroom, true},
	"GET /v1/admin/articles/:id":              {newsroom, true},
	"PATCH /v1/admin/articles/:id":            {newsroom, true},
	"DELETE /v1/admin/articles/:id":           {adminsOnly, true},
	"POST /v1/admin/articles/:id/publish":     {newsroom, true},
	"POST /v1/admin/articles/:id/unpublish":   {newsroom, true},
	"GET /v1/admin/articles/:id/revisions":    {newsroom, true},
	"GET /v1/admin/comments":                  {newsroom, true},
	"POST /v1/admin/comments/bulk":            {newsroom, true},
	"GET /v1/admin/comments/:id":              {newsroom, true},
	"PATCH /v1/admin/comments/:id":            {newsroom, true},
	"DELETE /v1/admin/comments/:id":           {adminsOnly, true},
	"GET /v1/admin/comments/:id/history":      {newsroom, true},
	"POST /v1/admin/sections":                 {newsroom, true},
	"PATCH /v1/admin/sections/:id":            {newsroom, true},
	"DELETE /v1/admin/sections/:id":           {newsroom, true},
	"POST /v1/admin/tags":                     {newsroom, true},
	"PATCH /v1/admin/tags/:id":                {newsroom, true},
	"DELETE /v1/admin/tags/:id":               {newsroom, true},
	"POST /v1/admin/authors":                  {newsroom, true},
	"PATCH /v1/admin/authors/:id":             {newsroom, true},
	"DELETE /v1/admin/authors/:id":            {newsroom, true},
	"POST /v1/admin/partners":                 {adminsOnly, true},
	"GET /v1/admin/partners":                  {adminsOnly, true},
	"GET /v1/admin/partners/:id":              {adminsOnly, true},
	"PATCH /v1/admin/partners/:id":            {adminsOnly, true},
	"POST /v1/admin/partners/:id/credentials": {adminsOnly, true},
	"POST /v1/admin/webhooks":                 {adminsOnly, true},
	"GET /v1/admin/webhooks":                  {adminsOnly, true},
	"GET /v1/admin/webhooks/:id":              {adminsOnly, true},
	"PATCH /v1/admin/webhooks/:id":            {adminsOnly, true},
	"DELETE /v1/admin/webhooks/:id":           {adminsOnly, true},
	"POST /v1/admin/webhooks/:id/secret":      {adminsOnly, true},
	"GET /v1/admin/webhooks/:id/deliveries":   {adminsOnly, true},
}

// ruleOf finds a route's row; HEAD shares GET's.
func ruleOf(method, path string) (rule, bool) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	r, ok := authorization[method+" "+path]
	return r, ok
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.GuestComments = true
		c.MetricsToken = strings.Repeat("m", 32) // serves /metrics on the public port
	}})
	e, ok := a.Handler.(*echo.Echo)
	if !ok {
		t.Fatalf("the handler is a %T, not Echo", a.Handler)
	}

	// Path parameters: a real article, so that article routes reach their
	// own checks; made-up ids elsewhere, so that nothing an allowed party
	// sends (with an empty body) can change a row.
	wells := a.Article("wells")
	params := map[string]string{
		":id_or_slug": wells.Slug,
		":slug":       "no-such-author",
		":file":       "latest.rss",
		"*":           "nothing-here",
	}
	articleParam := func(path string) string {
		if strings.HasPrefix(path, "/v1/articles/:id") {
			return wells.ID
		}
		return "01J0000000000000000000NONE"
	}

	// A token signed by another key is the bad token: well formed, wrongly
	// signed, so only verification can refuse it.
	stranger := access.NewTokens(strangerKey(t), access.TokenOptions{Issuer: apitest.Issuer, Audience: apitest.Audience})
	bad, err := stranger.Mint(access.MintRequest{Subject: "mallory", Role: access.RoleAdmin, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[party]string{
		anonymous:  "",
		reader:     a.Token(access.RoleReader),
		subscriber: a.Token(access.RoleSubscriber),
		headlines:  a.Token(access.RolePartner, access.ScopeHeadlines),
		fullText:   a.Token(access.RolePartner, access.ScopeHeadlines, access.ScopeFullText),
		editor:     a.Token(access.RoleEditor),
		admin:      a.Token(access.RoleAdmin),
		badToken:   bad,
	}

	routes := e.Routes()
	sort.Slice(routes, func(i, j int) bool {
		return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method
	})
	seen := map[string]bool{}
	for _, rt := range routes {
		if !isHTTPMethod(rt.Method) {
			continue // Echo's own not-found and method-not-allowed entries
		}
		key := rt.Method + " " + rt.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		r, ok := ruleOf(rt.Method, rt.Path)
		if !ok {
			t.Errorf("%s has no row in the authorization matrix (api/authz_matrix_test.go): decide who may call it", key)
			continue
		}
		url := rt.Path
		for name, v := range params {
			url = strings.ReplaceAll(url, name, v)
		}
		url = strings.ReplaceAll(url, ":id", articleParam(rt.Path))
		for _, c := range parties {
			req := httptest.NewRequest(rt.Method, url, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if tok := tokens[c]; tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			req.RemoteAddr = "192.0.2.10:1234"
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			got := outcomeOf(rec.Code)
			if want := r.expect(c); got != want {
				t.Errorf("%s as %s: %d (%s), want %s\n%s", key, c, rec.Code, got, want, strings.TrimSpace(rec.Body.String()))
				continue
			}
			checkRefusal(t, key, c, rec)
		}
	}
	// Rows for routes that no longer exist are stale decisions.
	for key := range authorization {
		if !seen[key] {
			t.Errorf("the matrix has a row for %s, which is not a route", key)
		}
	}
}

func outcomeOf(status int) outcome {
	switch status {
	case http.StatusUnauthorized:
		return unauth
	case http.StatusForbidden:
		return forbidden
	}
	return through
}

// checkRefusal checks that a 401 or 403 is a problem document, that a 401
// challenges for a Bearer token, and that neither leaks a body.
func checkRefusal(t *testing.T, key string, c party, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusUnauthorized && rec.Code != http.StatusForbidden {
		if rec.Code >= 500 {
			t.Errorf("%s as %s: %d\n%s", key, c, rec.Code, rec.Body.String())
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s as %s: %d with Content-Type %q", key, c, rec.Code, ct)
	}
	var p struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Code == "" {
		t.Errorf("%s as %s: problem %s (%v)", key, c, rec.Body.String(), err)
	}
	if rec.Code == http.StatusUnauthorized && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s as %s: 401 without a Bearer challenge", key, c)
	}
}

func isHTTPMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func strangerKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
