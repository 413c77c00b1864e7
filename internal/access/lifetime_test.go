package access_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"masthead/internal/access"
)

// capped is a Tokens with small caps, so that "at the cap" and "a second
// over" are easy to build: 2 hours for members and staff, 48 for partners.
func capped(key ed25519.PrivateKey) *access.Tokens {
	return access.NewTokens(key, access.TokenOptions{
		Issuer: testIssuer, Audience: testAudience, Now: func() time.Time { return fixedNow },
		MaxTTL: 2 * time.Hour, PartnerMaxTTL: 48 * time.Hour,
	})
}

// lifetimeClaims are valid claims for role, issued a minute ago, living
// for life.
func lifetimeClaims(role access.Role, life time.Duration) jwt.MapClaims {
	iat := fixedNow.Add(-time.Minute)
	return jwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "sub": "u-42", "role": string(role),
		"iat": iat.Unix(), "nbf": iat.Unix(), "exp": iat.Add(life).Unix(),
	}
}

func wantInvalid(t *testing.T, p access.Principal, err error) {
	t.Helper()
	var te *access.TokenError
	if !errors.As(err, &te) || te.Code != access.CodeTokenInvalid || te.Reason == "" {
		t.Fatalf("accepted as %+v, or error %v is not token_invalid", p, err)
	}
	if p.Subject != "" || p.Role != "" {
		t.Errorf("refused token returned a principal: %+v", p)
	}
}

// A token may live (exp − iat) as long as its role's cap, not a second
// more: members and staff share one cap, partners have theirs.
func TestVerifyCapsLifetimeByRole(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tk := capped(key)
	for _, tc := range []struct {
		role access.Role
		cap  time.Duration
	}{
		{access.RoleReader, 2 * time.Hour},
		{access.RoleSubscriber, 2 * time.Hour},
		{access.RoleEditor, 2 * time.Hour},
		{access.RoleAdmin, 2 * time.Hour},
		{access.RolePartner, 48 * time.Hour},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			if p, err := tk.Verify(signEd(t, key, lifetimeClaims(tc.role, tc.cap), "")); err != nil || p.Role != tc.role {
				t.Fatalf("at the cap: %+v %v", p, err)
			}
			p, err := tk.Verify(signEd(t, key, lifetimeClaims(tc.role, tc.cap+time.Second), ""))
			wantInvalid(t, p, err)
			p, err = tk.Verify(signEd(t, key, lifetimeClaims(tc.role, 100*8766*time.Hour), ""))
			wantInvalid(t, p, err)
		})
	}
}

// Without options, the default caps: a day for members and staff, a year
// for partners; a 100-year token is refused for every role.
func TestVerifyDefaultCaps(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tk := newTokens(key, 0)
	if access.DefaultMaxTTL != 24*time.Hour || access.DefaultPartnerMaxTTL != 8760*time.Hour {
		t.Fatalf("default caps %s, %s", access.DefaultMaxTTL, access.DefaultPartnerMaxTTL)
	}
	for _, role := range []access.Role{access.RoleReader, access.RoleSubscriber, access.RoleEditor, access.RoleAdmin, access.RolePartner} {
		p, err := tk.Verify(signEd(t, key, lifetimeClaims(role, 100*8766*time.Hour), ""))
		wantInvalid(t, p, err)
	}
	if _, err := tk.Verify(signEd(t, key, lifetimeClaims(access.RoleEditor, 24*time.Hour), "")); err != nil {
		t.Errorf("a day-long editor token: %v", err)
	}
	p, err := tk.Verify(signEd(t, key, lifetimeClaims(access.RoleEditor, 24*time.Hour+time.Second), ""))
	wantInvalid(t, p, err)
	if _, err := tk.Verify(signEd(t, key, lifetimeClaims(access.RolePartner, 8760*time.Hour), "")); err != nil {
		t.Errorf("a year-long partner token: %v", err)
	}
}

// Dates are JSON numbers and iat is required (and not in the future).
func TestVerifyRequiresNumericDatesAndIat(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tk := capped(key)
	with := func(edit func(jwt.MapClaims)) string {
		c := lifetimeClaims(access.RoleSubscriber, time.Hour)
		edit(c)
		return signEd(t, key, c, "")
	}
	for name, raw := range map[string]string{
		"string exp": with(func(c jwt.MapClaims) { c["exp"] = fmt.Sprint(c["exp"]) }),
		"string iat": with(func(c jwt.MapClaims) { c["iat"] = fmt.Sprint(c["iat"]) }),
		"string nbf": with(func(c jwt.MapClaims) { c["nbf"] = fmt.Sprint(c["nbf"]) }),
		"null nbf":   with(func(c jwt.MapClaims) { c["nbf"] = nil }),
		"no iat":     with(func(c jwt.MapClaims) { delete(c, "iat") }),
		"null iat":   with(func(c jwt.MapClaims) { c["iat"] = nil }),
		"iat in the future": with(func(c jwt.MapClaims) {
			c["iat"] = fixedNow.Add(time.Second).Unix()
			c["nbf"] = fixedNow.Add(-time.Minute).Unix()
		}),
		"exp before iat": with(func(c jwt.MapClaims) { c["iat"] = fixedNow.Unix(); c["exp"] = fixedNow.Add(-time.Second).Unix() }),
	} {
		t.Run(name, func(t *testing.T) {
			p, err := tk.Verify(raw)
			if name == "exp before iat" {
				// Expired or invalid, but never accepted.
				if err == nil {
					t.Fatalf("accepted as %+v", p)
				}
				return
			}
			wantInvalid(t, p, err)
		})
	}
	// The control: numbers, iat present, no nbf at all.
	if _, err := tk.Verify(with(func(c jwt.MapClaims) { delete(c, "nbf") })); err != nil {
		t.Errorf("control token: %v", err)
	}
}

// Issue refuses a lifetime above the role's cap, clearly, and signs one at
// the cap.
func TestIssueRefusesAboveCap(t *testing.T) {
	t.Parallel()
	tk := capped(newKey(t))
	for _, tc := range []struct {
		role access.Role
		cap  time.Duration
	}{{access.RoleEditor, 2 * time.Hour}, {access.RoleReader, 2 * time.Hour}, {access.RolePartner, 48 * time.Hour}} {
		is, err := tk.Issue(access.MintRequest{Subject: "s", Role: tc.role, TTL: tc.cap})
		if err != nil {
			t.Fatalf("%s at the cap: %v", tc.role, err)
		}
		if _, err := tk.Verify(is.Token); err != nil {
			t.Errorf("%s token minted at the cap does not verify: %v", tc.role, err)
		}
		if tk.MaxTTL(tc.role) != tc.cap {
			t.Errorf("MaxTTL(%s) = %s", tc.role, tk.MaxTTL(tc.role))
		}
		_, err = tk.Issue(access.MintRequest{Subject: "s", Role: tc.role, TTL: tc.cap + time.Second})
		if !errors.Is(err, access.ErrTTLTooLong) {
			t.Errorf("%s over the cap: %v", tc.role, err)
		}
	}
	_, err := newTokens(newKey(t), 0).Issue(access.MintRequest{Subject: "s", Role: access.RoleEditor, TTL: 100000 * time.Hour})
	if !errors.Is(err, access.ErrTTLTooLong) {
		t.Errorf("100000h editor token: %v", err)
	}
}

// External tokens map to readers and subscribers: the members' cap applies
// to them, and the same date rules.
func TestExternalCapsLifetime(t *testing.T) {
	t.Parallel()
	s := newJWKSServer(t)
	x := newExternal(t, s, access.ExternalOptions{Leeway: -1, MaxTTL: 2 * time.Hour})
	now := time.Now().Truncate(time.Second)
	iat := now.Add(-time.Minute)
	life := func(d time.Duration, role string) jwt.MapClaims {
		return extClaims(jwt.MapClaims{"iat": iat.Unix(), "exp": iat.Add(d).Unix(), "role": role})
	}
	for _, role := range []string{"subscriber", "reader"} {
		if p, err := x.Verify(s.sign(t, life(2*time.Hour, role))); err != nil || string(p.Role) != role {
			t.Errorf("%s at the cap: %+v %v", role, p, err)
		}
		p, err := x.Verify(s.sign(t, life(2*time.Hour+time.Second, role)))
		wantInvalid(t, p, err)
	}
	for name, c := range map[string]jwt.MapClaims{
		"100-year exp":      extClaims(jwt.MapClaims{"exp": now.Add(100 * 8766 * time.Hour).Unix()}),
		"string exp":        extClaims(jwt.MapClaims{"exp": fmt.Sprint(now.Add(time.Hour).Unix())}),
		"string iat":        extClaims(jwt.MapClaims{"iat": fmt.Sprint(iat.Unix())}),
		"string nbf":        extClaims(jwt.MapClaims{"nbf": fmt.Sprint(iat.Unix())}),
		"no iat":            extClaims(jwt.MapClaims{"iat": nil}),
		"iat in the future": extClaims(jwt.MapClaims{"iat": now.Add(time.Minute).Unix()}),
	} {
		if name == "no iat" {
			delete(c, "iat")
		}
		p, err := x.Verify(s.sign(t, c))
		if err == nil {
			t.Errorf("%s: accepted as %+v", name, p)
			continue
		}
		wantInvalid(t, p, err)
	}
	// Without MaxTTL, the default members' cap: a day.
	y := newExternal(t, s, access.ExternalOptions{Leeway: -1})
	if _, err := y.Verify(s.sign(t, life(24*time.Hour, "subscriber"))); err != nil {
		t.Errorf("a day-long external token: %v", err)
	}
	p, err := y.Verify(s.sign(t, life(24*time.Hour+time.Second, "subscriber")))
	wantInvalid(t, p, err)
}

// FuzzVerifyClaims signs whatever claims the fuzzer writes with our key:
// a token that verifies always has numeric iat and exp, iat not in the
// future, and a lifetime within its role's cap.
func FuzzVerifyClaims(f *testing.F) {
	_, key, _ := ed25519.GenerateKey(nil)
	tk := capped(key)
	add := func(c jwt.MapClaims) {
		b, _ := json.Marshal(c)
		f.Add(b)
	}
	add(lifetimeClaims(access.RoleReader, time.Hour))
	add(lifetimeClaims(access.RolePartner, 48*time.Hour))
	add(lifetimeClaims(access.RoleEditor, 3*time.Hour))
	f.Add([]byte(`{"iss":"masthead-test","aud":"masthead-api","sub":"u","role":"admin","iat":1741944353,"exp":"1741947953"}`))
	f.Add([]byte(`{"iss":"masthead-test","aud":"masthead-api","sub":"u","role":"admin","exp":1741947953}`))
	f.Add([]byte(`{"iss":"masthead-test","aud":"masthead-api","sub":"u","role":"partner","iat":1741944353.5,"exp":1.7e9}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","typ":"JWT"}`))
		signing := head + "." + base64.RawURLEncoding.EncodeToString(payload)
		sig, err := jwt.SigningMethodEdDSA.Sign(signing, key)
		if err != nil {
			t.Fatal(err)
		}
		p, err := tk.Verify(signing + "." + base64.RawURLEncoding.EncodeToString(sig))
		iat, exp, ok := verifiedDates(t, payload, err)
		if !ok {
			return
		}
		if iat > float64(fixedNow.Unix())+1 {
			t.Fatalf("accepted %s issued in the future", payload)
		}
		if life := time.Duration((exp - iat) * float64(time.Second)); life > tk.MaxTTL(p.Role)+time.Second {
			t.Fatalf("accepted %s as %s living %s, cap %s", payload, p.Role, life, tk.MaxTTL(p.Role))
		}
	})
}

// FuzzExternalVerifyClaims signs whatever claims the fuzzer writes with the
// external issuer's key: a token that verifies has numeric iat and exp, iat
// not in the future, a lifetime within the members' cap, and a reader's or
// subscriber's role.
func FuzzExternalVerifyClaims(f *testing.F) {
	s := newJWKSServer(f)
	x, err := access.NewExternal(f.Context(), access.ExternalOptions{JWKSURL: s.url, Issuer: "https://id.example", Audience: "news",
		UnknownKIDInterval: time.Hour, MaxTTL: 2 * time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	defer x.Close()
	now := time.Now().Unix()
	for _, c := range []string{
		fmt.Sprintf(`{"iss":"https://id.example","aud":"news","sub":"42","iat":%d,"exp":%d}`, now, now+3600),
		fmt.Sprintf(`{"iss":"https://id.example","aud":"news","sub":"42","iat":%d,"exp":%d,"role":"subscriber"}`, now, now+7200),
		fmt.Sprintf(`{"iss":"https://id.example","aud":"news","sub":"42","iat":"%d","exp":%d}`, now, now+60),
		fmt.Sprintf(`{"iss":"https://id.example","aud":"news","sub":"42","exp":%d}`, now+60),
		fmt.Sprintf(`{"iss":"https://id.example","aud":["news"],"sub":"42","iat":%d.5,"exp":%de0}`, now, now+7201),
	} {
		f.Add([]byte(c))
	}
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"k1"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		signing := head + "." + base64.RawURLEncoding.EncodeToString(payload)
		sig, err := jwt.SigningMethodES256.Sign(signing, s.key)
		if err != nil {
			t.Fatal(err)
		}
		p, err := x.Verify(signing + "." + base64.RawURLEncoding.EncodeToString(sig))
		iat, exp, ok := verifiedDates(t, payload, err)
		if !ok {
			return
		}
		if iat > float64(time.Now().Unix()+31) {
			t.Fatalf("accepted %s issued in the future", payload)
		}
		// Dates are whole seconds once read: a fraction may add one.
		if exp-iat > (2*time.Hour).Seconds()+1 {
			t.Fatalf("accepted %s living %v s", payload, exp-iat)
		}
		if p.Role != access.RoleReader && p.Role != access.RoleSubscriber {
			t.Fatalf("accepted %s as %s", payload, p.Role)
		}
	})
}

// verifiedDates checks what the fuzz targets ask of any answer of Verify
// to a token whose claims are payload: a refusal (err) is a TokenError; an
// accepted token has parsable claims with numeric iat and exp, and a
// numeric nbf when it has one. It returns iat and exp of an accepted
// token, and false for a refused one.
func verifiedDates(t *testing.T, payload []byte, err error) (iat, exp float64, accepted bool) {
	t.Helper()
	if err != nil {
		var te *access.TokenError
		if !errors.As(err, &te) {
			t.Fatalf("error %v is not a TokenError", err)
		}
		return 0, 0, false
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatalf("accepted unparsable claims %q", payload)
	}
	iat, ok1 := c["iat"].(float64)
	exp, ok2 := c["exp"].(float64)
	if !ok1 || !ok2 {
		t.Fatalf("accepted %s without numeric iat and exp", payload)
	}
	if nbf, ok := c["nbf"]; ok {
		if _, num := nbf.(float64); !num {
			t.Fatalf("accepted %s with a nbf that is not a number", payload)
		}
	}
	return iat, exp, true
}
