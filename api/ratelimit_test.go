package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/api"
	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/ratelimit"
	"masthead/internal/ratelimit/redistest"
)

// budget reads the rate limit headers of r.
type budget struct{ limit, remaining, reset, retry int }

func budgetOf(t *testing.T, r apitest.Response) budget {
	t.Helper()
	num := func(name string) int {
		v := r.Header.Get(name)
		if v == "" {
			return -1
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s: %q is not a number", name, v)
		}
		return n
	}
	return budget{num("X-RateLimit-Limit"), num("X-RateLimit-Remaining"), num("X-RateLimit-Reset"), num("Retry-After")}
}

// spendAll sends n requests that must pass with the headers counting down,
// then one that must be refused; it returns the refusal.
func spendAll(t *testing.T, n int, do func() apitest.Response) apitest.Response {
	t.Helper()
	for i := 1; i <= n; i++ {
		r := do()
		mustStatus(t, r, http.StatusOK, "request "+strconv.Itoa(i))
		b := budgetOf(t, r)
		if b.limit != n || b.remaining != n-i || b.reset < 1 || b.reset > 60 || b.retry != -1 {
			t.Fatalf("request %d: %+v, want limit %d, remaining %d, a reset within a minute", i, b, n, n-i)
		}
	}
	r := do()
	mustStatus(t, r, http.StatusTooManyRequests, "request past the budget")
	if problemCode(t, r) != "rate_limited" {
		t.Errorf("429 code: %s", r.Body)
	}
	b := budgetOf(t, r)
	if b.limit != n || b.remaining != 0 || b.retry < 1 || b.retry > 60/n+1 || b.reset < 1 || b.reset > 60 {
		t.Errorf("429 headers: %+v, want remaining 0 and Retry-After within %ds", b, 60/n+1)
	}
	return r
}

func TestRateLimitAnonymous(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(d *api.Deps) { d.RateLimitAnon = 3 }})
	get := func() apitest.Response { return a.Get("/v1/articles?limit=1", "") }
	spendAll(t, 3, get)
	// Every limited route spends from the same budget.
	mustStatus(t, a.Get("/v1/sections", ""), http.StatusTooManyRequests, "another route")

	// Signed-in readers, subscribers and staff are not limited here.
	for _, role := range []access.Role{access.RoleReader, access.RoleSubscriber, access.RoleEditor} {
		for range 5 {
			r := a.Get("/v1/articles?limit=1", a.Token(role))
			mustStatus(t, r, http.StatusOK, string(role))
			if r.Header.Get("X-RateLimit-Limit") != "" {
				t.Fatalf("%s: rate limit headers %v", role, r.Header)
			}
		}
	}
	// Routes that do not authenticate are not counted: health, login.
	mustStatus(t, a.Get("/healthz", ""), http.StatusOK, "health")

	// One request comes back every 20 s; the whole budget after a minute.
	a.Clock.Advance(20 * time.Second)
	r := get()
	mustStatus(t, r, http.StatusOK, "after 20s")
	if b := budgetOf(t, r); b.remaining != 0 {
		t.Errorf("after 20s: %+v, want one request and none left", b)
	}
	mustStatus(t, get(), http.StatusTooManyRequests, "second request after 20s")
	a.Clock.Advance(time.Minute)
	spendAll(t, 3, get)
}

func TestRateLimitPartners(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(d *api.Deps) { d.RateLimitAnon = 1000; d.RateLimitPartner = 2 }})

	// A partner with a row: its own budget, token and feed key together.
	p := createPartner(t, a, `{"name": "Agence Vallée", "scopes": ["headlines"], "rate_limit": 3}`)
	n := 0
	r := spendAll(t, 3, func() apitest.Response {
		n++
		if n%2 == 0 {
			return a.Get("/v1/feeds/latest.json?key="+p.FeedKey, "")
		}
		return a.Get("/v1/articles?limit=1", p.Token)
	})
	if !strings.Contains(string(r.Body), "3 per minute") {
		t.Errorf("429 detail: %s", r.Body)
	}
	// Other callers are not affected.
	mustStatus(t, a.Get("/v1/articles?limit=1", ""), http.StatusOK, "anonymous")
	q := createPartner(t, a, `{"name": "Courrier", "scopes": ["headlines"], "rate_limit": 3}`)
	mustStatus(t, a.Get("/v1/articles?limit=1", q.Token), http.StatusOK, "another partner")

	// A new rate_limit applies at the next request (what was spent stays
	// spent; the budget refills at the new pace).
	mustStatus(t, adminJSON(t, a, http.MethodPatch, "/v1/admin/partners/"+p.Partner.ID, `{"rate_limit": 600}`), http.StatusOK, "raise")
	a.Clock.Advance(time.Second)
	r = a.Get("/v1/articles?limit=1", p.Token)
	mustStatus(t, r, http.StatusOK, "after raising the limit")
	if b := budgetOf(t, r); b.limit != 600 {
		t.Errorf("raised budget: %+v", b)
	}
	// 0: not limited.
	mustStatus(t, adminJSON(t, a, http.MethodPatch, "/v1/admin/partners/"+p.Partner.ID, `{"rate_limit": 0}`), http.StatusOK, "unlimit")
	for range 10 {
		r := a.Get("/v1/articles?limit=1", p.Token)
		if r.Status != http.StatusOK || r.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("unlimited partner: %d %v", r.Status, r.Header)
		}
	}

	// Partner tokens without a row: the default budget, per subject.
	cli := a.Token(access.RolePartner, "headlines")
	spendAll(t, 2, func() apitest.Response { return a.Get("/v1/articles?limit=1", cli) })
	other, err := a.Tokens.Mint(access.MintRequest{Subject: "another-partner", Role: access.RolePartner, Scopes: []string{"headlines"}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a.Get("/v1/articles?limit=1", other), http.StatusOK, "another hand-minted partner")
}

// Browsers may read the rate limit headers of a cross-origin answer.
func TestRateLimitCORS(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(d *api.Deps) { d.RateLimitAnon = 10 }})
	r := a.Get("/v1/articles?limit=1", "", "Origin", "https://app.example")
	mustStatus(t, r, http.StatusOK, "cross-origin read")
	exposed := strings.ToLower(strings.Join(r.Header.Values("Access-Control-Expose-Headers"), ","))
	for _, h := range []string{"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"} {
		if !strings.Contains(exposed, h) {
			t.Errorf("%s not exposed: %q", h, exposed)
		}
	}
}

// Two API processes sharing a Redis share every budget.
func TestRateLimitSharedThroughRedis(t *testing.T) {
	t.Parallel()
	prefix := "masthead-test:" + ulid.Make().String() + ":"
	app := func() *apitest.App {
		c := redistest.Open(t, redistest.URL(t, 0))
		return apitest.New(t, apitest.Options{Configure: func(d *api.Deps) {
			d.RateLimitAnon = 4
			d.RateLimiter = ratelimit.NewRedis(c, ratelimit.RedisOptions{Prefix: prefix})
		}})
	}
	one, two := app(), app()
	n := 0
	r := spendAll(t, 4, func() apitest.Response {
		n++
		if n%2 == 0 {
			return two.Get("/v1/articles?limit=1", "")
		}
		return one.Get("/v1/articles?limit=1", "")
	})
	// Redis counts on its own clock: bound Retry-After rather than wait
	// the 15 s for one request to come back.
	if b := budgetOf(t, r); b.retry < 1 || b.retry > 15 {
		t.Errorf("Retry-After %d, want 1-15", b.retry)
	}
	mustStatus(t, one.Get("/v1/articles?limit=1", ""), http.StatusTooManyRequests, "the other process, past the budget")
}

// With Redis down, the API still answers and the budgets still hold, in
// each process.
func TestRateLimitRedisDown(t *testing.T) {
	t.Parallel()
	down, err := ratelimit.OpenRedis("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { down.Close() })
	a := apitest.New(t, apitest.Options{Configure: func(d *api.Deps) {
		d.RateLimitAnon = 3
		d.RateLimiter = ratelimit.NewRedis(down, ratelimit.RedisOptions{Fallback: ratelimit.NewMemory(d.Now, 0)})
	}})
	spendAll(t, 3, func() apitest.Response { return a.Get("/v1/articles?limit=1", "") })
	a.Clock.Advance(time.Minute)
	mustStatus(t, a.Get("/v1/articles?limit=1", ""), http.StatusOK, "after a minute")
}

// BenchmarkPartnerRead measures what a partner's credentials cost on a
// read: the row lookup of every partner request, and the rate limit in the
// process or in Redis.
//
//	go test -tags sqlite_fts5 -run '^$' -bench BenchmarkPartnerRead ./api/
func BenchmarkPartnerRead(b *testing.B) {
	c, err := ratelimit.OpenRedis("redis://127.0.0.1:6379/0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	for _, mode := range []string{"memory", "redis"} {
		a := apitest.New(b, apitest.Options{Configure: func(d *api.Deps) {
			d.RateLimitAnon = 1_000_000
			if mode == "redis" {
				d.RateLimiter = ratelimit.NewRedis(c, ratelimit.RedisOptions{Prefix: "masthead-bench:" + ulid.Make().String() + ":"})
			}
		}})
		a.Validate = false
		path := a.URL + "/v1/articles/" + a.Article("wells").ID
		mk := func(body string) string {
			r := a.Do(http.MethodPost, "/v1/admin/partners", a.Token(access.RoleAdmin), strings.NewReader(body), "Content-Type", "application/json")
			var p createdPartner
			r.JSON(b, &p)
			if r.Status != http.StatusCreated {
				b.Fatalf("create partner: %d %s", r.Status, r.Body)
			}
			return p.Token
		}
		unlimited := mk(`{"name": "Unlimited", "scopes": ["headlines"], "rate_limit": 0}`)
		limited := mk(`{"name": "Limited", "scopes": ["headlines"], "rate_limit": 1000000}`)
		if mode == "memory" {
			b.Run("hand-minted-token", func(b *testing.B) {
				benchGet(b, path, "Authorization", "Bearer "+a.Token(access.RolePartner, "headlines"))
			})
			b.Run("partner-row-unlimited", func(b *testing.B) { benchGet(b, path, "Authorization", "Bearer "+unlimited) })
		}
		b.Run("partner-row-limited-"+mode, func(b *testing.B) { benchGet(b, path, "Authorization", "Bearer "+limited) })
		b.Run("anonymous-limited-"+mode, func(b *testing.B) { benchGet(b, path) })
	}
}
