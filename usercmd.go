package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/config"
	"masthead/internal/fault"
)

const userUsage = `usage: masthead user <subcommand> [flags]

subcommands:
  create            --email E --name N --role R   the password is the first line of stdin
  set-role          --email E --role R
  set-subscription  --email E --until DATE        DATE is 2027-01-31, an RFC 3339 time, or none

roles: reader, subscriber, editor, admin. Every subcommand takes --data and --db.
`

// user manages accounts: create (password on stdin), set-role and
// set-subscription. Each applies pending migrations first, as serve does,
// and prints one line.
func user(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, userUsage)
		return errors.New("user: a subcommand is required")
	}
	sub, args := args[0], args[1:]
	cfg := config.Defaults()
	fs := flag.NewFlagSet("masthead user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := cfg.Bind(fs, getenv, "data", "db", "log-format", "log-level"); err != nil {
		return err
	}
	email := fs.String("email", "", "the account's email")
	var name, role, until *string
	switch sub {
	case "create":
		name = fs.String("name", "", "display name")
		role = fs.String("role", "reader", "reader, subscriber, editor or admin")
		until = fs.String("until", "", "end of the subscription (optional): 2027-01-31 or an RFC 3339 time")
	case "set-role":
		role = fs.String("role", "", "reader, subscriber, editor or admin")
	case "set-subscription":
		until = fs.String("until", "", "end of the subscription: 2027-01-31, an RFC 3339 time, or none")
	case "help", "-h", "--help":
		fmt.Fprint(stdout, userUsage)
		return nil
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("user: unknown subcommand %q", sub)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("user %s: unexpected argument %q", sub, fs.Arg(0))
	}
	if *email == "" {
		return fmt.Errorf("user %s: --email is required", sub)
	}
	var end *time.Time
	if until != nil && (*until != "" || sub == "set-subscription") {
		t, err := parseUntil(*until)
		if err != nil {
			return fmt.Errorf("user %s: --until: %w", sub, err)
		}
		if !t.IsZero() {
			end = &t
		}
	}
	var password string
	if sub == "create" {
		var err error
		if password, err = readPassword(stdin); err != nil {
			return fmt.Errorf("user create: %w", err)
		}
	}
	cfg.Resolve()
	if err := cfg.Validate(); err != nil {
		return err
	}

	db, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := accounts.NewService(db, accounts.Options{})
	if err != nil {
		return err
	}
	var u accounts.User
	switch sub {
	case "create":
		u, err = svc.CreateUser(ctx, accounts.NewUser{Email: *email, Name: *name, Password: password,
			Role: accounts.Role(*role), SubscriptionUntil: end})
	case "set-role":
		u, err = svc.SetRole(ctx, *email, accounts.Role(*role))
	case "set-subscription":
		u, err = svc.SetSubscription(ctx, *email, end)
	}
	if err != nil {
		return fmt.Errorf("user %s: %w", sub, describe(err))
	}
	sublabel := "none"
	if u.SubscriptionUntil != nil {
		sublabel = u.SubscriptionUntil.Format(time.RFC3339)
	}
	verb := map[string]string{"create": "created", "set-role": "updated", "set-subscription": "updated"}[sub]
	_, err = fmt.Fprintf(stdout, "user %s %s: id=%s role=%s subscription_until=%s\n", u.Email, verb, u.ID, u.Role, sublabel)
	return err
}

// describe turns the accounts package's errors into what a shell user
// needs to read.
func describe(err error) error {
	if fields, ok := fault.Fields(err); ok {
		msgs := make([]string, 0, len(fields))
		for _, f := range fields {
			msgs = append(msgs, f.Field+" "+f.Message)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	switch {
	case errors.Is(err, accounts.ErrConflict):
		return errors.New("an account with this email already exists")
	case errors.Is(err, accounts.ErrNotFound):
		return errors.New("no account with this email")
	}
	return err
}

// parseUntil reads a subscription end: a date (the start of that day,
// UTC), an RFC 3339 time, or "none" (the zero time: no end date).
func parseUntil(s string) (time.Time, error) {
	switch s = strings.TrimSpace(s); s {
	case "":
		return time.Time{}, errors.New("give a date (2027-01-31), an RFC 3339 time, or none")
	case "none":
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date like 2027-01-31 nor an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, accounts.MaxPassword+3)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("the password is read from stdin (first line) and it is empty")
	}
	if err := accounts.CheckPassword(line); err != nil {
		return "", describe(err)
	}
	return line, nil
}
