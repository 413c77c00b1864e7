package config_test

import (
	"flag"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/config"
)

// load does what serve does: defaults, Bind every setting with env, Parse
// flags, Resolve.
func load(t *testing.T, env map[string]string, args ...string) (config.Config, error) {
	t.Helper()
	cfg := config.Defaults()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	getenv := func(k string) string { return env[k] }
	if err := cfg.Bind(fs, getenv, config.Names()...); err != nil {
		return cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Resolve()
	return cfg, nil
}

func TestDefaults(t *testing.T) {
	c := config.Defaults()
	want := config.Config{
		Addr: "127.0.0.1:8080", DataDir: "./data", JWTIssuer: "masthead", JWTAudience: "masthead", JWTLeeway: 30 * time.Second,
		PreviewWords: 120, PublicURL: "https://publisher.example",
		SubscribeURL: "https://publisher.example/subscribe", LoginURL: "https://publisher.example/login",
		LogFormat: "json", LogLevel: "info", BodyLimit: "1M", ReadTimeout: 10 * time.Second,
		RequestTimeout: 10 * time.Second, ShutdownTimeout: 30 * time.Second, CacheTTL: 5 * time.Second, CacheSize: 64 << 20,
		UploadLimit:      20 << 20,
		UploadMaxDecoded: 256 << 20, UploadDecodes: 2,
		MediaStorage: "fs", MediaS3TLS: true,
		RateLimitAnon: 600, RateLimitPartner: 1200, PartnerTokenTTL: 8760 * time.Hour,
		SchedulerInterval: 5 * time.Second,
		AccessTTL:         15 * time.Minute, RefreshTTL: 720 * time.Hour,
		JWTMaxTTL: 24 * time.Hour, JWTMaxTTLPartner: 8760 * time.Hour, LoginFailuresAccount: 100,
		CommentReportThreshold: 3, CommentsModeration: "trusted", CommentsMaxDepth: 5, CommentsMaxLinks: 2,
		CommentsRateAccount: 5, CommentsRateIP: 10,
		JWKSAlgorithms: []string{"RS256", "ES256"}, JWKSRoleClaim: "role",
		JWKSSubscriberValues: []string{"subscriber"}, JWKSDefaultRole: "reader",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Defaults() = %+v\nwant       %+v", c, want)
	}
	if c.String() != want.String() || c.LogLevel != want.LogLevel || c.BodyLimit != want.BodyLimit ||
		c.ReadTimeout != want.ReadTimeout || c.Demo || c.DatabaseURL != "" || c.JWTKeyFile != "" || c.CORSOrigins != nil ||
		c.SubscribeURL != want.SubscribeURL || c.LoginURL != want.LoginURL || c.LogFormat != want.LogFormat {
		t.Errorf("Defaults() = %+v\nwant       %+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
	// Nothing in the environment, no flags: the defaults, resolved.
	got, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Addr != c.Addr || got.PreviewWords != 120 || got.Demo || len(got.CORSOrigins) != 0 {
		t.Errorf("loaded with nothing set = %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
}

func TestEnvOverridesDefaults(t *testing.T) {
	env := map[string]string{
		"MASTHEAD_ADDR":          ":9090",
		"MASTHEAD_DATA":          "/srv/masthead",
		"MASTHEAD_DATABASE_URL":  "postgres://u:p@db/masthead",
		"MASTHEAD_DEMO":          "true",
		"MASTHEAD_JWT_KEY_FILE":  "/etc/masthead/key.pem",
		"MASTHEAD_JWT_ISSUER":    "iss-env",
		"MASTHEAD_JWT_AUDIENCE":  "aud-env",
		"MASTHEAD_CORS_ORIGINS":  "https://a.example, https://b.example ,",
		"MASTHEAD_PREVIEW_WORDS": "80",
		"MASTHEAD_PUBLIC_URL":    "https://news.example",
		"MASTHEAD_SUBSCRIBE_URL": "https://news.example/sub",
		"MASTHEAD_LOGIN_URL":     "https://news.example/in",
		"MASTHEAD_LOG_FORMAT":    "text",
		"MASTHEAD_LOG_LEVEL":     "debug",
		"MASTHEAD_BODY_LIMIT":    "4M",
	}
	c, err := load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"addr", c.Addr, ":9090"},
		{"data", c.DataDir, "/srv/masthead"},
		{"db", c.DatabaseURL, "postgres://u:p@db/masthead"},
		{"key", c.JWTKeyFile, "/etc/masthead/key.pem"},
		{"issuer", c.JWTIssuer, "iss-env"},
		{"audience", c.JWTAudience, "aud-env"},
		{"public", c.PublicURL, "https://news.example"},
		{"subscribe", c.SubscribeURL, "https://news.example/sub"},
		{"login", c.LoginURL, "https://news.example/in"},
		{"log format", c.LogFormat, "text"},
		{"log level", c.LogLevel, "debug"},
		{"body limit", c.BodyLimit, "4M"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if !c.Demo || c.PreviewWords != 80 {
		t.Errorf("demo = %v, preview words = %d", c.Demo, c.PreviewWords)
	}
	if !slices.Equal(c.CORSOrigins, []string{"https://a.example", "https://b.example"}) {
		t.Errorf("cors = %q", c.CORSOrigins)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}

	// Unparseable numbers and booleans in the environment are errors, not zeros.
	for _, kv := range [][2]string{{"MASTHEAD_PREVIEW_WORDS", "many"}, {"MASTHEAD_DEMO", "maybe"}} {
		if _, err := load(t, map[string]string{kv[0]: kv[1]}); err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s=%s: err = %v", kv[0], kv[1], err)
		}
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	env := map[string]string{
		"MASTHEAD_ADDR":          ":9090",
		"MASTHEAD_DATA":          "/srv/env",
		"MASTHEAD_DEMO":          "true",
		"MASTHEAD_PREVIEW_WORDS": "80",
		"MASTHEAD_CORS_ORIGINS":  "https://env.example",
		"MASTHEAD_LOG_FORMAT":    "text",
		"MASTHEAD_JWT_ISSUER":    "iss-env",
	}
	c, err := load(t, env,
		"--addr", "127.0.0.1:7070", "--data", "/srv/flag", "--demo=false", "--preview-words", "200",
		"--cors-origins", "https://flag.example,https://two.example", "--log-format", "json", "--jwt-issuer", "iss-flag")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7070" || c.DataDir != "/srv/flag" || c.Demo || c.PreviewWords != 200 ||
		c.LogFormat != "json" || c.JWTIssuer != "iss-flag" {
		t.Errorf("flags did not win: %+v", c)
	}
	if !slices.Equal(c.CORSOrigins, []string{"https://flag.example", "https://two.example"}) {
		t.Errorf("cors = %q", c.CORSOrigins)
	}
	// Derived from the flag's data folder, not the environment's.
	if c.JWTKeyFile != filepath.Join("/srv/flag", "jwt-ed25519.pem") || c.DatabaseURL != filepath.Join("/srv/flag", "masthead.db") {
		t.Errorf("derived paths: key %q db %q", c.JWTKeyFile, c.DatabaseURL)
	}
	// A setting given only in the environment keeps its environment value.
	c, err = load(t, env, "--addr", "127.0.0.1:7070")
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/srv/env" || c.PreviewWords != 80 || !c.Demo {
		t.Errorf("env lost under an unrelated flag: %+v", c)
	}

	// A command binds only the settings it names: others are unknown flags
	// and ignore the environment.
	cfg := config.Defaults()
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := cfg.Bind(fs, func(k string) string { return env[k] }, "data"); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != config.Defaults().Addr {
		t.Errorf("unbound addr took the environment: %q", cfg.Addr)
	}
	if err := fs.Parse([]string{"--addr", ":1"}); err == nil {
		t.Error("an unbound flag was accepted")
	}
}

func TestValidateRefuses(t *testing.T) {
	cases := []struct {
		name string
		edit func(*config.Config)
		want string // in the error
	}{
		{"addr without port", func(c *config.Config) { c.Addr = "localhost" }, "addr"},
		{"addr garbage", func(c *config.Config) { c.Addr = "::1::80::" }, "addr"},
		{"no data", func(c *config.Config) { c.DataDir = "" }, "data"},
		{"preview words low", func(c *config.Config) { c.PreviewWords = 9 }, "preview-words"},
		{"preview words zero", func(c *config.Config) { c.PreviewWords = 0 }, "preview-words"},
		{"preview words high", func(c *config.Config) { c.PreviewWords = 5001 }, "preview-words"},
		{"empty issuer", func(c *config.Config) { c.JWTIssuer = "" }, "jwt-issuer"},
		{"empty audience", func(c *config.Config) { c.JWTAudience = "" }, "jwt-audience"},
		{"relative public url", func(c *config.Config) { c.PublicURL = "/news" }, "public-url"},
		{"ftp subscribe url", func(c *config.Config) { c.SubscribeURL = "ftp://x.example/sub" }, "subscribe-url"},
		{"hostless login url", func(c *config.Config) { c.LoginURL = "https://" }, "login-url"},
		{"javascript login url", func(c *config.Config) { c.LoginURL = "javascript:alert(1)" }, "login-url"},
		{"cors without scheme", func(c *config.Config) { c.CORSOrigins = []string{"app.example"} }, "cors-origins"},
		{"cors with path", func(c *config.Config) { c.CORSOrigins = []string{"https://app.example/x"} }, "cors-origins"},
		{"cors with trailing slash", func(c *config.Config) { c.CORSOrigins = []string{"https://app.example/"} }, "cors-origins"},
		{"cors one bad of two", func(c *config.Config) { c.CORSOrigins = []string{"https://ok.example", "nope"} }, "cors-origins"},
		{"cors wildcard host", func(c *config.Config) { c.CORSOrigins = []string{"https://*.app.example"} }, "cors-origins"},
		{"cors wildcard scheme", func(c *config.Config) { c.CORSOrigins = []string{"*://app.example"} }, "cors-origins"},
		{"log format", func(c *config.Config) { c.LogFormat = "xml" }, "log-format"},
		{"log level", func(c *config.Config) { c.LogLevel = "verbose" }, "log-level"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Defaults()
			c.Resolve()
			tc.edit(&c)
			err := c.Validate()
			if err == nil {
				t.Fatalf("accepted %+v", c)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
	// And what is fine.
	c := config.Defaults()
	c.Addr = ":8080"
	c.CORSOrigins = []string{"*", "https://app.example", "http://localhost:3000"}
	c.PreviewWords = 10
	if err := c.Validate(); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
	// Every error is reported, not just the first.
	c = config.Defaults()
	c.LogFormat, c.LogLevel = "xml", "loud"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "log-format") || !strings.Contains(err.Error(), "log-level") {
		t.Errorf("two errors, got %v", err)
	}
}

func TestStringMasksPassword(t *testing.T) {
	c := config.Defaults()
	c.DatabaseURL = "postgres://masthead:s3cr3t-pw@db.internal:5432/news?sslmode=require"
	s := c.String()
	if strings.Contains(s, "s3cr3t-pw") {
		t.Errorf("password leaked: %s", s)
	}
	if !strings.Contains(s, "masthead:xxxxx@db.internal:5432/news") {
		t.Errorf("masked URL missing: %s", s)
	}
	// Without a password, nothing changes; a SQLite path passes through.
	c.DatabaseURL = "postgres://masthead@db.internal/news"
	if !strings.Contains(c.String(), "db=postgres://masthead@db.internal/news") {
		t.Errorf("no-password URL: %s", c.String())
	}
	c.DatabaseURL = "./data/masthead.db"
	if !strings.Contains(c.String(), "db=./data/masthead.db") {
		t.Errorf("sqlite path: %s", c.String())
	}
}

func TestResolve(t *testing.T) {
	c := config.Defaults()
	c.DataDir = "/var/lib/masthead"
	c.Resolve()
	if c.JWTKeyFile != "/var/lib/masthead/jwt-ed25519.pem" {
		t.Errorf("key file = %q", c.JWTKeyFile)
	}
	if c.DatabaseURL != "/var/lib/masthead/masthead.db" {
		t.Errorf("database = %q", c.DatabaseURL)
	}
	// Explicit settings are kept.
	c = config.Defaults()
	c.DataDir = "/var/lib/masthead"
	c.JWTKeyFile, c.DatabaseURL = "/etc/k.pem", "postgres://db/x"
	c.Resolve()
	if c.JWTKeyFile != "/etc/k.pem" || c.DatabaseURL != "postgres://db/x" {
		t.Errorf("Resolve overwrote explicit settings: %+v", c)
	}
}

func TestVarsAreBound(t *testing.T) {
	// Every setting has a flag, and every flag names its environment
	// variable (and a secret its _FILE twin) in its usage.
	cfg := config.Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := cfg.Bind(fs, func(string) string { return "" }, config.Names()...); err != nil {
		t.Fatal(err)
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n != len(config.Settings()) {
		t.Errorf("%d flags bound for %d settings", n, len(config.Settings()))
	}
	for _, s := range config.Settings() {
		f := fs.Lookup(s.Flag)
		if f == nil {
			t.Errorf("%s: no flag", s.Flag)
			continue
		}
		if !strings.HasPrefix(s.Env, "MASTHEAD_") || !strings.Contains(f.Usage, "$"+s.Env+"]") && !strings.Contains(f.Usage, "$"+s.Env+" ") {
			t.Errorf("%s: usage %q does not name %s", s.Flag, f.Usage, s.Env)
		}
		if s.Secret != nil && !strings.Contains(f.Usage, "$"+s.Env+"_FILE") {
			t.Errorf("%s: usage %q does not name %s_FILE", s.Flag, f.Usage, s.Env)
		}
	}
}

func TestUploadLimitAndMeter(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.UploadLimit != 20<<20 || c.MeterFree != 0 {
		t.Fatalf("defaults: upload %d meter %d, want 20M and off", c.UploadLimit, c.MeterFree)
	}
	c, err = load(t, map[string]string{"MASTHEAD_UPLOAD_LIMIT": "5M", "MASTHEAD_METER_FREE": "3"})
	if err != nil {
		t.Fatal(err)
	}
	if c.UploadLimit != 5<<20 || c.MeterFree != 3 {
		t.Fatalf("env: upload %d meter %d", c.UploadLimit, c.MeterFree)
	}
	c, err = load(t, map[string]string{"MASTHEAD_UPLOAD_LIMIT": "5M"}, "-upload-limit", "512K", "-meter-free", "2")
	if err != nil {
		t.Fatal(err)
	}
	if c.UploadLimit != 512<<10 || c.MeterFree != 2 {
		t.Fatalf("flags: upload %d meter %d", c.UploadLimit, c.MeterFree)
	}
	for _, env := range []map[string]string{
		{"MASTHEAD_UPLOAD_LIMIT": "lots"}, {"MASTHEAD_UPLOAD_LIMIT": "-1M"}, {"MASTHEAD_UPLOAD_LIMIT": "2G"},
		{"MASTHEAD_METER_FREE": "-1"}, {"MASTHEAD_METER_FREE": "two"},
	} {
		c, err := load(t, env)
		if err == nil {
			err = c.Validate()
		}
		if err == nil {
			t.Errorf("%v: no error", env)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"20M": 20 << 20, "1k": 1 << 10, "3MB": 3 << 20, "1G": 1 << 30, "1234": 1234, " 2M ": 2 << 20} { //nolint:gocritic // the spaces are the case
		if got, err := config.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "M", "1.5M", "-1", "1T", "99999999999G"} {
		if _, err := config.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q): no error", in)
		}
	}
}

func TestExternalIssuerSettings(t *testing.T) {
	// Off by default, with usable mapping defaults.
	c := config.Defaults()
	if c.JWKSURL != "" || c.JWKSRoleClaim != "role" || !slices.Equal(c.JWKSSubscriberValues, []string{"subscriber"}) ||
		c.JWKSDefaultRole != "reader" || !slices.Equal(c.JWKSAlgorithms, []string{"RS256", "ES256"}) {
		t.Errorf("defaults: %+v", c)
	}
	env := map[string]string{
		"MASTHEAD_JWKS_URL":               "https://accounts.publisher.example/.well-known/jwks.json",
		"MASTHEAD_JWKS_ISSUER":            "https://accounts.publisher.example",
		"MASTHEAD_JWKS_AUDIENCE":          "masthead",
		"MASTHEAD_JWKS_ALGORITHMS":        "RS256, ES256,PS256",
		"MASTHEAD_JWKS_ROLE_CLAIM":        "entitlements",
		"MASTHEAD_JWKS_SUBSCRIBER_VALUES": "premium, digital",
		"MASTHEAD_JWKS_DEFAULT_ROLE":      "reader",
	}
	got, err := load(t, env, "--jwks-subscriber-values", "all-access", "--jwks-audience", "news-api")
	if err != nil {
		t.Fatal(err)
	}
	if got.JWKSURL != env["MASTHEAD_JWKS_URL"] || got.JWKSIssuer != env["MASTHEAD_JWKS_ISSUER"] || got.JWKSAudience != "news-api" ||
		!slices.Equal(got.JWKSAlgorithms, []string{"RS256", "ES256", "PS256"}) || got.JWKSRoleClaim != "entitlements" ||
		!slices.Equal(got.JWKSSubscriberValues, []string{"all-access"}) || got.JWKSDefaultRole != "reader" {
		t.Errorf("loaded %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("valid external issuer refused: %v", err)
	}
	if s := got.String(); !strings.Contains(s, "jwks_url="+env["MASTHEAD_JWKS_URL"]) || !strings.Contains(s, "jwks_audience=news-api") {
		t.Errorf("String() = %s", s)
	}
	// Without a URL the other settings are not checked (and not logged).
	c = config.Defaults()
	c.JWKSDefaultRole = "admin"
	if err := c.Validate(); err != nil {
		t.Errorf("jwks settings checked without jwks-url: %v", err)
	}
	if strings.Contains(c.String(), "jwks") {
		t.Errorf("String() mentions an unset issuer: %s", c.String())
	}

	cases := []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"no issuer", func(c *config.Config) { c.JWKSIssuer = "" }, "jwks-issuer"},
		{"no audience", func(c *config.Config) { c.JWKSAudience = "" }, "jwks-audience"},
		{"relative url", func(c *config.Config) { c.JWKSURL = "/jwks.json" }, "jwks-url"},
		{"file url", func(c *config.Config) { c.JWKSURL = "file:///etc/jwks.json" }, "jwks-url"},
		{"hostless url", func(c *config.Config) { c.JWKSURL = "https://" }, "jwks-url"},
		{"our own issuer", func(c *config.Config) { c.JWKSIssuer = c.JWTIssuer }, "jwks-issuer"},
		{"alg none", func(c *config.Config) { c.JWKSAlgorithms = []string{"RS256", "none"} }, "jwks-algorithms"},
		{"alg HS256", func(c *config.Config) { c.JWKSAlgorithms = []string{"HS256"} }, "jwks-algorithms"},
		{"no algs", func(c *config.Config) { c.JWKSAlgorithms = nil }, "jwks-algorithms"},
		{"empty claim", func(c *config.Config) { c.JWKSRoleClaim = "" }, "jwks-role-claim"},
		{"no subscriber values", func(c *config.Config) { c.JWKSSubscriberValues = nil }, "jwks-subscriber-values"},
		{"staff default", func(c *config.Config) { c.JWKSDefaultRole = "editor" }, "jwks-default-role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Defaults()
			c.Resolve()
			c.JWKSURL, c.JWKSIssuer, c.JWKSAudience = "https://id.example/jwks.json", "https://id.example", "masthead"
			tc.edit(&c)
			err := c.Validate()
			if err == nil {
				t.Fatalf("accepted %+v", c)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
}

func TestTokenLifetimes(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.AccessTTL != 15*time.Minute || c.RefreshTTL != 720*time.Hour {
		t.Fatalf("defaults: %v %v %v", c.AccessTTL, c.RefreshTTL, err)
	}
	c, err = load(t, map[string]string{"MASTHEAD_ACCESS_TTL": "5m", "MASTHEAD_REFRESH_TTL": "48h"}, "--access-ttl", "10m")
	if err != nil || c.AccessTTL != 10*time.Minute || c.RefreshTTL != 48*time.Hour {
		t.Fatalf("env and flag: %v %v %v", c.AccessTTL, c.RefreshTTL, err)
	}
	// At their caps exactly.
	c, err = load(t, map[string]string{"MASTHEAD_ACCESS_TTL": "2h", "MASTHEAD_JWT_MAX_TTL": "2h",
		"MASTHEAD_PARTNER_TOKEN_TTL": "48h", "MASTHEAD_JWT_MAX_TTL_PARTNER": "48h"})
	if err == nil {
		err = c.Validate()
	}
	if err != nil {
		t.Errorf("lifetimes at their caps: %v", err)
	}
	for _, bad := range []map[string]string{
		{"MASTHEAD_ACCESS_TTL": "soon"},
		{"MASTHEAD_ACCESS_TTL": "10s"},
		{"MASTHEAD_ACCESS_TTL": "25h"},
		{"MASTHEAD_REFRESH_TTL": "30m"},
		{"MASTHEAD_ACCESS_TTL": "2h", "MASTHEAD_REFRESH_TTL": "1h"},
		// A lifetime above its role's cap: login and the admin API would
		// mint tokens the verifier refuses.
		{"MASTHEAD_JWT_MAX_TTL": "10m"},
		{"MASTHEAD_ACCESS_TTL": "2h", "MASTHEAD_JWT_MAX_TTL": "1h"},
		{"MASTHEAD_PARTNER_TOKEN_TTL": "17520h"},
		{"MASTHEAD_PARTNER_TOKEN_TTL": "720h", "MASTHEAD_JWT_MAX_TTL_PARTNER": "48h"},
		{"MASTHEAD_JWT_MAX_TTL": "8761h"},
		{"MASTHEAD_JWT_MAX_TTL_PARTNER": "30m"},
		{"MASTHEAD_LOGIN_FAILURES_ACCOUNT": "4"},
	} {
		c, err := load(t, bad)
		if err == nil {
			err = c.Validate()
		}
		if err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestCommentReportThreshold(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.CommentReportThreshold != 3 {
		t.Fatalf("default: %d %v", c.CommentReportThreshold, err)
	}
	c, err = load(t, map[string]string{"MASTHEAD_COMMENTS_REPORT_THRESHOLD": "5"})
	if err != nil || c.CommentReportThreshold != 5 {
		t.Fatalf("env: %d %v", c.CommentReportThreshold, err)
	}
	c, err = load(t, map[string]string{"MASTHEAD_COMMENTS_REPORT_THRESHOLD": "5"}, "-comments-report-threshold", "2")
	if err != nil || c.CommentReportThreshold != 2 {
		t.Fatalf("flag: %d %v", c.CommentReportThreshold, err)
	}
	for _, v := range []string{"0", "-1", "many", "1001"} {
		c, err := load(t, map[string]string{"MASTHEAD_COMMENTS_REPORT_THRESHOLD": v})
		if err == nil {
			err = c.Validate()
		}
		if err == nil {
			t.Errorf("%q: no error", v)
		}
	}
}

func TestRateLimitSettings(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.RateLimitAnon != 600 || c.RateLimitPartner != 1200 || c.PartnerTokenTTL != 8760*time.Hour || c.RedisURL != "" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = load(t, map[string]string{"MASTHEAD_RATE_LIMIT_ANON": "0", "MASTHEAD_RATE_LIMIT_PARTNER": "50",
		"MASTHEAD_PARTNER_TOKEN_TTL": "720h", "MASTHEAD_REDIS_URL": "redis://:hunter2-pw@cache.internal:6379/2"},
		"--rate-limit-partner", "70")
	if err == nil {
		err = c.Validate()
	}
	if err != nil || c.RateLimitAnon != 0 || c.RateLimitPartner != 70 || c.PartnerTokenTTL != 720*time.Hour {
		t.Fatalf("env and flag: %d %d %s %v", c.RateLimitAnon, c.RateLimitPartner, c.PartnerTokenTTL, err)
	}
	if s := c.String(); strings.Contains(s, "hunter2-pw") || !strings.Contains(s, "redis_url=redis://:xxxxx@cache.internal:6379/2") {
		t.Errorf("redis password not masked: %s", s)
	}
	for _, bad := range []map[string]string{
		{"MASTHEAD_RATE_LIMIT_ANON": "-1"},
		{"MASTHEAD_RATE_LIMIT_ANON": "many"},
		{"MASTHEAD_RATE_LIMIT_PARTNER": "1000001"},
		{"MASTHEAD_PARTNER_TOKEN_TTL": "30m"},
		{"MASTHEAD_PARTNER_TOKEN_TTL": "87601h"},
		{"MASTHEAD_REDIS_URL": "http://cache.internal:6379"},
	} {
		c, err := load(t, bad)
		if err == nil {
			err = c.Validate()
		}
		if err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestWebhookAllow(t *testing.T) {
	cfg, err := load(t, map[string]string{"MASTHEAD_WEBHOOK_ALLOW": " 127.0.0.1, 10.20.0.0/16,hooks.internal ,[::1]"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.1", "10.20.0.0/16", "hooks.internal", "[::1]"}; !slices.Equal(cfg.WebhookAllow, want) {
		t.Errorf("WebhookAllow = %q, want %q", cfg.WebhookAllow, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("valid allow list refused: %v", err)
	}
	if !strings.Contains(cfg.String(), "webhook_allow=[127.0.0.1 10.20.0.0/16 hooks.internal [::1]]") {
		t.Errorf("String() = %s", cfg.String())
	}
	// Bad entries are refused when serve builds the policy
	// (webhooks.NewPolicy, tested there).
}

func TestSchedulerInterval(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.SchedulerInterval != 5*time.Second || c.Validate() != nil {
		t.Fatalf("default: %s, %v, %v", c.SchedulerInterval, err, c.Validate())
	}
	c, err = load(t, map[string]string{"MASTHEAD_SCHEDULER_INTERVAL": "30s"})
	if err != nil || c.SchedulerInterval != 30*time.Second {
		t.Fatalf("from the environment: %s, %v", c.SchedulerInterval, err)
	}
	c, err = load(t, map[string]string{"MASTHEAD_SCHEDULER_INTERVAL": "30s"}, "--scheduler-interval", "2s")
	if err != nil || c.SchedulerInterval != 2*time.Second {
		t.Fatalf("the flag wins: %s, %v", c.SchedulerInterval, err)
	}
	for _, bad := range []string{"0s", "500ms", "2h"} {
		c, err := load(t, map[string]string{"MASTHEAD_SCHEDULER_INTERVAL": bad})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "scheduler-interval") {
			t.Errorf("%s: Validate says %v", bad, err)
		}
	}
	if _, err := load(t, map[string]string{"MASTHEAD_SCHEDULER_INTERVAL": "often"}); err == nil {
		t.Error("an unparsable interval was accepted")
	}
}
