package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/api/apitest"
	"masthead/internal/accounts"
	"masthead/internal/app"
	"masthead/internal/config"
	"masthead/internal/ratelimit"
	"masthead/internal/ratelimit/redistest"
)

// clientHeader names, in these tests only, the address a request comes
// from: the server trusts the socket's address alone, which a test cannot
// choose, so withAddresses puts a proxy in front that sets it.
const clientHeader = "X-Test-Client-Address"

// withAddresses makes a's requests carrying clientHeader come from that
// address.
func withAddresses(t *testing.T, a *apitest.App) {
	t.Helper()
	h := a.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := r.Header.Get(clientHeader); ip != "" {
			r.RemoteAddr = net.JoinHostPort(ip, "40000")
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
}

func loginFrom(t *testing.T, a *apitest.App, ip, email, password string) apitest.Response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	r := a.Do(http.MethodPost, "/v1/auth/login", "", strings.NewReader(string(b)),
		"Content-Type", "application/json", clientHeader, ip)
	noHash(t, r)
	return r
}

// mustRetryAfter checks a 429 whose Retry-After is between 1 and most
// seconds.
func mustRetryAfter(t *testing.T, r apitest.Response, most int, what string) {
	t.Helper()
	mustStatus(t, r, http.StatusTooManyRequests, what)
	if problemCode(t, r) != "too_many_requests" {
		t.Errorf("%s: code %q", what, problemCode(t, r))
	}
	if sec, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || sec < 1 || sec > most {
		t.Errorf("%s: Retry-After %q, want 1-%d", what, r.Header.Get("Retry-After"), most)
	}
}

// limiterApps is one app counting in the process and one counting in
// Redis (under a key prefix of its own), each reachable from any address.
func limiterApps(t *testing.T, configure func(*config.Config)) map[string]*apitest.App {
	t.Helper()
	c := redistest.Open(t, redistest.URL(t, 0))
	prefix := "masthead-test:" + ulid.Make().String() + ":"
	apps := map[string]*apitest.App{
		"memory": apitest.New(t, apitest.Options{Configure: configure}),
		"redis": apitest.New(t, apitest.Options{Configure: configure, Services: func(s *app.Services, _ func() time.Time) {
			s.RateLimiter = ratelimit.NewRedis(c, ratelimit.RedisOptions{Prefix: prefix, Timeout: 5 * time.Second})
		}}),
	}
	for _, a := range apps {
		withAddresses(t, a)
	}
	return apps
}

// Five failures from one address lock the account for that address only:
// the owner logs in from another, and the failing address can still log in
// to other accounts.
func TestLoginLockoutIsPerAddress(t *testing.T) {
	t.Parallel()
	const attacker, owner = "198.51.100.7", "203.0.113.9"
	for name, a := range limiterApps(t, nil) {
		t.Run(name, func(t *testing.T) {
			newUser(t, a, "target@example.org", accounts.RoleReader, nil)
			newUser(t, a, "other@example.org", accounts.RoleReader, nil)
			for i := range 5 {
				mustStatus(t, loginFrom(t, a, attacker, "target@example.org", "wrong horse battery"), http.StatusUnauthorized, fmt.Sprintf("failure %d", i+1))
			}
			// One failure of the pair comes back every 15m/5 = 3 minutes.
			mustRetryAfter(t, loginFrom(t, a, attacker, "target@example.org", testPassword), 180, "the right password from the failing address")
			// The same /64 is the same address.
			mustRetryAfter(t, loginFrom(t, a, attacker, "TARGET@example.org", "wrong horse battery"), 180, "another spelling of the email")

			pairOf(t, loginFrom(t, a, owner, "target@example.org", testPassword))
			pairOf(t, loginFrom(t, a, owner, "target@example.org", testPassword))
			mustRetryAfter(t, loginFrom(t, a, attacker, "target@example.org", testPassword), 180, "the failing address, after the owner's logins")
			pairOf(t, loginFrom(t, a, attacker, "other@example.org", testPassword))

			if name == "memory" {
				a.Clock.Advance(15*time.Minute + time.Second)
				pairOf(t, loginFrom(t, a, attacker, "target@example.org", testPassword))
			}
		})
	}
}

// An IPv6 client is limited by its /64: moving inside it does not reset
// the pair's budget.
func TestLoginLockoutIPv6Prefix(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	withAddresses(t, a)
	newUser(t, a, "target@example.org", accounts.RoleReader, nil)
	for i := range 5 {
		ip := fmt.Sprintf("2001:db8:1:2::%x", i+1)
		mustStatus(t, loginFrom(t, a, ip, "target@example.org", "wrong horse battery"), http.StatusUnauthorized, fmt.Sprintf("failure %d", i+1))
	}
	mustRetryAfter(t, loginFrom(t, a, "2001:db8:1:2::ff", "target@example.org", testPassword), 180, "the same /64")
	pairOf(t, loginFrom(t, a, "2001:db8:1:3::1", "target@example.org", testPassword))
}

// Failures spread over many addresses, none reaching the pair's budget,
// reach the account's ceiling; then every attempt on the account is
// refused, from any address, until failures come back.
func TestLoginAccountCeiling(t *testing.T) {
	t.Parallel()
	// A small ceiling, so that one failure comes back only every
	// 15m/6 = 150 s: Redis counts on the real clock, and the hashes take
	// seconds on a loaded machine.
	const ceiling = 6
	for name, a := range limiterApps(t, func(c *config.Config) { c.LoginFailuresAccount = ceiling }) {
		t.Run(name, func(t *testing.T) {
			newUser(t, a, "target@example.org", accounts.RoleReader, nil)
			for i := range ceiling {
				// Two failures from each address, under the pair's five.
				ip := fmt.Sprintf("192.0.2.%d", 10+i/2)
				mustStatus(t, loginFrom(t, a, ip, "target@example.org", "wrong horse battery"), http.StatusUnauthorized, fmt.Sprintf("failure %d from %s", i+1, ip))
			}
			mustRetryAfter(t, loginFrom(t, a, "192.0.2.200", "target@example.org", "wrong horse battery"), 150, "a new address past the ceiling")
			mustRetryAfter(t, loginFrom(t, a, "192.0.2.201", "target@example.org", testPassword), 150, "the right password past the ceiling")
			if name == "memory" {
				a.Clock.Advance(15 * time.Minute)
				pairOf(t, loginFrom(t, a, "192.0.2.201", "target@example.org", testPassword))
			}
		})
	}
}

// The default ceiling is 100 failures per account in 15 minutes.
func TestLoginAccountCeilingDefault(t *testing.T) {
	t.Parallel()
	if c := config.Defaults(); c.LoginFailuresAccount != 100 {
		t.Errorf("login-failures-account defaults to %d", c.LoginFailuresAccount)
	}
}

// The address's budget, 20 failures in 15 minutes, still holds across
// accounts; other addresses are not affected. In the process only: Redis
// counts on the real clock, and on a loaded machine 20 hashes can take
// longer than the 45 s in which one failure comes back
// (TestRateLimitLoginsSharedThroughRedis checks the address's budget
// through Redis).
func TestLoginAddressBudgetAcrossAccounts(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	withAddresses(t, a)
	newUser(t, a, "victim@example.org", accounts.RoleReader, nil)
	for i := range 20 {
		mustStatus(t, loginFrom(t, a, "198.51.100.20", fmt.Sprintf("guess%d@example.org", i), "wrong horse battery"), http.StatusUnauthorized, fmt.Sprintf("guess %d", i+1))
	}
	mustRetryAfter(t, loginFrom(t, a, "198.51.100.20", "victim@example.org", testPassword), 45, "the locked address")
	pairOf(t, loginFrom(t, a, "198.51.100.21", "victim@example.org", testPassword))
	a.Clock.Advance(45 * time.Second)
	pairOf(t, loginFrom(t, a, "198.51.100.20", "victim@example.org", testPassword))
}

// No key of the shared limiter holds an email: accounts are keyed by an
// HMAC of the normalised email.
func TestLoginLimitKeysHideEmail(t *testing.T) {
	t.Parallel()
	c := redistest.Open(t, redistest.URL(t, 0))
	prefix := "masthead-test:" + ulid.Make().String() + ":"
	a := apitest.New(t, apitest.Options{Services: func(s *app.Services, _ func() time.Time) {
		s.RateLimiter = ratelimit.NewRedis(c, ratelimit.RedisOptions{Prefix: prefix, Timeout: 5 * time.Second})
	}})
	withAddresses(t, a)
	newUser(t, a, "target.person@example.org", accounts.RoleReader, nil)
	for _, email := range []string{"target.person@example.org", "Target.Person@Example.org", "nobody.here@example.net"} {
		mustStatus(t, loginFrom(t, a, "198.51.100.30", email, "wrong horse battery"), http.StatusUnauthorized, email)
	}
	var keys []string
	iter := c.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
	for iter.Next(context.Background()) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	// The address, and per account its budget and the pair's: two
	// accounts, as the two spellings are one.
	if len(keys) != 5 {
		t.Errorf("%d keys, want 5: %q", len(keys), keys)
	}
	for _, k := range keys {
		lk := strings.ToLower(k)
		for _, s := range []string{"target", "person", "nobody", "example", "@"} {
			if strings.Contains(lk, s) {
				t.Errorf("key %q holds %q", k, s)
			}
		}
	}
}
