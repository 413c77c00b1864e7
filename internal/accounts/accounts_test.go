package accounts_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/fault"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

// cheap keeps the service tests fast; the hashing tests use the defaults.
var cheap = accounts.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	db       *store.DB
	svc      *accounts.Service
	clock    *clock
	verifies *atomic.Int64
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := storetest.Open(t)
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	var n atomic.Int64
	svc, err := accounts.NewService(db, accounts.Options{
		Now: c.Now, RefreshTTL: 24 * time.Hour, Hasher: accounts.NewHasher(cheap, 0),
		OnVerify: func() { n.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{db: db, svc: svc, clock: c, verifies: &n}
}

func (f fixture) user(t *testing.T, email string, role accounts.Role) accounts.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), accounts.NewUser{Email: email, Name: "Test User", Password: "correct horse battery", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := accounts.NewHasher(accounts.DefaultParams, 0)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(enc, "$") != 5 {
		t.Fatalf("hash %q is not the PHC form with the default parameters", enc)
	}
	if ok, err := h.Verify(ctx, enc, "correct horse battery"); err != nil || !ok {
		t.Fatalf("verify right password = %v, %v", ok, err)
	}
	if ok, err := h.Verify(ctx, enc, "correct horse batterY"); err != nil || ok {
		t.Fatalf("verify wrong password = %v, %v", ok, err)
	}
	enc2, _ := h.Hash(ctx, "correct horse battery")
	if enc2 == enc {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if h.NeedsRehash(enc) {
		t.Error("NeedsRehash of a fresh hash")
	}
}

func TestVerifyReadsParametersFromTheHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old := accounts.NewHasher(accounts.Params{Memory: 4096, Time: 3, Threads: 2, SaltLen: 8, KeyLen: 16}, 0)
	enc, err := old.Hash(ctx, "an older password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=4096,t=3,p=2$") {
		t.Fatalf("hash %q", enc)
	}
	cur := accounts.NewHasher(cheap, 0)
	if ok, err := cur.Verify(ctx, enc, "an older password"); err != nil || !ok {
		t.Fatalf("a hash with other parameters does not verify: %v, %v", ok, err)
	}
	if !cur.NeedsRehash(enc) {
		t.Error("NeedsRehash is false for other parameters")
	}
}

func TestVerifyTamperedHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := accounts.NewHasher(cheap, 0)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$")
	flip := func(s string) string {
		b := []byte(s)
		if b[2] == 'A' {
			b[2] = 'B'
		} else {
			b[2] = 'A'
		}
		return string(b)
	}
	wrong := map[string]string{ // still well-formed: verification fails
		"hash bytes": strings.Join(append(parts[:5:5], flip(parts[5])), "$"),
		"salt bytes": strings.Join([]string{"", parts[1], parts[2], parts[3], flip(parts[4]), parts[5]}, "$"),
		"time":       strings.Replace(enc, "t=1", "t=2", 1),
		"memory":     strings.Replace(enc, "m=1024", "m=2048", 1),
	}
	for name, s := range wrong {
		if ok, err := h.Verify(ctx, s, "correct horse battery"); ok || err != nil {
			t.Errorf("%s changed: verify = %v, %v; want false, nil", name, ok, err)
		}
	}
	malformed := []string{
		"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=1024,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,t=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=0,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,p=1$" + parts[4] + "$",
		enc + "$",
	}
	for _, s := range malformed {
		if ok, err := h.Verify(ctx, s, "correct horse battery"); ok || err == nil {
			t.Errorf("verify %q = %v, %v; want an error", s, ok, err)
		}
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	u, err := f.svc.CreateUser(ctx, accounts.NewUser{Email: "  Ada@Example.ORG ", Name: " Ada ", Password: "correct horse battery", Role: accounts.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ada@example.org" || u.Name != "Ada" || u.ID == "" || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("user %+v", u)
	}
	got, err := f.svc.UserByEmail(ctx, "ADA@example.org")
	if err != nil || got.ID != u.ID || !got.CreatedAt.Equal(f.clock.Now()) {
		t.Fatalf("UserByEmail = %+v, %v", got, err)
	}
	_, err = f.svc.CreateUser(ctx, accounts.NewUser{Email: "ada@EXAMPLE.org", Name: "Other", Password: "correct horse battery", Role: accounts.RoleReader})
	if !errors.Is(err, accounts.ErrConflict) {
		t.Fatalf("duplicate email: %v, want ErrConflict", err)
	}
	if _, err := f.svc.UserByID(ctx, "nope"); !errors.Is(err, accounts.ErrNotFound) {
		t.Fatalf("UserByID(nope) = %v", err)
	}

	bad := []struct {
		n      accounts.NewUser
		fields []string
	}{
		{accounts.NewUser{}, []string{"email", "name", "password", "role"}},
		{accounts.NewUser{Email: "no-at", Name: "x", Password: "correct horse battery", Role: "reader"}, []string{"email"}},
		{accounts.NewUser{Email: "a b@c.d", Name: "x", Password: "correct horse battery", Role: "reader"}, []string{"email"}},
		{accounts.NewUser{Email: "a@b.c", Name: "x", Password: "short", Role: "reader"}, []string{"password"}},
		{accounts.NewUser{Email: "a@b.c", Name: "x", Password: strings.Repeat("p", 257), Role: "reader"}, []string{"password"}},
		{accounts.NewUser{Email: "a@b.c", Name: "x", Password: "correct horse \xff battery", Role: "reader"}, []string{"password"}},
		{accounts.NewUser{Email: "a@b.c", Name: "x", Password: "correct horse battery", Role: "partner"}, []string{"role"}},
		{accounts.NewUser{Email: "a@b.c", Name: "x\x00", Password: "correct horse battery", Role: "reader"}, []string{"name"}},
	}
	for _, b := range bad {
		_, err := f.svc.CreateUser(ctx, b.n)
		var ve *fault.Error
		if !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) {
			t.Errorf("CreateUser(%+v) = %v, want an invalid fault", b.n, err)
			continue
		}
		var fields []string
		for _, fe := range ve.Fields {
			fields = append(fields, fe.Field)
		}
		if strings.Join(fields, ",") != strings.Join(b.fields, ",") {
			t.Errorf("CreateUser(%+v): fields %v, want %v", b.n, fields, b.fields)
		}
	}
	if err := accounts.CheckPassword(strings.Repeat("é", 5)); err != nil {
		t.Errorf("10 bytes of UTF-8: %v", err)
	}
}

func TestAuthenticateCostsOneVerificationEitherWay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.user(t, "known@example.org", accounts.RoleReader)

	cases := []struct {
		email, password string
		want            error
	}{
		{"known@example.org", "correct horse battery", nil},
		{" KNOWN@example.org", "correct horse battery", nil},
		{"known@example.org", "wrong horse battery", accounts.ErrInvalidCredentials},
		{"unknown@example.org", "correct horse battery", accounts.ErrInvalidCredentials},
		{"unknown@example.org", "wrong horse battery", accounts.ErrInvalidCredentials},
	}
	for _, c := range cases {
		before := f.verifies.Load()
		_, err := f.svc.Authenticate(ctx, c.email, c.password)
		if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("Authenticate(%q, %q) = %v, want %v", c.email, c.password, err, c.want)
		}
		if n := f.verifies.Load() - before; n != 1 {
			t.Errorf("Authenticate(%q, %q) ran %d argon2 verifications, want exactly 1", c.email, c.password, n)
		}
	}
	// Empty input is refused before any lookup or hashing.
	before := f.verifies.Load()
	_, err := f.svc.Authenticate(ctx, "", "")
	var ve *fault.Error
	if !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) || len(ve.Fields) != 2 {
		t.Errorf("empty credentials: %v", err)
	}
	if f.verifies.Load() != before {
		t.Error("empty credentials were hashed")
	}
}

func TestRehashOnLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	u := f.user(t, "old@example.org", accounts.RoleReader)
	// Store a hash made with other parameters, as an older release would have.
	old, _ := accounts.NewHasher(accounts.Params{Memory: 2048, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0).Hash(ctx, "correct horse battery")
	if err := f.db.Write(ctx).Exec("UPDATE users SET password_hash = ? WHERE id = ?", old, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Authenticate(ctx, "old@example.org", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.PasswordHash, "m=1024,") {
		t.Errorf("hash not upgraded: %s", got.PasswordHash)
	}
	again, _ := f.svc.UserByID(ctx, u.ID)
	if again.PasswordHash != got.PasswordHash {
		t.Error("upgraded hash not stored")
	}
	if _, err := f.svc.Authenticate(ctx, "old@example.org", "correct horse battery"); err != nil {
		t.Errorf("login after upgrade: %v", err)
	}
}

func TestEffectiveRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	now := f.clock.Now()
	later := now.Add(48 * time.Hour)
	u := f.user(t, "sub@example.org", accounts.RoleSubscriber)
	if r := f.svc.EffectiveRole(u); r != accounts.RoleReader {
		t.Errorf("subscriber without end date: %s, want reader", r)
	}
	u, err := f.svc.SetSubscription(ctx, "SUB@example.org", &later)
	if err != nil || u.SubscriptionUntil == nil || !u.SubscriptionUntil.Equal(later) {
		t.Fatalf("SetSubscription = %+v, %v", u, err)
	}
	if r := f.svc.EffectiveRole(u); r != accounts.RoleSubscriber {
		t.Errorf("running subscription: %s", r)
	}
	f.clock.Advance(48 * time.Hour)
	if r := f.svc.EffectiveRole(u); r != accounts.RoleReader {
		t.Errorf("ended subscription: %s, want reader", r)
	}
	ed, err := f.svc.SetRole(ctx, "sub@example.org", accounts.RoleEditor)
	if err != nil || ed.Role != accounts.RoleEditor {
		t.Fatalf("SetRole = %+v, %v", ed, err)
	}
	if r := f.svc.EffectiveRole(ed); r != accounts.RoleEditor {
		t.Errorf("editor with an ended subscription: %s", r)
	}
	if u, err := f.svc.SetSubscription(ctx, "sub@example.org", nil); err != nil || u.SubscriptionUntil != nil {
		t.Errorf("clear subscription = %+v, %v", u, err)
	}
	if _, err := f.svc.SetRole(ctx, "nobody@example.org", accounts.RoleAdmin); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("SetRole of nobody = %v", err)
	}
	var ve *fault.Error
	if _, err := f.svc.SetRole(ctx, "sub@example.org", "root"); !(errors.As(err, &ve) && errors.Is(err, fault.ErrInvalid)) {
		t.Errorf("SetRole root = %v", err)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.user(t, "r@example.org", accounts.RoleReader)
	u, s1, err := f.svc.Login(ctx, "r@example.org", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if len(s1.RefreshToken) != 43 || !s1.ExpiresAt.Equal(f.clock.Now().Add(24*time.Hour)) {
		t.Fatalf("session %+v", s1)
	}
	u2, s2, err := f.svc.Refresh(ctx, s1.RefreshToken)
	if err != nil || u2.ID != u.ID || s2.FamilyID != s1.FamilyID || s2.RefreshToken == s1.RefreshToken {
		t.Fatalf("Refresh = %+v %+v %v", u2, s2, err)
	}
	_, s3, err := f.svc.Refresh(ctx, s2.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	// s1 again: reuse. The whole family, s3 included, is revoked.
	if _, _, err := f.svc.Refresh(ctx, s1.RefreshToken); !errors.Is(err, accounts.ErrTokenReused) {
		t.Fatalf("reuse = %v, want ErrTokenReused", err)
	}
	if _, _, err := f.svc.Refresh(ctx, s3.RefreshToken); !errors.Is(err, accounts.ErrTokenInvalid) {
		t.Fatalf("descendant after reuse = %v, want ErrTokenInvalid", err)
	}
	// Another login is another family, untouched.
	_, other, _ := f.svc.Login(ctx, "r@example.org", "correct horse battery")
	if _, _, err := f.svc.Refresh(ctx, other.RefreshToken); err != nil {
		t.Fatalf("other family: %v", err)
	}
	for _, junk := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("!", 43), s1.RefreshToken + "A"} {
		if _, _, err := f.svc.Refresh(ctx, junk); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Errorf("Refresh(%q) = %v", junk, err)
		}
	}
}

func TestRefreshExpiryAndLogout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.user(t, "e@example.org", accounts.RoleReader)
	_, s, _ := f.svc.Login(ctx, "e@example.org", "correct horse battery")
	f.clock.Advance(24 * time.Hour)
	if _, _, err := f.svc.Refresh(ctx, s.RefreshToken); !errors.Is(err, accounts.ErrTokenInvalid) {
		t.Fatalf("expired = %v", err)
	}
	_, s, _ = f.svc.Login(ctx, "e@example.org", "correct horse battery")
	_, s2, err := f.svc.Refresh(ctx, s.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	// Logging out with the used, older token ends the login too.
	if err := f.svc.Logout(ctx, s.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Refresh(ctx, s2.RefreshToken); !errors.Is(err, accounts.ErrTokenInvalid) {
		t.Fatalf("after logout = %v", err)
	}
	if err := f.svc.Logout(ctx, "unknown"); err != nil {
		t.Fatalf("logout unknown = %v", err)
	}
}

func TestConcurrentRefreshOneWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.user(t, "c@example.org", accounts.RoleReader)
	for round := range 5 {
		_, s, err := f.svc.Login(ctx, "c@example.org", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		const n = 4
		errs := make([]error, n)
		sess := make([]accounts.Session, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, sess[i], errs[i] = f.svc.Refresh(ctx, s.RefreshToken)
			}()
		}
		close(start)
		wg.Wait()
		ok, reused := 0, 0
		var won accounts.Session
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
				won = sess[i]
			case errors.Is(err, accounts.ErrTokenReused):
				reused++
			case !errors.Is(err, accounts.ErrTokenInvalid): // after the family is revoked
				t.Errorf("round %d: %v", round, err)
			}
		}
		if ok != 1 || reused == 0 {
			t.Fatalf("round %d: %d refreshes succeeded and %d saw a reuse, want exactly 1 and at least 1 (%v)", round, ok, reused, errs)
		}
		// A second use of one token ends the login: the winner's new token too.
		if _, _, err := f.svc.Refresh(ctx, won.RefreshToken); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Errorf("round %d: the winner's token after the reuse: %v", round, err)
		}
	}
}

func TestNameTaken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if taken, err := f.svc.NameTaken(ctx, "Test User"); err != nil || taken {
		t.Fatalf("before any account: %v, %v", taken, err)
	}
	f.user(t, "member@example.org", accounts.RoleReader)
	for name, want := range map[string]bool{"Test User": true, "test user": true, "TEST USER": true, "Test": false, "Test User2": false} {
		if taken, err := f.svc.NameTaken(ctx, name); err != nil || taken != want {
			t.Errorf("NameTaken(%q) = %v, %v; want %v", name, taken, err, want)
		}
	}
}
