package access_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"masthead/internal/access"
)

// jwksServer serves one P-256 key under kid "k1" and counts the fetches.
type jwksServer struct {
	key     *ecdsa.PrivateKey
	url     string
	fetches atomic.Int64
}

func newJWKSServer(t testing.TB) *jwksServer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e, err := k.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	raw := e.Bytes()
	b64 := base64.RawURLEncoding.EncodeToString
	body, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "kid": "k1", "x": b64(raw[1:33]), "y": b64(raw[33:65]),
	}}})
	s := &jwksServer{key: k}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *jwksServer) sign(t testing.TB, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["kid"] = "k1"
	out, err := tok.SignedString(s.key)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func extClaims(extra jwt.MapClaims) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"iss": "https://id.example", "aud": []string{"other", "news"}, "sub": "42",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func newExternal(t testing.TB, s *jwksServer, o access.ExternalOptions) *access.External {
	t.Helper()
	o.JWKSURL, o.Issuer, o.Audience = s.url, "https://id.example", "news"
	x, err := access.NewExternal(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Ready() {
		t.Fatal("key set not loaded")
	}
	t.Cleanup(x.Close)
	return x
}

func TestNewExternalRefusesOptions(t *testing.T) {
	t.Parallel()
	base := access.ExternalOptions{JWKSURL: "https://id.example/jwks", Issuer: "i", Audience: "a"}
	cases := map[string]func(*access.ExternalOptions){
		"no url":        func(o *access.ExternalOptions) { o.JWKSURL = "" },
		"file url":      func(o *access.ExternalOptions) { o.JWKSURL = "file:///jwks.json" },
		"relative url":  func(o *access.ExternalOptions) { o.JWKSURL = "/jwks.json" },
		"no issuer":     func(o *access.ExternalOptions) { o.Issuer = "" },
		"no audience":   func(o *access.ExternalOptions) { o.Audience = "" },
		"alg none":      func(o *access.ExternalOptions) { o.Algorithms = []string{"none"} },
		"alg HS256":     func(o *access.ExternalOptions) { o.Algorithms = []string{"RS256", "HS256"} },
		"alg EdDSA":     func(o *access.ExternalOptions) { o.Algorithms = []string{"EdDSA"} },
		"staff default": func(o *access.ExternalOptions) { o.DefaultRole = access.RoleAdmin },
		"partner":       func(o *access.ExternalOptions) { o.DefaultRole = access.RolePartner },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			o := base
			edit(&o)
			if _, err := access.NewExternal(t.Context(), o); err == nil {
				t.Errorf("accepted %+v", o)
			}
		})
	}
}

func TestExternalClaimMapping(t *testing.T) {
	t.Parallel()
	s := newJWKSServer(t)
	cases := []struct {
		name  string
		o     access.ExternalOptions
		extra jwt.MapClaims
		want  access.Role
	}{
		{"default claim", access.ExternalOptions{}, jwt.MapClaims{"role": "subscriber"}, access.RoleSubscriber},
		{"default claim, other value", access.ExternalOptions{}, jwt.MapClaims{"role": "editor"}, access.RoleReader},
		{"plan", access.ExternalOptions{RoleClaim: "plan", SubscriberValues: []string{"pro", "team"}}, jwt.MapClaims{"plan": "team"}, access.RoleSubscriber},
		{"plan free", access.ExternalOptions{RoleClaim: "plan", SubscriberValues: []string{"pro"}}, jwt.MapClaims{"plan": "free", "role": "subscriber"}, access.RoleReader},
		{"array", access.ExternalOptions{RoleClaim: "entitlements", SubscriberValues: []string{"digital"}}, jwt.MapClaims{"entitlements": []any{"print", "digital"}}, access.RoleSubscriber},
		{"array of other types", access.ExternalOptions{RoleClaim: "entitlements", SubscriberValues: []string{"digital"}}, jwt.MapClaims{"entitlements": []any{1, map[string]any{"digital": true}}}, access.RoleReader},
		{"space-separated scope", access.ExternalOptions{RoleClaim: "scope", SubscriberValues: []string{"read:premium"}}, jwt.MapClaims{"scope": "openid read:premium"}, access.RoleSubscriber},
		{"boolean", access.ExternalOptions{RoleClaim: "premium", SubscriberValues: []string{"true"}}, jwt.MapClaims{"premium": true}, access.RoleSubscriber},
		{"boolean false", access.ExternalOptions{RoleClaim: "premium", SubscriberValues: []string{"true"}}, jwt.MapClaims{"premium": false}, access.RoleReader},
		{"number", access.ExternalOptions{RoleClaim: "tier", SubscriberValues: []string{"2"}}, jwt.MapClaims{"tier": 2}, access.RoleSubscriber},
		{"nested", access.ExternalOptions{RoleClaim: "realm_access.roles", SubscriberValues: []string{"subscriber"}}, jwt.MapClaims{"realm_access": map[string]any{"roles": []string{"subscriber"}}}, access.RoleSubscriber},
		{"dotted name at the top", access.ExternalOptions{RoleClaim: "https://publisher.example/plan", SubscriberValues: []string{"pro"}}, jwt.MapClaims{"https://publisher.example/plan": "pro"}, access.RoleSubscriber},
		{"missing nested", access.ExternalOptions{RoleClaim: "a.b.c"}, jwt.MapClaims{"a": map[string]any{"b": "subscriber"}}, access.RoleReader},
		{"default subscriber", access.ExternalOptions{DefaultRole: access.RoleSubscriber}, nil, access.RoleSubscriber},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := newExternal(t, s, tc.o)
			p, err := x.Verify(s.sign(t, extClaims(tc.extra)))
			if err != nil {
				t.Fatal(err)
			}
			if p.Role != tc.want || p.Subject != "ext:42" || len(p.Scopes) != 0 {
				t.Errorf("principal %+v, want role %s, subject ext:42", p, tc.want)
			}
		})
	}
}

func TestExternalVerifyErrors(t *testing.T) {
	t.Parallel()
	s := newJWKSServer(t)
	x := newExternal(t, s, access.ExternalOptions{Leeway: -1})
	now := time.Now()
	cases := []struct {
		name  string
		extra jwt.MapClaims
		code  string
	}{
		{"expired a second ago", jwt.MapClaims{"exp": now.Add(-time.Second).Unix()}, access.CodeTokenExpired},
		{"wrong audience", jwt.MapClaims{"aud": "other"}, access.CodeTokenInvalid},
		{"numeric subject", jwt.MapClaims{"sub": 42}, access.CodeTokenInvalid},
		{"long subject", jwt.MapClaims{"sub": strings.Repeat("x", 256)}, access.CodeTokenInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.Verify(s.sign(t, extClaims(tc.extra)))
			var te *access.TokenError
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Errorf("error %v, want %s", err, tc.code)
			}
		})
	}
}

func TestCombinedRoutes(t *testing.T) {
	t.Parallel()
	s := newJWKSServer(t)
	x := newExternal(t, s, access.ExternalOptions{})
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	own := access.NewTokens(key, access.TokenOptions{Issuer: "masthead", Audience: "masthead"})
	c := access.Combined{Own: own, External: x}

	mine, err := own.Mint(access.MintRequest{Subject: "u1", Role: access.RoleEditor, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.Verify(mine); err != nil || p.Role != access.RoleEditor || p.Subject != "u1" {
		t.Errorf("own token: %+v, %v", p, err)
	}
	theirs := s.sign(t, extClaims(jwt.MapClaims{"role": "subscriber"}))
	if p, err := c.Verify(theirs); err != nil || p.Role != access.RoleSubscriber || p.Subject != "ext:42" {
		t.Errorf("external token: %+v, %v", p, err)
	}
	// Without an external issuer, only ours.
	if _, err := (access.Combined{Own: own}).Verify(theirs); err == nil {
		t.Error("external token accepted without an external issuer")
	}
	// The external key presenting our issuer goes to ours, and fails there;
	// it is not tried on the external verifier afterwards.
	before := s.fetches.Load()
	for _, tok := range []string{
		s.sign(t, extClaims(jwt.MapClaims{"iss": "masthead", "aud": "masthead", "role": "editor"})),
		"", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.",
	} {
		if p, err := c.Verify(tok); err == nil {
			t.Errorf("%q accepted as %+v", tok, p)
		}
	}
	if s.fetches.Load() != before {
		t.Error("a token routed to our verifier reached the external key set")
	}
}

// FuzzExternalVerify: whatever arrives as a token, the combined verifier
// neither panics nor accepts it (nothing here is signed).
func FuzzExternalVerify(f *testing.F) {
	s := newJWKSServer(f)
	x, err := access.NewExternal(f.Context(), access.ExternalOptions{JWKSURL: s.url, Issuer: "https://id.example", Audience: "news",
		UnknownKIDInterval: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	c := access.Combined{Own: access.NewTokens(key, access.TokenOptions{Issuer: "masthead", Audience: "masthead"}), External: x}
	f.Add("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUiLCJzdWIiOiI0MiJ9.AAAA")
	f.Add("eyJhbGciOiJub25lIiwia2lkIjoiazEifQ.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUifQ.")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
	f.Add("...")
	f.Fuzz(func(t *testing.T, tok string) {
		if p, err := c.Verify(tok); err == nil {
			t.Fatalf("accepted %q as %+v", tok, p)
		} else {
			var te *access.TokenError
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not a TokenError", err)
			}
		}
	})
}
