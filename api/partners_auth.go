package api

import (
	"errors"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/partners"
)

// Partner credentials at the door.
//
// A partner token minted by the admin API has the subject "partner:<id>".
// Such a token is checked against its partner row on every request, in
// every process: the partner must be active and the token's jti must be the
// row's current one, so disabling a partner or rotating its credentials
// stops the old ones at the next request. The row's scopes replace the
// token's, so a scope change also applies at once. No cache: it is one
// primary-key read per partner request, and a cache would be a window in
// which a revoked token still works.
//
// Partner tokens with any other subject (`masthead token --role partner
// --scope headlines --sub acme`) have no row: they are taken at their word,
// as they were before partners had rows, and live until they expire. They
// are for tests and for trusted setups only; the admin API is the way to
// give a partner revocable credentials.

// partnerBudgetKey holds the rate limit (requests per minute) of a partner
// that has a row; partners without one get Deps.RateLimitPartner.
const partnerBudgetKey = "masthead.partner_budget"

var (
	errPartnerRevoked = &access.TokenError{Code: access.CodeTokenInvalid,
		Reason: "the partner's credentials were rotated or revoked, or the partner is disabled"}
	errFeedKeyInvalid = &access.TokenError{Code: access.CodeTokenInvalid,
		Reason: "the feed key is unknown or was rotated, or the partner is disabled"}
	errKeyAndToken = badRequest("send a feed key (?key=) or an Authorization header, not both",
		FieldIssue{Field: "key", Message: "not allowed with an Authorization header"})
)

// checkPartner applies the partner's row to a verified partner token: it
// returns the principal with the row's scopes, and the partner's rate
// limit, or a 401 when the token is no longer the partner's. Principals
// that name no partner row pass unchanged.
func (s *Server) checkPartner(c echo.Context, p access.Principal) (access.Principal, error) {
	if p.Role != access.RolePartner {
		return p, nil
	}
	id, ok := partners.IDFromSubject(p.Subject)
	if !ok {
		return p, nil
	}
	row, err := s.Partners.Get(c.Request().Context(), id)
	switch {
	case errors.Is(err, partners.ErrNotFound):
		return access.Principal{}, errPartnerRevoked
	case err != nil:
		return access.Principal{}, err
	case !row.Active || row.TokenID == "" || row.TokenID != p.TokenID:
		return access.Principal{}, errPartnerRevoked
	}
	p.Scopes = row.Scopes
	c.Set(partnerBudgetKey, row.RateLimit)
	return p, nil
}

// feedKey lets feed readers that cannot send headers authenticate with
// ?key=: the key of an active partner makes the request that partner's (its
// scopes, its rate limit); any other key is a 401. Without ?key= the
// request goes on untouched, to authenticate. A key together with an
// Authorization header is a 400: two credentials that may name different
// callers are refused rather than one of them silently ignored.
func (s *Server) feedKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		q := c.QueryParams()
		if _, ok := q["key"]; !ok {
			return next(c)
		}
		// The answer depends on the key: shared caches must key on the URL
		// (they do) and on the header authenticate would read.
		c.Response().Header().Add(echo.HeaderVary, echo.HeaderAuthorization)
		if len(c.Request().Header.Values(echo.HeaderAuthorization)) > 0 {
			return errKeyAndToken
		}
		if len(q["key"]) != 1 {
			return errFeedKeyInvalid
		}
		row, err := s.Partners.ByFeedKey(c.Request().Context(), q.Get("key"))
		switch {
		case errors.Is(err, partners.ErrNotFound):
			return errFeedKeyInvalid
		case err != nil:
			return err
		case !row.Active:
			return errFeedKeyInvalid
		}
		c.Set(principalKey, access.Principal{Subject: row.Subject(), Role: access.RolePartner, Scopes: row.Scopes})
		c.Set(partnerBudgetKey, row.RateLimit)
		return next(c)
	}
}
