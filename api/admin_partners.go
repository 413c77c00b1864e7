package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/partners"
)

// Partners for the newsroom's admins.
//
// Concurrency as for every newsroom resource: a version, its strong ETag,
// and an optional If-Match that makes a stale write a 412.
//
// Credentials are shown once, when they are made (create, rotate): the
// token is not kept, and of the feed key only its SHA-256.

const listPartners = "admin-partners"

type createPartnerRequest struct {
	Name string `json:"name" validate:"required" example:"Agence Vallée"`
	// headlines, full_text (which includes headlines).
	Scopes []string `json:"scopes" validate:"required" example:"headlines"`
	// Requests per minute; 0 is not limited. Absent: the server's default
	// for partners (MASTHEAD_RATE_LIMIT_PARTNER).
	RateLimit *int `json:"rate_limit,omitempty" minimum:"0" maximum:"1000000" example:"600"`
}

type updatePartnerRequest struct {
	Name   *string   `json:"name,omitempty" example:"Agence Vallée"`
	Scopes *[]string `json:"scopes,omitempty" example:"headlines,full_text"`
	// Requests per minute; 0 is not limited.
	RateLimit *int `json:"rate_limit,omitempty" minimum:"0" maximum:"1000000" example:"600"`
	// false disables the partner: its token and feed key stop at once.
	// true enables it again, with the credentials it had.
	Active *bool `json:"active,omitempty"`
}

type partnerResponse struct {
	ID     string   `json:"id" validate:"required" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Name   string   `json:"name" validate:"required" example:"Agence Vallée"`
	Scopes []string `json:"scopes" validate:"required" example:"headlines"`
	// Requests per minute; 0 is not limited.
	RateLimit int  `json:"rate_limit" validate:"required" example:"600"`
	Active    bool `json:"active" validate:"required"`
	// The `sub` of the partner's tokens.
	Subject string `json:"subject" validate:"required" example:"partner:01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	// When the current token expires: rotate the credentials before.
	TokenExpiresAt time.Time  `json:"token_expires_at" validate:"required"`
	CreatedAt      time.Time  `json:"created_at" validate:"required"`
	UpdatedAt      time.Time  `json:"updated_at" validate:"required"`
	DisabledAt     *time.Time `json:"disabled_at" validate:"required" extensions:"x-nullable"`
	// Moved by one on every write; the ETag names it.
	Version int `json:"version" validate:"required" example:"1"`
}

// partnerCredentialsResponse is a partner with its new credentials, shown
// this once.
type partnerCredentialsResponse struct {
	Partner partnerResponse `json:"partner" validate:"required"`
	// A Bearer token with role partner; it works until token_expires_at,
	// or until the credentials are rotated or the partner disabled.
	Token string `json:"token" validate:"required"`
	// For feed readers that cannot send headers: `?key=` on feed URLs.
	FeedKey string `json:"feed_key" validate:"required" example:"mfk_3q2x…"`
}

type partnerList struct {
	Data       []partnerResponse `json:"data" validate:"required"`
	NextCursor *string           `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

func toPartnerResponse(p partners.Partner) partnerResponse {
	r := partnerResponse{ID: p.ID, Name: p.Name, Scopes: p.Scopes, RateLimit: p.RateLimit, Active: p.Active,
		Subject: p.Subject(), TokenExpiresAt: p.TokenExpiresAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		DisabledAt: p.DisabledAt, Version: p.Version}
	if r.Scopes == nil {
		r.Scopes = []string{}
	}
	return r
}

// partnerIssuer signs partner tokens for the partners service and keeps
// the last one signed, to show it to the admin.
func (s *Server) partnerIssuer(signed *string) partners.Issuer {
	return func(subject string, scopes []string) (partners.Token, error) {
		is, err := s.Tokens.Issue(access.MintRequest{Subject: subject, Role: access.RolePartner, Scopes: scopes, TTL: s.PartnerTokenTTL})
		if err != nil {
			return partners.Token{}, err
		}
		*signed = is.Token
		return partners.Token{ID: is.ID, ExpiresAt: is.ExpiresAt}, nil
	}
}

func partnerID(c echo.Context) (string, error) { return pathID(c, "partner") }

// createPartner godoc
//
//	@Summary		Create a partner
//	@Description	A syndication partner with its scopes (`headlines`; `full_text` includes it and unlocks whole bodies) and its rate limit in requests per minute (`0`: not limited; absent: the server's default for partners).
//	@Description
//	@Description	The answer holds the partner's credentials, shown this once: a partner `token` (a JWT with role `partner`, valid for a year by default) and a `feed_key` for feed readers that cannot send headers (`?key=`). Only a hash of the key is kept; lost credentials are replaced with `POST /v1/admin/partners/{id}/credentials`. A name already in use is a `409`.
//	@Tags			partners
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			body	body		createPartnerRequest	true	"the partner"
//	@Success		201		{object}	partnerCredentialsResponse
//	@Header			201		{string}	Location	"/v1/admin/partners/{id}"
//	@Header			201		{string}	ETag		"the version's ETag, for If-Match"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/admin/partners [post]
func (s *Server) createPartner(c echo.Context) error {
	var req createPartnerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var token string
	p, key, err := s.Partners.Create(c.Request().Context(),
		partners.Input{Name: req.Name, Scopes: req.Scopes, RateLimit: req.RateLimit}, s.partnerIssuer(&token))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/admin/partners/"+p.ID)
	return sendVersioned(c, http.StatusCreated, p.ID, p.Version, p.UpdatedAt,
		partnerCredentialsResponse{Partner: toPartnerResponse(p), Token: token, FeedKey: key})
}

// listPartners godoc
//
//	@Summary		List partners
//	@Description	Newest first, active and disabled. Credentials are never listed.
//	@Tags			partners
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	partnerList
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Router			/v1/admin/partners [get]
func (s *Server) listPartners(c echo.Context) error {
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	cur, err := s.parseCursor(c, listPartners)
	if err != nil {
		return err
	}
	var after *partners.Cursor
	if cur != nil {
		after = &partners.Cursor{CreatedAt: cur.Time, ID: cur.ID}
	}
	list, next, err := s.Partners.List(c.Request().Context(), limit, after)
	if err != nil {
		return err
	}
	resp := partnerList{Data: make([]partnerResponse, 0, len(list))}
	for _, p := range list {
		resp.Data = append(resp.Data, toPartnerResponse(p))
	}
	if next != nil {
		nc := s.cursors.encode(position{List: listPartners, Time: next.CreatedAt, ID: next.ID})
		resp.NextCursor = &nc
	}
	return sendJSON(c, resp, time.Time{}, cacheNewsroom, nil)
}

// getPartner godoc
//
//	@Summary		Get a partner
//	@Description	Without its credentials. The `ETag` names its version: send it as `If-Match` to change the partner.
//	@Tags			partners
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id	path		string	true	"partner ID"
//	@Success		200	{object}	partnerResponse
//	@Header			200	{string}	ETag	"the version's ETag, for If-Match"
//	@Success		304	"Not Modified"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Router			/v1/admin/partners/{id} [get]
func (s *Server) getPartner(c echo.Context) error {
	id, err := partnerID(c)
	if err != nil {
		return err
	}
	p, err := s.Partners.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendVersioned(c, http.StatusOK, p.ID, p.Version, p.UpdatedAt, toPartnerResponse(p))
}

// updatePartner godoc
//
//	@Summary		Change or disable a partner
//	@Description	Absent fields stay as they are. `active: false` disables the partner: its token and feed key are refused (`401`) from the next request on, in every server process; `active: true` enables it again with the credentials it had (rotate them if they leaked). New `scopes` and `rate_limit` apply from the next request too, whatever the token says.
//	@Description
//	@Description	`If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is written.
//	@Tags			partners
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string					true	"partner ID"
//	@Param			If-Match	header		string					false	"ETag from the last read or write"
//	@Param			body		body		updatePartnerRequest	true	"fields to change"
//	@Success		200			{object}	partnerResponse
//	@Header			200			{string}	ETag	"the version's ETag, for If-Match"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/partners/{id} [patch]
func (s *Server) updatePartner(c echo.Context) error {
	id, err := partnerID(c)
	if err != nil {
		return err
	}
	var req updatePartnerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	expect, err := ifMatch(c, id, false)
	if err != nil {
		return err
	}
	p, err := s.Partners.Update(c.Request().Context(), id, partners.Patch{
		Name: req.Name, Scopes: req.Scopes, RateLimit: req.RateLimit, Active: req.Active,
	}, expect)
	if err != nil {
		return err
	}
	return sendVersioned(c, http.StatusOK, p.ID, p.Version, p.UpdatedAt, toPartnerResponse(p))
}

// rotatePartnerCredentials godoc
//
//	@Summary		Replace a partner's credentials
//	@Description	A new token and a new feed key, shown this once; the old token and key are refused (`401`) from the next request on, in every server process. Works on a disabled partner too: the new credentials work once it is enabled again.
//	@Description
//	@Description	`If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing changes.
//	@Tags			partners
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string	true	"partner ID"
//	@Param			If-Match	header		string	false	"ETag from the last read or write"
//	@Success		200			{object}	partnerCredentialsResponse
//	@Header			200			{string}	ETag	"the version's ETag, for If-Match"
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Router			/v1/admin/partners/{id}/credentials [post]
func (s *Server) rotatePartnerCredentials(c echo.Context) error {
	id, expect, err := versionedPath(c, "partner", false)
	if err != nil {
		return err
	}
	var token string
	p, key, err := s.Partners.Rotate(c.Request().Context(), id, s.partnerIssuer(&token), expect)
	if err != nil {
		return err
	}
	return sendVersioned(c, http.StatusOK, p.ID, p.Version, p.UpdatedAt,
		partnerCredentialsResponse{Partner: toPartnerResponse(p), Token: token, FeedKey: key})
}
