// Package app is Masthead's composition root: it builds every domain service
// from the configuration, on one database and one clock, and composes the
// domains where one needs another (the webhooks read the content's change
// log through an adapter here). `masthead serve` and the test harness both
// call Build, so what the tests run is what production runs.
//
// Only main and the test harness import this package; nothing under
// internal/ imports it, and it imports no HTTP code.
package app

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"masthead/internal/access"
	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/config"
	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/metering"
	"masthead/internal/metrics"
	"masthead/internal/partners"
	"masthead/internal/pgnotify"
	"masthead/internal/ratelimit"
	"masthead/internal/store"
	"masthead/internal/webhooks"
)

// RenditionWidths are the photo sizes made on upload.
var RenditionWidths = []int{320, 640, 1280}

// Verifier checks a presented bearer token: our own, or an external
// issuer's when one is trusted.
type Verifier interface {
	Verify(raw string) (access.Principal, error)
}

// Services are the domain services of one process.
type Services struct {
	DB          *store.DB
	Tokens      *access.Tokens // mints our tokens, publishes our JWKS
	Verifier    Verifier       // our tokens, plus an external issuer's when configured
	Content     *content.Service
	Comments    *comments.Service
	Accounts    *accounts.Service
	Partners    *partners.Service
	Webhooks    *webhooks.Service
	Meter       *metering.Service
	Media       *media.Store
	RateLimiter ratelimit.Limiter
	// MediaRoot is the folder the media store writes to; empty when the
	// media are in a bucket (media-storage=s3).
	MediaRoot string
	// MediaURL is what a stored file's key follows in the URLs given to
	// clients: "/media/", served by this API, or media-public-url.
	MediaURL string
	// Metrics are recorded and served when a metrics setting asks for
	// them (metrics-addr, metrics-token); nil otherwise.
	Metrics *metrics.Metrics
}

// Options are what the configuration does not say.
type Options struct {
	// Now is the clock of every service; nil is time.Now.
	Now func() time.Time
	// Logger receives the services' warnings; nil discards them.
	Logger *slog.Logger
	// Key signs our tokens; nil loads (or creates) cfg.JWTKeyFile.
	Key ed25519.PrivateKey
	// RenditionWidths overrides RenditionWidths (tests use small ones).
	RenditionWidths []int
}

// Build makes the services on db. close releases what Build opened (the
// Redis client); call it after the server stopped.
func Build(ctx context.Context, cfg config.Config, db *store.DB, o Options) (svc *Services, closeFn func(), err error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RenditionWidths == nil {
		o.RenditionWidths = RenditionWidths
	}
	key := o.Key
	if key == nil {
		if key, err = access.LoadOrCreateKey(cfg.JWTKeyFile); err != nil {
			return nil, nil, err
		}
	}
	tokens := access.NewTokens(key, access.TokenOptions{
		Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, Now: o.Now, Leeway: cfg.JWTLeeway,
		MaxTTL: cfg.JWTMaxTTL, PartnerMaxTTL: cfg.JWTMaxTTLPartner,
	})
	verifier, err := newVerifier(ctx, cfg, tokens, o)
	if err != nil {
		return nil, nil, err
	}
	contentSvc := content.NewService(db, content.Options{Now: o.Now, PreviewWords: cfg.PreviewWords, PublicURL: cfg.PublicURL})
	policy, err := webhooks.NewPolicy(cfg.WebhookAllow)
	if err != nil {
		return nil, nil, err
	}
	accountSvc, err := accounts.NewService(db, accounts.Options{Now: o.Now, RefreshTTL: cfg.RefreshTTL})
	if err != nil {
		return nil, nil, err
	}
	mediaStore, mediaRoot, err := NewMedia(ctx, cfg, o.RenditionWidths)
	if err != nil {
		return nil, nil, err
	}
	mediaURL := "/media/"
	if cfg.MediaPublicURL != "" {
		mediaURL = strings.TrimSuffix(cfg.MediaPublicURL, "/") + "/"
	}
	limiter, closeLimiter, err := newRateLimiter(ctx, cfg, o)
	if err != nil {
		return nil, nil, err
	}
	webhookSvc := webhooks.NewService(db, WebhookLog(contentSvc), webhooks.Options{Now: o.Now, Policy: policy})
	var m *metrics.Metrics
	if cfg.MetricsAddr != "" || cfg.MetricsToken != "" {
		if m, err = newMetrics(db, webhookSvc, o.Logger); err != nil {
			return nil, nil, err
		}
	}
	return &Services{
		DB:          db,
		Tokens:      tokens,
		Verifier:    verifier,
		Content:     contentSvc,
		Comments:    comments.NewService(db, comments.Options{Now: o.Now, Articles: contentSvc, Members: accountSvc}),
		Accounts:    accountSvc,
		Partners:    partners.NewService(db, partners.Options{Now: o.Now, DefaultRateLimit: cfg.RateLimitPartner}),
		Webhooks:    webhookSvc,
		Meter:       metering.NewService(db, cfg.MeterFree),
		Media:       mediaStore,
		RateLimiter: limiter,
		MediaRoot:   mediaRoot,
		MediaURL:    mediaURL,
		Metrics:     m,
	}, closeLimiter, nil
}

// NewMedia is the photo store the configuration names (the media folder
// in the data folder, or the S3 bucket), making renditions of the given
// widths (RenditionWidths when nil), with the upload limits; root is the
// folder, empty for a bucket. Serve, seed and import share it.
func NewMedia(ctx context.Context, cfg config.Config, widths []int) (store *media.Store, root string, err error) {
	if widths == nil {
		widths = RenditionWidths
	}
	objects, root, err := newObjects(ctx, cfg)
	if err != nil {
		return nil, "", err
	}
	store, err = media.New(objects, widths, media.Limits{
		MaxBytes: cfg.UploadLimit, MaxDecoded: cfg.UploadMaxDecoded, Decodes: cfg.UploadDecodes,
	})
	return store, root, err
}

// bucketCheckTimeout bounds the check of the bucket at start.
const bucketCheckTimeout = 10 * time.Second

// newObjects is where the photos' files go: the media folder in the data
// folder, or the S3 bucket every process shares. A bucket that does not
// exist, cannot be reached or refuses the credentials stops the start:
// Masthead does not create buckets, and a process that could not store a
// photo should not come up as if it could.
func newObjects(ctx context.Context, cfg config.Config) (media.Objects, string, error) {
	if cfg.MediaStorage != "s3" {
		root := filepath.Join(cfg.DataDir, "media")
		d, err := media.NewDir(root)
		return d, root, err
	}
	ctx, cancel := context.WithTimeout(ctx, bucketCheckTimeout)
	defer cancel()
	b, err := media.NewBucket(ctx, media.BucketOptions{
		Endpoint: cfg.MediaS3Endpoint, Bucket: cfg.MediaS3Bucket, Region: cfg.MediaS3Region,
		AccessKeyID: cfg.MediaS3AccessKeyID, SecretAccessKey: cfg.MediaS3SecretAccessKey,
		TLS: cfg.MediaS3TLS, PathStyle: cfg.MediaS3PathStyle,
	})
	if err != nil {
		return nil, "", fmt.Errorf("media-storage=s3: %w", err)
	}
	return b, "", nil
}

// newVerifier is our own tokens, plus the external issuer's when one is
// configured. Its key set is fetched once here, bounded by the HTTP timeout:
// when it cannot be reached, start-up goes on with a warning, our own tokens
// work, and the key set is fetched again in the background until it loads.
func newVerifier(ctx context.Context, cfg config.Config, tokens *access.Tokens, o Options) (Verifier, error) {
	if cfg.JWKSURL == "" {
		return tokens, nil
	}
	ext, err := access.NewExternal(ctx, access.ExternalOptions{
		JWKSURL: cfg.JWKSURL, Issuer: cfg.JWKSIssuer, Audience: cfg.JWKSAudience, Algorithms: cfg.JWKSAlgorithms,
		RoleClaim: cfg.JWKSRoleClaim, SubscriberValues: cfg.JWKSSubscriberValues, DefaultRole: access.Role(cfg.JWKSDefaultRole),
		Leeway: cfg.JWTLeeway, HTTPTimeout: 5 * time.Second, Logger: o.Logger, Now: o.Now,
		// Its tokens map to readers and subscribers: the members' cap.
		MaxTTL: cfg.JWTMaxTTL,
	})
	if err != nil {
		return nil, err
	}
	o.Logger.Info("external issuer configured", "issuer", cfg.JWKSIssuer, "jwks_url", cfg.JWKSURL, "keys_loaded", ext.Ready())
	return access.Combined{Own: tokens, External: ext}, nil
}

// newRateLimiter counts every rate limit (requests, logins, comments) in
// this process, or in the Redis server every process shares when one is
// configured. A Redis that does not answer at start is only a warning: the
// limiter counts in the process until Redis answers (internal/ratelimit).
func newRateLimiter(ctx context.Context, cfg config.Config, o Options) (ratelimit.Limiter, func(), error) {
	if cfg.RedisURL == "" {
		return ratelimit.NewMemory(o.Now, 0), func() {}, nil
	}
	client, err := ratelimit.OpenRedis(cfg.RedisURL)
	if err != nil {
		return nil, nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		o.Logger.Warn("rate limits: Redis does not answer; counting in this process until it does", "error", err.Error())
	} else {
		o.Logger.Info("rate limits shared through Redis")
	}
	return ratelimit.NewRedis(client, ratelimit.RedisOptions{Logger: o.Logger, Fallback: ratelimit.NewMemory(o.Now, 0)}),
		func() { _ = client.Close() }, nil
}

// WebhookLog is the content's change log as the webhooks read it.
func WebhookLog(cs *content.Service) webhooks.Log { return webhookLog{content: cs} }

type webhookLog struct{ content *content.Service }

func (l webhookLog) LastSeq(ctx context.Context) (int64, error) { return l.content.LastChange(ctx) }

func (l webhookLog) ChangesAfter(ctx context.Context, after int64, limit int) ([]webhooks.Change, error) {
	cs, err := l.content.ChangesAfter(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]webhooks.Change, len(cs))
	for i, c := range cs {
		out[i] = webhooks.Change{Seq: c.Seq, ArticleID: c.ArticleID, Kind: string(c.Kind), Lang: c.Lang,
			Version: c.Version, Note: c.Note, At: c.At}
	}
	return out, nil
}

// Summary gives the headline of a live article, as any anonymous reader
// sees it in a list: title, standfirst, link, date; never the body.
func (l webhookLog) Summary(ctx context.Context, articleID string) (webhooks.Summary, bool, error) {
	a, _, err := l.content.LiveArticle(ctx, content.Lookup{IDOrSlug: articleID})
	if errors.Is(err, content.ErrNotFound) {
		return webhooks.Summary{}, false, nil
	}
	if err != nil {
		return webhooks.Summary{}, false, err
	}
	return webhooks.Summary{
		Title: a.Title, Standfirst: a.Standfirst, PublishedAt: a.PublishedAt,
		CanonicalURL: l.content.CanonicalURL(a),
	}, true, nil
}

// CacheBus is how the processes sharing a PostgreSQL database invalidate
// one another's caches: every write through the content service (comments
// included, since their counts are in the articles) is announced on a
// channel, and the others' announcements move this process's generation.
// Run it for the life of the server. PostgreSQL only: a SQLite database
// is one process's.
func CacheBus(cfg config.Config, svc *Services, log *slog.Logger) (*pgnotify.Bus, error) {
	if svc.DB.Dialect != store.Postgres {
		return nil, errors.New("cache notifications need PostgreSQL")
	}
	pool, err := svc.DB.Write(context.Background()).DB()
	if err != nil {
		return nil, err
	}
	bus := pgnotify.New(pool, pgnotify.Options{DSN: cfg.DatabaseURL, Invalidate: svc.Content.Invalidate, Logger: log})
	svc.Content.OnWrite(bus.Publish)
	if svc.Metrics != nil {
		svc.Metrics.Listening(bus.Listening)
	}
	return bus, nil
}

// newMetrics reads the database pools (SQLite's writer and readers, or
// PostgreSQL's one pool) and the webhook outbox's lag at scrape time.
func newMetrics(db *store.DB, hooks *webhooks.Service, log *slog.Logger) (*metrics.Metrics, error) {
	ctx := context.Background()
	w, err := db.Write(ctx).DB()
	if err != nil {
		return nil, err
	}
	r, err := db.Read(ctx).DB()
	if err != nil {
		return nil, err
	}
	pools := map[string]*sql.DB{"main": w}
	if r != w {
		pools = map[string]*sql.DB{"write": w, "read": r}
	}
	return metrics.New(metrics.Options{Pools: pools, OutboxLag: hooks.OutboxLag, Logger: log}), nil
}
