// Package accounts owns reader and newsroom accounts: users with argon2id
// password hashes, roles and subscription end dates, and the rotating
// refresh tokens of their logins. It issues no JWT: the api package mints
// access tokens from what Authenticate and Refresh return.
package accounts

import (
	"context"
	"errors"
	"fmt"
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
	ErrNotFound = fault.NotFound("no such account")
	ErrConflict = fault.Conflict("an account with this email already exists")
	// ErrInvalidCredentials: a wrong email or password (never which).
	ErrInvalidCredentials = fault.Unauthenticated("invalid_credentials", "wrong email or password")
	// ErrTokenReused: a refresh token was presented a second time; the whole
	// login (its family) has been revoked.
	ErrTokenReused = fault.Unauthenticated("token_reused",
		"this refresh token was already used: the login is revoked; log in again")
	// ErrTokenInvalid: unknown, expired or revoked refresh token.
	ErrTokenInvalid = fault.Unauthenticated("token_invalid",
		"the refresh token is unknown, expired or revoked; log in again")
)

// Role is an account's role.
type Role string

// Roles.
const (
	RoleReader     Role = "reader"
	RoleSubscriber Role = "subscriber"
	RoleEditor     Role = "editor"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is an account role.
func (r Role) Valid() bool {
	switch r {
	case RoleReader, RoleSubscriber, RoleEditor, RoleAdmin:
		return true
	}
	return false
}

// Password length bounds, in bytes.
const (
	MinPassword = 10
	MaxPassword = 256
)

// User is an account. PasswordHash never leaves the package's callers'
// side of the API.
type User struct {
	ID                string
	Email             string
	Name              string
	PasswordHash      string
	Role              Role
	SubscriptionUntil *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// EffectiveRole is the role a token gets at now: a subscriber whose
// subscription has ended (or who has no end date) reads as a reader;
// editors and admins are unaffected.
func (u User) EffectiveRole(now time.Time) Role {
	if u.Role == RoleSubscriber && (u.SubscriptionUntil == nil || !now.Before(*u.SubscriptionUntil)) {
		return RoleReader
	}
	return u.Role
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Email             string
	Name              string
	Password          string
	Role              Role
	SubscriptionUntil *time.Time
}

// fieldErrors collects the invalid fields of an input.
type fieldErrors []fault.FieldError

func (e *fieldErrors) add(field, msg string) { *e = append(*e, fault.Field(field, msg)) }

func (e *fieldErrors) orNil() error { return fault.Invalid(*e...) }

// NormalizeEmail trims and lower-cases an address: the form it is stored
// and looked up in.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkEmail validates a normalized address: something@domain, no spaces
// or control characters, at most 254 bytes.
func checkEmail(ve *fieldErrors, field, email string) {
	local, domain, ok := strings.Cut(email, "@")
	switch {
	case email == "":
		ve.add(field, "is required")
	case len(email) > 254 || !utf8.ValidString(email):
		ve.add(field, "must be a valid address of at most 254 bytes")
	case !ok || local == "" || domain == "" || strings.Contains(domain, "@") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.IndexFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		ve.add(field, "must look like name@example.org")
	}
}

// CheckPassword applies the password rules: 10 to 256 bytes of valid UTF-8.
func CheckPassword(pw string) error {
	ve := &fieldErrors{}
	checkPassword(ve, "password", pw)
	return ve.orNil()
}

func checkPassword(ve *fieldErrors, field, pw string) {
	switch {
	case pw == "":
		ve.add(field, "is required")
	case !utf8.ValidString(pw):
		ve.add(field, "must be valid UTF-8")
	case len(pw) < MinPassword || len(pw) > MaxPassword:
		ve.add(field, fmt.Sprintf("must be %d to %d bytes long", MinPassword, MaxPassword))
	}
}

func checkName(ve *fieldErrors, name string) {
	switch {
	case name == "":
		ve.add("name", "is required")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100:
		ve.add("name", "must be valid text of at most 100 characters")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		ve.add("name", "must not contain control characters")
	}
}

func checkRole(ve *fieldErrors, r Role) {
	if !r.Valid() {
		ve.add("role", "must be reader, subscriber, editor or admin")
	}
}

// Options configure the service.
type Options struct {
	Now        func() time.Time // nil: time.Now
	RefreshTTL time.Duration    // lifetime of each refresh token (default 720h)
	// Hasher hashes passwords; nil uses DefaultParams.
	Hasher *Hasher
	// OnVerify, when set, is called after every argon2 verification
	// (tests use it to check that unknown emails cost a verification too).
	OnVerify func()
}

// Service manages accounts and logins.
type Service struct {
	db         *store.DB
	now        func() time.Time
	refreshTTL time.Duration
	hasher     *Hasher
	// dummy is a hash of a random password with the hasher's parameters:
	// an unknown email is verified against it, so that it costs the same
	// time as a known one with a wrong password.
	dummy string
}

// NewService returns the accounts service. It computes one dummy hash (one
// argon2 run) at once.
func NewService(db *store.DB, o Options) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = 720 * time.Hour
	}
	if o.Hasher == nil {
		o.Hasher = NewHasher(DefaultParams, 0)
	}
	o.Hasher.onVerify = o.OnVerify
	s := &Service{db: db, now: o.Now, refreshTTL: o.RefreshTTL, hasher: o.Hasher}
	dummy, err := o.Hasher.Hash(context.Background(), ulid.Make().String()+ulid.Make().String())
	if err != nil {
		return nil, fmt.Errorf("dummy hash: %w", err)
	}
	s.dummy = dummy
	return s, nil
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// EffectiveRole is u's role now.
func (s *Service) EffectiveRole(u User) Role { return u.EffectiveRole(s.now()) }

// CreateUser validates and stores a new account. A taken email is
// ErrConflict.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (User, error) {
	ve := &fieldErrors{}
	email := NormalizeEmail(n.Email)
	checkEmail(ve, "email", email)
	name := strings.TrimSpace(n.Name)
	checkName(ve, name)
	checkPassword(ve, "password", n.Password)
	checkRole(ve, n.Role)
	if err := ve.orNil(); err != nil {
		return User{}, err
	}
	hash, err := s.hasher.Hash(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	now := s.clock()
	u := User{ID: ulid.Make().String(), Email: email, Name: name, PasswordHash: hash, Role: n.Role,
		SubscriptionUntil: utcPtr(n.SubscriptionUntil), CreatedAt: now, UpdatedAt: now}
	if err := s.insertUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("create user %s: %w", email, err)
	}
	return u, nil
}

// UserByID returns a user or ErrNotFound.
func (s *Service) UserByID(ctx context.Context, id string) (User, error) {
	u, err := s.findUser(ctx, "id = ?", id)
	if err != nil {
		return User{}, fmt.Errorf("find user %s: %w", id, err)
	}
	return u, nil
}

// NameTaken reports whether an account carries name, case aside: the names
// guests may not comment under (comments.Members).
func (s *Service) NameTaken(ctx context.Context, name string) (bool, error) {
	taken, err := s.nameTaken(ctx, name)
	if err != nil {
		return false, fmt.Errorf("look up account names: %w", err)
	}
	return taken, nil
}

// UserByEmail returns a user by address (normalized first) or ErrNotFound.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	email = NormalizeEmail(email)
	u, err := s.findUser(ctx, "email = ?", email)
	if err != nil {
		return User{}, fmt.Errorf("find user %s: %w", email, err)
	}
	return u, nil
}

// SetRole changes the role of the account with email.
func (s *Service) SetRole(ctx context.Context, email string, r Role) (User, error) {
	ve := &fieldErrors{}
	checkRole(ve, r)
	if err := ve.orNil(); err != nil {
		return User{}, err
	}
	u, err := s.updateUser(ctx, NormalizeEmail(email), map[string]any{"role": string(r)})
	if err != nil {
		return User{}, fmt.Errorf("set role of %s: %w", email, err)
	}
	return u, nil
}

// SetSubscription sets (or, with nil, clears) the end of the account's
// subscription.
func (s *Service) SetSubscription(ctx context.Context, email string, until *time.Time) (User, error) {
	u, err := s.updateUser(ctx, NormalizeEmail(email), map[string]any{"subscription_until": utcPtr(until)})
	if err != nil {
		return User{}, fmt.Errorf("set subscription of %s: %w", email, err)
	}
	return u, nil
}

// Authenticate checks an email and password. Unknown email and wrong
// password are the same ErrInvalidCredentials, and both cost one argon2
// verification. Empty or oversized inputs are an invalid fault (they say
// nothing about any account).
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	if err := CheckLogin(email, password); err != nil {
		return User{}, err
	}
	email = NormalizeEmail(email)
	u, err := s.findUser(ctx, "email = ?", email)
	hash := u.PasswordHash
	switch {
	case errors.Is(err, ErrNotFound):
		hash = s.dummy
	case err != nil:
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	ok, verr := s.hasher.Verify(ctx, hash, password)
	if verr != nil {
		return User{}, fmt.Errorf("authenticate %s: %w", u.ID, verr)
	}
	if err != nil || !ok {
		return User{}, ErrInvalidCredentials
	}
	if s.hasher.NeedsRehash(hash) {
		// Upgrade to the current parameters while we hold the password;
		// a failure here does not fail the login.
		if nh, err := s.hasher.Hash(ctx, password); err == nil {
			if err := s.db.Write(ctx).Model(&userRow{}).Where("id = ? AND password_hash = ?", u.ID, hash).
				Updates(map[string]any{"password_hash": nh, "updated_at": s.clock()}).Error; err == nil {
				u.PasswordHash = nh
			}
		}
	}
	return u, nil
}

// CheckLogin checks the shape of login input without looking at any
// account: both fields present, neither oversized. Callers may run it
// before spending anything on a login.
func CheckLogin(email, password string) error {
	ve := &fieldErrors{}
	email = NormalizeEmail(email)
	if email == "" {
		ve.add("email", "is required")
	} else if len(email) > 254 {
		ve.add("email", "must be at most 254 bytes")
	}
	if password == "" {
		ve.add("password", "is required")
	} else if len(password) > MaxPassword {
		ve.add("password", fmt.Sprintf("must be at most %d bytes", MaxPassword))
	}
	return ve.orNil()
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	return &v
}
