package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"masthead/api"
	"masthead/api/apitest"
	"masthead/internal/access"
)

// claims builds a token payload like Masthead's, issued before now, for
// role, with exp at expires (no exp when zero).
func claims(now time.Time, iss, aud, role, sub string, expires time.Time) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss": iss, "aud": []string{aud}, "sub": sub, "role": role,
		"iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix(), "jti": "test-jti",
	}
	if !expires.IsZero() {
		c["exp"] = expires.Unix()
	}
	return c
}

// sign signs c with method and key, with kid set to Masthead's own key id so
// that only the signature itself can make the token fail.
func sign(t *testing.T, a *apitest.App, method jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	tok.Header["kid"] = access.KeyID(a.Key.Public().(ed25519.PublicKey))
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestBadTokens(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	now := a.Clock.Now()
	hour := now.Add(time.Hour)
	good := func(role string) jwt.MapClaims {
		return claims(now, apitest.Issuer, apitest.Audience, role, "u-1", hour)
	}
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := a.Key.Public().(ed25519.PublicKey)

	valid := a.Token(access.RoleSubscriber)
	parts := strings.Split(valid, ".")
	// The same signature over a payload that now says admin.
	var payload map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(raw, &payload)
	payload["role"] = "admin"
	tampered := parts[0] + "." + b64json(payload) + "." + parts[2]
	// A byte of the signature changed.
	sig := []byte(parts[2])
	sig[5] ^= 1
	badSig := parts[0] + "." + parts[1] + "." + string(sig)

	none := b64json(map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64json(good("admin")) + "."
	noneUpper := b64json(map[string]string{"alg": "NONE", "typ": "JWT"}) + "." + b64json(good("admin")) + "."

	cases := []struct {
		name, header, code string
	}{
		{"malformed", "Bearer not-a-jwt", "token_invalid"},
		{"three garbage parts", "Bearer aaa.bbb.ccc", "token_invalid"},
		{"tampered payload", "Bearer " + tampered, "token_invalid"},
		{"tampered signature", "Bearer " + badSig, "token_invalid"},
		{"alg none", "Bearer " + none, "token_invalid"},
		{"alg NONE", "Bearer " + noneUpper, "token_invalid"},
		{"another ed25519 key", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, otherKey, good("admin")), "token_invalid"},
		{"hs256 with the public key", "Bearer " + sign(t, a, jwt.SigningMethodHS256, []byte(pub), good("admin")), "token_invalid"},
		{"hs256 with the base64 public key", "Bearer " + sign(t, a, jwt.SigningMethodHS256, []byte(base64.RawURLEncoding.EncodeToString(pub)), good("admin")), "token_invalid"},
		{"wrong issuer", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, a.Key, claims(now, "someone-else", apitest.Audience, "admin", "u-1", hour)), "token_invalid"},
		{"wrong audience", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, a.Key, claims(now, apitest.Issuer, "other-api", "admin", "u-1", hour)), "token_invalid"},
		{"no exp", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, a.Key, claims(now, apitest.Issuer, apitest.Audience, "admin", "u-1", time.Time{})), "token_invalid"},
		{"expired", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, a.Key, claims(now, apitest.Issuer, apitest.Audience, "subscriber", "u-1", now.Add(-time.Minute))), "token_expired"},
		{"expired and forged", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, otherKey, claims(now, apitest.Issuer, apitest.Audience, "subscriber", "u-1", now.Add(-time.Minute))), "token_invalid"},
		{"unknown role", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, a.Key, good("superuser")), "token_invalid"},
		{"no role", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, a.Key, good("")), "token_invalid"},
		{"no subject", "Bearer " + sign(t, a, jwt.SigningMethodEdDSA, a.Key, claims(now, apitest.Issuer, apitest.Audience, "admin", "", hour)), "token_invalid"},
		{"basic scheme", "Basic dXNlcjpwYXNz", "token_invalid"},
		{"token scheme", "Token " + valid, "token_invalid"},
		{"bearer without token", "Bearer", "token_invalid"},
		{"bearer and spaces", "Bearer    ", "token_invalid"},
		{"bare token", valid, "token_invalid"},
		{"empty", "", "token_invalid"},
	}
	wells := a.Article("wells")
	for _, path := range []string{"/v1/articles/" + wells.Slug, "/v1/articles", "/v1/articles/" + wells.ID + "/comments", "/v1/sections"} {
		for _, c := range cases {
			t.Run(path+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				// The harness validates the 401 against the spec and checks
				// it is a problem document.
				r := rawGet(t, a, path, http.Header{"Authorization": {c.header}})
				checkRefused(t, r, c.code, wells.Preview.Text)
			})
		}
		t.Run(path+"/two headers", func(t *testing.T) {
			t.Parallel()
			r := rawGet(t, a, path, http.Header{"Authorization": {"Bearer " + valid, "Bearer " + valid}})
			checkRefused(t, r, "token_invalid", wells.Preview.Text)
		})
	}

	t.Run("the harness sees the same 401", func(t *testing.T) {
		r := a.Get("/v1/articles/"+wells.Slug, tampered)
		checkRefused(t, r, "token_invalid", wells.Preview.Text)
	})

	t.Run("valid tokens", func(t *testing.T) {
		if r := a.Get("/healthz", valid); r.Status != http.StatusOK {
			t.Errorf("/healthz with a valid token: %d", r.Status)
		}
		r := a.Get("/v1/articles/"+wells.Slug, valid)
		mustStatus(t, r, http.StatusOK, "subscriber")
		// Lower-case scheme is the same scheme (RFC 9110, 11.1).
		r = rawGet(t, a, "/v1/articles/"+wells.Slug, http.Header{"Authorization": {"bearer " + valid}})
		mustStatus(t, r, http.StatusOK, "bearer")
		// A hand-signed token with our key and every claim right is accepted:
		// so the refusals above are about what each case changed.
		ok := sign(t, a, jwt.SigningMethodEdDSA, a.Key, good("subscriber"))
		r = a.Get("/v1/articles/"+wells.Slug, ok)
		mustStatus(t, r, http.StatusOK, "hand-signed")
		var art article
		r.JSON(t, &art)
		if !art.Access.Granted {
			t.Errorf("hand-signed subscriber not granted: %+v", art.Access)
		}
	})
}

// checkRefused asserts a 401 problem with code, a Bearer challenge, and no
// article content.
func checkRefused(t *testing.T, r apitest.Response, code, preview string) {
	t.Helper()
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401\n%.500s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q", ct)
	}
	if got := problemCode(t, r); got != code {
		t.Errorf("code %q, want %q", got, code)
	}
	if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("WWW-Authenticate %q", h)
	}
	body := string(r.Body)
	for _, s := range []string{`"data"`, `"body"`, `"standfirst"`, `"access"`, preview[:40]} {
		if strings.Contains(body, s) {
			t.Errorf("401 carries %q", s)
		}
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("401 Cache-Control %q", cc)
	}
}

func FuzzAuthorization(f *testing.F) {
	a := apitest.New(f)
	e := a.Handler
	wells := a.Article("wells")
	f.Add("Bearer " + a.Token(access.RoleReader)) // valid, but a reader: preview only
	f.Add("Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.")
	f.Add("Basic Zm9vOmJhcg==")
	f.Add("")
	f.Add("Bearer ")
	f.Add("bearer\ta.b.c")
	f.Fuzz(func(t *testing.T, header string) {
		for _, path := range []string{"/v1/articles/" + wells.Slug, "/v1/articles?limit=2"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header["Authorization"] = []string{header}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusOK:
				// Only a valid token gets here; it can never be more than a
				// reader's, since the fuzzer does not hold the key.
				if strings.Contains(rec.Body.String(), jsonEscaped(subscribersLastSentences["wells"])) {
					t.Fatalf("header %q unlocked the subscribers body", header)
				}
			case http.StatusUnauthorized:
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Fatalf("header %q: 401 with Content-Type %q", header, ct)
				}
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("header %q: 401 without a Bearer challenge", header)
				}
				var p api.Problem
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 401 ||
					(p.Code != "token_invalid" && p.Code != "token_expired") {
					t.Fatalf("header %q: problem %+v (%v)", header, p, err)
				}
			default:
				t.Fatalf("header %q on %s: status %d\n%s", header, path, rec.Code, rec.Body.String())
			}
		}
	})
}
