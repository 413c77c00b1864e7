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
//	@description
//	@description				Every GET also answers HEAD, with the same status and headers and no body (RFC 9110); the spec lists the GETs only.
//	@BasePath					/
//	@accept						json
//	@produce					json
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by a JWT signed by Masthead (EdDSA, see /.well-known/jwks.json) or, when the publisher trusts one, by its subscription platform (RS256 or ES256; such a token makes a reader or a subscriber, never staff). Its exp and iat are numbers, iat is not in the future, and exp − iat is at most 24 hours (a year for partners; configurable). Optional on public reads: without it the caller is anonymous. A present but invalid or expired token is always a 401.
package api

import (
	"golang.org/x/sync/singleflight"

	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"masthead/internal/app"
	"masthead/internal/comments"
	"masthead/internal/config"
)

// Options are what the configuration does not say.
type Options struct {
	// Logger receives the access log and the errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock of the response cache and the rate limits; nil is
	// time.Now. It is the clock the services were built with.
	Now func() time.Time
	// Spec is the OpenAPI 3 document served at /openapi.json.
	Spec []byte
}

// settings are what the handlers read of the configuration, spelled for
// them once, in New.
type settings struct {
	Logger       *slog.Logger
	Now          func() time.Time
	Spec         []byte
	CORSOrigins  []string // allowed origins; empty allows none, "*" any
	PublicURL    string   // base of canonical URLs
	SubscribeURL string
	LoginURL     string
	BodyLimit    string        // e.g. "1M"
	Timeout      time.Duration // per request
	// UploadLimit is the largest photo upload in bytes; the upload route
	// has its own body limit.
	UploadLimit int64
	// AccessTTL is the lifetime of the access tokens login and refresh issue.
	AccessTTL time.Duration
	// PartnerTokenTTL is the lifetime of the tokens minted for partners.
	PartnerTokenTTL time.Duration
	// LoginFailuresAccount is the ceiling of failed logins per account
	// (see loginlimit.go).
	LoginFailuresAccount int
	// Moderation is the comment moderation mode, shown to readers; it is
	// CommentPolicy.Mode.
	Moderation    string
	CommentPolicy comments.Policy
	// CommentReportThreshold is how many reader reports send an approved
	// comment back to moderation.
	CommentReportThreshold int
	// GuestComments lets anonymous readers comment with a name and email.
	GuestComments bool
	// CommentRateAccount and CommentRateIP cap comment submissions per
	// minute per account and per client address.
	CommentRateAccount int
	CommentRateIP      int
	// RateLimitAnon (per anonymous client address) and RateLimitPartner
	// (per partner token without a partner row) are requests per minute;
	// 0 is not limited.
	RateLimitAnon    int
	RateLimitPartner int
}

func settingsOf(cfg config.Config, o Options) settings {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	maxLinks := cfg.CommentsMaxLinks
	if maxLinks == 0 {
		maxLinks = -1 // the setting's 0 is "no link"; the policy's is its default
	}
	return settings{
		Logger: o.Logger, Now: o.Now, Spec: o.Spec,
		CORSOrigins: cfg.CORSOrigins, PublicURL: cfg.PublicURL, SubscribeURL: cfg.SubscribeURL, LoginURL: cfg.LoginURL,
		BodyLimit: cfg.BodyLimit, Timeout: cfg.RequestTimeout, UploadLimit: cfg.UploadLimit,
		AccessTTL: cfg.AccessTTL, PartnerTokenTTL: cfg.PartnerTokenTTL, LoginFailuresAccount: cfg.LoginFailuresAccount,
		Moderation: cfg.CommentsModeration,
		CommentPolicy: comments.Policy{Mode: cfg.CommentsModeration, MaxDepth: cfg.CommentsMaxDepth,
			MaxLinks: maxLinks, CloseDays: cfg.CommentsCloseDays,
			Banned: cfg.CommentsBannedWords, Suspect: cfg.CommentsSuspectWords},
		CommentReportThreshold: cfg.CommentReportThreshold, GuestComments: cfg.GuestComments,
		CommentRateAccount: cfg.CommentsRateAccount, CommentRateIP: cfg.CommentsRateIP,
		RateLimitAnon: cfg.RateLimitAnon, RateLimitPartner: cfg.RateLimitPartner,
	}
}

// Server holds the handlers' dependencies: the services, and the settings.
type Server struct {
	*app.Services
	settings
	cursors cursors
	cache   *repCache
	// spec is the OpenAPI document, compressed once.
	spec cachedRep
	// searches shares one computation among identical searches in flight
	// (search.go).
	searches singleflight.Group
	// loginKey keys the HMAC that names accounts in the login budgets.
	loginKey []byte
}

// New builds the Echo application on ready services and a validated
// configuration: middleware in order, error handler, routes. It applies no
// defaults of its own: those live in internal/config.
func New(svc *app.Services, cfg config.Config, o Options) *echo.Echo {
	d := settingsOf(cfg, o)
	s := &Server{Services: svc, settings: d, cursors: cursors{key: svc.Tokens.Secret("cursor")},
		loginKey: svc.Tokens.Secret("login-limit"), spec: newRep(d.Spec, time.Time{})}
	if cfg.CacheTTL > 0 {
		s.cache = newRepCache(cfg.CacheTTL, cfg.CacheSize, d.Now)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	// The client address is the socket's: X-Forwarded-For is not trusted
	// unless a trusted proxy is configured (not yet).
	e.IPExtractor = echo.ExtractIPDirect()
	s.instrument(e, cfg.MetricsToken) // first: metrics measure the whole answer (api/metrics.go)

	// One middleware does what every request needs — request id, access
	// log, recovery, security headers, deadline — with one closure and one
	// deferred call (front.go); then the body limit, for requests that have
	// a body, and CORS where configured. Compression is not a middleware:
	// the responses that are worth it are compressed where they are
	// encoded, once (encoding.go).
	e.Use(front(d.Logger, d.Timeout))
	// The photo upload has its own, larger limit (see routes).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: d.BodyLimit, Skipper: hasNoBody}))
	// CORS only for the configured origins: none by default (Echo's
	// middleware would read an empty list as "*").
	if len(d.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(corsConfig(d.CORSOrigins)))
	}

	s.routes(e)
	return e
}

// isUpload tells the global timeout to leave the photo upload to its
// route-level one.
func isUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Path() == uploadPath
}

// hasNoBody tells the global body limit to skip reads, which have no body
// to limit, and the photo upload, which has its own limit.
func hasNoBody(c echo.Context) bool {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return isUpload(c)
}

// corsConfig allows the origins named, exactly (no patterns), or any origin
// when one of them is "*". Either way without credentials: Masthead has no
// cookies, and a page can only send a token it holds, so "*" lets any site
// read with its own readers' tokens, never with another site's.
func corsConfig(origins []string) middleware.CORSConfig {
	cfg := middleware.CORSConfig{
		AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete},
		AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-None-Match", "If-Match", "If-Modified-Since"},
		ExposeHeaders: []string{headerETag, echo.HeaderLastModified, echo.HeaderXRequestID, echo.HeaderWWWAuthenticate, "Retry-After", headerLimit, headerRemaining, headerReset},
		MaxAge:        600,
	}
	if slices.Contains(origins, "*") {
		cfg.AllowOrigins = []string{"*"}
	} else {
		cfg.AllowOriginFunc = func(origin string) (bool, error) { return slices.Contains(origins, origin), nil }
	}
	return cfg
}
