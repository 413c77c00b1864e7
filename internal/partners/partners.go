// Package partners owns the syndication partners: who they are, what they
// licensed (scopes), how fast they may call (a rate limit), and the
// credentials that identify them — the jti of their one working token and
// the SHA-256 of their feed key. It mints no JWT: the api package signs the
// token and hands this package its id and expiry.
package partners

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"masthead/internal/fault"
	"masthead/internal/store"
)

// The service's faults.
var (
	ErrNotFound = fault.NotFound("no partner has this id")
	// ErrConflict: another partner has this name.
	ErrConflict = fault.Conflict("another partner has this name")
	// ErrStale: the partner changed since the version the caller read.
	ErrStale = fault.Stale("someone changed this partner since you read it; read it again")
)

// Scopes a partner may hold. full_text includes headlines.
const (
	ScopeHeadlines = "headlines"
	ScopeFullText  = "full_text"
)

// SubjectPrefix starts the subject of every token minted for a partner
// row ("partner:<id>"). A partner token with this prefix is checked against
// the row on every request; any other partner subject is a token minted by
// hand (`masthead token`) and is taken at its word.
const SubjectPrefix = "partner:"

// Bounds of the editable fields.
const (
	MaxName      = 100
	MaxRateLimit = 1_000_000
)

// feedKeyPrefix marks our feed keys, so that a leaked one is recognizable
// (secret scanners, logs) and junk is refused without a query.
const feedKeyPrefix = "mfk_"

// Partner is a syndication client.
type Partner struct {
	ID     string
	Name   string
	Scopes []string
	// RateLimit is requests per minute; 0 is not limited.
	RateLimit int
	Active    bool
	// TokenID is the jti of the partner's current token; TokenExpiresAt
	// its expiry.
	TokenID        string
	TokenExpiresAt time.Time
	Version        int // moved by one on every write
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DisabledAt     *time.Time
}

// Subject is the `sub` of the partner's tokens.
func (p Partner) Subject() string { return SubjectPrefix + p.ID }

// IDFromSubject returns the partner id a token subject names, if it names
// one.
func IDFromSubject(sub string) (string, bool) {
	id, ok := strings.CutPrefix(sub, SubjectPrefix)
	return id, ok
}

// Token is the partner token the caller signed: its jti and expiry.
type Token struct {
	ID        string
	ExpiresAt time.Time
}

// Issuer signs a partner token for subject with scopes and says which it
// signed. The service calls it once the write is known to be valid.
type Issuer func(subject string, scopes []string) (Token, error)

// Input is a new partner. A nil RateLimit takes the service's default.
type Input struct {
	Name      string
	Scopes    []string
	RateLimit *int
}

// Patch changes a partner; nil fields stay as they are. Active false
// disables the partner (its token and feed key stop at once); true enables
// it again with the credentials it had.
type Patch struct {
	Name      *string
	Scopes    *[]string
	RateLimit *int
	Active    *bool
}

// Cursor is the keyset position of the newsroom's list.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// Options configure the service.
type Options struct {
	Now func() time.Time // nil: time.Now
	// DefaultRateLimit is given to a partner created without one (0: none).
	DefaultRateLimit int
}

// Service keeps the partners.
type Service struct {
	db  *store.DB
	now func() time.Time
	def int
}

// NewService returns the partners service on db.
func NewService(db *store.DB, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: db, now: o.Now, def: o.DefaultRateLimit}
}

// Now is the service's clock, in UTC to the microsecond (what both
// databases keep).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// IsID reports whether s has the shape of a partner id.
func IsID(s string) bool {
	_, err := ulid.ParseStrict(s)
	return err == nil && len(s) == ulid.EncodedSize
}

// HashFeedKey is what the database keeps of a feed key.
func HashFeedKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// newFeedKey returns 256 random bits, base64url, behind the prefix.
func newFeedKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return feedKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// fieldErrors collects invalid fields.
type fieldErrors []fault.FieldError

func (fe *fieldErrors) add(field, msg string) { *fe = append(*fe, fault.Field(field, msg)) }

func (fe fieldErrors) err() error { return fault.Invalid(fe...) }

func (fe *fieldErrors) checkName(name string) string {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		fe.add("name", "is required")
	case !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxName:
		fe.add("name", fmt.Sprintf("must be valid text of at most %d characters", MaxName))
	case strings.ContainsFunc(n, unicode.IsControl):
		fe.add("name", "must not hold control characters")
	}
	return n
}

// checkScopes returns the scopes in their canonical form: known, once
// each, headlines first; full_text brings headlines with it.
func (fe *fieldErrors) checkScopes(scopes []string) []string {
	if len(scopes) == 0 {
		fe.add("scopes", "name at least one: headlines, full_text")
		return nil
	}
	for _, sc := range scopes {
		if sc != ScopeHeadlines && sc != ScopeFullText {
			fe.add("scopes", fmt.Sprintf("%q is not a scope; allowed: headlines, full_text", sc))
			return nil
		}
	}
	if slices.Contains(scopes, ScopeFullText) {
		return []string{ScopeHeadlines, ScopeFullText}
	}
	return []string{ScopeHeadlines}
}

func (fe *fieldErrors) checkRateLimit(n int) {
	if n < 0 || n > MaxRateLimit {
		fe.add("rate_limit", fmt.Sprintf("must be between 0 (not limited) and %d requests per minute", MaxRateLimit))
	}
}

// Create stores a new partner with a token from issue, and returns it with
// its feed key: the only time the key is seen, since only its hash is kept.
func (s *Service) Create(ctx context.Context, in Input, issue Issuer) (Partner, string, error) {
	var fe fieldErrors
	name := fe.checkName(in.Name)
	scopes := fe.checkScopes(in.Scopes)
	limit := s.def
	if in.RateLimit != nil {
		limit = *in.RateLimit
		fe.checkRateLimit(limit)
	}
	if err := fe.err(); err != nil {
		return Partner{}, "", err
	}
	id := ulid.Make().String()
	tok, err := issueToken(issue, id, scopes)
	if err != nil {
		return Partner{}, "", fmt.Errorf("create partner: %w", err)
	}
	now := s.Now()
	key := newFeedKey()
	p := Partner{ID: id, Name: name, Scopes: scopes, RateLimit: limit, Active: true, Version: 1,
		TokenID: tok.ID, TokenExpiresAt: tok.ExpiresAt.UTC().Truncate(time.Microsecond),
		CreatedAt: now, UpdatedAt: now}
	if err := s.insert(ctx, p, HashFeedKey(key)); err != nil {
		return Partner{}, "", fmt.Errorf("create partner: %w", err)
	}
	return p, key, nil
}

// Get returns the partner with id.
func (s *Service) Get(ctx context.Context, id string) (Partner, error) {
	if !IsID(id) {
		return Partner{}, ErrNotFound
	}
	return s.find(ctx, "id = ?", id)
}

// ByFeedKey returns the partner whose feed key is key, active or not.
func (s *Service) ByFeedKey(ctx context.Context, key string) (Partner, error) {
	if !strings.HasPrefix(key, feedKeyPrefix) || len(key) > 100 {
		return Partner{}, ErrNotFound
	}
	return s.find(ctx, "feed_key_hash = ?", HashFeedKey(key))
}

// List returns up to limit partners, newest first, after the cursor, and
// the cursor of the next page (nil on the last).
func (s *Service) List(ctx context.Context, limit int, after *Cursor) ([]Partner, *Cursor, error) {
	return s.list(ctx, limit, after)
}

// Update applies p to the partner id. A non-zero expect is the version the
// caller read: if the partner changed since, nothing is written and the
// answer is ErrStale.
func (s *Service) Update(ctx context.Context, id string, p Patch, expect int) (Partner, error) {
	var fe fieldErrors
	set := map[string]any{}
	if p.Name != nil {
		set["name"] = fe.checkName(*p.Name)
	}
	if p.Scopes != nil {
		set["scopes"] = strings.Join(fe.checkScopes(*p.Scopes), " ")
	}
	if p.RateLimit != nil {
		fe.checkRateLimit(*p.RateLimit)
		set["rate_limit"] = *p.RateLimit
	}
	if err := fe.err(); err != nil {
		return Partner{}, err
	}
	return s.update(ctx, id, expect, func(cur Partner, now time.Time) (map[string]any, error) {
		if p.Active != nil && *p.Active != cur.Active {
			set["active"] = *p.Active
			if *p.Active {
				set["disabled_at"] = nil
			} else {
				set["disabled_at"] = now
			}
		}
		return set, nil
	})
}

// Rotate gives the partner a new feed key and a new token from issue, its
// only working one: the old key and token stop at once. It works on a
// disabled partner too (the new credentials work once it is enabled again).
func (s *Service) Rotate(ctx context.Context, id string, issue Issuer, expect int) (Partner, string, error) {
	key := newFeedKey()
	p, err := s.update(ctx, id, expect, func(cur Partner, _ time.Time) (map[string]any, error) {
		tok, err := issueToken(issue, cur.ID, cur.Scopes)
		if err != nil {
			return nil, err
		}
		return map[string]any{"feed_key_hash": HashFeedKey(key), "token_id": tok.ID,
			"token_expires_at": tok.ExpiresAt.UTC().Truncate(time.Microsecond)}, nil
	})
	if err != nil {
		return Partner{}, "", err
	}
	return p, key, nil
}

func issueToken(issue Issuer, id string, scopes []string) (Token, error) {
	tok, err := issue(SubjectPrefix+id, scopes)
	if err != nil {
		return Token{}, fmt.Errorf("issue token: %w", err)
	}
	if tok.ID == "" || tok.ExpiresAt.IsZero() {
		return Token{}, errors.New("issue token: the token has no jti or expiry")
	}
	return tok, nil
}
