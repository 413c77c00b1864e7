package access

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oklog/ulid/v2"
)

// Token error codes, as the API reports them.
const (
	CodeTokenInvalid = "token_invalid"
	CodeTokenExpired = "token_expired"
)

// TokenError says why a presented token was refused.
type TokenError struct {
	Code   string // CodeTokenInvalid or CodeTokenExpired
	Reason string // safe to show the client
	Err    error
}

func (e *TokenError) Error() string { return e.Code + ": " + e.Reason }
func (e *TokenError) Unwrap() error { return e.Err }

// Claims are the registered claims plus Masthead's own.
type Claims struct {
	Role  string `json:"role,omitempty"`
	Scope string `json:"scope,omitempty"` // space-separated
	jwt.RegisteredClaims
}

// Tokens signs and verifies Masthead's own tokens.
type Tokens struct {
	key      ed25519.PrivateKey
	pub      ed25519.PublicKey
	kid      string
	issuer   string
	audience string
	now      func() time.Time
	leeway   time.Duration
	parser   *jwt.Parser

	maxTTL, partnerMaxTTL time.Duration

	// verified remembers tokens whose signature and claims checked out, until
	// they expire: the same token sent again (every request of an app
	// session) skips the Ed25519 verification. Only the exact token string
	// hits; the expiry is checked again on every hit.
	mu       sync.Mutex
	verified map[string]verifiedToken
}

type verifiedToken struct {
	p   Principal
	exp time.Time
}

const maxVerified = 10_000

// TokenOptions configure Tokens.
type TokenOptions struct {
	Issuer   string
	Audience string
	Now      func() time.Time // nil: time.Now
	Leeway   time.Duration    // clock skew tolerated on exp, nbf, iat
	// MaxTTL caps the lifetime (exp − iat) of the tokens of members and
	// staff (reader, subscriber, editor, admin), PartnerMaxTTL that of
	// partner tokens: Issue refuses to sign a longer one, Verify refuses
	// it. Zero: DefaultMaxTTL, DefaultPartnerMaxTTL.
	MaxTTL        time.Duration
	PartnerMaxTTL time.Duration
}

// The default lifetime caps: a day for members and staff (login issues 15
// minutes, the demo prints 12 hours), a year for partners (the admin API
// mints them for a year, and can revoke them by jti).
const (
	DefaultMaxTTL        = 24 * time.Hour
	DefaultPartnerMaxTTL = 8760 * time.Hour
)

// ErrTTLTooLong is returned by Issue for a lifetime above its role's cap.
var ErrTTLTooLong = errors.New("token lifetime above its role's cap")

// NewTokens returns a signer and verifier for key.
func NewTokens(key ed25519.PrivateKey, o TokenOptions) *Tokens {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxTTL <= 0 {
		o.MaxTTL = DefaultMaxTTL
	}
	if o.PartnerMaxTTL <= 0 {
		o.PartnerMaxTTL = DefaultPartnerMaxTTL
	}
	pub := key.Public().(ed25519.PublicKey)
	t := &Tokens{key: key, pub: pub, kid: KeyID(pub), issuer: o.Issuer, audience: o.Audience, now: o.Now,
		leeway: o.Leeway, maxTTL: o.MaxTTL, partnerMaxTTL: o.PartnerMaxTTL, verified: make(map[string]verifiedToken)}
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(o.Issuer),
		jwt.WithAudience(o.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(o.Leeway),
		jwt.WithTimeFunc(o.Now),
	)
	return t
}

// MintRequest describes a token to issue.
type MintRequest struct {
	Subject string
	Role    Role
	Scopes  []string
	TTL     time.Duration
}

// Issued is a signed token with the claims its issuer keeps: its ID (jti),
// by which it can be revoked, and its expiry.
type Issued struct {
	Token     string
	ID        string
	ExpiresAt time.Time
}

// Mint signs a token.
func (t *Tokens) Mint(r MintRequest) (string, error) {
	is, err := t.Issue(r)
	return is.Token, err
}

// Issue signs a token and says which ID and expiry it carries.
func (t *Tokens) Issue(r MintRequest) (Issued, error) {
	if r.Subject == "" {
		return Issued{}, errors.New("mint token: subject is required")
	}
	if !r.Role.Valid() {
		return Issued{}, fmt.Errorf("mint token: unknown role %q", r.Role)
	}
	if r.TTL <= 0 {
		return Issued{}, errors.New("mint token: ttl must be positive")
	}
	if limit := t.MaxTTL(r.Role); r.TTL > limit {
		return Issued{}, fmt.Errorf("mint token: %w: %s asked, %s tokens live at most %s", ErrTTLTooLong, r.TTL, r.Role, limit)
	}
	now := t.now().UTC()
	c := Claims{
		Role:  string(r.Role),
		Scope: strings.Join(r.Scopes, " "),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   r.Subject,
			Audience:  jwt.ClaimStrings{t.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(r.TTL)),
			ID:        ulid.Make().String(),
		},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = t.kid
	s, err := tok.SignedString(t.key)
	if err != nil {
		return Issued{}, fmt.Errorf("sign token: %w", err)
	}
	return Issued{Token: s, ID: c.ID, ExpiresAt: c.ExpiresAt.Time}, nil
}

// Verify checks a token's signature (EdDSA with our key only), issuer,
// audience and times, and returns who it speaks for.
func (t *Tokens) Verify(raw string) (Principal, error) {
	t.mu.Lock()
	v, ok := t.verified[raw]
	t.mu.Unlock()
	if ok {
		if t.now().Before(v.exp.Add(t.leeway)) {
			return v.p, nil
		}
		t.mu.Lock()
		delete(t.verified, raw)
		t.mu.Unlock()
	}
	p, exp, err := t.verify(raw)
	if err != nil {
		return Principal{}, err
	}
	t.mu.Lock()
	if len(t.verified) >= maxVerified {
		clear(t.verified)
	}
	t.verified[raw] = verifiedToken{p: p, exp: exp}
	t.mu.Unlock()
	return p, nil
}

func (t *Tokens) verify(raw string) (Principal, time.Time, error) {
	var c Claims
	_, err := t.parser.ParseWithClaims(raw, &c, func(tok *jwt.Token) (any, error) {
		if kid, ok := tok.Header["kid"].(string); ok && kid != t.kid {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return t.pub, nil
	})
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return Principal{}, time.Time{}, &TokenError{Code: CodeTokenExpired, Reason: "the token has expired", Err: err}
		}
		return Principal{}, time.Time{}, &TokenError{Code: CodeTokenInvalid, Reason: reason(err), Err: err}
	}
	role := Role(c.Role)
	if !role.Valid() {
		return Principal{}, time.Time{}, &TokenError{Code: CodeTokenInvalid, Reason: "the token has no known role"}
	}
	if c.Subject == "" {
		return Principal{}, time.Time{}, &TokenError{Code: CodeTokenInvalid, Reason: "the token has no subject"}
	}
	if te := checkDates(raw, c.ExpiresAt, c.IssuedAt, t.MaxTTL(role)); te != nil {
		return Principal{}, time.Time{}, te
	}
	return Principal{Subject: c.Subject, Role: role, Scopes: strings.Fields(c.Scope), TokenID: c.ID}, c.ExpiresAt.Time, nil
}

// reason turns a parser error into a short, safe explanation.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token's signature or algorithm is not accepted"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token was issued by someone else"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token is meant for another audience"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "the token lacks a required claim"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "the token is not valid yet"
	}
	return "the token is not valid"
}

// JWKS is the public key set published at /.well-known/jwks.json.
func (t *Tokens) JWKS() []JWK {
	return []JWK{{
		Kty: "OKP", Crv: "Ed25519", X: b64(t.pub), Kid: t.kid, Alg: "EdDSA", Use: "sig",
	}}
}

// Secret derives a 32-byte secret for purpose from the signing key, so that
// every process sharing the key agrees on it (cursor signatures, for one).
func (t *Tokens) Secret(purpose string) []byte {
	return derive(t.key.Seed(), purpose)
}

// MaxTTL is the longest lifetime (exp − iat) a token of role may have.
func (t *Tokens) MaxTTL(role Role) time.Duration {
	if role == RolePartner {
		return t.partnerMaxTTL
	}
	return t.maxTTL
}

// checkDates applies the rules the parser leaves out, to the claims of a
// token whose signature checked out: exp, iat and nbf, when present, are
// JSON numbers (the parser takes "1700000000" for a date too); iat is
// present; and the lifetime, exp − iat, is positive and at most maxTTL.
func checkDates(raw string, exp, iat *jwt.NumericDate, maxTTL time.Duration) *TokenError {
	if iat == nil || exp == nil {
		return &TokenError{Code: CodeTokenInvalid, Reason: "the token lacks a required claim"}
	}
	if !numericDates(raw) {
		return &TokenError{Code: CodeTokenInvalid, Reason: "the token's dates must be numbers"}
	}
	life := exp.Sub(iat.Time)
	if life <= 0 {
		return &TokenError{Code: CodeTokenInvalid, Reason: "the token expires before it was issued"}
	}
	if life > maxTTL {
		return &TokenError{Code: CodeTokenInvalid, Reason: "the token's lifetime exceeds what its role allows"}
	}
	return nil
}

// numericDates reports whether the exp, iat and nbf of a compact JWT's
// payload, when present, are JSON numbers.
func numericDates(raw string) bool {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var dates struct {
		Exp, Iat, Nbf json.RawMessage
	}
	if err := json.Unmarshal(payload, &dates); err != nil {
		return false
	}
	for _, d := range []json.RawMessage{dates.Exp, dates.Iat, dates.Nbf} {
		if d == nil {
			continue
		}
		if c := d[0]; c != '-' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
