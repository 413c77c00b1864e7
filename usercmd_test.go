package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/store"
)

// runUser runs "masthead user …" in process with stdin.
func runUser(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), hangAfter)
	defer cancel()
	err := run(ctx, append([]string{"user"}, args...), env(nil), strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

// userDB opens the database the commands wrote to.
func userDB(t *testing.T, dir string, dbArgs []string) *accounts.Service {
	t.Helper()
	db, err := store.Open(context.Background(), dsnOf(dir, dbArgs), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := accounts.NewService(db, accounts.Options{Hasher: accounts.NewHasher(accounts.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbArgs := testDB(t)
	flags := append([]string{"--data", dir}, dbArgs...)
	ctx := context.Background()

	out, err := runUser(t, "correct horse battery\n", append([]string{"create", "--email", "Ada@Example.org", "--name", "Ada Martin", "--role", "subscriber"}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimRight(out, "\n"), "\n"); len(lines) != 1 ||
		!strings.HasPrefix(out, "user ada@example.org created: id=") || !strings.Contains(out, "role=subscriber subscription_until=none") {
		t.Fatalf("create printed %q", out)
	}
	svc := userDB(t, dir, dbArgs)
	// The stored hash first: logging in with the test's cheaper hasher
	// upgrades it to that hasher's parameters.
	stored, err := svc.UserByEmail(ctx, "ada@example.org")
	if err != nil || !strings.HasPrefix(stored.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	u, err := svc.Authenticate(ctx, "ada@example.org", "correct horse battery")
	if err != nil {
		t.Fatalf("the created account does not log in with the password from stdin: %v", err)
	}
	if u.Name != "Ada Martin" || u.Role != accounts.RoleSubscriber {
		t.Errorf("user %+v", u)
	}
	if strings.Contains(out, "argon2") {
		t.Error("the hash was printed")
	}

	out, err = runUser(t, "", append([]string{"set-subscription", "--email", "ada@example.org", "--until", "2027-01-31"}, flags...)...)
	if err != nil || out != "user ada@example.org updated: id="+u.ID+" role=subscriber subscription_until=2027-01-31T00:00:00Z\n" {
		t.Fatalf("set-subscription: %q, %v", out, err)
	}
	out, err = runUser(t, "", append([]string{"set-subscription", "--email", "ada@example.org", "--until", "2027-03-01T12:30:00+01:00"}, flags...)...)
	if err != nil || !strings.Contains(out, "subscription_until=2027-03-01T11:30:00Z") {
		t.Fatalf("set-subscription RFC 3339: %q, %v", out, err)
	}
	got, _ := svc.UserByID(ctx, u.ID)
	if got.SubscriptionUntil == nil || !got.SubscriptionUntil.Equal(time.Date(2027, 3, 1, 11, 30, 0, 0, time.UTC)) {
		t.Errorf("stored subscription end %v", got.SubscriptionUntil)
	}
	out, err = runUser(t, "", append([]string{"set-subscription", "--email", "ada@example.org", "--until", "none"}, flags...)...)
	if err != nil || !strings.Contains(out, "subscription_until=none") {
		t.Fatalf("set-subscription none: %q, %v", out, err)
	}
	if got, _ := svc.UserByID(ctx, u.ID); got.SubscriptionUntil != nil {
		t.Errorf("subscription not cleared: %v", got.SubscriptionUntil)
	}
	out, err = runUser(t, "", append([]string{"set-role", "--email", "ADA@example.org", "--role", "editor"}, flags...)...)
	if err != nil || !strings.Contains(out, "role=editor") {
		t.Fatalf("set-role: %q, %v", out, err)
	}
	if got, _ := svc.UserByID(ctx, u.ID); got.Role != accounts.RoleEditor {
		t.Errorf("role %s", got.Role)
	}
	// A password with CRLF, as a Windows shell might send it, and no final newline.
	if _, err := runUser(t, "another good password\r\n", append([]string{"create", "--email", "bo@example.org", "--name", "Bo", "--role", "reader"}, flags...)...); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "bo@example.org", "another good password"); err != nil {
		t.Errorf("CRLF password: %v", err)
	}
	if _, err := runUser(t, "third good password", append([]string{"create", "--email", "cy@example.org", "--name", "Cy", "--role", "admin"}, flags...)...); err != nil {
		t.Fatal(err)
	}

	failures := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"empty password", "\n", []string{"create", "--email", "d@example.org", "--name", "D", "--role", "reader"}, "empty"},
		{"no stdin", "", []string{"create", "--email", "d@example.org", "--name", "D", "--role", "reader"}, "empty"},
		{"short password", "short\n", []string{"create", "--email", "d@example.org", "--name", "D", "--role", "reader"}, "password must be 10 to 256 bytes"},
		{"duplicate", "correct horse battery\n", []string{"create", "--email", "ADA@example.org", "--name", "A", "--role", "reader"}, "already exists"},
		{"bad role", "correct horse battery\n", []string{"create", "--email", "d@example.org", "--name", "D", "--role", "root"}, "role must be"},
		{"no email", "", []string{"set-role", "--role", "admin"}, "--email is required"},
		{"unknown account", "", []string{"set-role", "--email", "nobody@example.org", "--role", "admin"}, "no account"},
		{"bad date", "", []string{"set-subscription", "--email", "ada@example.org", "--until", "31/01/2027"}, "neither a date"},
		{"no date", "", []string{"set-subscription", "--email", "ada@example.org"}, "--until"},
		{"unknown subcommand", "", []string{"delete", "--email", "ada@example.org"}, "unknown subcommand"},
		{"stray argument", "", []string{"set-role", "--email", "ada@example.org", "--role", "admin", "extra"}, "unexpected argument"},
	}
	for _, f := range failures {
		out, err := runUser(t, f.stdin, append(f.args, flags...)...)
		if err == nil || !strings.Contains(err.Error(), f.want) {
			t.Errorf("%s: err = %v, want it to mention %q", f.name, err, f.want)
		}
		if out != "" {
			t.Errorf("%s: printed %q", f.name, out)
		}
	}
	// Nothing changed by the failures.
	if _, err := svc.UserByEmail(ctx, "d@example.org"); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("d@example.org: %v", err)
	}
	if got, _ := svc.UserByID(ctx, u.ID); got.Role != accounts.RoleEditor || got.Name != "Ada Martin" {
		t.Errorf("ada changed: %+v", got)
	}
	if _, err := runUser(t, ""); err == nil {
		t.Error("user without a subcommand succeeded")
	}
}
