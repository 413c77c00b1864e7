package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
)

const principalKey = "masthead.principal"

// authenticate reads an optional Bearer token. No header: anonymous. A header
// that is present but bad is a 401 — never served as anonymous.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
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
		p, err := s.Tokens.Verify(strings.TrimSpace(token))
		if err != nil {
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
