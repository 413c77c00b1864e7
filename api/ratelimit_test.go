package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/accounts"
	"masthead/internal/app"
	"masthead/internal/config"
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
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.RateLimitAnon = 3 }})
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
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.RateLimitAnon = 1000; c.RateLimitPartner = 2 }})

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
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.RateLimitAnon = 10 }})
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
	newApp := func() *apitest.App {
		c := redistest.Open(t, redistest.URL(t, 0))
		return apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.RateLimitAnon = 4 },
			Services: func(s *app.Services, _ func() time.Time) {
				s.RateLimiter = ratelimit.NewRedis(c, ratelimit.RedisOptions{Prefix: prefix})
			}})
	}
	one, two := newApp(), newApp()
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
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.RateLimitAnon = 3 },
		Services: func(s *app.Services, now func() time.Time) {
			s.RateLimiter = ratelimit.NewRedis(down, ratelimit.RedisOptions{Fallback: ratelimit.NewMemory(now, 0)})
		}})
	spendAll(t, 3, func() apitest.Response { return a.Get("/v1/articles?limit=1", "") })
	a.Clock.Advance(time.Minute)
	mustStatus(t, a.Get("/v1/articles?limit=1", ""), http.StatusOK, "after a minute")
}

// sharedApps are two API processes counting every budget in one Redis,
// under a key prefix of their own (so tests may run in parallel).
func sharedApps(t *testing.T, configure func(*config.Config)) [2]*apitest.App {
	t.Helper()
	url := redistest.URL(t, 0)
	prefix := "masthead-test:" + ulid.Make().String() + ":"
	// One deployment: one signing key, hence one login-limit secret.
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	newApp := func() *apitest.App {
		c := redistest.Open(t, url)
		return apitest.New(t, apitest.Options{Configure: configure, Key: key,
			Services: func(s *app.Services, _ func() time.Time) {
				// A generous timeout: on a slow machine a check must not go
				// to the fallback, which counts apart.
				s.RateLimiter = ratelimit.NewRedis(c, ratelimit.RedisOptions{Prefix: prefix, Timeout: 5 * time.Second})
			}})
	}
	return [2]*apitest.App{newApp(), newApp()}
}

// Two processes sharing a Redis share one failed-login budget per account
// and one per address: failures on one count on the other, successes on
// neither.
func TestRateLimitLoginsSharedThroughRedis(t *testing.T) {
	t.Parallel()
	apps := sharedApps(t, nil)
	for _, a := range apps {
		newUser(t, a, "target@example.org", accounts.RoleReader, nil)
		newUser(t, a, "bystander@example.org", accounts.RoleReader, nil)
	}
	for i := range 2 {
		pairOf(t, loginAs(t, apps[i%2], "target@example.org", testPassword))
	}
	for i := range 5 {
		mustStatus(t, loginAs(t, apps[i%2], "target@example.org", "wrong horse battery"), http.StatusUnauthorized, fmt.Sprintf("failure %d", i+1))
	}
	for i, a := range apps {
		r := loginAs(t, a, "target@example.org", testPassword)
		mustStatus(t, r, http.StatusTooManyRequests, fmt.Sprintf("locked account on process %d", i+1))
		if problemCode(t, r) != "too_many_requests" {
			t.Errorf("code %q", problemCode(t, r))
		}
		// Redis counts on its own clock: bound the wait.
		if sec, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || sec < 1 || sec > 180 {
			t.Errorf("Retry-After %q, want 1-180", r.Header.Get("Retry-After"))
		}
	}
	pairOf(t, loginAs(t, apps[1], "bystander@example.org", testPassword))

	// The address has spent 5 of its 20: 15 more on other accounts, half
	// on each process, lock it everywhere. Redis refills on its own clock,
	// one failure every 45 s, and a hash can take seconds on a loaded
	// machine: the guesses go on until the first 429, and how many got
	// through is bounded by the budget plus what the time spent refilled.
	start := time.Now()
	guesses := 0
	for i := 0; ; i++ {
		r := loginAs(t, apps[i%2], fmt.Sprintf("guess%d@example.org", i), "wrong horse battery")
		if r.Status == http.StatusTooManyRequests {
			break
		}
		mustStatus(t, r, http.StatusUnauthorized, fmt.Sprintf("guess %d", i+1))
		if guesses++; guesses > 15+int(time.Since(start)/(45*time.Second))+1 {
			t.Fatalf("%d guesses from one address in %s, past its budget", guesses, time.Since(start).Round(time.Second))
		}
	}
	if guesses < 15 {
		t.Fatalf("the address was locked after %d guesses on other accounts, want 15", guesses)
	}
	for i, a := range apps {
		r := loginAs(t, a, "bystander@example.org", testPassword)
		mustStatus(t, r, http.StatusTooManyRequests, fmt.Sprintf("locked address on process %d", i+1))
		if sec, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || sec < 1 || sec > 45 {
			t.Errorf("Retry-After %q, want 1-45", r.Header.Get("Retry-After"))
		}
	}
}

// A burst of wrong guesses sent at once gets exactly the budget checked,
// the rest refused before any hashing: in one process, and across two
// sharing a Redis.
func TestRateLimitLoginsConcurrent(t *testing.T) {
	t.Parallel()
	one := apitest.New(t)
	for name, apps := range map[string][2]*apitest.App{
		"memory": {one, one},
		"redis":  sharedApps(t, nil),
	} {
		t.Run(name, func(t *testing.T) {
			newUser(t, apps[0], "target@example.org", accounts.RoleReader, nil)
			if apps[1] != apps[0] {
				newUser(t, apps[1], "target@example.org", accounts.RoleReader, nil)
			}
			const n = 12
			status := make([]int, n)
			body := `{"email":"target@example.org","password":"wrong horse battery"}`
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					res, err := http.Post(apps[i%2].URL+"/v1/auth/login", "application/json", strings.NewReader(body))
					if err != nil {
						t.Error(err)
						return
					}
					res.Body.Close()
					status[i] = res.StatusCode
				})
			}
			wg.Wait()
			count := map[int]int{}
			for _, st := range status {
				count[st]++
			}
			if count[http.StatusUnauthorized] != 5 || count[http.StatusTooManyRequests] != n-5 {
				t.Errorf("%d guesses at once: %v, want 5 checked (401) and %d refused (429)", n, count, n-5)
			}
			mustStatus(t, loginAs(t, apps[1], "target@example.org", testPassword), http.StatusTooManyRequests, "the right password after the burst")
		})
	}
}

// Two processes sharing a Redis share one comment budget per account and
// one per address; a submission the account's budget refuses gives the
// address's back.
func TestRateLimitCommentsSharedThroughRedis(t *testing.T) {
	t.Parallel()
	apps := sharedApps(t, func(c *config.Config) {
		c.CommentsModeration = "post"
		c.GuestComments = true
		c.CommentsRateAccount = 2
		c.CommentsRateIP = 4
	})
	post := func(i int, token, body string) apitest.Response {
		t.Helper()
		a := apps[i%2]
		return postComment(a, a.Article("summit-fr").ID, token, body)
	}
	member := func(i int) string { return apps[i%2].Token(access.RoleSubscriber) } // one subject on both
	for i := range 2 {
		mustStatus(t, post(i, member(i), fmt.Sprintf(`{"body":"note %d"}`, i)), http.StatusAccepted, fmt.Sprintf("member comment %d", i+1))
	}
	for i := range 2 {
		r := post(i, member(i), `{"body":"one more"}`)
		mustStatus(t, r, http.StatusTooManyRequests, fmt.Sprintf("third member comment, on process %d", i+1))
		if problemCode(t, r) != "too_many_requests" {
			t.Errorf("code %q", problemCode(t, r))
		}
		if sec, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || sec < 1 || sec > 30 {
			t.Errorf("Retry-After %q, want 1-30", r.Header.Get("Retry-After"))
		}
	}
	// The address spent 2 of its 4 (the refused ones were given back).
	guest := func(i int) string {
		return fmt.Sprintf(`{"author_name":"Zed","email":"z@example.org","body":"guest note %d"}`, i)
	}
	for i := range 2 {
		mustStatus(t, post(i, "", guest(i)), http.StatusAccepted, fmt.Sprintf("guest comment %d", i+1))
	}
	for i := range 2 {
		mustStatus(t, post(i, "", guest(9)), http.StatusTooManyRequests, fmt.Sprintf("past the address's budget, on process %d", i+1))
	}
}

// With Redis down, logins and comments are still limited, in the process.
func TestRateLimitLoginsAndCommentsRedisDown(t *testing.T) {
	t.Parallel()
	down, err := ratelimit.OpenRedis("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { down.Close() })
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.CommentsModeration = "post"
		c.CommentsRateAccount = 2
	}, Services: func(s *app.Services, now func() time.Time) {
		s.RateLimiter = ratelimit.NewRedis(down, ratelimit.RedisOptions{Fallback: ratelimit.NewMemory(now, 0)})
	}})
	newUser(t, a, "target@example.org", accounts.RoleReader, nil)
	pairOf(t, loginAs(t, a, "target@example.org", testPassword))
	for i := range 5 {
		mustStatus(t, loginAs(t, a, "target@example.org", "wrong horse battery"), http.StatusUnauthorized, fmt.Sprintf("failure %d", i+1))
	}
	mustStatus(t, loginAs(t, a, "target@example.org", testPassword), http.StatusTooManyRequests, "locked account")

	ref, tok := a.Article("summit-fr").ID, a.Token(access.RoleSubscriber)
	for i := range 2 {
		mustStatus(t, postComment(a, ref, tok, fmt.Sprintf(`{"body":"note %d"}`, i)), http.StatusAccepted, "comment")
	}
	mustStatus(t, postComment(a, ref, tok, `{"body":"one more"}`), http.StatusTooManyRequests, "third comment")

	a.Clock.Advance(15 * time.Minute)
	pairOf(t, loginAs(t, a, "target@example.org", testPassword))
	mustStatus(t, postComment(a, ref, tok, `{"body":"later"}`), http.StatusAccepted, "comment after the wait")
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
		a := apitest.New(b, apitest.Options{Configure: func(c *config.Config) { c.RateLimitAnon = 1_000_000 },
			Services: func(s *app.Services, _ func() time.Time) {
				if mode == "redis" {
					s.RateLimiter = ratelimit.NewRedis(c, ratelimit.RedisOptions{Prefix: "masthead-bench:" + ulid.Make().String() + ":"})
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
