package access_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"masthead/internal/access"
)

const (
	testIssuer   = "masthead-test"
	testAudience = "masthead-api"
)

// fixedNow is the clock of every Tokens in these tests.
var fixedNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newTokens(key ed25519.PrivateKey, leeway time.Duration) *access.Tokens {
	return access.NewTokens(key, access.TokenOptions{
		Issuer: testIssuer, Audience: testAudience, Leeway: leeway,
		Now: func() time.Time { return fixedNow },
	})
}

// validClaims are the claims Mint would write, for tokens built by hand.
func validClaims(key ed25519.PrivateKey) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":  testIssuer,
		"aud":  testAudience,
		"sub":  "u-42",
		"role": "subscriber",
		"iat":  fixedNow.Add(-time.Minute).Unix(),
		"nbf":  fixedNow.Add(-time.Minute).Unix(),
		"exp":  fixedNow.Add(time.Hour).Unix(),
		"jti":  "01JTESTTESTTESTTESTTESTTES",
	}
}

func signEd(t *testing.T, key ed25519.PrivateKey, c jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMintVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tk := newTokens(key, 0)
	raw, err := tk.Mint(access.MintRequest{
		Subject: "partner-7", Role: access.RolePartner,
		Scopes: []string{access.ScopeHeadlines, access.ScopeFullText}, TTL: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tk.Verify(raw)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if p.Subject != "partner-7" || p.Role != access.RolePartner {
		t.Errorf("principal = %+v", p)
	}
	if !slices.Equal(p.Scopes, []string{"headlines", "full_text"}) {
		t.Errorf("scopes = %q", p.Scopes)
	}
	if p.TokenID == "" {
		t.Error("no jti")
	}

	// The registered claims are what DESIGN.md says.
	var c access.Claims
	if _, _, err := jwt.NewParser().ParseUnverified(raw, &c); err != nil {
		t.Fatal(err)
	}
	if c.Issuer != testIssuer || !slices.Equal([]string(c.Audience), []string{testAudience}) || c.ID != p.TokenID {
		t.Errorf("claims = %+v", c)
	}
	if c.ExpiresAt == nil || !c.ExpiresAt.Equal(fixedNow.Add(time.Hour)) {
		t.Errorf("exp = %v, want %v", c.ExpiresAt, fixedNow.Add(time.Hour))
	}

	// Two tokens never share a jti.
	raw2, _ := tk.Mint(access.MintRequest{Subject: "partner-7", Role: access.RolePartner, TTL: time.Hour})
	p2, err := tk.Verify(raw2)
	if err != nil {
		t.Fatal(err)
	}
	if p2.TokenID == p.TokenID {
		t.Error("two tokens share a jti")
	}
	if len(p2.Scopes) != 0 {
		t.Errorf("scopes of a token without scope = %q", p2.Scopes)
	}

	// A token from another Tokens with the same key and settings verifies
	// (any process sharing the key agrees).
	if _, err := newTokens(key, 0).Verify(raw); err != nil {
		t.Errorf("another Tokens on the same key: %v", err)
	}
}

func TestMintRefuses(t *testing.T) {
	t.Parallel()
	tk := newTokens(newKey(t), 0)
	for name, r := range map[string]access.MintRequest{
		"no subject":   {Role: access.RoleReader, TTL: time.Hour},
		"unknown role": {Subject: "u", Role: "root", TTL: time.Hour},
		"no role":      {Subject: "u", TTL: time.Hour},
		"zero ttl":     {Subject: "u", Role: access.RoleReader},
		"negative ttl": {Subject: "u", Role: access.RoleReader, TTL: -time.Second},
	} {
		if s, err := tk.Mint(r); err == nil {
			t.Errorf("%s: minted %q", name, s)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tk := newTokens(key, 0)
	kid := access.KeyID(key.Public().(ed25519.PublicKey))
	pub := key.Public().(ed25519.PublicKey)

	with := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims(key)
		edit(c)
		return c
	}
	hs := func(secret []byte) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims(key)).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	none := func() string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodNone, validClaims(key)).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	// The control: the same construction, unchanged, is accepted.
	if _, err := tk.Verify(signEd(t, key, validClaims(key), kid)); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
	if _, err := tk.Verify(signEd(t, key, validClaims(key), "")); err != nil {
		t.Fatalf("control token without kid refused: %v", err)
	}

	cases := []struct {
		name string
		raw  string
		code string
	}{
		{"expired", signEd(t, key, with(func(c jwt.MapClaims) {
			c["iat"] = fixedNow.Add(-2 * time.Hour).Unix()
			c["nbf"] = fixedNow.Add(-2 * time.Hour).Unix()
			c["exp"] = fixedNow.Add(-time.Hour).Unix()
		}), kid), access.CodeTokenExpired},
		{"wrong issuer", signEd(t, key, with(func(c jwt.MapClaims) { c["iss"] = "someone-else" }), kid), access.CodeTokenInvalid},
		{"no issuer", signEd(t, key, with(func(c jwt.MapClaims) { delete(c, "iss") }), kid), access.CodeTokenInvalid},
		{"wrong audience", signEd(t, key, with(func(c jwt.MapClaims) { c["aud"] = "another-api" }), kid), access.CodeTokenInvalid},
		{"no audience", signEd(t, key, with(func(c jwt.MapClaims) { delete(c, "aud") }), kid), access.CodeTokenInvalid},
		{"missing exp", signEd(t, key, with(func(c jwt.MapClaims) { delete(c, "exp") }), kid), access.CodeTokenInvalid},
		{"alg none", none(), access.CodeTokenInvalid},
		{"HS256 with the public key bytes", hs(pub), access.CodeTokenInvalid},
		{"HS256 with the public key PEM", hs(pubPEM), access.CodeTokenInvalid},
		{"another Ed25519 key", signEd(t, newKey(t), validClaims(key), ""), access.CodeTokenInvalid},
		{"another Ed25519 key, our kid", signEd(t, newKey(t), validClaims(key), kid), access.CodeTokenInvalid},
		{"a kid that is not ours", signEd(t, key, validClaims(key), "not-our-key"), access.CodeTokenInvalid},
		{"unknown role", signEd(t, key, with(func(c jwt.MapClaims) { c["role"] = "root" }), kid), access.CodeTokenInvalid},
		{"no role", signEd(t, key, with(func(c jwt.MapClaims) { delete(c, "role") }), kid), access.CodeTokenInvalid},
		{"empty subject", signEd(t, key, with(func(c jwt.MapClaims) { c["sub"] = "" }), kid), access.CodeTokenInvalid},
		{"no subject", signEd(t, key, with(func(c jwt.MapClaims) { delete(c, "sub") }), kid), access.CodeTokenInvalid},
		{"not yet valid", signEd(t, key, with(func(c jwt.MapClaims) { c["nbf"] = fixedNow.Add(time.Hour).Unix() }), kid), access.CodeTokenInvalid},
		{"issued in the future", signEd(t, key, with(func(c jwt.MapClaims) { c["iat"] = fixedNow.Add(time.Hour).Unix() }), kid), access.CodeTokenInvalid},
		{"malformed", "not.a.jwt", access.CodeTokenInvalid},
		{"empty", "", access.CodeTokenInvalid},
		{"tampered payload", tamper(t, signEd(t, key, validClaims(key), kid)), access.CodeTokenInvalid},
	}
	if ec := ecdsaToken(t, validClaims(key)); ec != "" {
		cases = append(cases, struct {
			name string
			raw  string
			code string
		}{"ES256", ec, access.CodeTokenInvalid})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tk.Verify(tc.raw)
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			var te *access.TokenError
			if !errors.As(err, &te) {
				t.Fatalf("error %T %v is not a *TokenError", err, err)
			}
			if te.Code != tc.code {
				t.Errorf("code = %q, want %q (%v)", te.Code, tc.code, err)
			}
			if te.Reason == "" {
				t.Error("no reason")
			}
			if p.Subject != "" || p.Role != "" {
				t.Errorf("refused token still returned a principal: %+v", p)
			}
		})
	}
}

// tamper changes the subject inside a signed token without re-signing it.
func tamper(t *testing.T, raw string) string {
	t.Helper()
	parts := bytes.Split([]byte(raw), []byte("."))
	payload, err := base64.RawURLEncoding.DecodeString(string(parts[1]))
	if err != nil {
		t.Fatal(err)
	}
	payload = bytes.Replace(payload, []byte(`"u-42"`), []byte(`"u-43"`), 1)
	parts[1] = []byte(base64.RawURLEncoding.EncodeToString(payload))
	return string(bytes.Join(parts, []byte(".")))
}

func ecdsaToken(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodES256, c).SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyLeeway(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	expired10s := signEd(t, key, jwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "sub": "u", "role": "reader",
		"iat": fixedNow.Add(-time.Hour).Unix(),
		"exp": fixedNow.Add(-10 * time.Second).Unix(),
	}, "")
	if _, err := newTokens(key, 30*time.Second).Verify(expired10s); err != nil {
		t.Errorf("10 s past exp with 30 s leeway: %v", err)
	}
	_, err := newTokens(key, 0).Verify(expired10s)
	var te *access.TokenError
	if !errors.As(err, &te) || te.Code != access.CodeTokenExpired {
		t.Errorf("10 s past exp with no leeway: err = %v, want %s", err, access.CodeTokenExpired)
	}
	if _, err := newTokens(key, 5*time.Second).Verify(expired10s); err == nil {
		t.Error("10 s past exp with 5 s leeway: accepted")
	}

	// Leeway on nbf too: 10 s early is fine with 30 s, not with 0.
	early := signEd(t, key, jwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "sub": "u", "role": "reader",
		"iat": fixedNow.Unix(), "nbf": fixedNow.Add(10 * time.Second).Unix(),
		"exp": fixedNow.Add(time.Hour).Unix(),
	}, "")
	if _, err := newTokens(key, 30*time.Second).Verify(early); err != nil {
		t.Errorf("nbf 10 s ahead with 30 s leeway: %v", err)
	}
	if _, err := newTokens(key, 0).Verify(early); err == nil {
		t.Error("nbf 10 s ahead with no leeway: accepted")
	}
}

func TestTokensExpireWithTheClock(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	now := fixedNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tk := access.NewTokens(key, access.TokenOptions{Issuer: testIssuer, Audience: testAudience, Now: clock})
	raw, err := tk.Mint(access.MintRequest{Subject: "u", Role: access.RoleReader, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Verify(raw); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	_, err = tk.Verify(raw)
	var te *access.TokenError
	if !errors.As(err, &te) || te.Code != access.CodeTokenExpired {
		t.Errorf("after ttl: err = %v, want %s", err, access.CodeTokenExpired)
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", access.KeyFileName)
	k1, err := access.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != ed25519.PrivateKeySize {
		t.Fatalf("key size %d", len(k1))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("file is not a PKCS #8 PEM:\n%s", b)
	}
	k2, err := access.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Error("reload gave another key")
	}
	k3, err := access.LoadKey(path)
	if err != nil || !k1.Equal(k3) {
		t.Errorf("LoadKey: %v, same=%v", err, k1.Equal(k3))
	}

	// LoadKey never creates.
	missing := filepath.Join(dir, "missing.pem")
	if _, err := access.LoadKey(missing); err == nil {
		t.Error("LoadKey of a missing file: no error")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("LoadKey created a file")
	}
}

func TestLoadOrCreateKeyRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edPub, _ := x509.MarshalPKIXPublicKey(edPriv.Public())
	files := map[string][]byte{
		"ecdsa.pem":    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}),
		"public.pem":   pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: edPub}),
		"garbage.pem":  []byte("this is not a key\n"),
		"badder.pem":   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("garbage")}),
		"empty.pem":    {},
		"truncated.pe": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER[:10]}),
	}
	for name, b := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if k, err := access.LoadOrCreateKey(path); err == nil {
			t.Errorf("%s: accepted, key of %d bytes", name, len(k))
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, b) {
			t.Errorf("%s: the file was overwritten", name)
		}
	}
}

func TestLoadOrCreateKeyConcurrent(t *testing.T) {
	t.Parallel()
	// Several processes starting on an empty folder must agree on one key;
	// none may fail reading a file another is still writing.
	for round := range 20 {
		path := filepath.Join(t.TempDir(), access.KeyFileName)
		const n = 8
		keys := make([]ed25519.PrivateKey, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				keys[i], errs[i] = access.LoadOrCreateKey(path)
			}()
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, caller %d: %v", round, i, errs[i])
			}
			if !keys[i].Equal(keys[0]) {
				t.Fatalf("round %d: callers %d and 0 got different keys", round, i)
			}
		}
		onDisk, err := access.LoadKey(path)
		if err != nil || !onDisk.Equal(keys[0]) {
			t.Fatalf("round %d: the key on disk is not the one returned (%v)", round, err)
		}
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	tk := newTokens(key, 0)
	set := tk.JWKS()
	if len(set) != 1 {
		t.Fatalf("%d keys", len(set))
	}
	k := set[0]
	if k.Kty != "OKP" || k.Crv != "Ed25519" || k.Alg != "EdDSA" || k.Use != "sig" {
		t.Errorf("jwk = %+v", k)
	}
	x, err := base64.RawURLEncoding.DecodeString(k.X)
	if err != nil {
		t.Fatalf("x: %v", err)
	}
	if !bytes.Equal(x, pub) {
		t.Error("x is not the public key")
	}
	if k.Kid != access.KeyID(pub) {
		t.Errorf("kid = %q, want KeyID %q", k.Kid, access.KeyID(pub))
	}
	// Minted tokens name that kid.
	raw, _ := tk.Mint(access.MintRequest{Subject: "u", Role: access.RoleReader, TTL: time.Minute})
	tok, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Header["kid"] != k.Kid || tok.Header["alg"] != "EdDSA" {
		t.Errorf("header = %v", tok.Header)
	}
}

func TestKeyIDStable(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	a, b := access.KeyID(pub), access.KeyID(slices.Clone(pub))
	if a != b || a == "" {
		t.Errorf("KeyID not stable: %q %q", a, b)
	}
	if _, err := base64.RawURLEncoding.DecodeString(a); err != nil {
		t.Errorf("KeyID %q is not base64url: %v", a, err)
	}
	other := newKey(t).Public().(ed25519.PublicKey)
	if access.KeyID(other) == a {
		t.Error("two keys share a KeyID")
	}
	// Through a file and back, the kid stays.
	path := filepath.Join(t.TempDir(), "k.pem")
	k1, _ := access.LoadOrCreateKey(path)
	k2, _ := access.LoadKey(path)
	if access.KeyID(k1.Public().(ed25519.PublicKey)) != access.KeyID(k2.Public().(ed25519.PublicKey)) {
		t.Error("KeyID changed across a reload")
	}
}

func TestSecret(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	a := newTokens(key, 0).Secret("cursor")
	b := newTokens(key, 0).Secret("cursor")
	c := newTokens(key, 0).Secret("other")
	d := newTokens(newKey(t), 0).Secret("cursor")
	if len(a) != 32 || !bytes.Equal(a, b) {
		t.Error("Secret is not stable for one key and purpose")
	}
	if bytes.Equal(a, c) || bytes.Equal(a, d) {
		t.Error("Secret does not depend on purpose and key")
	}
}
