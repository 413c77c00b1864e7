// Package api is Masthead's HTTP layer: the only package that imports Echo.
// Handlers parse, authorize, call a domain service, convert and respond; they
// return errors, and one error handler turns them into problem documents.
//
//	@title						Masthead API
//	@version					0.1.0
//	@description				Headless content API for a news publisher: articles in several languages, photos, sections, tags, authors and moderated comments. A Bearer JWT decides whether an article comes whole or as a preview; the `access` object of each article says which, and why.
//	@description
//	@description				Lists answer `{"data": [...], "next_cursor": "..."}` with `limit` (1–100, default 20) and an opaque `cursor`. Every read carries `ETag` and `Last-Modified` and answers `304` to `If-None-Match`. Errors are RFC 9457 problem documents with a stable `code`.
//	@description
//	@description				`fields=` keeps the named top-level fields (and `id`): with it, any other field may be absent.
//	@BasePath					/
//	@accept						json
//	@produce					json
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by a JWT signed by Masthead (EdDSA, see /.well-known/jwks.json) or, when the publisher trusts one, by its subscription platform (RS256 or ES256; such a token makes a reader or a subscriber, never staff). Optional on public reads: without it the caller is anonymous. A present but invalid or expired token is always a 401.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"masthead/internal/access"
	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/metering"
	"masthead/internal/partners"
	"masthead/internal/ratelimit"
	"masthead/internal/store"
	"masthead/internal/webhooks"
)

// Deps is everything the HTTP layer needs.
type Deps struct {
	Content  *content.Service
	Comments *comments.Service
	Tokens   *access.Tokens // mints our tokens, publishes our JWKS
	// Verifier checks presented tokens; nil is Tokens alone.
	Verifier Verifier
	DB       *store.DB
	Logger   *slog.Logger

	MediaRoot    string   // folder served under /media/
	CORSOrigins  []string // allowed origins; empty allows none
	PublicURL    string   // base of canonical URLs
	SubscribeURL string
	LoginURL     string
	BodyLimit    string        // e.g. "1M"
	Timeout      time.Duration // per request
	Moderation   string        // comment moderation mode, shown to readers
	// Spec is the OpenAPI 3 document served at /openapi.json.
	Spec []byte
	// CacheTTL bounds how long an encoded public read is reused (default
	// 5s; negative disables the cache). Writes in this process invalidate
	// at once.
	CacheTTL time.Duration
	// Now is the clock of the cache; nil is time.Now.
	Now func() time.Time
	// Media stores uploaded photos (under MediaRoot).
	Media *media.Store
	// UploadLimit is the largest photo upload in bytes (default
	// media.DefaultMaxBytes); the upload route has its own body limit.
	UploadLimit int64
	// Meter counts subscribers articles opened by readers; nil or a zero
	// limit is off.
	Meter *metering.Service
	// Accounts holds users and their logins (login, refresh, /v1/me).
	Accounts *accounts.Service
	// AccessTTL is the lifetime of the access tokens login and refresh
	// issue (default 15m).
	AccessTTL time.Duration
	// CommentReportThreshold is how many reader reports send an approved
	// comment back to moderation (default 3).
	CommentReportThreshold int
	// CommentPolicy is the moderation policy of submitted comments; its
	// Mode, when empty, is Moderation.
	CommentPolicy comments.Policy
	// GuestComments lets anonymous readers comment with a name and email.
	GuestComments bool
	// CommentRateAccount and CommentRateIP cap comment submissions per
	// minute per account and per client address (defaults 5 and 10).
	CommentRateAccount int
	CommentRateIP      int
	// Webhooks keeps the partners' webhooks and their delivery logs; nil
	// is a service on DB and Content that allows no private address.
	Webhooks *webhooks.Service
	// Partners holds the syndication partners; nil is a service on DB.
	Partners *partners.Service
	// PartnerTokenTTL is the lifetime of the tokens minted for partners
	// (default one year).
	PartnerTokenTTL time.Duration
	// RateLimiter counts request budgets; nil counts in this process, on
	// Now. RateLimitAnon (per anonymous client address) and
	// RateLimitPartner (per partner token without a partner row) are
	// requests per minute; 0 is not limited.
	RateLimiter      ratelimit.Limiter
	RateLimitAnon    int
	RateLimitPartner int
}

// Server holds the handlers' dependencies.
type Server struct {
	Deps
	cursors cursors
	cache   *repCache
}

// New builds the Echo application: middleware in order, error handler,
// routes.
func New(d Deps) *echo.Echo {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.BodyLimit == "" {
		d.BodyLimit = "1M"
	}
	if d.Timeout <= 0 {
		d.Timeout = 10 * time.Second
	}
	if d.CommentPolicy.Mode == "" {
		d.CommentPolicy.Mode = d.Moderation
	}
	if !comments.ValidMode(d.CommentPolicy.Mode) {
		d.CommentPolicy.Mode = comments.ModeTrusted
	}
	d.Moderation = d.CommentPolicy.Mode
	if d.CommentRateAccount <= 0 {
		d.CommentRateAccount = 5
	}
	if d.CommentRateIP <= 0 {
		d.CommentRateIP = 10
	}
	if d.UploadLimit <= 0 {
		d.UploadLimit = media.DefaultMaxBytes
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.AccessTTL <= 0 {
		d.AccessTTL = 15 * time.Minute
	}
	if d.CommentReportThreshold <= 0 {
		d.CommentReportThreshold = 3
	}
	if d.Verifier == nil {
		d.Verifier = d.Tokens
	}
	if d.Webhooks == nil && d.DB != nil && d.Content != nil {
		d.Webhooks = webhooks.NewService(d.DB, WebhookLog(d.Content, d.PublicURL), webhooks.Options{Now: d.Now})
	}
	if d.Partners == nil {
		d.Partners = partners.NewService(d.DB, partners.Options{Now: d.Now, DefaultRateLimit: d.RateLimitPartner})
	}
	if d.PartnerTokenTTL <= 0 {
		d.PartnerTokenTTL = 365 * 24 * time.Hour
	}
	if d.RateLimiter == nil {
		d.RateLimiter = ratelimit.NewMemory(d.Now, 0)
	}
	s := &Server{Deps: d, cursors: cursors{key: d.Tokens.Secret("cursor")}}
	switch {
	case d.CacheTTL == 0:
		s.cache = newRepCache(5*time.Second, 10_000, d.Now)
	case d.CacheTTL > 0:
		s.cache = newRepCache(d.CacheTTL, 10_000, d.Now)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	// The client address is the socket's: X-Forwarded-For is not trusted
	// unless a trusted proxy is configured (not yet).
	e.IPExtractor = echo.ExtractIPDirect()

	e.Use(middleware.RequestID())
	e.Use(accessLog(d.Logger))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Logger.Error("panic", slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("error", err.Error()), slog.String("stack", string(stack)))
			return err
		},
	}))
	// The photo upload has its own, larger limit (see routes).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: d.BodyLimit, Skipper: isUpload}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		ReferrerPolicy:     "strict-origin-when-cross-origin",
	}))
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:  nonNil(d.CORSOrigins),
		AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete},
		AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-None-Match", "If-Match", "If-Modified-Since"},
		ExposeHeaders: []string{headerETag, echo.HeaderLastModified, echo.HeaderXRequestID, echo.HeaderWWWAuthenticate, "Retry-After", headerLimit, headerRemaining, headerReset},
		MaxAge:        600,
	}))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024}))
	// The photo upload decodes and resizes large images: its own, longer
	// timeout is on its route.
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: d.Timeout, Skipper: isUpload}))

	s.routes(e)
	return e
}

// isUpload tells the global body limit and timeout to leave the photo
// upload to its route-level ones.
func isUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Path() == uploadPath
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// accessLog writes one line per request; never a token, a body or a header
// value beyond these.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogRequestID: true, LogMethod: true, LogRoutePath: true, LogURIPath: true,
		LogStatus: true, LogLatency: true, LogResponseSize: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("request_id", v.RequestID),
				slog.String("method", v.Method),
				slog.String("route", v.RoutePath),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.Int64("bytes", v.ResponseSize),
			}
			if p := principalOf(c); !p.Anonymous() {
				attrs = append(attrs, slog.String("sub", p.Subject), slog.String("role", string(p.Role)))
			}
			log.LogAttrs(context.Background(), level, "request", attrs...)
			return nil
		},
	})
}
