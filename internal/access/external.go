package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// ExternalSubjectPrefix starts the Subject of every Principal an external
// issuer vouches for, so that its users can never be mistaken for
// Masthead's own accounts (or share their meters).
const ExternalSubjectPrefix = "ext:"

// ExternalAlgorithms are the signing algorithms an external issuer may be
// allowed to use. "none" and the HMAC family are never accepted: with a
// public key set, a shared secret makes no sense, and accepting HS256 would
// let anyone sign with the published public key as the "secret".
var ExternalAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// ExternalOptions configure an External verifier.
type ExternalOptions struct {
	JWKSURL  string // where the issuer publishes its keys, http(s)
	Issuer   string // required iss
	Audience string // required in aud

	Algorithms []string // accepted alg values; default RS256, ES256

	// RoleClaim names the claim holding the role or the entitlements: a
	// string (space-separated values allowed), an array of strings, a
	// boolean or a number. A dotted name ("realm_access.roles") reaches into
	// nested objects when no top-level claim has that exact name. Default
	// "role".
	RoleClaim string
	// SubscriberValues are the values of RoleClaim that make the holder a
	// subscriber (case-sensitive). Default ["subscriber"].
	SubscriberValues []string
	// DefaultRole is given otherwise: RoleReader (default) or
	// RoleSubscriber. An external issuer never makes staff or partners.
	DefaultRole Role

	Now    func() time.Time // nil: time.Now
	Leeway time.Duration    // clock skew tolerated; default 30s, negative for none
	// MaxTTL caps the lifetime (exp − iat) of the issuer's tokens, which
	// always map to a reader or a subscriber: the cap of Masthead's own
	// member tokens applies (default DefaultMaxTTL).
	MaxTTL time.Duration

	// HTTPClient fetches the key set; nil uses one with HTTPTimeout. Its
	// responses are cut at 1 MiB either way.
	HTTPClient *http.Client
	// HTTPTimeout bounds each fetch of the key set (default 5s).
	HTTPTimeout time.Duration
	// RefreshInterval is how often the key set is fetched again in the
	// background (default 15 minutes).
	RefreshInterval time.Duration
	// UnknownKIDInterval is the least time between two fetches caused by a
	// token whose kid is not in the cached set (default 10s): a rotated key
	// is picked up at once, bogus kids cannot hammer the issuer.
	UnknownKIDInterval time.Duration
	// RetryInterval is the first pause between attempts while the key set
	// has never been loaded (default 10s), doubling up to RetryMax (default
	// 5 minutes).
	RetryInterval, RetryMax time.Duration

	Logger *slog.Logger // nil: discard
}

// External verifies tokens signed by another issuer (a publisher's
// subscription platform) with the keys of its JWKS endpoint, and maps their
// claims to a Principal.
type External struct {
	o           ExternalOptions
	parser      *jwt.Parser
	subscribers map[string]bool
	// keys is nil until the key set has been fetched once.
	keys atomic.Pointer[loadedKeys]
}

// loadedKeys is a keyfunc whose key set was fetched, and the end of its
// background refresh.
type loadedKeys struct {
	kf     keyfunc.Keyfunc
	cancel context.CancelFunc
}

// NewExternal checks o, fetches the key set once (bounded by
// o.HTTPTimeout) and returns the verifier. When that first fetch fails, the
// verifier is returned anyway, with a warning logged: it refuses every token
// as token_invalid while it keeps trying in the background, until ctx ends.
// ctx also ends the periodic refresh.
func NewExternal(ctx context.Context, o ExternalOptions) (*External, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	x := &External{o: o, subscribers: map[string]bool{}}
	for _, v := range o.SubscriberValues {
		x.subscribers[v] = true
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(o.Algorithms),
		jwt.WithIssuer(o.Issuer),
		jwt.WithAudience(o.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(o.Now),
	}
	if o.Leeway > 0 {
		opts = append(opts, jwt.WithLeeway(o.Leeway))
	}
	x.parser = jwt.NewParser(opts...)

	if err := x.load(ctx); err != nil {
		o.Logger.Warn("external issuer: key set not loaded; its tokens are refused until it is, retrying in the background",
			"url", o.JWKSURL, "error", err.Error())
		go x.retry(ctx)
	}
	return x, nil
}

func (o *ExternalOptions) defaults() error {
	var errs []error
	if !isHTTPURL(o.JWKSURL) {
		errs = append(errs, fmt.Errorf("external issuer: JWKS URL %q is not an absolute http(s) URL", o.JWKSURL))
	}
	if o.Issuer == "" || o.Audience == "" {
		errs = append(errs, errors.New("external issuer: issuer and audience are required"))
	}
	if len(o.Algorithms) == 0 {
		o.Algorithms = []string{"RS256", "ES256"}
	}
	for _, a := range o.Algorithms {
		if !slices.Contains(ExternalAlgorithms, a) {
			errs = append(errs, fmt.Errorf("external issuer: algorithm %q is not accepted (one of %s)", a, strings.Join(ExternalAlgorithms, ", ")))
		}
	}
	if o.RoleClaim == "" {
		o.RoleClaim = "role"
	}
	if len(o.SubscriberValues) == 0 {
		o.SubscriberValues = []string{string(RoleSubscriber)}
	}
	switch o.DefaultRole {
	case "":
		o.DefaultRole = RoleReader
	case RoleReader, RoleSubscriber:
	default:
		errs = append(errs, fmt.Errorf("external issuer: default role %q must be reader or subscriber", o.DefaultRole))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Leeway == 0 {
		o.Leeway = 30 * time.Second
	}
	if o.MaxTTL <= 0 {
		o.MaxTTL = DefaultMaxTTL
	}
	if o.HTTPTimeout <= 0 {
		o.HTTPTimeout = 5 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.HTTPTimeout}
	}
	base := o.HTTPClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *o.HTTPClient
	c.Transport = limitedTransport{base: base, max: 1 << 20}
	o.HTTPClient = &c
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = 15 * time.Minute
	}
	if o.UnknownKIDInterval <= 0 {
		o.UnknownKIDInterval = 10 * time.Second
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = 10 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 5 * time.Minute
	}
	o.RetryMax = max(o.RetryMax, o.RetryInterval)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return errors.Join(errs...)
}

// load makes the keyfunc, which fetches the key set before returning. A
// failed attempt cancels its own context, so that the refresh goroutine
// keyfunc started for it ends too.
func (x *External) load(ctx context.Context) error {
	actx, cancel := context.WithCancel(ctx)
	fail := false
	log := x.o.Logger
	kf, err := keyfunc.NewDefaultOverrideCtx(actx, []string{x.o.JWKSURL}, keyfunc.Override{
		Client:                    x.o.HTTPClient,
		HTTPTimeout:               x.o.HTTPTimeout,
		NoErrorReturnFirstHTTPReq: &fail,
		RefreshInterval:           x.o.RefreshInterval,
		// One refresh for an unknown kid per interval. A token that finds
		// the limiter empty is refused at once rather than queued: the
		// wait is bounded by RateLimitWaitMax, which also bounds the
		// refresh itself, hence the HTTP timeout.
		RefreshUnknownKID: rate.NewLimiter(rate.Every(x.o.UnknownKIDInterval), 1),
		RateLimitWaitMax:  x.o.HTTPTimeout,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				log.Warn("external issuer: key set refresh failed", "url", u, "error", err.Error())
			}
		},
	})
	if err != nil {
		cancel()
		return err
	}
	// Keys marked for encryption are not for checking signatures; keys
	// without "use" are accepted, as most issuers omit it.
	kf, err = keyfunc.New(keyfunc.Options{Ctx: actx, Storage: kf.Storage(), UseWhitelist: []jwkset.USE{jwkset.UseSig, ""}})
	if err != nil {
		cancel()
		return err
	}
	x.keys.Store(&loadedKeys{kf: kf, cancel: cancel})
	return nil
}

// retry keeps trying to load the key set, with a doubling pause, until it
// succeeds or ctx ends.
func (x *External) retry(ctx context.Context) {
	wait := x.o.RetryInterval
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		err := x.load(ctx)
		if err == nil {
			x.o.Logger.Info("external issuer: key set loaded", "url", x.o.JWKSURL)
			return
		}
		wait = min(2*wait, x.o.RetryMax)
		x.o.Logger.Warn("external issuer: key set still not loaded", "url", x.o.JWKSURL, "error", err.Error(), "next_try", wait.String())
	}
}

// Ready reports whether the key set has been loaded.
func (x *External) Ready() bool { return x.keys.Load() != nil }

// Close ends the background refresh of a loaded key set (ending the
// context given to NewExternal does too).
func (x *External) Close() {
	if k := x.keys.Load(); k != nil {
		k.cancel()
	}
}

// Issuer is the iss the verifier accepts.
func (x *External) Issuer() string { return x.o.Issuer }

// Verify checks a token's signature against the issuer's key set (fetching
// it again, rate-limited, for an unknown kid), its alg, iss, aud and times,
// and maps its claims to a Principal.
func (x *External) Verify(raw string) (Principal, error) {
	keys := x.keys.Load()
	if keys == nil {
		return Principal{}, &TokenError{Code: CodeTokenInvalid, Reason: "the token's issuer cannot be checked right now"}
	}
	// A refresh for an unknown kid may run inside the key lookup: bound it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*x.o.HTTPTimeout)
	defer cancel()
	claims := jwt.MapClaims{}
	if _, err := x.parser.ParseWithClaims(raw, claims, keys.kf.KeyfuncCtx(ctx)); err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return Principal{}, &TokenError{Code: CodeTokenExpired, Reason: "the token has expired", Err: err}
		}
		return Principal{}, &TokenError{Code: CodeTokenInvalid, Reason: reason(err), Err: err}
	}
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	if te := checkDates(raw, exp, iat, x.o.MaxTTL); te != nil {
		return Principal{}, te
	}
	sub, _ := claims["sub"].(string)
	if sub == "" || len(sub) > 255 {
		return Principal{}, &TokenError{Code: CodeTokenInvalid, Reason: "the token has no usable subject"}
	}
	p := Principal{Subject: ExternalSubjectPrefix + sub, Role: x.o.DefaultRole}
	if jti, ok := claims["jti"].(string); ok {
		p.TokenID = jti
	}
	for _, v := range claimValues(lookupClaim(claims, x.o.RoleClaim)) {
		if x.subscribers[v] {
			p.Role = RoleSubscriber
			break
		}
	}
	return p, nil
}

// lookupClaim finds name at the top level, or else as a dotted path through
// nested objects.
func lookupClaim(claims map[string]any, name string) any {
	if v, ok := claims[name]; ok {
		return v
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

// claimValues flattens a claim to the strings it holds.
func claimValues(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.Fields(v)
	case bool:
		return []string{strconv.FormatBool(v)}
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}
	case []any:
		var out []string
		for _, e := range v {
			switch e := e.(type) {
			case string:
				out = append(out, e)
			case bool, float64:
				out = append(out, claimValues(e)...)
			}
		}
		return out
	}
	return nil
}

// Combined routes each token to the verifier that issued it: Masthead's own
// when the header's kid is our key or the iss is ours, the external issuer's
// otherwise. The unverified header and claims are read only to choose; the
// chosen verifier checks everything, and a token refused by one is never
// tried on the other.
type Combined struct {
	Own      *Tokens
	External *External // nil: every token goes to Own
}

// Verify verifies raw with the verifier it belongs to.
func (c Combined) Verify(raw string) (Principal, error) {
	if c.External == nil || c.ours(raw) {
		return c.Own.Verify(raw)
	}
	return c.External.Verify(raw)
}

// ours peeks at the unverified token: never trust what it says beyond
// routing. A token that cannot even be read goes to our verifier, which
// explains why it is malformed.
func (c Combined) ours(raw string) bool {
	var claims jwt.RegisteredClaims
	tok, _, err := jwt.NewParser().ParseUnverified(raw, &claims)
	if err != nil || tok == nil {
		return true
	}
	if kid, ok := tok.Header["kid"].(string); ok && kid == c.Own.kid {
		return true
	}
	return claims.Issuer == c.Own.issuer
}

// limitedTransport cuts response bodies at max bytes: a key set is small,
// and a misbehaving endpoint must not fill the memory.
type limitedTransport struct {
	base http.RoundTripper
	max  int64
}

func (t limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	res.Body = &limitedBody{rc: res.Body, left: t.max}
	return res, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New("key set response too large")
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
