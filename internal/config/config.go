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
	// UploadLimit is the largest photo upload, in bytes.
	UploadLimit int64
	// MeterFree is how many subscribers articles a reader may open per
	// month; 0 turns metering off.
	MeterFree int
	// CommentReportThreshold is how many reader reports send an approved
	// comment back to the moderation queue.
	CommentReportThreshold int
	// Comment submission: moderation mode (pre, post, trusted), guests,
	// closing, nesting, links, word lists and rate limits per minute.
	CommentsModeration   string
	GuestComments        bool
	CommentsCloseDays    int
	CommentsMaxDepth     int
	CommentsMaxLinks     int
	CommentsBannedWords  []string
	CommentsSuspectWords []string
	CommentsRateAccount  int
	CommentsRateIP       int
	ReadTimeout          time.Duration
	// AccessTTL is the lifetime of the access tokens login and refresh
	// issue; RefreshTTL that of each refresh token.
	AccessTTL  time.Duration
	RefreshTTL time.Duration

	// An external issuer (the publisher's subscription platform) whose
	// tokens are accepted beside ours; off while JWKSURL is empty.
	JWKSURL              string
	JWKSIssuer           string
	JWKSAudience         string
	JWKSAlgorithms       []string
	JWKSRoleClaim        string   // claim holding the role or the entitlements
	JWKSSubscriberValues []string // values of that claim meaning subscriber
	JWKSDefaultRole      string   // role given otherwise: reader or subscriber

	// SchedulerInterval is how often scheduled articles whose time came
	// are marked published and logged for partners (reads show them at
	// once; the change log and webhooks at the next tick).
	SchedulerInterval time.Duration
	// WebhookAllow lists the host names, IP addresses and CIDR prefixes
	// that webhooks may call although they are loopback, private or
	// otherwise special networks.
	WebhookAllow []string

	// Rate limits, in requests per minute (0: not limited): per anonymous
	// client address, and per partner (the default of new partners, and
	// the budget of partner tokens with no partner row).
	RateLimitAnon    int
	RateLimitPartner int
	// PartnerTokenTTL is the lifetime of the tokens the admin API mints
	// for partners.
	PartnerTokenTTL time.Duration
	// RedisURL, when set, shares the rate limits of every process.
	RedisURL string
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
		UploadLimit:  20 << 20,
		ReadTimeout:  10 * time.Second,
		AccessTTL:    15 * time.Minute,
		RefreshTTL:   720 * time.Hour,

		CommentReportThreshold: 3,
		CommentsModeration:     "trusted",
		CommentsMaxDepth:       5,
		CommentsMaxLinks:       2,
		CommentsRateAccount:    5,
		CommentsRateIP:         10,

		JWKSAlgorithms:       []string{"RS256", "ES256"},
		JWKSRoleClaim:        "role",
		JWKSSubscriberValues: []string{"subscriber"},
		JWKSDefaultRole:      "reader",

		SchedulerInterval: 5 * time.Second,

		RateLimitAnon:    600,
		RateLimitPartner: 1200,
		PartnerTokenTTL:  8760 * time.Hour,
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
	{"upload-limit", "MASTHEAD_UPLOAD_LIMIT", "largest photo upload, e.g. 20M (K, M, G: powers of 1024)"},
	{"meter-free", "MASTHEAD_METER_FREE", "subscribers articles a reader may open per calendar month (0: metering off)"},
	{"comments-report-threshold", "MASTHEAD_COMMENTS_REPORT_THRESHOLD", "reader reports that send an approved comment back to moderation (1–1000)"},
	{"comments-moderation", "MASTHEAD_COMMENTS_MODERATION", "comment moderation: pre (all held), post (published at once) or trusted (held unless subscriber or known author)"},
	{"guest-comments", "MASTHEAD_GUEST_COMMENTS", "let readers without a token comment with a name and an email"},
	{"comments-close-days", "MASTHEAD_COMMENTS_CLOSE_DAYS", "days after publication when comments close (0: never)"},
	{"comments-max-depth", "MASTHEAD_COMMENTS_MAX_DEPTH", "deepest reply nesting (1–20)"},
	{"comments-max-links", "MASTHEAD_COMMENTS_MAX_LINKS", "links a comment may hold before it is held for moderation (0–100)"},
	{"comments-banned-words", "MASTHEAD_COMMENTS_BANNED_WORDS", "comma-separated words that reject a comment (whole words, any case)"},
	{"comments-suspect-words", "MASTHEAD_COMMENTS_SUSPECT_WORDS", "comma-separated words that hold a comment for moderation"},
	{"comments-rate-account", "MASTHEAD_COMMENTS_RATE_ACCOUNT", "comments one account may submit per minute"},
	{"comments-rate-ip", "MASTHEAD_COMMENTS_RATE_IP", "comments one client address may submit per minute"},
	{"access-ttl", "MASTHEAD_ACCESS_TTL", "lifetime of the access tokens login and refresh issue, e.g. 15m"},
	{"refresh-ttl", "MASTHEAD_REFRESH_TTL", "lifetime of each refresh token (renewed at every refresh), e.g. 720h"},
	{"jwks-url", "MASTHEAD_JWKS_URL", "JWKS of an external issuer whose tokens are accepted beside ours (empty: none)"},
	{"jwks-issuer", "MASTHEAD_JWKS_ISSUER", "iss of the external issuer's tokens (required with jwks-url)"},
	{"jwks-audience", "MASTHEAD_JWKS_AUDIENCE", "aud the external issuer's tokens must carry (required with jwks-url)"},
	{"jwks-algorithms", "MASTHEAD_JWKS_ALGORITHMS", "comma-separated algorithms accepted from the external issuer (RS*, PS*, ES* only)"},
	{"jwks-role-claim", "MASTHEAD_JWKS_ROLE_CLAIM", "claim of external tokens holding the role or the entitlements (dots reach into objects)"},
	{"jwks-subscriber-values", "MASTHEAD_JWKS_SUBSCRIBER_VALUES", "comma-separated values of that claim that make a subscriber"},
	{"jwks-default-role", "MASTHEAD_JWKS_DEFAULT_ROLE", "role of other external tokens: reader or subscriber"},
	{"scheduler-interval", "MASTHEAD_SCHEDULER_INTERVAL", "how often scheduled articles whose time came are published and logged for partners, e.g. 5s"},
	{"webhook-allow", "MASTHEAD_WEBHOOK_ALLOW", "comma-separated host names, IP addresses and CIDR prefixes that webhooks may call although private or loopback (empty: none)"},
	{"rate-limit-anon", "MASTHEAD_RATE_LIMIT_ANON", "requests per minute per anonymous client address (0: not limited)"},
	{"rate-limit-partner", "MASTHEAD_RATE_LIMIT_PARTNER", "requests per minute of partners created without a rate limit and of partner tokens with no partner row (0: not limited)"},
	{"partner-token-ttl", "MASTHEAD_PARTNER_TOKEN_TTL", "lifetime of the partner tokens the admin API mints, e.g. 8760h"},
	{"redis-url", "MASTHEAD_REDIS_URL", "Redis shared by every process for the rate limits, redis://… (empty: each process counts alone)"},
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
	str("jwks-url", &c.JWKSURL)
	str("jwks-issuer", &c.JWKSIssuer)
	str("jwks-audience", &c.JWKSAudience)
	str("jwks-role-claim", &c.JWKSRoleClaim)
	str("jwks-default-role", &c.JWKSDefaultRole)
	str("redis-url", &c.RedisURL)
	list := func(name string, p *[]string) {
		if !want[name] {
			return
		}
		if s, ok := env(name); ok {
			*p = splitList(s)
		}
		fs.Func(name, usage(name), func(s string) error {
			*p = splitList(s)
			return nil
		})
	}
	list("jwks-algorithms", &c.JWKSAlgorithms)
	list("jwks-subscriber-values", &c.JWKSSubscriberValues)
	list("webhook-allow", &c.WebhookAllow)
	list("comments-banned-words", &c.CommentsBannedWords)
	list("comments-suspect-words", &c.CommentsSuspectWords)
	str("comments-moderation", &c.CommentsModeration)
	integer := func(name string, p *int) {
		if !want[name] {
			return
		}
		if s, ok := env(name); ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", envName(name), err))
			}
			*p = n
		}
		fs.IntVar(p, name, *p, usage(name))
	}
	integer("comments-close-days", &c.CommentsCloseDays)
	integer("comments-max-depth", &c.CommentsMaxDepth)
	integer("comments-max-links", &c.CommentsMaxLinks)
	integer("comments-rate-account", &c.CommentsRateAccount)
	integer("comments-rate-ip", &c.CommentsRateIP)
	integer("rate-limit-anon", &c.RateLimitAnon)
	integer("rate-limit-partner", &c.RateLimitPartner)
	if want["guest-comments"] {
		if s, ok := env("guest-comments"); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("MASTHEAD_GUEST_COMMENTS: %w", err))
			}
			c.GuestComments = b
		}
		fs.BoolVar(&c.GuestComments, "guest-comments", c.GuestComments, usage("guest-comments"))
	}
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
	if want["upload-limit"] {
		if s, ok := env("upload-limit"); ok {
			n, err := ParseSize(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("MASTHEAD_UPLOAD_LIMIT: %w", err))
			}
			c.UploadLimit = n
		}
		fs.Func("upload-limit", usage("upload-limit"), func(s string) error {
			n, err := ParseSize(s)
			c.UploadLimit = n
			return err
		})
	}
	if want["meter-free"] {
		if s, ok := env("meter-free"); ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("MASTHEAD_METER_FREE: %w", err))
			}
			c.MeterFree = n
		}
		fs.IntVar(&c.MeterFree, "meter-free", c.MeterFree, usage("meter-free"))
	}
	if want["comments-report-threshold"] {
		if s, ok := env("comments-report-threshold"); ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("MASTHEAD_COMMENTS_REPORT_THRESHOLD: %w", err))
			}
			c.CommentReportThreshold = n
		}
		fs.IntVar(&c.CommentReportThreshold, "comments-report-threshold", c.CommentReportThreshold, usage("comments-report-threshold"))
	}
	dur := func(name string, p *time.Duration) {
		if !want[name] {
			return
		}
		if s, ok := env(name); ok {
			d, err := time.ParseDuration(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", envName(name), err))
			}
			*p = d
		}
		fs.DurationVar(p, name, *p, usage(name))
	}
	dur("access-ttl", &c.AccessTTL)
	dur("refresh-ttl", &c.RefreshTTL)
	dur("scheduler-interval", &c.SchedulerInterval)
	dur("partner-token-ttl", &c.PartnerTokenTTL)
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

// ParseSize reads a byte count: a whole number with an optional K, M or G
// suffix (powers of 1024, an optional trailing B), e.g. "20M".
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "B")
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult = 1 << 10
	case strings.HasSuffix(t, "M"):
		mult = 1 << 20
	case strings.HasSuffix(t, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		t = t[:len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("size %q: want a number of bytes such as 20M", s)
	}
	return n * mult, nil
}

// envName is the environment variable of a flag.
func envName(flag string) string {
	for _, v := range Vars {
		if v.Flag == flag {
			return v.Env
		}
	}
	return flag
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
	if c.UploadLimit < 1<<10 || c.UploadLimit > 1<<30 {
		errs = append(errs, fmt.Errorf("upload-limit %d: must be between 1K and 1G", c.UploadLimit))
	}
	errs = append(errs, c.validateComments()...)
	if c.CommentReportThreshold < 1 || c.CommentReportThreshold > 1000 {
		errs = append(errs, fmt.Errorf("comments-report-threshold %d: must be between 1 and 1000", c.CommentReportThreshold))
	}
	if c.MeterFree < 0 || c.MeterFree > 1000 {
		errs = append(errs, fmt.Errorf("meter-free %d: must be between 0 (off) and 1000", c.MeterFree))
	}
	if c.AccessTTL < time.Minute || c.AccessTTL > 24*time.Hour {
		errs = append(errs, fmt.Errorf("access-ttl %s: must be between 1m and 24h", c.AccessTTL))
	}
	if c.RefreshTTL < time.Hour || c.RefreshTTL > 8760*time.Hour || c.RefreshTTL <= c.AccessTTL {
		errs = append(errs, fmt.Errorf("refresh-ttl %s: must be between 1h and 8760h, and longer than access-ttl", c.RefreshTTL))
	}
	if c.SchedulerInterval < time.Second || c.SchedulerInterval > time.Hour {
		errs = append(errs, fmt.Errorf("scheduler-interval %s: must be between 1s and 1h", c.SchedulerInterval))
	}
	if c.JWKSURL != "" {
		errs = append(errs, c.validateJWKS()...)
	}
	errs = append(errs, c.validateRateLimits()...)
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

// validateJWKS checks the external issuer's settings.
func (c Config) validateJWKS() []error {
	var errs []error
	if p, err := url.Parse(c.JWKSURL); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		errs = append(errs, fmt.Errorf("jwks-url %q: must be an absolute http(s) URL", c.JWKSURL))
	}
	if c.JWKSIssuer == "" || c.JWKSAudience == "" {
		errs = append(errs, errors.New("jwks-issuer and jwks-audience are required with jwks-url"))
	}
	if c.JWKSIssuer != "" && c.JWKSIssuer == c.JWTIssuer {
		errs = append(errs, fmt.Errorf("jwks-issuer %q: must differ from jwt-issuer, which names our own tokens", c.JWKSIssuer))
	}
	if len(c.JWKSAlgorithms) == 0 {
		errs = append(errs, errors.New("jwks-algorithms: name at least one"))
	}
	for _, a := range c.JWKSAlgorithms {
		switch a {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512":
		default:
			errs = append(errs, fmt.Errorf("jwks-algorithms: %q is not accepted (RS*, PS* or ES*; never none or HS*)", a))
		}
	}
	if c.JWKSRoleClaim == "" {
		errs = append(errs, errors.New("jwks-role-claim must not be empty"))
	}
	if len(c.JWKSSubscriberValues) == 0 {
		errs = append(errs, errors.New("jwks-subscriber-values: name at least one"))
	}
	if c.JWKSDefaultRole != "reader" && c.JWKSDefaultRole != "subscriber" {
		errs = append(errs, fmt.Errorf("jwks-default-role %q: reader or subscriber", c.JWKSDefaultRole))
	}
	return errs
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
	out := fmt.Sprintf("addr=%s data=%s db=%s jwt_key_file=%s issuer=%s audience=%s cors=%v preview_words=%d public_url=%s",
		c.Addr, c.DataDir, db, c.JWTKeyFile, c.JWTIssuer, c.JWTAudience, c.CORSOrigins, c.PreviewWords, c.PublicURL)
	out += fmt.Sprintf(" scheduler_interval=%s", c.SchedulerInterval)
	out += fmt.Sprintf(" rate_limit_anon=%d rate_limit_partner=%d partner_token_ttl=%s", c.RateLimitAnon, c.RateLimitPartner, c.PartnerTokenTTL)
	if c.RedisURL != "" {
		r := "(unparsable)"
		if u, err := url.Parse(c.RedisURL); err == nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			}
			r = u.String()
		}
		out += " redis_url=" + r
	}
	if c.JWKSURL != "" {
		out += fmt.Sprintf(" jwks_url=%s jwks_issuer=%s jwks_audience=%s jwks_algorithms=%v jwks_role_claim=%s jwks_subscriber_values=%v jwks_default_role=%s",
			c.JWKSURL, c.JWKSIssuer, c.JWKSAudience, c.JWKSAlgorithms, c.JWKSRoleClaim, c.JWKSSubscriberValues, c.JWKSDefaultRole)
	}
	if len(c.WebhookAllow) > 0 {
		out += fmt.Sprintf(" webhook_allow=%v", c.WebhookAllow)
	}
	return out
}

// Exists reports whether path exists (used to tell a fresh data folder).
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// validateComments checks the comment submission settings.
func (c Config) validateComments() []error {
	var errs []error
	switch c.CommentsModeration {
	case "pre", "post", "trusted":
	default:
		errs = append(errs, fmt.Errorf("comments-moderation %q: pre, post or trusted", c.CommentsModeration))
	}
	if c.CommentsCloseDays < 0 || c.CommentsCloseDays > 36500 {
		errs = append(errs, fmt.Errorf("comments-close-days %d: must be between 0 (never) and 36500", c.CommentsCloseDays))
	}
	if c.CommentsMaxDepth < 1 || c.CommentsMaxDepth > 20 {
		errs = append(errs, fmt.Errorf("comments-max-depth %d: must be between 1 and 20", c.CommentsMaxDepth))
	}
	if c.CommentsMaxLinks < 0 || c.CommentsMaxLinks > 100 {
		errs = append(errs, fmt.Errorf("comments-max-links %d: must be between 0 and 100", c.CommentsMaxLinks))
	}
	if c.CommentsRateAccount < 1 || c.CommentsRateAccount > 1_000_000 || c.CommentsRateIP < 1 || c.CommentsRateIP > 1_000_000 {
		errs = append(errs, fmt.Errorf("comments-rate-account %d, comments-rate-ip %d: must be between 1 and 1000000", c.CommentsRateAccount, c.CommentsRateIP))
	}
	return errs
}

// validateRateLimits checks the rate limits, the partner token lifetime
// and the Redis URL.
func (c Config) validateRateLimits() []error {
	var errs []error
	if c.RateLimitAnon < 0 || c.RateLimitAnon > 1_000_000 || c.RateLimitPartner < 0 || c.RateLimitPartner > 1_000_000 {
		errs = append(errs, fmt.Errorf("rate-limit-anon %d, rate-limit-partner %d: must be between 0 (not limited) and 1000000", c.RateLimitAnon, c.RateLimitPartner))
	}
	if c.PartnerTokenTTL < time.Hour || c.PartnerTokenTTL > 10*8760*time.Hour {
		errs = append(errs, fmt.Errorf("partner-token-ttl %s: must be between 1h and 87600h", c.PartnerTokenTTL))
	}
	if c.RedisURL != "" {
		if p, err := url.Parse(c.RedisURL); err != nil || (p.Scheme != "redis" && p.Scheme != "rediss" && p.Scheme != "unix") {
			errs = append(errs, errors.New("redis-url: must be a redis://, rediss:// or unix:// URL"))
		}
	}
	return errs
}
