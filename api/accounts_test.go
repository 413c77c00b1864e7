package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/accounts"
)

const testPassword = "correct horse battery"

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// newUser creates an account directly through the service.
func newUser(t *testing.T, a *apitest.App, email string, role accounts.Role, until *time.Time) accounts.User {
	t.Helper()
	u, err := a.Accounts.CreateUser(context.Background(), accounts.NewUser{
		Email: email, Name: "Test " + string(role), Password: testPassword, Role: role, SubscriptionUntil: until})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// noHash fails when a response carries a password hash.
func noHash(t *testing.T, r apitest.Response) {
	t.Helper()
	if bytes.Contains(r.Body, []byte("$argon2")) || bytes.Contains(r.Body, []byte("argon2id")) {
		t.Fatalf("a password hash in a response:\n%s", r.Body)
	}
}

func postJSON(t *testing.T, a *apitest.App, path, body string) apitest.Response {
	t.Helper()
	r := a.Do(http.MethodPost, path, "", strings.NewReader(body), "Content-Type", "application/json")
	noHash(t, r)
	return r
}

func loginAs(t *testing.T, a *apitest.App, email, password string) apitest.Response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return postJSON(t, a, "/v1/auth/login", string(b))
}

func refresh(t *testing.T, a *apitest.App, raw string) apitest.Response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"refresh_token": raw})
	return postJSON(t, a, "/v1/auth/refresh", string(b))
}

func pairOf(t *testing.T, r apitest.Response) tokenPair {
	t.Helper()
	mustStatus(t, r, http.StatusOK, "token answer")
	var p tokenPair
	r.JSON(t, &p)
	if p.AccessToken == "" || p.RefreshToken == "" || p.TokenType != "Bearer" || p.ExpiresIn != 900 {
		t.Fatalf("token answer %+v", p)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	return p
}

func countRefreshTokens(t *testing.T, a *apitest.App) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Read(context.Background()).Table("refresh_tokens").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLogin(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	u := newUser(t, a, "Editor@Example.org", accounts.RoleEditor, nil)

	p := pairOf(t, loginAs(t, a, "  editor@EXAMPLE.org ", testPassword))
	pr, err := a.Tokens.Verify(p.AccessToken)
	if err != nil {
		t.Fatalf("access token does not verify: %v", err)
	}
	if pr.Subject != u.ID || pr.Role != access.RoleEditor {
		t.Errorf("principal %+v, want %s editor", pr, u.ID)
	}
	if n := countRefreshTokens(t, a); n != 1 {
		t.Errorf("%d refresh tokens stored, want 1", n)
	}
	// Only the SHA-256 of the refresh token is stored.
	var stored string
	a.DB.Read(context.Background()).Table("refresh_tokens").Select("token_hash").Scan(&stored)
	if stored == p.RefreshToken || len(stored) != 64 {
		t.Errorf("stored token %q", stored)
	}
	// The token works on the API: an editor reads a subscribers article whole.
	r := a.Get("/v1/articles/"+a.Article("wells").Slug, p.AccessToken)
	mustStatus(t, r, http.StatusOK, "article with the login's token")
	if !bytes.Contains(r.Body, []byte(`"granted":true`)) {
		t.Errorf("editor not granted: %s", r.Body[:300])
	}
}

func TestLoginRoleFollowsSubscription(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	now := a.Clock.Now()
	future, past := now.Add(30*24*time.Hour), now.Add(-time.Hour)
	newUser(t, a, "current@example.org", accounts.RoleSubscriber, &future)
	newUser(t, a, "lapsed@example.org", accounts.RoleSubscriber, &past)
	newUser(t, a, "never@example.org", accounts.RoleSubscriber, nil)
	wells := "/v1/articles/" + a.Article("wells").Slug

	cases := []struct {
		email   string
		role    access.Role
		granted bool
	}{
		{"current@example.org", access.RoleSubscriber, true},
		{"lapsed@example.org", access.RoleReader, false},
		{"never@example.org", access.RoleReader, false},
	}
	for _, c := range cases {
		p := pairOf(t, loginAs(t, a, c.email, testPassword))
		pr, err := a.Tokens.Verify(p.AccessToken)
		if err != nil || pr.Role != c.role {
			t.Errorf("%s: role %q (%v), want %s", c.email, pr.Role, err, c.role)
		}
		var art struct {
			Access struct {
				Granted   bool `json:"granted"`
				Truncated bool `json:"truncated"`
			} `json:"access"`
		}
		a.Get(wells, p.AccessToken).JSON(t, &art)
		if art.Access.Granted != c.granted || art.Access.Truncated == c.granted {
			t.Errorf("%s: access %+v, want granted=%v", c.email, art.Access, c.granted)
		}
		me := a.Get("/v1/me", p.AccessToken).Map(t)
		if me["role"] != string(c.role) {
			t.Errorf("%s: /v1/me role %v, want %s", c.email, me["role"], c.role)
		}
	}

	// Once the subscription ends, the next login (or refresh) is a reader's.
	soon := now.Add(time.Hour)
	ending := newUser(t, a, "ending@example.org", accounts.RoleSubscriber, &soon)
	p := pairOf(t, loginAs(t, a, "ending@example.org", testPassword))
	if pr, _ := a.Tokens.Verify(p.AccessToken); pr.Role != access.RoleSubscriber {
		t.Errorf("before the end of the subscription: %+v", pr)
	}
	a.Clock.Advance(2 * time.Hour)
	p = pairOf(t, refresh(t, a, p.RefreshToken))
	if pr, _ := a.Tokens.Verify(p.AccessToken); pr.Role != access.RoleReader || pr.Subject != ending.ID {
		t.Errorf("after the end of the subscription: %+v", pr)
	}
}

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	newUser(t, a, "known@example.org", accounts.RoleReader, nil)
	wrongPw := `{"email":"known@example.org","password":"wrong horse battery"}`
	unknown := `{"email":"nobody@example.org","password":"wrong horse battery"}`
	noTokens := func(t *testing.T, a *apitest.App, _ apitest.Response) {
		if n := countRefreshTokens(t, a); n != 0 {
			t.Errorf("%d refresh tokens after a failed login", n)
		}
	}
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "wrong password", Method: "POST", Path: "/v1/auth/login", Body: wrongPw,
			WantStatus: 401, WantCode: "invalid_credentials", WantHeaders: map[string]string{"WWW-Authenticate": "Bearer"}, Check: noTokens},
		{Name: "unknown email", Method: "POST", Path: "/v1/auth/login", Body: unknown,
			WantStatus: 401, WantCode: "invalid_credentials", WantHeaders: map[string]string{"WWW-Authenticate": "Bearer"}, Check: noTokens},
		{Name: "malformed JSON", Method: "POST", Path: "/v1/auth/login", Body: `{"email":`, WantStatus: 400, WantCode: "bad_request", Check: noTokens},
		{Name: "unknown field", Method: "POST", Path: "/v1/auth/login",
			Body: `{"email":"known@example.org","password":"correct horse battery","remember":true}`, WantStatus: 400, WantCode: "bad_request", Check: noTokens},
		{Name: "two values", Method: "POST", Path: "/v1/auth/login",
			Body: `{"email":"known@example.org","password":"correct horse battery"} {}`, WantStatus: 400, WantCode: "bad_request", Check: noTokens},
		{Name: "wrong type", Method: "POST", Path: "/v1/auth/login", Body: `{"email":1,"password":"x"}`, WantStatus: 400, WantCode: "bad_request"},
		{Name: "missing fields", Method: "POST", Path: "/v1/auth/login", Body: `{}`, WantStatus: 422, WantCode: "validation_failed",
			WantContains: []string{`"field":"email"`, `"field":"password"`}, Check: noTokens},
		{Name: "oversized password", Method: "POST", Path: "/v1/auth/login",
			Body: `{"email":"known@example.org","password":"` + strings.Repeat("x", 257) + `"}`, WantStatus: 422, WantCode: "validation_failed"},
		{Name: "form encoded", Method: "POST", Path: "/v1/auth/login", Headers: []string{"Content-Type", "application/x-www-form-urlencoded"},
			WantStatus: 415, WantCode: "unsupported_media_type"},
		{Name: "GET is 405", Path: "/v1/auth/login", WantStatus: 405, WantCode: "method_not_allowed"},
	})
	// Wrong password and unknown email answer the same, but for the request id.
	strip := func(r apitest.Response) string {
		m := r.Map(t)
		delete(m, "request_id")
		b, _ := json.Marshal(m)
		return string(b)
	}
	r1, r2 := postJSON(t, a, "/v1/auth/login", wrongPw), postJSON(t, a, "/v1/auth/login", unknown)
	if r1.Status != r2.Status || strip(r1) != strip(r2) {
		t.Errorf("wrong password and unknown email differ:\n%s\n%s", r1.Body, r2.Body)
	}
}

func TestLoginRateLimitPerAccount(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	newUser(t, a, "target@example.org", accounts.RoleReader, nil)
	newUser(t, a, "bystander@example.org", accounts.RoleReader, nil)

	// Successful logins never count.
	for range 8 {
		pairOf(t, loginAs(t, a, "target@example.org", testPassword))
	}
	for i := range 5 {
		r := loginAs(t, a, "TARGET@example.org", "wrong horse battery")
		if r.Status != 401 {
			t.Fatalf("failure %d: status %d", i+1, r.Status)
		}
	}
	for _, pw := range []string{"wrong horse battery", testPassword} {
		r := loginAs(t, a, "target@example.org", pw)
		mustStatus(t, r, http.StatusTooManyRequests, "locked account")
		if problemCode(t, r) != "too_many_requests" {
			t.Errorf("code %q", problemCode(t, r))
		}
		// One failure comes back every 15m/5 = 3 minutes.
		sec, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || sec < 1 || sec > 180 {
			t.Errorf("Retry-After %q, want 1-180", r.Header.Get("Retry-After"))
		}
	}
	// Another account from the same address is not locked.
	pairOf(t, loginAs(t, a, "bystander@example.org", testPassword))

	a.Clock.Advance(15*time.Minute + time.Second)
	pairOf(t, loginAs(t, a, "target@example.org", testPassword))
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	newUser(t, a, "victim@example.org", accounts.RoleReader, nil)
	// 20 failures on 20 accounts (none reaching its own limit) from one address.
	for i := range 20 {
		r := loginAs(t, a, fmt.Sprintf("guess%d@example.org", i), "wrong horse battery")
		if r.Status != 401 {
			t.Fatalf("failure %d: status %d", i+1, r.Status)
		}
	}
	r := loginAs(t, a, "victim@example.org", testPassword)
	mustStatus(t, r, http.StatusTooManyRequests, "locked address")
	// One failure comes back every 15m/20 = 45 s (less the time the
	// failures took, on the test's clock which runs).
	sec, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || sec < 1 || sec > 45 {
		t.Fatalf("Retry-After %q, want 1-45", r.Header.Get("Retry-After"))
	}
	if n := countRefreshTokens(t, a); n != 0 {
		t.Errorf("%d refresh tokens while locked", n)
	}
	half := time.Duration(sec) * time.Second / 2
	a.Clock.Advance(half)
	mustStatus(t, loginAs(t, a, "victim@example.org", testPassword), http.StatusTooManyRequests, "still locked")
	// After Retry-After, one attempt: the success does not spend it, the
	// failure after it does.
	a.Clock.Advance(time.Duration(sec)*time.Second - half)
	pairOf(t, loginAs(t, a, "victim@example.org", testPassword))
	mustStatus(t, loginAs(t, a, "victim@example.org", "wrong horse battery"), http.StatusUnauthorized, "the failure that came back")
	mustStatus(t, loginAs(t, a, "victim@example.org", testPassword), http.StatusTooManyRequests, "locked again")
	a.Clock.Advance(15 * time.Minute)
	pairOf(t, loginAs(t, a, "victim@example.org", testPassword))
}

func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	u := newUser(t, a, "r@example.org", accounts.RoleReader, nil)
	p1 := pairOf(t, loginAs(t, a, "r@example.org", testPassword))
	p2 := pairOf(t, refresh(t, a, p1.RefreshToken))
	if p2.RefreshToken == p1.RefreshToken || p2.AccessToken == p1.AccessToken {
		t.Fatal("refresh did not rotate")
	}
	if pr, err := a.Tokens.Verify(p2.AccessToken); err != nil || pr.Subject != u.ID || pr.Role != access.RoleReader {
		t.Fatalf("refreshed access token: %+v %v", pr, err)
	}
	// The role is read afresh at each refresh.
	until := a.Clock.Now().Add(time.Hour)
	if _, err := a.Accounts.SetRole(context.Background(), "r@example.org", accounts.RoleSubscriber); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.SetSubscription(context.Background(), "r@example.org", &until); err != nil {
		t.Fatal(err)
	}
	p3 := pairOf(t, refresh(t, a, p2.RefreshToken))
	if pr, _ := a.Tokens.Verify(p3.AccessToken); pr.Role != access.RoleSubscriber {
		t.Errorf("role after upgrade: %s", pr.Role)
	}

	// p1 again: reuse. The login is revoked: p3, its newest descendant, too.
	r := refresh(t, a, p1.RefreshToken)
	mustStatus(t, r, http.StatusUnauthorized, "reused token")
	if c := problemCode(t, r); c != "token_reused" {
		t.Errorf("code %q, want token_reused", c)
	}
	r = refresh(t, a, p3.RefreshToken)
	mustStatus(t, r, http.StatusUnauthorized, "descendant of a reused token")
	if c := problemCode(t, r); c != "token_invalid" {
		t.Errorf("code %q, want token_invalid", c)
	}
	var live int64
	a.DB.Read(context.Background()).Table("refresh_tokens").Where("revoked_at IS NULL").Count(&live)
	if live != 0 {
		t.Errorf("%d tokens of the login still live", live)
	}

	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "unknown token", Method: "POST", Path: "/v1/auth/refresh", Body: `{"refresh_token":"bm90LWEtdG9rZW4tYnV0LTQzLWNoYXJhY3RlcnMtbG9uZw"}`,
			WantStatus: 401, WantCode: "token_invalid"},
		{Name: "junk token", Method: "POST", Path: "/v1/auth/refresh", Body: `{"refresh_token":"x"}`, WantStatus: 401, WantCode: "token_invalid"},
		{Name: "missing token", Method: "POST", Path: "/v1/auth/refresh", Body: `{}`, WantStatus: 422, WantCode: "validation_failed",
			WantContains: []string{`"field":"refresh_token"`}},
		{Name: "malformed", Method: "POST", Path: "/v1/auth/refresh", Body: `[`, WantStatus: 400, WantCode: "bad_request"},
		{Name: "unknown field", Method: "POST", Path: "/v1/auth/refresh", Body: `{"refresh_token":"x","scope":"all"}`, WantStatus: 400, WantCode: "bad_request"},
	})
}

func TestRefreshExpired(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	newUser(t, a, "x@example.org", accounts.RoleReader, nil)
	p := pairOf(t, loginAs(t, a, "x@example.org", testPassword))
	a.Clock.Advance(720*time.Hour + time.Second)
	r := refresh(t, a, p.RefreshToken)
	mustStatus(t, r, http.StatusUnauthorized, "expired refresh token")
	if c := problemCode(t, r); c != "token_invalid" {
		t.Errorf("code %q", c)
	}
}

func TestRefreshConcurrentOneWins(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	newUser(t, a, "c@example.org", accounts.RoleReader, nil)
	for round := range 3 {
		p := pairOf(t, loginAs(t, a, "c@example.org", testPassword))
		var (
			wg  sync.WaitGroup
			res [2]apitest.Response
		)
		start := make(chan struct{})
		for i := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res[i] = refresh(t, a, p.RefreshToken)
			}()
		}
		close(start)
		wg.Wait()
		ok, reused := 0, 0
		for _, r := range res {
			switch {
			case r.Status == 200:
				ok++
			case r.Status == 401 && problemCode(t, r) == "token_reused":
				reused++
			default:
				t.Errorf("round %d: %d %s", round, r.Status, r.Body)
			}
		}
		if ok != 1 || reused != 1 {
			t.Errorf("round %d: %d succeeded, %d reused; want 1 and 1", round, ok, reused)
		}
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	newUser(t, a, "l@example.org", accounts.RoleReader, nil)
	p1 := pairOf(t, loginAs(t, a, "l@example.org", testPassword))
	p2 := pairOf(t, refresh(t, a, p1.RefreshToken))
	other := pairOf(t, loginAs(t, a, "l@example.org", testPassword)) // another device

	r := postJSON(t, a, "/v1/auth/logout", `{"refresh_token":"`+p2.RefreshToken+`"}`)
	mustStatus(t, r, http.StatusNoContent, "logout")
	r = refresh(t, a, p2.RefreshToken)
	mustStatus(t, r, http.StatusUnauthorized, "refresh after logout")
	if c := problemCode(t, r); c != "token_invalid" {
		t.Errorf("code %q", c)
	}
	// The other login is untouched; the access token lives until it expires.
	pairOf(t, refresh(t, a, other.RefreshToken))
	mustStatus(t, a.Get("/v1/me", p2.AccessToken), http.StatusOK, "access token after logout")

	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "again", Method: "POST", Path: "/v1/auth/logout", Body: `{"refresh_token":"` + p2.RefreshToken + `"}`, WantStatus: 204},
		{Name: "unknown token", Method: "POST", Path: "/v1/auth/logout", Body: `{"refresh_token":"nope"}`, WantStatus: 204},
		{Name: "missing token", Method: "POST", Path: "/v1/auth/logout", Body: `{"refresh_token":""}`, WantStatus: 422, WantCode: "validation_failed"},
		{Name: "malformed", Method: "POST", Path: "/v1/auth/logout", Body: `{"refresh_token":`, WantStatus: 400, WantCode: "bad_request"},
	})
}

func TestMe(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	until := time.Date(2099, 1, 31, 0, 0, 0, 0, time.UTC)
	u := newUser(t, a, "Me@Example.org", accounts.RoleSubscriber, &until)
	p := pairOf(t, loginAs(t, a, "me@example.org", testPassword))
	user := func(*apitest.App) string { return p.AccessToken }
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "own account", Path: "/v1/me", Token: user, WantStatus: 200,
			WantContains:    []string{`"id":"` + u.ID + `"`, `"email":"me@example.org"`, `"role":"subscriber"`, `"subscription_until":"2099-01-31T00:00:00Z"`},
			WantNotContains: []string{"argon2", "password"},
			WantHeaders:     map[string]string{"Cache-Control": "no-store", "Vary": "Authorization"}},
		{Name: "anonymous", Path: "/v1/me", WantStatus: 401, WantCode: "unauthenticated"},
		{Name: "bad token", Path: "/v1/me", Token: func(*apitest.App) string { return "not.a.token" }, WantStatus: 401, WantCode: "token_invalid"},
		{Name: "partner token", Path: "/v1/me", Token: apitest.As("partner", "headlines"), WantStatus: 404, WantCode: "not_found"},
		{Name: "test token of no account", Path: "/v1/me", Token: apitest.As("editor"), WantStatus: 404, WantCode: "not_found"},
	})
	// An ETag answers 304.
	r := a.Get("/v1/me", p.AccessToken)
	mustStatus(t, a.Get("/v1/me", p.AccessToken, "If-None-Match", r.Header.Get("ETag")), http.StatusNotModified, "/v1/me revalidated")
}
