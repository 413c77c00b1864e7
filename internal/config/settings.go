package config

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// settings is the table: one row per setting. Adding a setting is a field
// in Config and a row here; serve binds every row, other commands the ones
// they name. The README's configuration table follows this one.
var settings = []Setting{
	{
		Flag: "addr", Env: "MASTHEAD_ADDR", Default: "127.0.0.1:8080",
		Usage: "address to listen on",
		field: text(func(c *Config) *string { return &c.Addr }),
		check: func(c Config) error { return hostPort(c.Addr) },
	},
	{
		Flag: "data", Env: "MASTHEAD_DATA", Default: "./data",
		Usage: "data folder: SQLite file, signing key, media",
		field: text(func(c *Config) *string { return &c.DataDir }),
		check: func(c Config) error { return required(c.DataDir, "a folder is required") },
	},
	{
		Flag: "db", Env: "MASTHEAD_DATABASE_URL", Secret: MaskURL,
		Usage: "database: a SQLite path, or postgres://… (default: SQLite in the data folder)",
		field: text(func(c *Config) *string { return &c.DatabaseURL }),
	},
	{
		Flag: "demo", Env: "MASTHEAD_DEMO",
		Usage: "load demo content into an empty database and print tokens",
		field: boolean(func(c *Config) *bool { return &c.Demo }),
	},
	{
		Flag: "jwt-key-file", Env: "MASTHEAD_JWT_KEY_FILE",
		Usage: "Ed25519 signing key, PKCS #8 PEM (default: made in the data folder)",
		field: text(func(c *Config) *string { return &c.JWTKeyFile }),
	},
	{
		Flag: "jwt-issuer", Env: "MASTHEAD_JWT_ISSUER", Default: "masthead",
		Usage: "iss of tokens we issue and accept",
		field: text(func(c *Config) *string { return &c.JWTIssuer }),
		check: func(c Config) error { return required(c.JWTIssuer, "must not be empty") },
	},
	{
		Flag: "jwt-audience", Env: "MASTHEAD_JWT_AUDIENCE", Default: "masthead",
		Usage: "aud of tokens we issue and accept",
		field: text(func(c *Config) *string { return &c.JWTAudience }),
		check: func(c Config) error { return required(c.JWTAudience, "must not be empty") },
	},
	{
		Flag: "jwt-leeway", Env: "MASTHEAD_JWT_LEEWAY", Default: "30s",
		Usage: "clock skew tolerated on the exp, nbf and iat of tokens we verify, e.g. 30s",
		field: duration(func(c *Config) *time.Duration { return &c.JWTLeeway }),
		check: func(c Config) error { return within(c.JWTLeeway, 0, 5*time.Minute, "0 and 5m") },
	},
	{
		Flag: "jwt-max-ttl", Env: "MASTHEAD_JWT_MAX_TTL", Default: "24h",
		Usage: "longest lifetime (exp - iat) of a reader, subscriber, editor or admin token, ours or an external issuer's, e.g. 24h",
		field: duration(func(c *Config) *time.Duration { return &c.JWTMaxTTL }),
		check: func(c Config) error { return within(c.JWTMaxTTL, time.Minute, 8760*time.Hour, "1m and 8760h") },
	},
	{
		Flag: "jwt-max-ttl-partner", Env: "MASTHEAD_JWT_MAX_TTL_PARTNER", Default: "8760h",
		Usage: "longest lifetime (exp - iat) of a partner token, e.g. 8760h",
		field: duration(func(c *Config) *time.Duration { return &c.JWTMaxTTLPartner }),
		check: func(c Config) error { return within(c.JWTMaxTTLPartner, time.Hour, 10*8760*time.Hour, "1h and 87600h") },
	},
	{
		Flag: "cors-origins", Env: "MASTHEAD_CORS_ORIGINS",
		Usage: "comma-separated origins allowed by CORS, exactly (empty: none; *: any, without credentials)",
		field: list(func(c *Config) *[]string { return &c.CORSOrigins }),
		check: func(c Config) error { return origins(c.CORSOrigins) },
	},
	{
		Flag: "preview-words", Env: "MASTHEAD_PREVIEW_WORDS", Default: "120",
		Usage: "word budget of the paywall preview, applied when articles are written",
		field: integer(func(c *Config) *int { return &c.PreviewWords }),
		check: func(c Config) error { return within(c.PreviewWords, 10, 5000, "10 and 5000") },
	},
	{
		Flag: "public-url", Env: "MASTHEAD_PUBLIC_URL", Default: "https://publisher.example",
		Usage: "the publisher's site, base of canonical URLs",
		field: text(func(c *Config) *string { return &c.PublicURL }),
		check: func(c Config) error { return httpURL(c.PublicURL) },
	},
	{
		Flag: "subscribe-url", Env: "MASTHEAD_SUBSCRIBE_URL", Default: "https://publisher.example/subscribe",
		Usage: "where the paywall sends readers to subscribe",
		field: text(func(c *Config) *string { return &c.SubscribeURL }),
		check: func(c Config) error { return httpURL(c.SubscribeURL) },
	},
	{
		Flag: "login-url", Env: "MASTHEAD_LOGIN_URL", Default: "https://publisher.example/login",
		Usage: "where the paywall sends readers to log in",
		field: text(func(c *Config) *string { return &c.LoginURL }),
		check: func(c Config) error { return httpURL(c.LoginURL) },
	},
	{
		Flag: "log-format", Env: "MASTHEAD_LOG_FORMAT", Default: "json",
		Usage: "json or text",
		field: text(func(c *Config) *string { return &c.LogFormat }),
		check: func(c Config) error { return oneOf(c.LogFormat, "json", "text") },
	},
	{
		Flag: "log-level", Env: "MASTHEAD_LOG_LEVEL", Default: "info",
		Usage: "debug, info, warn or error",
		field: text(func(c *Config) *string { return &c.LogLevel }),
		check: func(c Config) error { return oneOf(c.LogLevel, "debug", "info", "warn", "error") },
	},
	{
		Flag: "debug-addr", Env: "MASTHEAD_DEBUG_ADDR",
		Usage: "loopback address serving /debug/pprof/ and /debug/vars on their own listener, e.g. 127.0.0.1:6060 (empty: off)",
		field: text(func(c *Config) *string { return &c.DebugAddr }),
		check: func(c Config) error { return loopback(c.DebugAddr) },
	},
	{
		Flag: "metrics-addr", Env: "MASTHEAD_METRICS_ADDR",
		Usage: "address serving Prometheus metrics at /metrics on their own listener, e.g. 127.0.0.1:9090 (empty: off)",
		field: text(func(c *Config) *string { return &c.MetricsAddr }),
		check: func(c Config) error { return hostPort(c.MetricsAddr) },
	},
	{
		Flag: "metrics-token", Env: "MASTHEAD_METRICS_TOKEN", Secret: maskToken,
		Usage: "bearer token that also opens /metrics on the public port, at least 32 characters (empty: not served there)",
		field: text(func(c *Config) *string { return &c.MetricsToken }),
		check: func(c Config) error {
			if c.MetricsToken != "" && len(c.MetricsToken) < 32 {
				return errors.New("must be at least 32 characters")
			}
			return nil
		},
	},
	{
		Flag: "body-limit", Env: "MASTHEAD_BODY_LIMIT", Default: "1M",
		Usage: "largest request body, e.g. 1M (K, M, G: powers of 1024)",
		field: text(func(c *Config) *string { return &c.BodyLimit }),
		check: func(c Config) error {
			n, err := ParseSize(c.BodyLimit)
			if err != nil {
				return err
			}
			return within(n, 1<<10, 1<<30, "1K and 1G")
		},
	},
	{
		Flag: "upload-limit", Env: "MASTHEAD_UPLOAD_LIMIT", Default: "20M",
		Usage: "largest photo upload, e.g. 20M (K, M, G: powers of 1024)",
		field: size(func(c *Config) *int64 { return &c.UploadLimit }),
		check: func(c Config) error { return within(c.UploadLimit, 1<<10, 1<<30, "1K and 1G") },
	},
	{
		// 256M takes a 24-megapixel baseline camera JPEG (185–220 MiB by this
		// count) and refuses a 7000×7000 16-bit PNG (443 MiB); see media.Cost.
		Flag: "upload-max-decoded-bytes", Env: "MASTHEAD_UPLOAD_MAX_DECODED_BYTES", Default: "256M",
		Usage: "most memory one photo upload may need once decoded, estimated from its header before decoding (width × height × bytes per pixel, with the decoder's and the resizer's buffers), e.g. 256M",
		field: size(func(c *Config) *int64 { return &c.UploadMaxDecoded }),
		check: func(c Config) error { return within(c.UploadMaxDecoded, 1<<20, 16<<30, "1M and 16G") },
	},
	{
		Flag: "upload-decodes", Env: "MASTHEAD_UPLOAD_DECODES", Default: "2",
		Usage: "photo uploads decoded at once; others wait for a slot until their deadline (1–64)",
		field: integer(func(c *Config) *int { return &c.UploadDecodes }),
		check: func(c Config) error { return within(c.UploadDecodes, 1, 64, "1 and 64") },
	},
	{
		Flag: "media-storage", Env: "MASTHEAD_MEDIA_STORAGE", Default: "fs",
		Usage: "where photos are kept: fs (the media folder in the data folder) or s3 (an S3-compatible bucket that every process shares)",
		field: text(func(c *Config) *string { return &c.MediaStorage }),
		check: func(c Config) error { return oneOf(c.MediaStorage, "fs", "s3") },
	},
	{
		Flag: "media-s3-endpoint", Env: "MASTHEAD_MEDIA_S3_ENDPOINT", when: s3On,
		Usage: "host or host:port of the S3-compatible server, without scheme, e.g. s3.eu-west-3.amazonaws.com (required with media-storage=s3)",
		field: text(func(c *Config) *string { return &c.MediaS3Endpoint }),
		check: func(c Config) error { return endpoint(c.MediaS3Endpoint) },
	},
	{
		Flag: "media-s3-bucket", Env: "MASTHEAD_MEDIA_S3_BUCKET", when: s3On,
		Usage: "bucket of the photos, which must exist: Masthead does not create it (required with media-storage=s3)",
		field: text(func(c *Config) *string { return &c.MediaS3Bucket }),
		check: func(c Config) error { return required(c.MediaS3Bucket, "required with media-storage=s3") },
	},
	{
		Flag: "media-s3-region", Env: "MASTHEAD_MEDIA_S3_REGION", when: s3On,
		Usage: "region of the bucket, e.g. eu-west-3 (empty: asked of the server)",
		field: text(func(c *Config) *string { return &c.MediaS3Region }),
	},
	{
		Flag: "media-s3-access-key-id", Env: "MASTHEAD_MEDIA_S3_ACCESS_KEY_ID", when: s3On,
		Usage: "access key ID that signs the requests to the bucket (empty, with no secret: unsigned requests)",
		field: text(func(c *Config) *string { return &c.MediaS3AccessKeyID }),
		check: func(c Config) error {
			if (c.MediaS3AccessKeyID == "") != (c.MediaS3SecretAccessKey == "") {
				return errors.New("set with media-s3-secret-access-key, or neither")
			}
			return nil
		},
	},
	{
		Flag: "media-s3-secret-access-key", Env: "MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY", Secret: MaskAll, when: s3On,
		Usage: "secret access key that goes with media-s3-access-key-id",
		field: text(func(c *Config) *string { return &c.MediaS3SecretAccessKey }),
	},
	{
		Flag: "media-s3-tls", Env: "MASTHEAD_MEDIA_S3_TLS", Default: "true", when: s3On,
		Usage: "reach the S3 server over https (false: plain http, for a server on a private network)",
		field: boolean(func(c *Config) *bool { return &c.MediaS3TLS }),
	},
	{
		Flag: "media-s3-path-style", Env: "MASTHEAD_MEDIA_S3_PATH_STYLE", when: s3On,
		Usage: "address the bucket as endpoint/bucket/key instead of bucket.endpoint/key (MinIO, Ceph, Garage and most self-hosted servers)",
		field: boolean(func(c *Config) *bool { return &c.MediaS3PathStyle }),
	},
	{
		Flag: "media-public-url", Env: "MASTHEAD_MEDIA_PUBLIC_URL",
		Usage: "base URL where clients fetch photos directly, a public bucket or a CDN, e.g. https://cdn.example/media/ (empty: from this server's /media/)",
		field: text(func(c *Config) *string { return &c.MediaPublicURL }),
		check: func(c Config) error {
			if c.MediaPublicURL == "" {
				return nil
			}
			if err := httpURL(c.MediaPublicURL); err != nil {
				return err
			}
			if p, _ := url.Parse(c.MediaPublicURL); p.RawQuery != "" || p.Fragment != "" {
				return errors.New("must have no query or fragment: file keys are appended to it")
			}
			return nil
		},
	},
	{
		Flag: "read-timeout", Env: "MASTHEAD_READ_TIMEOUT", Default: "10s",
		Usage: "longest time to read a whole request, body included, e.g. 10s",
		field: duration(func(c *Config) *time.Duration { return &c.ReadTimeout }),
		check: func(c Config) error { return within(c.ReadTimeout, time.Second, time.Hour, "1s and 1h") },
	},
	{
		Flag: "request-timeout", Env: "MASTHEAD_REQUEST_TIMEOUT", Default: "10s",
		Usage: "longest a request may run before its work is cancelled (photo uploads: at least 60s), e.g. 10s",
		field: duration(func(c *Config) *time.Duration { return &c.RequestTimeout }),
		check: func(c Config) error { return within(c.RequestTimeout, time.Second, 10*time.Minute, "1s and 10m") },
	},
	{
		Flag: "shutdown-timeout", Env: "MASTHEAD_SHUTDOWN_TIMEOUT", Default: "30s",
		Usage: "longest the drain after SIGTERM or SIGINT may take: requests in flight are answered, new connections refused, e.g. 30s",
		field: duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
		check: func(c Config) error { return within(c.ShutdownTimeout, time.Second, 10*time.Minute, "1s and 10m") },
	},
	{
		Flag: "cache-ttl", Env: "MASTHEAD_CACHE_TTL", Default: "5s",
		Usage: "how long an encoded public read is reused; writes in this process invalidate at once (0: no cache), e.g. 5s",
		field: duration(func(c *Config) *time.Duration { return &c.CacheTTL }),
		check: func(c Config) error { return within(c.CacheTTL, 0, 10*time.Minute, "0 (no cache) and 10m") },
	},
	{
		Flag: "cache-size", Env: "MASTHEAD_CACHE_SIZE", Default: "64M",
		Usage: "memory the response cache may hold, bodies and their compressed forms, e.g. 64M (K, M, G: powers of 1024)",
		field: size(func(c *Config) *int64 { return &c.CacheSize }),
		check: func(c Config) error { return within(c.CacheSize, 1<<20, 16<<30, "1M and 16G") },
	},
	{
		Flag: "meter-free", Env: "MASTHEAD_METER_FREE",
		Usage: "subscribers articles a reader may open per calendar month (0: metering off)",
		field: integer(func(c *Config) *int { return &c.MeterFree }),
		check: func(c Config) error { return within(c.MeterFree, 0, 1000, "0 (off) and 1000") },
	},
	{
		Flag: "comments-report-threshold", Env: "MASTHEAD_COMMENTS_REPORT_THRESHOLD", Default: "3",
		Usage: "reader reports that send an approved comment back to moderation (1–1000)",
		field: integer(func(c *Config) *int { return &c.CommentReportThreshold }),
		check: func(c Config) error { return within(c.CommentReportThreshold, 1, 1000, "1 and 1000") },
	},
	{
		Flag: "comments-moderation", Env: "MASTHEAD_COMMENTS_MODERATION", Default: "trusted",
		Usage: "comment moderation: pre (all held), post (published at once) or trusted (held unless subscriber or known author)",
		field: text(func(c *Config) *string { return &c.CommentsModeration }),
		check: func(c Config) error { return oneOf(c.CommentsModeration, "pre", "post", "trusted") },
	},
	{
		Flag: "guest-comments", Env: "MASTHEAD_GUEST_COMMENTS",
		Usage: "let readers without a token comment with a name and an email",
		field: boolean(func(c *Config) *bool { return &c.GuestComments }),
	},
	{
		Flag: "comments-close-days", Env: "MASTHEAD_COMMENTS_CLOSE_DAYS",
		Usage: "days after publication when comments close (0: never)",
		field: integer(func(c *Config) *int { return &c.CommentsCloseDays }),
		check: func(c Config) error { return within(c.CommentsCloseDays, 0, 36500, "0 (never) and 36500") },
	},
	{
		Flag: "comments-max-depth", Env: "MASTHEAD_COMMENTS_MAX_DEPTH", Default: "5",
		Usage: "deepest reply nesting (1–20)",
		field: integer(func(c *Config) *int { return &c.CommentsMaxDepth }),
		check: func(c Config) error { return within(c.CommentsMaxDepth, 1, 20, "1 and 20") },
	},
	{
		Flag: "comments-max-links", Env: "MASTHEAD_COMMENTS_MAX_LINKS", Default: "2",
		Usage: "links a comment may hold before it is held for moderation (0–100)",
		field: integer(func(c *Config) *int { return &c.CommentsMaxLinks }),
		check: func(c Config) error { return within(c.CommentsMaxLinks, 0, 100, "0 and 100") },
	},
	{
		Flag: "comments-banned-words", Env: "MASTHEAD_COMMENTS_BANNED_WORDS",
		Usage: "comma-separated words that reject a comment (whole words, any case)",
		field: list(func(c *Config) *[]string { return &c.CommentsBannedWords }),
	},
	{
		Flag: "comments-suspect-words", Env: "MASTHEAD_COMMENTS_SUSPECT_WORDS",
		Usage: "comma-separated words that hold a comment for moderation",
		field: list(func(c *Config) *[]string { return &c.CommentsSuspectWords }),
	},
	{
		Flag: "comments-rate-account", Env: "MASTHEAD_COMMENTS_RATE_ACCOUNT", Default: "5",
		Usage: "comments one account may submit per minute",
		field: integer(func(c *Config) *int { return &c.CommentsRateAccount }),
		check: func(c Config) error { return within(c.CommentsRateAccount, 1, 1_000_000, "1 and 1000000") },
	},
	{
		Flag: "comments-rate-ip", Env: "MASTHEAD_COMMENTS_RATE_IP", Default: "10",
		Usage: "comments one client address may submit per minute",
		field: integer(func(c *Config) *int { return &c.CommentsRateIP }),
		check: func(c Config) error { return within(c.CommentsRateIP, 1, 1_000_000, "1 and 1000000") },
	},
	{
		Flag: "access-ttl", Env: "MASTHEAD_ACCESS_TTL", Default: "15m",
		Usage: "lifetime of the access tokens login and refresh issue, e.g. 15m",
		field: duration(func(c *Config) *time.Duration { return &c.AccessTTL }),
		check: func(c Config) error {
			if c.AccessTTL > c.JWTMaxTTL {
				return errors.New("must not exceed jwt-max-ttl")
			}
			return within(c.AccessTTL, time.Minute, 24*time.Hour, "1m and 24h")
		},
	},
	{
		Flag: "refresh-ttl", Env: "MASTHEAD_REFRESH_TTL", Default: "720h",
		Usage: "lifetime of each refresh token (renewed at every refresh), e.g. 720h",
		field: duration(func(c *Config) *time.Duration { return &c.RefreshTTL }),
		check: func(c Config) error {
			if c.RefreshTTL < time.Hour || c.RefreshTTL > 8760*time.Hour || c.RefreshTTL <= c.AccessTTL {
				return errors.New("must be between 1h and 8760h, and longer than access-ttl")
			}
			return nil
		},
	},
	{
		Flag: "login-failures-account", Env: "MASTHEAD_LOGIN_FAILURES_ACCOUNT", Default: "100",
		Usage: "failed logins on one account from all addresses together per 15 minutes (each address has 5 on it)",
		field: integer(func(c *Config) *int { return &c.LoginFailuresAccount }),
		check: func(c Config) error { return within(c.LoginFailuresAccount, 5, 100_000, "5 and 100000") },
	},
	{
		Flag: "jwks-url", Env: "MASTHEAD_JWKS_URL", Secret: MaskURL, when: jwksOn,
		Usage: "JWKS of an external issuer whose tokens are accepted beside ours (empty: none)",
		field: text(func(c *Config) *string { return &c.JWKSURL }),
		check: func(c Config) error { return httpURL(c.JWKSURL) },
	},
	{
		Flag: "jwks-issuer", Env: "MASTHEAD_JWKS_ISSUER", when: jwksOn,
		Usage: "iss of the external issuer's tokens (required with jwks-url)",
		field: text(func(c *Config) *string { return &c.JWKSIssuer }),
		check: func(c Config) error {
			if c.JWKSIssuer == "" {
				return errors.New("required with jwks-url")
			}
			if c.JWKSIssuer == c.JWTIssuer {
				return errors.New("must differ from jwt-issuer, which names our own tokens")
			}
			return nil
		},
	},
	{
		Flag: "jwks-audience", Env: "MASTHEAD_JWKS_AUDIENCE", when: jwksOn,
		Usage: "aud the external issuer's tokens must carry (required with jwks-url)",
		field: text(func(c *Config) *string { return &c.JWKSAudience }),
		check: func(c Config) error { return required(c.JWKSAudience, "required with jwks-url") },
	},
	{
		Flag: "jwks-algorithms", Env: "MASTHEAD_JWKS_ALGORITHMS", Default: "RS256,ES256", when: jwksOn,
		Usage: "comma-separated algorithms accepted from the external issuer (RS*, PS*, ES* only)",
		field: list(func(c *Config) *[]string { return &c.JWKSAlgorithms }),
		check: func(c Config) error { return algorithms(c.JWKSAlgorithms) },
	},
	{
		Flag: "jwks-role-claim", Env: "MASTHEAD_JWKS_ROLE_CLAIM", Default: "role", when: jwksOn,
		Usage: "claim of external tokens holding the role or the entitlements (dots reach into objects)",
		field: text(func(c *Config) *string { return &c.JWKSRoleClaim }),
		check: func(c Config) error { return required(c.JWKSRoleClaim, "must not be empty") },
	},
	{
		Flag: "jwks-subscriber-values", Env: "MASTHEAD_JWKS_SUBSCRIBER_VALUES", Default: "subscriber", when: jwksOn,
		Usage: "comma-separated values of that claim that make a subscriber",
		field: list(func(c *Config) *[]string { return &c.JWKSSubscriberValues }),
		check: func(c Config) error {
			if len(c.JWKSSubscriberValues) == 0 {
				return errors.New("name at least one")
			}
			return nil
		},
	},
	{
		Flag: "jwks-default-role", Env: "MASTHEAD_JWKS_DEFAULT_ROLE", Default: "reader", when: jwksOn,
		Usage: "role of other external tokens: reader or subscriber",
		field: text(func(c *Config) *string { return &c.JWKSDefaultRole }),
		check: func(c Config) error { return oneOf(c.JWKSDefaultRole, "reader", "subscriber") },
	},
	{
		Flag: "scheduler-interval", Env: "MASTHEAD_SCHEDULER_INTERVAL", Default: "5s",
		Usage: "how often scheduled articles whose time came are published and logged for partners, e.g. 5s",
		field: duration(func(c *Config) *time.Duration { return &c.SchedulerInterval }),
		check: func(c Config) error { return within(c.SchedulerInterval, time.Second, time.Hour, "1s and 1h") },
	},
	{
		// Entries are checked when serve builds the policy (webhooks.NewPolicy).
		Flag: "webhook-allow", Env: "MASTHEAD_WEBHOOK_ALLOW",
		Usage: "comma-separated host names, IP addresses and CIDR prefixes that webhooks may call although private or loopback (empty: none)",
		field: list(func(c *Config) *[]string { return &c.WebhookAllow }),
	},
	{
		Flag: "rate-limit-anon", Env: "MASTHEAD_RATE_LIMIT_ANON", Default: "600",
		Usage: "requests per minute per anonymous client address (0: not limited)",
		field: integer(func(c *Config) *int { return &c.RateLimitAnon }),
		check: func(c Config) error { return within(c.RateLimitAnon, 0, 1_000_000, "0 (not limited) and 1000000") },
	},
	{
		Flag: "rate-limit-partner", Env: "MASTHEAD_RATE_LIMIT_PARTNER", Default: "1200",
		Usage: "requests per minute of partners created without a rate limit and of partner tokens with no partner row (0: not limited)",
		field: integer(func(c *Config) *int { return &c.RateLimitPartner }),
		check: func(c Config) error { return within(c.RateLimitPartner, 0, 1_000_000, "0 (not limited) and 1000000") },
	},
	{
		Flag: "partner-token-ttl", Env: "MASTHEAD_PARTNER_TOKEN_TTL", Default: "8760h",
		Usage: "lifetime of the partner tokens the admin API mints, e.g. 8760h",
		field: duration(func(c *Config) *time.Duration { return &c.PartnerTokenTTL }),
		check: func(c Config) error {
			if c.PartnerTokenTTL > c.JWTMaxTTLPartner {
				return errors.New("must not exceed jwt-max-ttl-partner")
			}
			return within(c.PartnerTokenTTL, time.Hour, 10*8760*time.Hour, "1h and 87600h")
		},
	},
	{
		Flag: "redis-url", Env: "MASTHEAD_REDIS_URL", Secret: MaskURL,
		Usage: "Redis shared by every process for the rate limits, redis://… (empty: each process counts alone)",
		field: text(func(c *Config) *string { return &c.RedisURL }),
		check: func(c Config) error {
			if c.RedisURL == "" {
				return nil
			}
			if p, err := url.Parse(c.RedisURL); err != nil || (p.Scheme != "redis" && p.Scheme != "rediss" && p.Scheme != "unix") {
				return errors.New("must be a redis://, rediss:// or unix:// URL")
			}
			return nil
		},
	},
}

func jwksOn(c Config) bool { return c.JWKSURL != "" }

func s3On(c Config) bool { return c.MediaStorage == "s3" }

// MaskAll hides a secret that is not a URL whole: only whether it is set
// shows.
func MaskAll(s string) string {
	if s == "" {
		return ""
	}
	return "xxxxx"
}

// endpoint refuses what is not a host or host:port: a scheme or a path
// has no place there (TLS is its own setting).
func endpoint(s string) error {
	if s == "" {
		return errors.New("required with media-storage=s3")
	}
	if strings.Contains(s, "://") || strings.ContainsAny(s, "/?#@ ") {
		return errors.New("must be a host or host:port, without scheme or path (https is media-s3-tls)")
	}
	if strings.Contains(s, ":") {
		if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
			return errors.New("must be a host or host:port")
		}
	}
	return nil
}

// within says the range when v is outside [lo, hi].
func within[T cmp.Ordered](v, lo, hi T, rng string) error {
	if v < lo || v > hi {
		return errors.New("must be between " + rng)
	}
	return nil
}

// maskToken hides a token whole.
func maskToken(s string) string {
	if s == "" {
		return ""
	}
	return "xxxxx"
}

func required(v, msg string) error {
	if v == "" {
		return errors.New(msg)
	}
	return nil
}

// oneOf says the choices when v is not one of them: "a, b or c".
func oneOf(v string, choices ...string) error {
	if slices.Contains(choices, v) {
		return nil
	}
	last := len(choices) - 1
	return errors.New(strings.Join(choices[:last], ", ") + " or " + choices[last])
}

func hostPort(addr string) error {
	if addr == "" {
		return nil
	}
	_, _, err := net.SplitHostPort(addr)
	return err
}

// loopback refuses an address that another host could reach: an IP
// literal of the loopback network or localhost, with a port.
func loopback(addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return errors.New("must be a loopback address such as 127.0.0.1:6060 (it shows the process's internals)")
}

func httpURL(s string) error {
	if p, err := url.Parse(s); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	return nil
}

func origins(list []string) error {
	var bad []string
	for _, o := range list {
		if o == "*" {
			continue
		}
		// "*" alone allows any origin; inside an origin it is no pattern.
		if p, err := url.Parse(o); err != nil || p.Scheme == "" || p.Host == "" || p.Path != "" || strings.Contains(o, "*") {
			bad = append(bad, strconv.Quote(o))
		}
	}
	if bad != nil {
		return fmt.Errorf("%s: not an origin like https://app.example", strings.Join(bad, ", "))
	}
	return nil
}

func algorithms(list []string) error {
	if len(list) == 0 {
		return errors.New("name at least one")
	}
	var bad []string
	for _, a := range list {
		switch a {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512":
		default:
			bad = append(bad, strconv.Quote(a))
		}
	}
	if bad != nil {
		return fmt.Errorf("%s: not accepted (RS*, PS* or ES*; never none or HS*)", strings.Join(bad, ", "))
	}
	return nil
}
