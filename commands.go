package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"masthead/api"
	"masthead/docs"
	"masthead/internal/access"
	"masthead/internal/app"
	"masthead/internal/config"
	"masthead/internal/content"
	"masthead/internal/demo"
	"masthead/internal/store"
	"masthead/internal/webhooks"
)

func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, vars ...string) (config.Config, *flag.FlagSet, error) {
	return parseConfigWith(name, args, getenv, stderr, nil, vars...)
}

// parseConfigWith is parseConfig for a command with flags of its own beyond
// the settings: own defines them on the flag set before it parses.
func parseConfigWith(name string, args []string, getenv func(string) string, stderr io.Writer, own func(*flag.FlagSet), vars ...string) (config.Config, *flag.FlagSet, error) {
	cfg := config.Defaults()
	fs := flag.NewFlagSet("masthead "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := cfg.Bind(fs, getenv, vars...); err != nil {
		return cfg, fs, err
	}
	if own != nil {
		own(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, err
	}
	cfg.Resolve()
	return cfg, fs, cfg.Validate()
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	start := time.Now()
	cfg, _, err := parseConfig("serve", args, getenv, stderr, config.Names()...)
	if err != nil {
		return err
	}
	logOut := newLogBuffer(stderr)
	defer logOut.Close()
	log := newLogger(cfg, logOut)
	log.Info("starting", "config", cfg.String())

	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("database ready", "dialect", db.Dialect, "source", db.Source(), "migrations_applied", n)
	if err := catchUpIndex(ctx, db, log); err != nil {
		return err
	}

	svc, closeServices, err := app.Build(ctx, cfg, db, app.Options{Logger: log})
	if err != nil {
		return err
	}
	defer closeServices()

	// On PostgreSQL, the processes sharing the database invalidate one
	// another's caches (internal/pgnotify). Stopped, and waited for,
	// before the database closes.
	if db.Dialect == store.Postgres {
		bus, err := app.CacheBus(cfg, svc, log)
		if err != nil {
			return err
		}
		busCtx, stopBus := context.WithCancel(ctx)
		busDone := make(chan struct{})
		go func() {
			defer close(busDone)
			bus.Run(busCtx)
		}()
		defer func() { stopBus(); <-busDone }()
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if cfg.Demo {
		l := demo.Loader{Content: svc.Content, Comments: svc.Comments, Media: svc.Media}
		sum, err := l.Load(ctx)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			log.Info("demo content not loaded: the database already has articles")
		case err != nil:
			ln.Close()
			return fmt.Errorf("load demo content: %w", err)
		default:
			log.Info("demo content loaded", "articles", sum.Articles, "photos", sum.Photos, "comments", sum.Comments)
		}
		if err := printDemoHelp(stdout, svc.Tokens, "http://"+ln.Addr().String()); err != nil {
			ln.Close()
			return err
		}
	}

	if cfg.DebugAddr != "" {
		stopDebug, err := serveDebug(cfg.DebugAddr, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopDebug()
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, svc.Metrics.Handler(), log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics()
	}

	e := api.New(svc, cfg, api.Options{Logger: log, Spec: docs.OpenAPI})
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("ready", "addr", ln.Addr().String(), "startup", time.Since(start).String())

	// Webhook deliveries: a round every second, and at once after a write
	// in this process. Stopped, and waited for, before the database closes.
	hookCtx, stopHooks := context.WithCancel(ctx)
	hooksDone := make(chan struct{})
	go func() {
		defer close(hooksDone)
		webhooks.NewDispatcher(svc.Webhooks, webhooks.DispatchOptions{Logger: log, Wake: svc.Content.Generation}).Run(hookCtx, time.Second)
	}()
	defer func() { stopHooks(); <-hooksDone }()

	// Scheduled articles whose time came: marked published and logged for
	// partners every tick. Stopped, and waited for, before the database
	// closes; several processes running it promote each article once.
	schedCtx, stopScheduler := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		svc.Content.RunScheduler(schedCtx, cfg.SchedulerInterval, func(err error) {
			log.Error("scheduler", slog.String("error", err.Error()))
		})
	}()
	defer func() { stopScheduler(); <-schedDone }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func printDemoHelp(w io.Writer, tokens *access.Tokens, base string) error {
	roles := []struct {
		role   access.Role
		sub    string
		scopes []string
	}{
		{access.RoleReader, "demo-reader", nil},
		{access.RoleSubscriber, "demo-subscriber", nil},
		{access.RoleEditor, "demo-editor", nil},
		{access.RolePartner, "demo-partner", []string{access.ScopeHeadlines}},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nMasthead demo is up at %s (tokens valid 12 hours):\n\n", base)
	toks := map[access.Role]string{}
	for _, r := range roles {
		t, err := tokens.Mint(access.MintRequest{Subject: r.sub, Role: r.role, Scopes: r.scopes, TTL: 12 * time.Hour})
		if err != nil {
			return err
		}
		toks[r.role] = t
		name := string(r.role)
		if len(r.scopes) > 0 {
			name += " (" + strings.Join(r.scopes, " ") + ")"
		}
		fmt.Fprintf(&b, "%s token:\n%s\n\n", name, t)
	}
	fmt.Fprintf(&b, "Try:\n")
	fmt.Fprintf(&b, "  curl -s '%s/v1/articles?limit=5'\n", base)
	fmt.Fprintf(&b, "  curl -s %s/v1/articles/lanne-ete-puits-a-sec            # subscribers-only: a preview\n", base)
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' \\\n       %s/v1/articles/lanne-ete-puits-a-sec   # as a subscriber: the whole story\n", toks[access.RoleSubscriber], base)
	fmt.Fprintf(&b, "  curl -s '%s/v1/search?q=lanne'                          # full-text search: ranked hits, snippets, facets\n", base)
	fmt.Fprintf(&b, "  curl -s %s/v1/feeds/latest.rss                          # RSS of the latest articles (previews)\n", base)
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' \\\n       '%s/v1/changes?limit=5'   # as a headlines partner: the change log\n", toks[access.RolePartner], base)
	fmt.Fprintf(&b, "  open %s/docs/ for the API reference\n\n", base)
	_, err := io.WriteString(w, b.String())
	return err
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// The action comes first, as the usage shows ("migrate status --data d"),
	// or after the flags ("migrate --data d status"): the flag package stops
	// at the first argument that is not a flag.
	var rest []string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		rest, args = args[:1], args[1:]
	}
	cfg, fs, err := parseConfig("migrate", args, getenv, stderr, "data", "db", "log-format", "log-level")
	if err != nil {
		return err
	}
	rest = append(rest, fs.Args()...)
	action := "up"
	if len(rest) > 0 {
		action = rest[0]
	}
	if len(rest) > 1 || (action != "up" && action != "status") {
		return fmt.Errorf("migrate: want up or status, got %q", strings.Join(rest, " "))
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Logger: newLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	if action == "up" {
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d migration(s) applied\n", db.Source(), n)
		if err := catchUpIndex(ctx, db, newLogger(cfg, stderr)); err != nil {
			return err
		}
		return nil
	}
	list, err := db.Migrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range list {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(stdout, "%05d  %-8s %s\n", m.Version, state, m.Name)
	}
	return nil
}

// rerender recomputes what every article stores beside its body (HTML,
// text, word count, paywall preview) with the current rules and
// --preview-words: after an upgrade that changes the preview rules, or a
// change of the budget. It applies pending migrations first, and prints
// how many articles changed; running it again changes nothing.
func rerender(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, fs, err := parseConfig("rerender", args, getenv, stderr, "data", "db", "preview-words", "log-format", "log-level")
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("rerender: unexpected argument %q", fs.Arg(0))
	}
	db, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	res, err := content.NewService(db, content.Options{PreviewWords: cfg.PreviewWords}).Rerender(ctx, 200)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d of %d article(s) changed (preview budget %d words, %s)\n",
		db.Source(), res.Changed, res.Articles, cfg.PreviewWords, time.Since(start).Round(time.Millisecond))
	return nil
}

func token(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := flag.NewFlagSet("masthead token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := cfg.Bind(fs, getenv, "data", "jwt-key-file", "jwt-issuer", "jwt-audience", "jwt-max-ttl", "jwt-max-ttl-partner"); err != nil {
		return err
	}
	role := fs.String("role", getenv("MASTHEAD_TOKEN_ROLE"), "reader, subscriber, editor, admin or partner [$MASTHEAD_TOKEN_ROLE]")
	sub := fs.String("sub", getenv("MASTHEAD_TOKEN_SUB"), "subject: a user or partner id [$MASTHEAD_TOKEN_SUB]")
	scope := fs.String("scope", getenv("MASTHEAD_TOKEN_SCOPE"), `space-separated scopes, e.g. "headlines full_text" [$MASTHEAD_TOKEN_SCOPE]`)
	ttl := time.Hour
	if v := getenv("MASTHEAD_TOKEN_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("MASTHEAD_TOKEN_TTL: %w", err)
		}
		ttl = d
	}
	fs.DurationVar(&ttl, "ttl", ttl, "lifetime [$MASTHEAD_TOKEN_TTL]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Resolve()
	if *role == "" || *sub == "" {
		return errors.New("token: --role and --sub are required")
	}
	key, err := access.LoadOrCreateKey(cfg.JWTKeyFile)
	if err != nil {
		return err
	}
	t := access.NewTokens(key, access.TokenOptions{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience,
		MaxTTL: cfg.JWTMaxTTL, PartnerMaxTTL: cfg.JWTMaxTTLPartner})
	s, err := t.Mint(access.MintRequest{Subject: *sub, Role: access.Role(*role), Scopes: strings.Fields(*scope), TTL: ttl})
	if errors.Is(err, access.ErrTTLTooLong) {
		setting := "jwt-max-ttl"
		if access.Role(*role) == access.RolePartner {
			setting = "jwt-max-ttl-partner"
		}
		return fmt.Errorf("token: %w (the cap is --%s, here and on the servers that verify the token)", err, setting)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, s)
	return err
}

// health probes a running server's /healthz: the container HEALTHCHECK, with
// no curl needed in the image.
func health(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := flag.NewFlagSet("masthead health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := cfg.Bind(fs, getenv, "addr"); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("addr %q: %w", cfg.Addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("health: status %d", res.StatusCode)
	}
	_, err = fmt.Fprintln(stdout, "ok")
	return err
}

// openMigrated opens the configured database and applies pending
// migrations: what the commands that write (user, rerender) start with.
func openMigrated(ctx context.Context, cfg config.Config, stderr io.Writer) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Logger: newLogger(cfg, stderr)})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
