package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
)

// metricsPath is where Prometheus scrapes: on the metrics listener
// (metrics-addr, cmd serve), and on the public port when a metrics token
// is configured.
const metricsPath = "/metrics"

// instrument measures every request and every lookup in the response
// cache when metrics are on (svc.Metrics), and serves /metrics on the
// public port when token is set. New calls it before any other
// middleware, so that the duration is the whole answer's.
func (s *Server) instrument(e *echo.Echo, token string) {
	if s.Metrics == nil {
		return
	}
	if s.cache != nil {
		s.cache.observe = s.observeCache
	}
	e.Use(s.measure)
	if token != "" {
		get(e, metricsPath, s.metrics, s.metricsToken(token))
	}
}

// measure records the request's duration under its route's pattern (never
// the URL: a route's series are few whatever is requested), its method
// and its status. An error is answered here, so that its status is the
// one recorded; the error handler leaves an answered request alone.
func (s *Server) measure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.Metrics.ObserveRequest(c.Path(), c.Request().Method, c.Response().Status, time.Since(start))
		return err
	}
}

// observeCache counts a lookup in the response cache by kind, the key's
// first part ("article", "list"…: the code's, never the caller's).
func (s *Server) observeCache(key string, hit bool) {
	kind, _, _ := strings.Cut(key, "\x00")
	s.Metrics.ObserveCache(kind, hit)
}

// metricsToken lets through a caller presenting the metrics token as a
// Bearer token, or an admin's JWT; anyone else gets what authenticate and
// require say (401, or 403 for another role).
func (s *Server) metricsToken(token string) echo.MiddlewareFunc {
	want := sha256.Sum256([]byte(token))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		staff := s.authenticate(s.require(access.RoleAdmin)(next))
		return func(c echo.Context) error {
			h := c.Request().Header.Values(echo.HeaderAuthorization)
			if len(h) == 1 {
				if scheme, tok, ok := strings.Cut(h[0], " "); ok && strings.EqualFold(scheme, "Bearer") {
					got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
					if subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
						return next(c)
					}
				}
			}
			return staff(c)
		}
	}
}

// metrics godoc
//
//	@Summary		Prometheus metrics
//	@Description	Request durations by route and status, the response cache's hits and misses, the database pools, the webhook outbox's lag, the Go runtime. In Prometheus's text format (or OpenMetrics when asked). Served on the public port only when a metrics token is configured (`metrics-token`), to a caller presenting it as a Bearer token, or an admin's token; otherwise on its own listener (`metrics-addr`), without authentication.
//	@Tags			system
//	@Produce		plain
//	@Security		BearerAuth
//	@Success		200	{string}	string	"the metrics"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Router			/metrics [get]
func (s *Server) metrics(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	s.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}
