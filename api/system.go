package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
)

// readyTimeout bounds the database checks of /readyz.
const readyTimeout = time.Second

// timeZero is "no Last-Modified" for documents that have no date.
var timeZero time.Time

type healthResponse struct {
	Status string `json:"status" validate:"required" example:"ok"`
}

type jwksResponse struct {
	Keys []access.JWK `json:"keys" validate:"required"`
}

// healthz godoc
//
//	@Summary	Liveness: the process answers
//	@Tags		system
//	@Success	200	{object}	healthResponse
//	@Router		/healthz [get]
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, healthResponse{Status: "ok"})
}

// readyz godoc
//
//	@Summary	Readiness: the database answers and every migration is applied
//	@Tags		system
//	@Success	200	{object}	healthResponse
//	@Failure	503	{object}	Problem
//	@Router		/readyz [get]
func (s *Server) readyz(c echo.Context) error {
	// A stopped database answers "not ready" at once, not after the
	// request timeout: probes have short deadlines of their own.
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	unready := func(detail string) error {
		return &problemError{status: http.StatusServiceUnavailable, code: "unavailable", detail: detail,
			header: http.Header{"Retry-After": {retryAfter}}}
	}
	if err := s.DB.Ping(ctx); err != nil {
		s.Logger.Warn("not ready", "error", err.Error())
		return unready("the database does not answer")
	}
	pending, err := s.DB.Pending(ctx)
	if err != nil {
		s.Logger.Warn("not ready", "error", err.Error())
		return unready("the database does not answer")
	}
	if pending {
		return unready("migrations are pending")
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, healthResponse{Status: "ready"})
}

// jwks godoc
//
//	@Summary		Public keys that verify Masthead's tokens
//	@Description	A JSON Web Key Set (RFC 7517) with Masthead's Ed25519 public key.
//	@Tags			system
//	@Success		200	{object}	jwksResponse
//	@Router			/.well-known/jwks.json [get]
func (s *Server) jwks(c echo.Context) error {
	return sendJSON(c, jwksResponse{Keys: s.Tokens.JWKS()}, timeZero, "public, max-age=300", nil)
}

// openAPI serves the OpenAPI 3 document that the tests validate every
// response against.
func (s *Server) openAPI(c echo.Context) error {
	return sendRep(c, s.spec, "public, max-age=300")
}
