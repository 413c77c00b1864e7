package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/accounts"
	"masthead/internal/fault"
)

// The token endpoints answer with no-store (RFC 6749 §5.1): a token is
// never cached by anyone.
const cacheNoStore = "no-store"

type loginRequest struct {
	Email    string `json:"email" validate:"required" example:"reader@example.org"`
	Password string `json:"password" validate:"required" example:"correct horse battery staple"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token" validate:"required" example:"q3V0Zk8xN2JtY3lKb0FhUk5rWVpQa2d3b2F6cXN1bVk"`
}

type tokenResponse struct {
	// AccessToken is a JWT to send as "Authorization: Bearer …".
	AccessToken string `json:"access_token" validate:"required" example:"eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2ln"`
	TokenType   string `json:"token_type" validate:"required" enums:"Bearer" example:"Bearer"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int `json:"expires_in" validate:"required" example:"900"`
	// RefreshToken is opaque and single-use: POST it to /v1/auth/refresh
	// for the next pair.
	RefreshToken string `json:"refresh_token" validate:"required" example:"q3V0Zk8xN2JtY3lKb0FhUk5rWVpQa2d3b2F6cXN1bVk"`
}

type meResponse struct {
	ID    string `json:"id" validate:"required" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Email string `json:"email" validate:"required" example:"reader@example.org"`
	Name  string `json:"name" validate:"required" example:"Ada Martin"`
	// Role is the effective role: a subscriber whose subscription has
	// ended is a reader.
	Role              string     `json:"role" validate:"required" enums:"reader,subscriber,editor,admin" example:"subscriber"`
	SubscriptionUntil *time.Time `json:"subscription_until" validate:"required" extensions:"x-nullable" example:"2027-01-31T00:00:00Z"`
}

// login godoc
//
//	@Summary		Log in
//	@Description	Exchanges an email and a password for an access token (a JWT whose `role` is the account's effective role: `subscriber` only while the subscription runs) and a refresh token. A wrong password and an unknown email get the same `401 invalid_credentials`, in the same time.
//	@Description
//	@Description	Failed logins are limited, in 15 minutes, to 5 per account from one client address, 20 per client address, and 100 per account from all addresses (configurable), budgets that refill steadily (one failure back every 3 minutes, 45 seconds and 9 seconds) and that every server process shares. Past a budget every attempt it covers (even with the right password) is `429 too_many_requests` with `Retry-After`, the seconds until the next attempt is allowed: five wrong passwords lock that address out of that account, while the owner still logs in from another address. A successful login does not count.
//	@Tags			auth
//	@Param			body	body		loginRequest	true	"credentials"
//	@Success		200		{object}	tokenResponse
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Failure		429		{object}	Problem
//	@Header			429		{integer}	Retry-After	"seconds to wait"
//	@Router			/v1/auth/login [post]
func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := accounts.CheckLogin(req.Email, req.Password); err != nil {
		return err
	}
	// The limiter is asked before any hashing, so a locked account or
	// address costs the server nothing (loginlimit.go).
	ctx := c.Request().Context()
	done, err := s.startLogin(ctx, accounts.NormalizeEmail(req.Email), c.RealIP())
	if err != nil {
		return err
	}
	u, err := s.Accounts.Authenticate(ctx, req.Email, req.Password)
	// Only wrong credentials count; our failures do not.
	done(errors.Is(err, accounts.ErrInvalidCredentials))
	if err != nil {
		return err
	}
	sess, err := s.Accounts.StartSession(ctx, u.ID)
	if err != nil {
		return err
	}
	return s.sendTokens(c, u, sess)
}

// refreshToken godoc
//
//	@Summary		Refresh the tokens
//	@Description	Rotates a refresh token: the one sent stops working and the answer carries a new access token and the next refresh token of the same login. The role is read afresh from the account.
//	@Description
//	@Description	A refresh token is single-use. Sending one that was already used (a stolen copy, or a client that refreshed twice) revokes the whole login — every token issued from it — and answers `401 token_reused`: log in again. An unknown, expired, revoked or logged-out token is `401 token_invalid`.
//	@Tags			auth
//	@Param			body	body		refreshRequest	true	"the current refresh token"
//	@Success		200		{object}	tokenResponse
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/auth/refresh [post]
func (s *Server) refreshToken(c echo.Context) error {
	var req refreshRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return fault.Invalid(fault.Field("refresh_token", "is required"))
	}
	u, sess, err := s.Accounts.Refresh(c.Request().Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	return s.sendTokens(c, u, sess)
}

// logout godoc
//
//	@Summary		Log out
//	@Description	Revokes the login the refresh token belongs to: it and every refresh token issued from it stop working. Access tokens already issued are not recalled: they are short-lived (15 minutes by default) and simply expire; a client drops its copy. An unknown token also answers 204 (RFC 7009): there is nothing to revoke.
//	@Tags			auth
//	@Param			body	body	refreshRequest	true	"a refresh token of the login"
//	@Success		204		"No Content"
//	@Failure		400		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/auth/logout [post]
func (s *Server) logout(c echo.Context) error {
	var req refreshRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return fault.Invalid(fault.Field("refresh_token", "is required"))
	}
	if err := s.Accounts.Logout(c.Request().Context(), req.RefreshToken); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, cacheNoStore)
	return c.NoContent(http.StatusNoContent)
}

// getMe godoc
//
//	@Summary		The caller's account
//	@Description	The account the token speaks for, with its effective role (a subscriber whose subscription has ended is a reader). Never the password hash. A valid token whose subject is no account (a partner or an external issuer's token) is `404`.
//	@Tags			auth
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Success		200	{object}	meResponse
//	@Success		304	"Not Modified"
//	@Failure		401	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Router			/v1/me [get]
func (s *Server) getMe(c echo.Context) error {
	u, err := s.Accounts.UserByID(c.Request().Context(), principalOf(c).Subject)
	if err != nil {
		return err
	}
	resp := meResponse{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(s.Accounts.EffectiveRole(u)),
		SubscriptionUntil: u.SubscriptionUntil}
	return sendJSON(c, resp, u.UpdatedAt, "private, no-store", nil)
}

// sendTokens mints the access token for u's effective role and answers
// with the pair.
func (s *Server) sendTokens(c echo.Context, u accounts.User, sess accounts.Session) error {
	tok, err := s.Tokens.Mint(access.MintRequest{Subject: u.ID, Role: access.Role(s.Accounts.EffectiveRole(u)), TTL: s.AccessTTL})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, cacheNoStore)
	h.Set("Pragma", "no-cache")
	return c.JSON(http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer",
		ExpiresIn: int(s.AccessTTL / time.Second), RefreshToken: sess.RefreshToken})
}

func tooManyRequests(wait time.Duration) error {
	return tooMany("too_many_requests", "too many failed logins; wait before trying again", wait)
}
