// Package apitest runs the real application for tests: a fresh database per
// test (a SQLite file in t.TempDir, or a PostgreSQL database of its own when
// TEST_DATABASE_URL is set) built by the migrations and filled with the demo
// content (copied from a template the test binary builds once, see
// demotest), the real Echo router behind a real HTTP server on 127.0.0.1,
// real signed tokens, a clock that moves only when the test moves it, and
// every response validated against the OpenAPI spec.
package apitest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"masthead/api"
	"masthead/docs"
	"masthead/internal/access"
	"masthead/internal/app"
	"masthead/internal/config"
	"masthead/internal/content"
	"masthead/internal/demo"
	"masthead/internal/demo/demotest"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// Issuer and Audience of the test application's tokens.
const (
	Issuer   = "masthead-test"
	Audience = "masthead-test-api"
)

// App is one running application under test: the services Build made, the
// configuration they were built from, and the HTTP server in front.
type App struct {
	*app.Services
	t        testing.TB
	URL      string
	Config   config.Config
	Handler  http.Handler // the Echo application, for tests that call it in process
	Key      ed25519.PrivateKey
	Demo     demo.Summary
	Client   *http.Client
	Clock    *Clock
	Validate bool // validate responses against the spec (default true)
}

// Clock is the application's clock: stopped at an instant, it moves only
// when the test moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at the instant the demo content was
// loaded at (demotest.Epoch).
func NewClock() *Clock { return &Clock{now: demotest.Epoch()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// OpenDB returns a fresh, migrated database for t: SQLite in t.TempDir, or a
// new PostgreSQL database (dropped on cleanup) when TEST_DATABASE_URL is set.
func OpenDB(t testing.TB) *store.DB {
	t.Helper()
	return storetest.Open(t)
}

// Options adjust New.
type Options struct {
	NoDemo bool
	// Configure may change the configuration before the services are built.
	Configure func(*config.Config)
	// Services may replace services (a limiter on Redis, another media
	// store) before the demo content is loaded and the router built; now
	// is the application's clock.
	Services func(svc *app.Services, now func() time.Time)
	// Key is the signing key; nil makes one. Processes of one deployment
	// share theirs (what is derived from it too: cursor and login-limit
	// secrets).
	Key ed25519.PrivateKey
}

// Config is the configuration of the application under test: the defaults,
// with no limits on anonymous or partner requests (tests that exercise the
// limits set their own), the test issuer, no leeway on token times, and the
// CORS origin the tests use.
func Config(dataDir string) config.Config {
	cfg := config.Defaults()
	cfg.DataDir = dataDir
	cfg.JWTIssuer, cfg.JWTAudience, cfg.JWTLeeway = Issuer, Audience, 0
	cfg.CORSOrigins = []string{"https://app.example"}
	cfg.RateLimitAnon, cfg.RateLimitPartner = 0, 0
	return cfg
}

// New starts the application with the demo content loaded (a copy of the
// test binary's demo database and media, see demotest), on a clock stopped
// at demotest.Epoch. The services are built by app.Build, as `masthead
// serve` builds them.
func New(t testing.TB, opts ...Options) *App {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var (
		db      *store.DB
		dataDir string
		summary demo.Summary
	)
	if o.NoDemo {
		db, dataDir = OpenDB(t), t.TempDir()
	} else {
		f := demotest.Open(t)
		db, dataDir, summary = f.DB, filepath.Dir(f.MediaRoot), f.Demo
	}

	var logs SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("application log:\n%s", logs.String())
		}
	})

	key := o.Key
	if key == nil {
		var err error
		if _, key, err = ed25519.GenerateKey(rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	clock := NewClock()
	cfg := Config(dataDir)
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test configuration: %v", err)
	}
	svc, closeServices, err := app.Build(context.Background(), cfg, db, app.Options{
		Now: clock.Now, Logger: log, Key: key, RenditionWidths: demotest.RenditionWidths(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeServices)
	if o.Services != nil {
		o.Services(svc, clock.Now)
	}
	a := &App{Services: svc, t: t, Config: cfg, Key: key, Clock: clock, Demo: summary, Validate: true}
	a.Handler = api.New(svc, cfg, api.Options{Logger: log, Now: clock.Now, Spec: docs.OpenAPI})
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	a.Client = &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return a
}

// Token mints a valid token for role with a one-hour lifetime.
func (a *App) Token(role access.Role, scopes ...string) string {
	a.t.Helper()
	tok, err := a.Tokens.Mint(access.MintRequest{Subject: "test-" + string(role), Role: role, Scopes: scopes, TTL: time.Hour})
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

// Article returns the demo article with the given ref.
func (a *App) Article(ref string) content.Article {
	a.t.Helper()
	art, ok := a.Demo.Refs[ref]
	if !ok {
		a.t.Fatalf("no demo article %q", ref)
	}
	return art
}

// Response is what a request got.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d response: %v\n%s", r.Status, err, r.Body)
	}
}

// Map decodes the body into a generic object.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request (token may be empty; headers are name, value pairs) and
// validates the response against the spec.
func (a *App) Do(method, path, token string, body io.Reader, headers ...string) Response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := a.Client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := Response{Status: res.StatusCode, Header: res.Header, Body: b}
	if a.Validate {
		if err := validate(req, r); err != nil {
			a.t.Errorf("%s %s: response %d does not match the OpenAPI spec: %v\n%s", method, path, r.Status, err, truncate(b))
		}
	}
	return r
}

// Get is Do for a GET without body.
func (a *App) Get(path, token string, headers ...string) Response {
	a.t.Helper()
	return a.Do(http.MethodGet, path, token, nil, headers...)
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// validate checks a response against the served spec. Paths outside the
// spec (media files, Swagger UI, the spec itself) are not API responses.
func validate(req *http.Request, r Response) error {
	p := req.URL.Path
	if strings.HasPrefix(p, "/media/") || strings.HasPrefix(p, "/docs") || p == "/openapi.json" {
		return nil
	}
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(docs.OpenAPI)
		if err != nil {
			specErr = err
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			specErr = err
			return
		}
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	if specErr != nil {
		return fmt.Errorf("load spec: %w", specErr)
	}
	// HEAD is not in the spec: it answers as the GET it mirrors, without
	// the body (see routes.go).
	head := req.Method == http.MethodHead
	if head {
		req = req.Clone(req.Context())
		req.Method = http.MethodGet
	}
	route, params, err := specRouter.FindRoute(req)
	if err != nil {
		if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
			// An unknown route: still a problem document.
			return checkProblemHead(r, head)
		}
		return fmt.Errorf("no spec route for %s %s: %w", req.Method, p, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: r.Status,
		Header: r.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			ExcludeResponseBody:   head,
		},
	}
	in.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	if r.Status >= 400 {
		return checkProblemHead(r, head)
	}
	return nil
}

// checkProblemHead is checkProblem, or for a HEAD (no body) its type.
func checkProblemHead(r Response, head bool) error {
	if !head {
		return checkProblem(r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("error with content type %q, want application/problem+json", ct)
	}
	return nil
}

// checkProblem asserts the RFC 9457 shape every error must have.
func checkProblem(r Response) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("error with content type %q, want application/problem+json", ct)
	}
	var p api.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return fmt.Errorf("problem document: %w", err)
	}
	if p.Status != r.Status || p.Code == "" || p.Type == "" || p.Title == "" {
		return fmt.Errorf("incomplete problem document %+v", p)
	}
	return nil
}

// SyncBuffer is a log destination that goroutines share: a bytes.Buffer
// behind a mutex.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func roleOf(s string) access.Role { return access.Role(s) }
