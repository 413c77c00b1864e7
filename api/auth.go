package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
)

const principalKey = "masthead.principal"

// Verifier checks a Bearer token and says who it speaks for: our own
// *access.Tokens, or an access.Combined that also trusts an external issuer.
type Verifier interface {
	Verify(raw string) (access.Principal, error)
}

// authenticate reads an optional Bearer token. No header: anonymous, or the
// partner a feed key named (feedKey runs first on feed routes). A header
// that is present but bad is a 401 — never served as anonymous. A partner
// token is checked against its partner row (partners_auth.go). Once the
// caller is known, the request spends from its rate budget (ratelimit.go).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	next = s.rateLimit(next)
	return func(c echo.Context) error {
		c.Response().Header().Add(echo.HeaderVary, echo.HeaderAuthorization)
		h := c.Request().Header.Values(echo.HeaderAuthorization)
		if len(h) == 0 {
			return next(c)
		}
		if len(h) > 1 {
			return &access.TokenError{Code: access.CodeTokenInvalid, Reason: "send one Authorization header"}
		}
		scheme, token, ok := strings.Cut(h[0], " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return &access.TokenError{Code: access.CodeTokenInvalid, Reason: `the Authorization header must be "Bearer <token>"`}
		}
		p, err := s.Verifier.Verify(strings.TrimSpace(token))
		if err != nil {
			return err
		}
		if p, err = s.checkPartner(c, p); err != nil {
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// principalOf returns the caller; the zero Principal is anonymous.
func principalOf(c echo.Context) access.Principal {
	p, _ := c.Get(principalKey).(access.Principal)
	return p
}

// require lets a request through only when the caller holds one of roles:
// anonymous callers get 401 (unauthenticated), others 403 (forbidden). It
// runs after authenticate.
func (s *Server) require(roles ...access.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := principalOf(c)
			if p.Anonymous() {
				return errUnauthenticated
			}
			for _, r := range roles {
				if p.Role == r {
					return next(c)
				}
			}
			return errForbidden
		}
	}
}

var (
	errUnauthenticated = &problemError{
		status: http.StatusUnauthorized, code: "unauthenticated", detail: "this needs a Bearer token",
		header: http.Header{echo.HeaderWWWAuthenticate: {`Bearer realm="masthead"`}},
	}
	errForbidden = &problemError{status: http.StatusForbidden, code: "forbidden", detail: "your role does not allow this"}
)
