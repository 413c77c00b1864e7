package config_test

import (
	"flag"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/config"
)

// settingCase is one setting seen from outside: its flag and variable, a
// value for each, and the Config field they must land in. The values differ
// from each other, and the environment's from the default, so that a row
// bound to the wrong field, or a source ignored, fails.
type settingCase struct {
	flag, env         string
	envVal, flagVal   string
	get               func(config.Config) any
	envWant, flagWant any
}

var settingCases = []settingCase{
	{"addr", "MASTHEAD_ADDR", ":9090", "127.0.0.1:7070", func(c config.Config) any { return c.Addr }, ":9090", "127.0.0.1:7070"},
	{"data", "MASTHEAD_DATA", "/srv/env", "/srv/flag", func(c config.Config) any { return c.DataDir }, "/srv/env", "/srv/flag"},
	{"db", "MASTHEAD_DATABASE_URL", "postgres://u:p@db/env", "/srv/flag.db", func(c config.Config) any { return c.DatabaseURL }, "postgres://u:p@db/env", "/srv/flag.db"},
	{"demo", "MASTHEAD_DEMO", "true", "false", func(c config.Config) any { return c.Demo }, true, false},
	{"jwt-key-file", "MASTHEAD_JWT_KEY_FILE", "/etc/env.pem", "/etc/flag.pem", func(c config.Config) any { return c.JWTKeyFile }, "/etc/env.pem", "/etc/flag.pem"},
	{"jwt-issuer", "MASTHEAD_JWT_ISSUER", "iss-env", "iss-flag", func(c config.Config) any { return c.JWTIssuer }, "iss-env", "iss-flag"},
	{"jwt-audience", "MASTHEAD_JWT_AUDIENCE", "aud-env", "aud-flag", func(c config.Config) any { return c.JWTAudience }, "aud-env", "aud-flag"},
	{"jwt-leeway", "MASTHEAD_JWT_LEEWAY", "5s", "0s", func(c config.Config) any { return c.JWTLeeway }, 5 * time.Second, time.Duration(0)},
	{"jwt-max-ttl", "MASTHEAD_JWT_MAX_TTL", "2h", "12h", func(c config.Config) any { return c.JWTMaxTTL }, 2 * time.Hour, 12 * time.Hour},
	{"jwt-max-ttl-partner", "MASTHEAD_JWT_MAX_TTL_PARTNER", "720h", "17520h", func(c config.Config) any { return c.JWTMaxTTLPartner }, 720 * time.Hour, 17520 * time.Hour},
	{"cors-origins", "MASTHEAD_CORS_ORIGINS", " https://a.example, https://b.example ,", "https://f.example", func(c config.Config) any { return c.CORSOrigins }, []string{"https://a.example", "https://b.example"}, []string{"https://f.example"}},
	{"preview-words", "MASTHEAD_PREVIEW_WORDS", "80", "200", func(c config.Config) any { return c.PreviewWords }, 80, 200},
	{"public-url", "MASTHEAD_PUBLIC_URL", "https://env.example", "https://flag.example", func(c config.Config) any { return c.PublicURL }, "https://env.example", "https://flag.example"},
	{"subscribe-url", "MASTHEAD_SUBSCRIBE_URL", "https://env.example/s", "https://flag.example/s", func(c config.Config) any { return c.SubscribeURL }, "https://env.example/s", "https://flag.example/s"},
	{"login-url", "MASTHEAD_LOGIN_URL", "https://env.example/l", "https://flag.example/l", func(c config.Config) any { return c.LoginURL }, "https://env.example/l", "https://flag.example/l"},
	{"log-format", "MASTHEAD_LOG_FORMAT", "text", "json", func(c config.Config) any { return c.LogFormat }, "text", "json"},
	{"log-level", "MASTHEAD_LOG_LEVEL", "debug", "warn", func(c config.Config) any { return c.LogLevel }, "debug", "warn"},
	{"debug-addr", "MASTHEAD_DEBUG_ADDR", "127.0.0.1:6060", "[::1]:6061", func(c config.Config) any { return c.DebugAddr }, "127.0.0.1:6060", "[::1]:6061"},
	{"metrics-addr", "MASTHEAD_METRICS_ADDR", "127.0.0.1:9090", ":9091", func(c config.Config) any { return c.MetricsAddr }, "127.0.0.1:9090", ":9091"},
	{"metrics-token", "MASTHEAD_METRICS_TOKEN", strings.Repeat("e", 32), strings.Repeat("f", 40), func(c config.Config) any { return c.MetricsToken }, strings.Repeat("e", 32), strings.Repeat("f", 40)},
	{"body-limit", "MASTHEAD_BODY_LIMIT", "4M", "2M", func(c config.Config) any { return c.BodyLimit }, "4M", "2M"},
	{"upload-limit", "MASTHEAD_UPLOAD_LIMIT", "5M", "512K", func(c config.Config) any { return c.UploadLimit }, int64(5 << 20), int64(512 << 10)},
	{"upload-max-decoded-bytes", "MASTHEAD_UPLOAD_MAX_DECODED_BYTES", "512M", "64M", func(c config.Config) any { return c.UploadMaxDecoded }, int64(512 << 20), int64(64 << 20)},
	{"upload-decodes", "MASTHEAD_UPLOAD_DECODES", "4", "1", func(c config.Config) any { return c.UploadDecodes }, 4, 1},
	{"read-timeout", "MASTHEAD_READ_TIMEOUT", "30s", "1m", func(c config.Config) any { return c.ReadTimeout }, 30 * time.Second, time.Minute},
	{"request-timeout", "MASTHEAD_REQUEST_TIMEOUT", "20s", "5s", func(c config.Config) any { return c.RequestTimeout }, 20 * time.Second, 5 * time.Second},
	{"shutdown-timeout", "MASTHEAD_SHUTDOWN_TIMEOUT", "45s", "2m", func(c config.Config) any { return c.ShutdownTimeout }, 45 * time.Second, 2 * time.Minute},
	{"cache-ttl", "MASTHEAD_CACHE_TTL", "0s", "1m", func(c config.Config) any { return c.CacheTTL }, time.Duration(0), time.Minute},
	{"cache-size", "MASTHEAD_CACHE_SIZE", "8M", "1G", func(c config.Config) any { return c.CacheSize }, int64(8 << 20), int64(1 << 30)},
	{"meter-free", "MASTHEAD_METER_FREE", "3", "2", func(c config.Config) any { return c.MeterFree }, 3, 2},
	{"comments-report-threshold", "MASTHEAD_COMMENTS_REPORT_THRESHOLD", "5", "2", func(c config.Config) any { return c.CommentReportThreshold }, 5, 2},
	{"comments-moderation", "MASTHEAD_COMMENTS_MODERATION", "pre", "post", func(c config.Config) any { return c.CommentsModeration }, "pre", "post"},
	{"guest-comments", "MASTHEAD_GUEST_COMMENTS", "true", "false", func(c config.Config) any { return c.GuestComments }, true, false},
	{"comments-close-days", "MASTHEAD_COMMENTS_CLOSE_DAYS", "30", "7", func(c config.Config) any { return c.CommentsCloseDays }, 30, 7},
	{"comments-max-depth", "MASTHEAD_COMMENTS_MAX_DEPTH", "3", "8", func(c config.Config) any { return c.CommentsMaxDepth }, 3, 8},
	{"comments-max-links", "MASTHEAD_COMMENTS_MAX_LINKS", "0", "5", func(c config.Config) any { return c.CommentsMaxLinks }, 0, 5},
	{"comments-banned-words", "MASTHEAD_COMMENTS_BANNED_WORDS", "foo, bar", "baz", func(c config.Config) any { return c.CommentsBannedWords }, []string{"foo", "bar"}, []string{"baz"}},
	{"comments-suspect-words", "MASTHEAD_COMMENTS_SUSPECT_WORDS", "win,prize", "free", func(c config.Config) any { return c.CommentsSuspectWords }, []string{"win", "prize"}, []string{"free"}},
	{"comments-rate-account", "MASTHEAD_COMMENTS_RATE_ACCOUNT", "7", "9", func(c config.Config) any { return c.CommentsRateAccount }, 7, 9},
	{"comments-rate-ip", "MASTHEAD_COMMENTS_RATE_IP", "20", "30", func(c config.Config) any { return c.CommentsRateIP }, 20, 30},
	{"access-ttl", "MASTHEAD_ACCESS_TTL", "5m", "10m", func(c config.Config) any { return c.AccessTTL }, 5 * time.Minute, 10 * time.Minute},
	{"refresh-ttl", "MASTHEAD_REFRESH_TTL", "48h", "96h", func(c config.Config) any { return c.RefreshTTL }, 48 * time.Hour, 96 * time.Hour},
	{"login-failures-account", "MASTHEAD_LOGIN_FAILURES_ACCOUNT", "50", "200", func(c config.Config) any { return c.LoginFailuresAccount }, 50, 200},
	{"jwks-url", "MASTHEAD_JWKS_URL", "https://env.example/jwks.json", "https://flag.example/jwks.json", func(c config.Config) any { return c.JWKSURL }, "https://env.example/jwks.json", "https://flag.example/jwks.json"},
	{"jwks-issuer", "MASTHEAD_JWKS_ISSUER", "https://env.example", "https://flag.example", func(c config.Config) any { return c.JWKSIssuer }, "https://env.example", "https://flag.example"},
	{"jwks-audience", "MASTHEAD_JWKS_AUDIENCE", "aud-env", "aud-flag", func(c config.Config) any { return c.JWKSAudience }, "aud-env", "aud-flag"},
	{"jwks-algorithms", "MASTHEAD_JWKS_ALGORITHMS", "RS256, PS256", "ES384", func(c config.Config) any { return c.JWKSAlgorithms }, []string{"RS256", "PS256"}, []string{"ES384"}},
	{"jwks-role-claim", "MASTHEAD_JWKS_ROLE_CLAIM", "entitlements", "plan.tier", func(c config.Config) any { return c.JWKSRoleClaim }, "entitlements", "plan.tier"},
	{"jwks-subscriber-values", "MASTHEAD_JWKS_SUBSCRIBER_VALUES", "premium, digital", "all-access", func(c config.Config) any { return c.JWKSSubscriberValues }, []string{"premium", "digital"}, []string{"all-access"}},
	{"jwks-default-role", "MASTHEAD_JWKS_DEFAULT_ROLE", "subscriber", "reader", func(c config.Config) any { return c.JWKSDefaultRole }, "subscriber", "reader"},
	{"scheduler-interval", "MASTHEAD_SCHEDULER_INTERVAL", "30s", "2s", func(c config.Config) any { return c.SchedulerInterval }, 30 * time.Second, 2 * time.Second},
	{"webhook-allow", "MASTHEAD_WEBHOOK_ALLOW", "10.0.0.0/8", "hooks.internal, 127.0.0.1", func(c config.Config) any { return c.WebhookAllow }, []string{"10.0.0.0/8"}, []string{"hooks.internal", "127.0.0.1"}},
	{"rate-limit-anon", "MASTHEAD_RATE_LIMIT_ANON", "0", "50", func(c config.Config) any { return c.RateLimitAnon }, 0, 50},
	{"rate-limit-partner", "MASTHEAD_RATE_LIMIT_PARTNER", "50", "70", func(c config.Config) any { return c.RateLimitPartner }, 50, 70},
	{"partner-token-ttl", "MASTHEAD_PARTNER_TOKEN_TTL", "720h", "48h", func(c config.Config) any { return c.PartnerTokenTTL }, 720 * time.Hour, 48 * time.Hour},
	{"redis-url", "MASTHEAD_REDIS_URL", "redis://:pw@cache:6379/2", "redis://other:6379", func(c config.Config) any { return c.RedisURL }, "redis://:pw@cache:6379/2", "redis://other:6379"},
	{"media-storage", "MASTHEAD_MEDIA_STORAGE", "s3", "fs", func(c config.Config) any { return c.MediaStorage }, "s3", "fs"},
	{"media-s3-endpoint", "MASTHEAD_MEDIA_S3_ENDPOINT", "s3.env.example", "minio.flag:9000", func(c config.Config) any { return c.MediaS3Endpoint }, "s3.env.example", "minio.flag:9000"},
	{"media-s3-bucket", "MASTHEAD_MEDIA_S3_BUCKET", "photos-env", "photos-flag", func(c config.Config) any { return c.MediaS3Bucket }, "photos-env", "photos-flag"},
	{"media-s3-region", "MASTHEAD_MEDIA_S3_REGION", "eu-west-3", "us-east-1", func(c config.Config) any { return c.MediaS3Region }, "eu-west-3", "us-east-1"},
	{"media-s3-access-key-id", "MASTHEAD_MEDIA_S3_ACCESS_KEY_ID", "AKIAENV", "AKIAFLAG", func(c config.Config) any { return c.MediaS3AccessKeyID }, "AKIAENV", "AKIAFLAG"},
	{"media-s3-secret-access-key", "MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY", "secret-env", "secret-flag", func(c config.Config) any { return c.MediaS3SecretAccessKey }, "secret-env", "secret-flag"},
	{"media-s3-tls", "MASTHEAD_MEDIA_S3_TLS", "false", "true", func(c config.Config) any { return c.MediaS3TLS }, false, true},
	{"media-s3-path-style", "MASTHEAD_MEDIA_S3_PATH_STYLE", "true", "false", func(c config.Config) any { return c.MediaS3PathStyle }, true, false},
	{"media-public-url", "MASTHEAD_MEDIA_PUBLIC_URL", "https://cdn.env.example/m/", "https://flag.example/media/", func(c config.Config) any { return c.MediaPublicURL }, "https://cdn.env.example/m/", "https://flag.example/media/"},
}

func caseFor(t *testing.T, flag string) settingCase {
	t.Helper()
	for _, tc := range settingCases {
		if tc.flag == flag {
			return tc
		}
	}
	t.Fatalf("no case for %s", flag)
	return settingCase{}
}

// bindOnly binds the one setting, as a command naming only it would.
func bindOnly(t *testing.T, name string, env map[string]string, args ...string) (config.Config, error) {
	t.Helper()
	c := config.Defaults()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Bind(fs, func(k string) string { return env[k] }, name); err != nil {
		return c, err
	}
	return c, fs.Parse(args)
}

func TestEverySettingHasACase(t *testing.T) {
	var table, cases []string
	for _, s := range config.Settings() {
		table = append(table, s.Flag+" "+s.Env)
	}
	for _, tc := range settingCases {
		cases = append(cases, tc.flag+" "+tc.env)
	}
	slices.Sort(table)
	slices.Sort(cases)
	// Flags and variables are a contract with deployments: a rename fails here.
	if !slices.Equal(table, cases) {
		t.Errorf("settings and cases differ:\ntable %q\ncases %q", table, cases)
	}
}

func TestEachSettingFromEnvAndFlag(t *testing.T) {
	def := config.Defaults()
	for _, tc := range settingCases {
		t.Run(tc.flag, func(t *testing.T) {
			if reflect.DeepEqual(tc.envWant, tc.get(def)) || reflect.DeepEqual(tc.envWant, tc.flagWant) {
				t.Fatalf("case cannot fail: env %v, flag %v, default %v", tc.envWant, tc.flagWant, tc.get(def))
			}
			env := map[string]string{tc.env: tc.envVal}

			c, err := bindOnly(t, tc.flag, env)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c); !reflect.DeepEqual(got, tc.envWant) {
				t.Errorf("from %s=%q: %#v, want %#v", tc.env, tc.envVal, got, tc.envWant)
			}

			c, err = bindOnly(t, tc.flag, nil, "--"+tc.flag+"="+tc.flagVal)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c); !reflect.DeepEqual(got, tc.flagWant) {
				t.Errorf("from --%s=%s: %#v, want %#v", tc.flag, tc.flagVal, got, tc.flagWant)
			}

			// defaults < environment < flag.
			c, err = bindOnly(t, tc.flag, env, "--"+tc.flag+"="+tc.flagVal)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c); !reflect.DeepEqual(got, tc.flagWant) {
				t.Errorf("flag under %s: %#v, want the flag's %#v", tc.env, got, tc.flagWant)
			}

			// Not bound: neither the variable nor the flag reaches it.
			other := "addr"
			if tc.flag == other {
				other = "data"
			}
			c, err = bindOnly(t, other, env)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c); !reflect.DeepEqual(got, tc.get(def)) {
				t.Errorf("unbound, took %s: %#v", tc.env, got)
			}
			if _, err := bindOnly(t, other, nil, "--"+tc.flag+"="+tc.flagVal); err == nil {
				t.Errorf("unbound --%s accepted", tc.flag)
			}
		})
	}
}

func TestUnparsableValuesNameTheirSource(t *testing.T) {
	for _, tc := range []struct{ flag, env, bad string }{
		{"demo", "MASTHEAD_DEMO", "maybe"},
		{"preview-words", "MASTHEAD_PREVIEW_WORDS", "many"},
		{"upload-limit", "MASTHEAD_UPLOAD_LIMIT", "lots"},
		{"access-ttl", "MASTHEAD_ACCESS_TTL", "soon"},
	} {
		_, err := bindOnly(t, tc.flag, map[string]string{tc.env: tc.bad})
		if err == nil || !strings.Contains(err.Error(), tc.env) {
			t.Errorf("%s=%s: err = %v", tc.env, tc.bad, err)
		}
		_, err = bindOnly(t, tc.flag, nil, "--"+tc.flag+"="+tc.bad)
		if err == nil || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("--%s=%s: err = %v", tc.flag, tc.bad, err)
		}
	}
}

func TestBoolFlagsTakeNoValue(t *testing.T) {
	c, err := bindOnly(t, "demo", nil, "--demo")
	if err != nil || !c.Demo {
		t.Errorf("--demo: %v %v", c.Demo, err)
	}
	c, err = bindOnly(t, "guest-comments", map[string]string{"MASTHEAD_GUEST_COMMENTS": "false"}, "-guest-comments")
	if err != nil || !c.GuestComments {
		t.Errorf("-guest-comments: %v %v", c.GuestComments, err)
	}
}

func TestBindRefusesUnknownAndRepeatedNames(t *testing.T) {
	c := config.Defaults()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	err := c.Bind(fs, func(string) string { return "" }, "addr", "adress")
	if err == nil || !strings.Contains(err.Error(), `"adress"`) {
		t.Errorf("unknown name: %v", err)
	}
	if fs.Lookup("addr") == nil {
		t.Error("the known name was not bound beside the unknown one")
	}
	if err := c.Bind(fs, func(string) string { return "" }, "addr"); err == nil || !strings.Contains(err.Error(), "addr") {
		t.Errorf("bound twice: %v", err)
	}
}

func TestTableRows(t *testing.T) {
	flags, envs := map[string]bool{}, map[string]bool{}
	flagName := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	envName := regexp.MustCompile(`^MASTHEAD_[A-Z0-9_]+$`)
	for _, s := range config.Settings() {
		if flags[s.Flag] {
			t.Errorf("flag %s twice", s.Flag)
		}
		if envs[s.Env] {
			t.Errorf("variable %s twice", s.Env)
		}
		flags[s.Flag], envs[s.Env] = true, true
		if !flagName.MatchString(s.Flag) || !envName.MatchString(s.Env) {
			t.Errorf("%s %s: not a flag and a MASTHEAD_ variable", s.Flag, s.Env)
		}
		if strings.TrimSpace(s.Usage) == "" {
			t.Errorf("%s: no usage", s.Flag)
		}
	}
	// No secret's _FILE twin is another setting's variable.
	for _, s := range config.Settings() {
		if s.Secret != nil && envs[s.Env+"_FILE"] {
			t.Errorf("%s_FILE is also a setting", s.Env)
		}
	}
	if !slices.Equal(config.Names(), slices.Collect(func(yield func(string) bool) {
		for _, s := range config.Settings() {
			if !yield(s.Flag) {
				return
			}
		}
	})) {
		t.Errorf("Names() = %q is not the table's flags", config.Names())
	}
}

// urlSecrets are the secret settings that are URLs carrying a password,
// masked by MaskURL; the other secrets are hidden whole (MaskAll).
var urlSecrets = []string{"db", "jwks-url", "redis-url"}

func TestSecretsAreTheURLsThatCarryPasswordsAndTheKeys(t *testing.T) {
	var secret []string
	for _, s := range config.Settings() {
		if s.Secret != nil {
			secret = append(secret, s.Flag)
		}
	}
	if want := []string{"db", "metrics-token", "media-s3-secret-access-key", "jwks-url", "redis-url"}; !slices.Equal(secret, want) {
		t.Errorf("secret settings %q, want %q", secret, want)
	}
}

func TestSecretFiles(t *testing.T) {
	for _, s := range config.Settings() {
		if s.Secret == nil {
			continue
		}
		tc := caseFor(t, s.Flag)
		fileEnv := s.Env + "_FILE"
		t.Run(s.Flag, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "secret")
			if err := os.WriteFile(path, []byte(tc.envVal+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}

			c, err := bindOnly(t, s.Flag, map[string]string{fileEnv: path})
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c); !reflect.DeepEqual(got, tc.envWant) {
				t.Errorf("from %s: %#v, want %#v (newline trimmed)", fileEnv, got, tc.envWant)
			}

			// The flag still wins over the file.
			c, err = bindOnly(t, s.Flag, map[string]string{fileEnv: path}, "--"+s.Flag+"="+tc.flagVal)
			if err != nil || !reflect.DeepEqual(tc.get(c), tc.flagWant) {
				t.Errorf("flag over %s: %#v %v", fileEnv, tc.get(c), err)
			}

			_, err = bindOnly(t, s.Flag, map[string]string{fileEnv: path, s.Env: tc.envVal})
			if err == nil || !strings.Contains(err.Error(), s.Env+" ") || !strings.Contains(err.Error(), fileEnv) {
				t.Errorf("both set: %v", err)
			}

			missing := filepath.Join(dir, "missing")
			_, err = bindOnly(t, s.Flag, map[string]string{fileEnv: missing})
			if err == nil || !strings.Contains(err.Error(), fileEnv) || !strings.Contains(err.Error(), missing) {
				t.Errorf("missing file: %v", err)
			}

			empty := filepath.Join(dir, "empty")
			if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := bindOnly(t, s.Flag, map[string]string{fileEnv: empty}); err == nil || !strings.Contains(err.Error(), "empty") {
				t.Errorf("empty file: %v", err)
			}
		})
	}
	// A plain setting has no _FILE twin.
	path := filepath.Join(t.TempDir(), "addr")
	if err := os.WriteFile(path, []byte(":1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := bindOnly(t, "addr", map[string]string{"MASTHEAD_ADDR_FILE": path})
	if err != nil || c.Addr != config.Defaults().Addr {
		t.Errorf("MASTHEAD_ADDR_FILE was read: %q %v", c.Addr, err)
	}
}

func TestStringMasksEverySecret(t *testing.T) {
	for _, s := range config.Settings() {
		if s.Secret == nil {
			continue
		}
		t.Run(s.Flag, func(t *testing.T) {
			// ftp: invalid for the settings that are checked, so that
			// Validate's message shows the value too.
			raw := "ftp://svc:pw-in-userinfo@host.example:5432/x?sslmode=require&password=pw-in-query"
			// The S3 settings are in use (logged, checked) with s3 only.
			c, err := load(t, map[string]string{s.Env: raw, "MASTHEAD_MEDIA_STORAGE": "s3"})
			if err != nil {
				t.Fatal(err)
			}
			str := c.String()
			for _, leak := range []string{"pw-in-userinfo", "pw-in-query"} {
				if strings.Contains(str, leak) {
					t.Errorf("String() leaks %s: %s", leak, str)
				}
			}
			key := strings.ReplaceAll(s.Flag, "-", "_")
			want := key + "=ftp://svc:xxxxx@host.example:5432/x?sslmode=require&password=xxxxx"
			if !slices.Contains(urlSecrets, s.Flag) {
				want = key + "=xxxxx"
			}
			if !strings.Contains(str, want) {
				t.Errorf("String() lacks %s: %s", want, str)
			}
			if err := c.Validate(); err != nil && (strings.Contains(err.Error(), "pw-in-userinfo") || strings.Contains(err.Error(), "pw-in-query")) {
				t.Errorf("Validate leaks: %v", err)
			}
		})
	}
	// A value that is not a URL is hidden whole, not shown raw.
	c := config.Defaults()
	c.RedisURL = "redis://u:p%zz-secret@cache/0"
	if s := c.String(); strings.Contains(s, "zz-secret") || !strings.Contains(s, "redis_url=(unparsable)") {
		t.Errorf("unparsable URL: %s", s)
	}
	// Validate names the setting, masked.
	c.RedisURL = "http://:hunter2@cache:6379"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "redis-url=http://:xxxxx@cache:6379") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Validate: %v", err)
	}
}

func TestHelpMasksSecrets(t *testing.T) {
	// -h shows each flag's default, here taken from the environment.
	c := config.Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var out strings.Builder
	fs.SetOutput(&out)
	env := map[string]string{"MASTHEAD_DATABASE_URL": "postgres://u:pw-db@db/x", "MASTHEAD_REDIS_URL": "redis://:pw-redis@cache/0"}
	if err := c.Bind(fs, func(k string) string { return env[k] }, config.Names()...); err != nil {
		t.Fatal(err)
	}
	fs.PrintDefaults()
	if h := out.String(); strings.Contains(h, "pw-db") || strings.Contains(h, "pw-redis") || !strings.Contains(h, "(default postgres://u:xxxxx@db/x)") {
		t.Errorf("-h:\n%s", h)
	}
	if c.DatabaseURL != env["MASTHEAD_DATABASE_URL"] {
		t.Errorf("masking changed the value: %q", c.DatabaseURL)
	}
}

func TestMaskURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@db/x?sslmode=disable": "postgres://u:xxxxx@db/x?sslmode=disable",
		"postgres://u@db/x?Password=pw&a=b":    "postgres://u@db/x?Password=xxxxx&a=b",
		"redis://:pw@cache:6379/0":             "redis://:xxxxx@cache:6379/0",
		"./data/masthead.db":                   "./data/masthead.db",
		"https://id.example/jwks.json":         "https://id.example/jwks.json",
		"":                                     "",
		"postgres://u:p%zz@db/x":               "(unparsable)",
	} {
		if got := config.MaskURL(in); got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewTimeoutAndCacheSettings(t *testing.T) {
	for _, tc := range []struct {
		env, val, want string
	}{
		{"MASTHEAD_READ_TIMEOUT", "500ms", "read-timeout"},
		{"MASTHEAD_READ_TIMEOUT", "2h", "read-timeout"},
		{"MASTHEAD_REQUEST_TIMEOUT", "0s", "request-timeout"},
		{"MASTHEAD_REQUEST_TIMEOUT", "11m", "request-timeout"},
		{"MASTHEAD_CACHE_TTL", "-1s", "cache-ttl"},
		{"MASTHEAD_CACHE_TTL", "11m", "cache-ttl"},
		{"MASTHEAD_CACHE_SIZE", "512K", "cache-size"},
		{"MASTHEAD_BODY_LIMIT", "lots", "body-limit"},
		{"MASTHEAD_BODY_LIMIT", "2G", "body-limit"},
	} {
		c, err := load(t, map[string]string{tc.env: tc.val})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: Validate says %v", tc.env, tc.val, err)
		}
	}
	c, err := load(t, map[string]string{"MASTHEAD_CACHE_TTL": "0", "MASTHEAD_REQUEST_TIMEOUT": "1s", "MASTHEAD_READ_TIMEOUT": "1h"})
	if err != nil || c.Validate() != nil {
		t.Errorf("limits refused: %v %v", err, c.Validate())
	}
}

// The debug listener shows goroutine stacks, heap profiles and the command
// line: it may listen on loopback only.
func TestDebugAddrIsLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{
		"":                   true, // off
		"127.0.0.1:6060":     true,
		"127.0.0.2:0":        true,
		"[::1]:6060":         true,
		"localhost:6060":     true,
		":6060":              false, // every interface
		"0.0.0.0:6060":       false,
		"[::]:6060":          false,
		"192.168.1.10:6060":  false,
		"debug.example:6060": false,
		"[::1%lo]:6060":      false,
		"127.0.0.1":          false, // no port
	} {
		c, err := load(t, map[string]string{"MASTHEAD_DEBUG_ADDR": addr})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		if ok && err != nil {
			t.Errorf("%q refused: %v", addr, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "debug-addr")) {
			t.Errorf("%q: Validate says %v", addr, err)
		}
	}
}

func TestStringLogsEverySettingInUse(t *testing.T) {
	c := config.Defaults()
	s := c.String()
	for _, st := range config.Settings() {
		key := strings.ReplaceAll(st.Flag, "-", "_") + "="
		// Those of an external issuer and of an S3 store are logged only
		// when one is configured.
		isJWKS := strings.HasPrefix(st.Flag, "jwks-") || strings.HasPrefix(st.Flag, "media-s3-")
		if strings.Contains(s, " "+key) || strings.HasPrefix(s, key) {
			if isJWKS {
				t.Errorf("%s logged without jwks-url", key)
			}
		} else if !isJWKS {
			t.Errorf("%s not logged: %s", key, s)
		}
	}
	for _, want := range []string{"upload_limit=20M", "body_limit=1M", "request_timeout=10s", "cors_origins=[]", "comments_moderation=trusted"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %s: %s", want, s)
		}
	}
}

// An S3 store is checked at start: what it needs, and values that cannot
// work, refuse to start with the setting named. The bucket's existence is
// checked when the store is built (media.NewBucket), not here.
func TestMediaStorageSettings(t *testing.T) {
	s3 := map[string]string{
		"MASTHEAD_MEDIA_STORAGE": "s3", "MASTHEAD_MEDIA_S3_ENDPOINT": "minio.internal:9000", "MASTHEAD_MEDIA_S3_BUCKET": "photos",
		"MASTHEAD_MEDIA_S3_ACCESS_KEY_ID": "AKIA", "MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY": "hunter2-s3",
	}
	with := func(k, v string) map[string]string {
		m := maps.Clone(s3)
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	c, err := load(t, s3)
	if err != nil || c.Validate() != nil {
		t.Fatalf("valid S3 settings refused: %v %v", err, c.Validate())
	}
	if str := c.String(); strings.Contains(str, "hunter2-s3") || !strings.Contains(str, "media_s3_secret_access_key=xxxxx") ||
		!strings.Contains(str, "media_s3_bucket=photos") || !strings.Contains(str, "media_s3_tls=true") {
		t.Errorf("String(): %s", str)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"MASTHEAD_MEDIA_STORAGE": "nfs"}, "media-storage=nfs: fs or s3"},
		{with("MASTHEAD_MEDIA_S3_BUCKET", ""), "media-s3-bucket=: required with media-storage=s3"},
		{with("MASTHEAD_MEDIA_S3_ENDPOINT", ""), "media-s3-endpoint=: required with media-storage=s3"},
		{with("MASTHEAD_MEDIA_S3_ENDPOINT", "https://s3.example"), "media-s3-endpoint=https://s3.example: must be a host or host:port, without scheme"},
		{with("MASTHEAD_MEDIA_S3_ENDPOINT", "s3.example/bucket"), "media-s3-endpoint"},
		{with("MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY", ""), "media-s3-access-key-id=AKIA: set with media-s3-secret-access-key"},
		{with("MASTHEAD_MEDIA_PUBLIC_URL", "cdn.example/media"), "media-public-url=cdn.example/media: must be an absolute http(s) URL"},
		{with("MASTHEAD_MEDIA_PUBLIC_URL", "https://cdn.example/m?v=1"), "media-public-url"},
	} {
		c, err := load(t, tc.env)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: Validate says %v, want %q", tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2-s3") {
			t.Errorf("Validate leaks the secret: %v", err)
		}
	}
	// With fs, the S3 settings are neither checked nor logged.
	c, err = load(t, map[string]string{"MASTHEAD_MEDIA_S3_ENDPOINT": "https://wrong", "MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY": "hunter2-s3"})
	if err != nil || c.Validate() != nil || strings.Contains(c.String(), "media_s3") {
		t.Errorf("fs checks or logs S3 settings: %v %v %s", err, c.Validate(), c.String())
	}
}

// The metrics settings: an address with a port, a token long enough, and
// the token never in what the configuration logs or says about an error.
func TestMetricsSettings(t *testing.T) {
	for _, tc := range []struct {
		env, val string
		ok       bool
	}{
		{"MASTHEAD_METRICS_ADDR", "127.0.0.1:9090", true},
		{"MASTHEAD_METRICS_ADDR", ":9090", true},
		{"MASTHEAD_METRICS_ADDR", "9090", false},
		{"MASTHEAD_METRICS_TOKEN", strings.Repeat("s", 32), true},
		{"MASTHEAD_METRICS_TOKEN", "short-secret-token", false},
	} {
		c, err := load(t, map[string]string{tc.env: tc.val})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		if tc.ok != (err == nil) {
			t.Errorf("%s=%s: Validate says %v", tc.env, tc.val, err)
		}
		if err != nil && strings.Contains(err.Error(), "short-secret-token") {
			t.Errorf("the error shows the token: %v", err)
		}
		if strings.Contains(c.String(), strings.Repeat("s", 32)) {
			t.Errorf("the configuration shows the token: %s", c.String())
		}
	}
}
