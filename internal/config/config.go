// Package config loads Masthead's settings: defaults, then MASTHEAD_*
// environment variables, then command-line flags. Every setting is one row
// of the table in settings.go (flag, variable, default, field, check, usage);
// Defaults, Bind, Validate and String all read that table.
package config

import (
	"errors"
	"flag"
	"fmt"
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
	JWTLeeway    time.Duration // clock skew tolerated when verifying tokens
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
	// UploadMaxDecoded bounds the memory one upload may need once decoded
	// (estimated from the image header before decoding), in bytes;
	// UploadDecodes is how many uploads may decode at once.
	UploadMaxDecoded int64
	UploadDecodes    int
	// MediaStorage is where photos are kept: "fs", the media folder under
	// DataDir, or "s3", the bucket MediaS3Bucket at MediaS3Endpoint,
	// which every process shares.
	MediaStorage                                  string
	MediaS3Endpoint, MediaS3Bucket, MediaS3Region string
	MediaS3AccessKeyID, MediaS3SecretAccessKey    string
	MediaS3TLS, MediaS3PathStyle                  bool
	// MediaPublicURL, when set, is where clients fetch the files: photo
	// URLs are it followed by the file's key, not /media/ on this server.
	MediaPublicURL string
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
	// ReadTimeout bounds reading a whole request, body included;
	// RequestTimeout bounds each request's handler (the photo upload has
	// its own, longer one); CacheTTL is how long an encoded public read is
	// reused (0: not cached).
	ReadTimeout    time.Duration
	RequestTimeout time.Duration
	CacheTTL       time.Duration
	// CacheSize bounds the response cache's memory, in bytes.
	CacheSize int64
	// ShutdownTimeout bounds the drain after SIGTERM: requests in flight
	// are answered for this long at most.
	ShutdownTimeout time.Duration
	// AccessTTL is the lifetime of the access tokens login and refresh
	// issue; RefreshTTL that of each refresh token.
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// JWTMaxTTL caps the lifetime (exp − iat) of the tokens of members and
	// staff, ours and an external issuer's; JWTMaxTTLPartner that of
	// partner tokens. Longer tokens are neither minted nor accepted.
	JWTMaxTTL        time.Duration
	JWTMaxTTLPartner time.Duration
	// LoginFailuresAccount is the ceiling of failed logins on one account
	// in 15 minutes, from all addresses together.
	LoginFailuresAccount int

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
	// DebugAddr, when set, is a loopback address where the runtime's
	// profiles (net/http/pprof) and expvar are served on their own
	// listener.
	DebugAddr string
	// MetricsAddr, when set, is where /metrics (Prometheus) is served on
	// its own listener; MetricsToken, when set, also serves it on the
	// public port to a caller presenting it as a bearer token.
	MetricsAddr  string
	MetricsToken string
}

// Setting is one row of the table: everything about one setting.
type Setting struct {
	Flag string // command-line flag, without dashes
	Env  string // MASTHEAD_* environment variable
	// Default is spelled as the flag would take it; empty is the field's
	// zero value.
	Default string
	Usage   string
	// Secret is nil for a plain setting. For a secret it masks a value for
	// String() and error messages, and the value may come instead from the
	// file named by the variable Env+"_FILE".
	Secret func(string) string

	field field
	// check says what is wrong with the value, if anything; Validate
	// prefixes the setting and its (masked) value.
	check func(Config) error
	// when, if set, says whether the setting is in use: when it is not,
	// the setting is neither checked nor logged.
	when func(Config) bool
}

// Settings returns the table, in the order String() logs it.
func Settings() []Setting {
	out := make([]Setting, len(settings))
	copy(out, settings)
	return out
}

// Names returns the flag of every setting: what serve binds.
func Names() []string {
	out := make([]string, len(settings))
	for i, s := range settings {
		out[i] = s.Flag
	}
	return out
}

func lookup(name string) (Setting, bool) {
	for _, s := range settings {
		if s.Flag == name {
			return s, true
		}
	}
	return Setting{}, false
}

// Defaults returns the configuration before environment and flags.
func Defaults() Config {
	var c Config
	for _, s := range settings {
		if s.Default == "" {
			continue
		}
		if err := s.field.set(&c, s.Default); err != nil {
			// A typo in the table, caught by any test.
			panic(fmt.Sprintf("config: default of %s: %v", s.Flag, err))
		}
	}
	return c
}

// Bind registers the named settings on fs, with their defaults taken from
// the environment (getenv) over c, so that flags win over both. A secret's
// variable may instead name a file holding the value: MASTHEAD_X_FILE.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string, names ...string) error {
	var errs []error
	for _, name := range names {
		s, ok := lookup(name)
		if !ok {
			errs = append(errs, fmt.Errorf("config: no setting named %q", name))
			continue
		}
		if fs.Lookup(name) != nil {
			errs = append(errs, fmt.Errorf("config: %s is bound twice", name))
			continue
		}
		v, from, err := s.fromEnv(getenv)
		if err != nil {
			errs = append(errs, err)
		} else if from != "" {
			if err := s.field.set(c, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", from, err))
			}
		}
		fs.Var(&flagValue{c: c, s: s}, s.Flag, s.usage())
	}
	return errors.Join(errs...)
}

// fromEnv reads the setting's variable, or for a secret the file its _FILE
// twin names (one trailing newline, or several, trimmed). from names where
// the value came from; it is empty when neither is set.
func (s Setting) fromEnv(getenv func(string) string) (v, from string, err error) {
	v = getenv(s.Env)
	if s.Secret == nil {
		if v == "" {
			return "", "", nil
		}
		return v, s.Env, nil
	}
	fileEnv := s.Env + "_FILE"
	path := getenv(fileEnv)
	switch {
	case path == "" && v == "":
		return "", "", nil
	case path == "":
		return v, s.Env, nil
	case v != "":
		return "", "", fmt.Errorf("%s and %s are both set: use one", s.Env, fileEnv)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", fileEnv, err)
	}
	v = strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", "", fmt.Errorf("%s: %s is empty", fileEnv, path)
	}
	return v, fileEnv, nil
}

func (s Setting) usage() string {
	if s.Secret != nil {
		return s.Usage + " [$" + s.Env + " or $" + s.Env + "_FILE]"
	}
	return s.Usage + " [$" + s.Env + "]"
}

// text is the value as a flag would take it, masked if secret.
func (s Setting) text(c *Config) string {
	v := s.field.text(c)
	if s.Secret != nil {
		v = s.Secret(v)
	}
	return v
}

func (s Setting) inUse(c Config) bool { return s.when == nil || s.when(c) }

// Resolve fills the derived settings (key file, database URL) from DataDir.
func (c *Config) Resolve() {
	if c.JWTKeyFile == "" {
		c.JWTKeyFile = filepath.Join(c.DataDir, "jwt-ed25519.pem")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "masthead.db")
	}
}

// Validate fails fast on settings that cannot work, reporting every one.
func (c Config) Validate() error {
	var errs []error
	for _, s := range settings {
		if s.check == nil || !s.inUse(c) {
			continue
		}
		if err := s.check(c); err != nil {
			errs = append(errs, fmt.Errorf("%s=%s: %w", s.Flag, s.text(&c), err))
		}
	}
	return errors.Join(errs...)
}

// String is the configuration for the start-up log, with secrets masked:
// every setting in use, as flag_name=value.
func (c Config) String() string {
	var b strings.Builder
	for _, s := range settings {
		if !s.inUse(c) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ReplaceAll(s.Flag, "-", "_"))
		b.WriteByte('=')
		if s.field.show != nil {
			b.WriteString(s.field.show(&c))
		} else {
			b.WriteString(s.text(&c))
		}
	}
	return b.String()
}

// Exists reports whether path exists (used to tell a fresh data folder).
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// field binds a row to its Config field: how to set it from text, and how
// to spell it back.
type field struct {
	set    func(c *Config, s string) error
	text   func(c *Config) string // as a flag takes it
	show   func(c *Config) string // in String(), when not text
	isBool bool                   // a flag that needs no value
}

func bind[T any](p func(*Config) *T, parse func(string) (T, error), format func(T) string) field {
	return field{
		set: func(c *Config, s string) error {
			v, err := parse(s)
			if err != nil {
				return err
			}
			*p(c) = v
			return nil
		},
		text: func(c *Config) string { return format(*p(c)) },
	}
}

func text(p func(*Config) *string) field {
	return bind(p, func(s string) (string, error) { return s, nil }, func(s string) string { return s })
}

func integer(p func(*Config) *int) field { return bind(p, strconv.Atoi, strconv.Itoa) }

func boolean(p func(*Config) *bool) field {
	f := bind(p, strconv.ParseBool, strconv.FormatBool)
	f.isBool = true
	return f
}

func duration(p func(*Config) *time.Duration) field {
	return bind(p, time.ParseDuration, time.Duration.String)
}

func size(p func(*Config) *int64) field { return bind(p, ParseSize, formatSize) }

// list is a comma-separated list, blanks trimmed and empty items dropped.
func list(p func(*Config) *[]string) field {
	f := bind(p, func(s string) ([]string, error) { return splitList(s), nil },
		func(l []string) string { return strings.Join(l, ",") })
	f.show = func(c *Config) string { return fmt.Sprint(*p(c)) }
	return f
}

// flagValue is a setting's field as a flag.Value. Its String, which -h
// shows as the default, masks a secret.
type flagValue struct {
	c *Config
	s Setting
}

func (v *flagValue) String() string {
	if v == nil || v.c == nil { // the zero value the flag package makes
		return ""
	}
	return v.s.text(v.c)
}

func (v *flagValue) Set(s string) error { return v.s.field.set(v.c, s) }

func (v *flagValue) IsBoolFlag() bool { return v.s.field.isBool }

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

// formatSize spells n as ParseSize reads it, with the largest exact suffix.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
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

// MaskURL hides the password of a URL, in its user information and in any
// query parameter whose name holds "password"; a value that does not parse
// as a URL is hidden whole. A plain path passes unchanged.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if u.RawQuery != "" {
		params := strings.Split(u.RawQuery, "&")
		for i, p := range params {
			if k, _, ok := strings.Cut(p, "="); ok && strings.Contains(strings.ToLower(k), "password") {
				params[i] = k + "=xxxxx"
			}
		}
		u.RawQuery = strings.Join(params, "&")
	}
	return u.String()
}
