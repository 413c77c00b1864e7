// Package config loads Masthead's settings: defaults, then MASTHEAD_*
// environment variables, then command-line flags.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the effective configuration of one command.
type Config struct {
	Addr         string
	DataDir      string
	DatabaseURL  string // empty: SQLite file in DataDir
	Demo         bool
	JWTKeyFile   string // empty: DataDir/jwt-ed25519.pem
	JWTIssuer    string
	JWTAudience  string
	CORSOrigins  []string
	PreviewWords int
	PublicURL    string // where the publisher's site lives, for canonical URLs
	SubscribeURL string
	LoginURL     string
	LogFormat    string // json | text
	LogLevel     string
	BodyLimit    string
	ReadTimeout  time.Duration
}

// Defaults returns the configuration before environment and flags.
func Defaults() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		DataDir:      "./data",
		JWTIssuer:    "masthead",
		JWTAudience:  "masthead",
		PreviewWords: 120,
		PublicURL:    "https://publisher.example",
		SubscribeURL: "https://publisher.example/subscribe",
		LoginURL:     "https://publisher.example/login",
		LogFormat:    "json",
		LogLevel:     "info",
		BodyLimit:    "1M",
		ReadTimeout:  10 * time.Second,
	}
}

// Var is one setting: its flag, its environment variable and what it means.
// The README's configuration table is this list.
type Var struct {
	Flag, Env, Usage string
}

// Vars lists every setting of `serve`; subcommands register the subset they use.
var Vars = []Var{
	{"addr", "MASTHEAD_ADDR", "address to listen on"},
	{"data", "MASTHEAD_DATA", "data folder: SQLite file, signing key, media"},
	{"db", "MASTHEAD_DATABASE_URL", "database: a SQLite path, or postgres://… (default: SQLite in the data folder)"},
	{"demo", "MASTHEAD_DEMO", "load demo content into an empty database and print tokens"},
	{"jwt-key-file", "MASTHEAD_JWT_KEY_FILE", "Ed25519 signing key, PKCS #8 PEM (default: made in the data folder)"},
	{"jwt-issuer", "MASTHEAD_JWT_ISSUER", "iss of tokens we issue and accept"},
	{"jwt-audience", "MASTHEAD_JWT_AUDIENCE", "aud of tokens we issue and accept"},
	{"cors-origins", "MASTHEAD_CORS_ORIGINS", "comma-separated origins allowed by CORS (empty: none)"},
	{"preview-words", "MASTHEAD_PREVIEW_WORDS", "word budget of the paywall preview, applied when articles are written"},
	{"public-url", "MASTHEAD_PUBLIC_URL", "the publisher's site, base of canonical URLs"},
	{"subscribe-url", "MASTHEAD_SUBSCRIBE_URL", "where the paywall sends readers to subscribe"},
	{"login-url", "MASTHEAD_LOGIN_URL", "where the paywall sends readers to log in"},
	{"log-format", "MASTHEAD_LOG_FORMAT", "json or text"},
	{"log-level", "MASTHEAD_LOG_LEVEL", "debug, info, warn or error"},
	{"body-limit", "MASTHEAD_BODY_LIMIT", "largest request body, e.g. 1M"},
}

// Bind registers the named settings on fs, with their defaults taken from
// the environment (getenv) over c, so that flags win over both.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string, names ...string) error {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var errs []error
	env := func(name string) (string, bool) {
		for _, v := range Vars {
			if v.Flag == name {
				s := getenv(v.Env)
				return s, s != ""
			}
		}
		return "", false
	}
	usage := func(name string) string {
		for _, v := range Vars {
			if v.Flag == name {
				return v.Usage + " [$" + v.Env + "]"
			}
		}
		return name
	}
	str := func(name string, p *string) {
		if !want[name] {
			return
		}
		if s, ok := env(name); ok {
			*p = s
		}
		fs.StringVar(p, name, *p, usage(name))
	}
	str("addr", &c.Addr)
	str("data", &c.DataDir)
	str("db", &c.DatabaseURL)
	str("jwt-key-file", &c.JWTKeyFile)
	str("jwt-issuer", &c.JWTIssuer)
	str("jwt-audience", &c.JWTAudience)
	str("public-url", &c.PublicURL)
	str("subscribe-url", &c.SubscribeURL)
	str("login-url", &c.LoginURL)
	str("log-format", &c.LogFormat)
	str("log-level", &c.LogLevel)
	str("body-limit", &c.BodyLimit)
	if want["demo"] {
		if s, ok := env("demo"); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("MASTHEAD_DEMO: %w", err))
			}
			c.Demo = b
		}
		fs.BoolVar(&c.Demo, "demo", c.Demo, usage("demo"))
	}
	if want["preview-words"] {
		if s, ok := env("preview-words"); ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("MASTHEAD_PREVIEW_WORDS: %w", err))
			}
			c.PreviewWords = n
		}
		fs.IntVar(&c.PreviewWords, "preview-words", c.PreviewWords, usage("preview-words"))
	}
	if want["cors-origins"] {
		if s, ok := env("cors-origins"); ok {
			c.CORSOrigins = splitList(s)
		}
		fs.Func("cors-origins", usage("cors-origins"), func(s string) error {
			c.CORSOrigins = splitList(s)
			return nil
		})
	}
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Resolve fills the derived settings (key file, database URL) from DataDir.
func (c *Config) Resolve() {
	if c.JWTKeyFile == "" {
		c.JWTKeyFile = filepath.Join(c.DataDir, "jwt-ed25519.pem")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "masthead.db")
	}
}

// Validate fails fast on settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("addr %q: %w", c.Addr, err))
		}
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data: a folder is required"))
	}
	if c.PreviewWords < 10 || c.PreviewWords > 5000 {
		errs = append(errs, fmt.Errorf("preview-words %d: must be between 10 and 5000", c.PreviewWords))
	}
	if c.JWTIssuer == "" || c.JWTAudience == "" {
		errs = append(errs, errors.New("jwt-issuer and jwt-audience must not be empty"))
	}
	for _, u := range []struct{ name, v string }{{"public-url", c.PublicURL}, {"subscribe-url", c.SubscribeURL}, {"login-url", c.LoginURL}} {
		if p, err := url.Parse(u.v); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: must be an absolute http(s) URL", u.name, u.v))
		}
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			continue
		}
		if p, err := url.Parse(o); err != nil || p.Scheme == "" || p.Host == "" || p.Path != "" {
			errs = append(errs, fmt.Errorf("cors-origins: %q is not an origin like https://app.example", o))
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("log-format %q: json or text", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q: debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}

// String is the configuration for the start-up log, with secrets masked.
func (c Config) String() string {
	db := c.DatabaseURL
	if u, err := url.Parse(db); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			db = u.String()
		}
	}
	return fmt.Sprintf("addr=%s data=%s db=%s jwt_key_file=%s issuer=%s audience=%s cors=%v preview_words=%d public_url=%s",
		c.Addr, c.DataDir, db, c.JWTKeyFile, c.JWTIssuer, c.JWTAudience, c.CORSOrigins, c.PreviewWords, c.PublicURL)
}

// Exists reports whether path exists (used to tell a fresh data folder).
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
