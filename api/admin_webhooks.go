package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/webhooks"
)

// Webhooks for partners (admins only). A webhook's ETag is its version
// ("<id>.v<N>"); If-Match is optional on its writes, as on the taxonomy:
// without it the write applies to the current version, with it a stale ETag
// is a 412 and nothing is written. The dispatcher moving a webhook along
// the change log changes no version.

const listWebhooksName = "admin-webhooks"

type createWebhookRequest struct {
	// http or https; an address on a private or loopback network is refused unless the server allows it.
	URL string `json:"url" validate:"required" example:"https://hooks.partner.example/masthead"`
	// Event types, or ["*"] for every type (those added later too).
	Events      []string `json:"events" validate:"required" enums:"*,article.published,article.updated,article.corrected,article.unpublished" example:"article.published,article.unpublished"`
	Description string   `json:"description,omitempty" example:"Partner X's newsroom"`
	// Default true.
	Active *bool `json:"active,omitempty"`
}

type updateWebhookRequest struct {
	URL    *string  `json:"url,omitempty" example:"https://hooks.partner.example/masthead"`
	Events []string `json:"events,omitempty" enums:"*,article.published,article.updated,article.corrected,article.unpublished"`
	// "" removes it.
	Description *string `json:"description,omitempty"`
	// false stops the deliveries (pending ones wait); true starts again from the current end of the change log.
	Active *bool `json:"active,omitempty"`
}

type webhookResponse struct {
	ID          string    `json:"id" validate:"required"`
	URL         string    `json:"url" validate:"required" example:"https://hooks.partner.example/masthead"`
	Events      []string  `json:"events" validate:"required" enums:"*,article.published,article.updated,article.corrected,article.unpublished"`
	Description string    `json:"description" validate:"required"`
	Active      bool      `json:"active" validate:"required"`
	Version     int       `json:"version" validate:"required" example:"1"`
	CreatedAt   time.Time `json:"created_at" validate:"required"`
	UpdatedAt   time.Time `json:"updated_at" validate:"required"`
}

// webhookSecretResponse is a webhook with its signing secret: the answer
// to its creation and to a rotation, and only those.
type webhookSecretResponse struct {
	ID          string    `json:"id" validate:"required"`
	URL         string    `json:"url" validate:"required" example:"https://hooks.partner.example/masthead"`
	Events      []string  `json:"events" validate:"required" enums:"*,article.published,article.updated,article.corrected,article.unpublished"`
	Description string    `json:"description" validate:"required"`
	Active      bool      `json:"active" validate:"required"`
	Version     int       `json:"version" validate:"required" example:"1"`
	CreatedAt   time.Time `json:"created_at" validate:"required"`
	UpdatedAt   time.Time `json:"updated_at" validate:"required"`
	// The signing secret (Standard Webhooks: whsec_ and base64). Shown now and never again.
	Secret string `json:"secret" validate:"required" example:"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oDNxhXIBvFOBg="`
}

type webhookList struct {
	Data       []webhookResponse `json:"data" validate:"required"`
	NextCursor *string           `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

type webhookDeliveryResponse struct {
	// Also the webhook-id header of every attempt.
	ID        string `json:"id" validate:"required"`
	Event     string `json:"event" validate:"required" enums:"article.published,article.updated,article.corrected,article.unpublished"`
	ChangeSeq int64  `json:"change_seq" validate:"required" example:"42"`
	ArticleID string `json:"article_id" validate:"required"`
	Status    string `json:"status" validate:"required" enums:"pending,delivered,failed"`
	Attempts  int    `json:"attempts" validate:"required" example:"1"`
	// HTTP status of the last attempt; null before the first or when there was no answer.
	LastStatus *int `json:"last_status" validate:"required" extensions:"x-nullable" example:"500"`
	// Why the last attempt failed: "HTTP <status>", "refused by policy" or "could not connect"; null when it did not.
	LastError     *string    `json:"last_error" validate:"required" extensions:"x-nullable" example:"HTTP 500"`
	NextAttemptAt *time.Time `json:"next_attempt_at" validate:"required" extensions:"x-nullable"`
	LastAttemptAt *time.Time `json:"last_attempt_at" validate:"required" extensions:"x-nullable"`
	DeliveredAt   *time.Time `json:"delivered_at" validate:"required" extensions:"x-nullable"`
	CreatedAt     time.Time  `json:"created_at" validate:"required"`
	// The body sent (the same on every attempt).
	Payload json.RawMessage `json:"payload" validate:"required" swaggertype:"object"`
}

type webhookDeliveryList struct {
	Data       []webhookDeliveryResponse `json:"data" validate:"required"`
	NextCursor *string                   `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

func toWebhookResponse(w webhooks.Webhook) webhookResponse {
	return webhookResponse{ID: w.ID, URL: w.URL, Events: nonNilSlice(w.Events), Description: w.Description,
		Active: w.Active, Version: w.Version, CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC()}
}

func toWebhookSecretResponse(w webhooks.Webhook) webhookSecretResponse {
	r := toWebhookResponse(w)
	return webhookSecretResponse{ID: r.ID, URL: r.URL, Events: r.Events, Description: r.Description,
		Active: r.Active, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Secret: w.Secret}
}

func toWebhookDeliveryResponse(d webhooks.Delivery) webhookDeliveryResponse {
	r := webhookDeliveryResponse{ID: d.ID, Event: d.Event, ChangeSeq: d.ChangeSeq, ArticleID: d.ArticleID,
		Status: d.Status, Attempts: d.Attempts, LastStatus: d.LastStatus, NextAttemptAt: d.NextAttemptAt,
		LastAttemptAt: d.LastAttemptAt, DeliveredAt: d.DeliveredAt, CreatedAt: d.CreatedAt, Payload: d.Payload}
	if d.LastError != "" {
		e := d.LastError
		r.LastError = &e
	}
	return r
}

// webhookID reads the :id parameter.
func webhookID(c echo.Context) (string, error) { return pathID(c, "webhook") }

// sendWebhook answers with a webhook and its version's ETag.
func sendWebhook(c echo.Context, status int, w webhooks.Webhook, v any) error {
	return sendVersioned(c, status, w.ID, w.Version, w.UpdatedAt, v)
}

// createWebhook godoc
//
//	@Summary		Create a webhook
//	@Description	Deliveries start with the next change: a new webhook is not sent the past (the sync API `/v1/changes` has it). `events` names event types (`article.published`, `article.updated`, `article.corrected`, `article.unpublished`) or is `["*"]` for all, those added later too.
//	@Description
//	@Description	The URL must be `http` or `https`, name a host and carry no user information; a host that resolves to a loopback, private, link-local, shared (100.64/10), multicast or otherwise special address is refused (`422`, `errors[].field` = `url`) unless the server's `MASTHEAD_WEBHOOK_ALLOW` allows it. The address is checked again on every connection.
//	@Description
//	@Description	The answer carries the signing `secret`, shown here and after a rotation only. Each delivery is a `POST` of `{"type", "timestamp", "data": {"article_id", "kind", "lang", "version", "seq", "note"?, "title"?, "standfirst"?, "canonical_url"?, "published_at"?}}` (headline fields while the article is live; never body text) with the Standard Webhooks headers `webhook-id` (the delivery id, the same on every retry), `webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the secret's decoded bytes). A `2xx` within 10 s is a delivery; anything else is retried after about 5 s, 30 s, 2 min, 10 min, 1 h, 3 h, 6 h and 12 h (±20%), then the delivery is `failed`.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			body	body		createWebhookRequest	true	"the webhook"
//	@Success		201		{object}	webhookSecretResponse
//	@Header			201		{string}	Location	"/v1/admin/webhooks/{id}"
//	@Header			201		{string}	ETag		"strong ETag, for If-Match"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/admin/webhooks [post]
func (s *Server) createWebhook(c echo.Context) error {
	var req createWebhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.Webhooks.Create(c.Request().Context(), webhooks.Input{
		URL: req.URL, Events: req.Events, Description: req.Description, Active: req.Active,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/admin/webhooks/"+w.ID)
	return sendWebhook(c, http.StatusCreated, w, toWebhookSecretResponse(w))
}

// listWebhooks godoc
//
//	@Summary		List webhooks
//	@Description	Newest first. Secrets are never listed.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	webhookList
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Router			/v1/admin/webhooks [get]
func (s *Server) listWebhooks(c echo.Context) error {
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	cur, err := s.parseCursor(c, listWebhooksName)
	if err != nil {
		return err
	}
	var after *webhooks.Cursor
	if cur != nil {
		after = &webhooks.Cursor{CreatedAt: cur.Time, ID: cur.ID}
	}
	list, next, err := s.Webhooks.List(c.Request().Context(), limit, after)
	if err != nil {
		return err
	}
	resp := webhookList{Data: make([]webhookResponse, 0, len(list))}
	for _, w := range list {
		resp.Data = append(resp.Data, toWebhookResponse(w))
	}
	if next != nil {
		nc := s.cursors.encode(position{List: listWebhooksName, Time: next.CreatedAt, ID: next.ID})
		resp.NextCursor = &nc
	}
	return sendJSON(c, resp, time.Time{}, cacheNewsroom, nil)
}

// getWebhook godoc
//
//	@Summary		Get a webhook
//	@Description	Without its secret. The `ETag` is the version's: send it as `If-Match` to change the webhook.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id	path		string	true	"webhook ID"
//	@Success		200	{object}	webhookResponse
//	@Header			200	{string}	ETag	"strong ETag, for If-Match"
//	@Success		304	"Not Modified"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Router			/v1/admin/webhooks/{id} [get]
func (s *Server) getWebhook(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	w, err := s.Webhooks.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendWebhook(c, http.StatusOK, w, toWebhookResponse(w))
}

// updateWebhook godoc
//
//	@Summary		Change a webhook
//	@Description	Absent fields stay as they are; a new `url` is checked as on creation. `active: false` stops the deliveries (pending ones wait for it to come back); `active: true` after that starts again from the current end of the change log: what changed in between is not sent (the sync API has it).
//	@Description
//	@Description	`If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is written.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string					true	"webhook ID"
//	@Param			If-Match	header		string					false	"ETag from the last read or write"
//	@Param			body		body		updateWebhookRequest	true	"fields to change"
//	@Success		200			{object}	webhookResponse
//	@Header			200			{string}	ETag	"strong ETag, for If-Match"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/webhooks/{id} [patch]
func (s *Server) updateWebhook(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	var req updateWebhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	expect, err := ifMatch(c, id, false)
	if err != nil {
		return err
	}
	w, err := s.Webhooks.Update(c.Request().Context(), id, webhooks.Patch{
		URL: req.URL, Events: req.Events, Description: req.Description, Active: req.Active,
	}, expect)
	if err != nil {
		return err
	}
	return sendWebhook(c, http.StatusOK, w, toWebhookResponse(w))
}

// deleteWebhook godoc
//
//	@Summary		Delete a webhook
//	@Description	Nothing more is sent to it, and its delivery log goes with it. `If-Match` is optional, as on `PATCH`.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path	string	true	"webhook ID"
//	@Param			If-Match	header	string	false	"ETag from the last read or write"
//	@Success		204			"No Content"
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Router			/v1/admin/webhooks/{id} [delete]
func (s *Server) deleteWebhook(c echo.Context) error {
	id, expect, err := versionedPath(c, "webhook", false)
	if err != nil {
		return err
	}
	if err := s.Webhooks.Delete(c.Request().Context(), id, expect); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// rotateWebhookSecret godoc
//
//	@Summary		Rotate a webhook's secret
//	@Description	Answers the webhook with its new `secret`. For 24 hours the deliveries carry two signatures in `webhook-signature`, one with each secret (space-separated, as the standard allows), so that the receiver can switch to the new secret without refusing a delivery. `If-Match` is optional, as on `PATCH`.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string	true	"webhook ID"
//	@Param			If-Match	header		string	false	"ETag from the last read or write"
//	@Success		200			{object}	webhookSecretResponse
//	@Header			200			{string}	ETag	"strong ETag, for If-Match"
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Router			/v1/admin/webhooks/{id}/secret [post]
func (s *Server) rotateWebhookSecret(c echo.Context) error {
	id, expect, err := versionedPath(c, "webhook", false)
	if err != nil {
		return err
	}
	w, err := s.Webhooks.RotateSecret(c.Request().Context(), id, expect)
	if err != nil {
		return err
	}
	return sendWebhook(c, http.StatusOK, w, toWebhookSecretResponse(w))
}

// listWebhookDeliveries godoc
//
//	@Summary		A webhook's delivery log
//	@Description	One entry per event sent or to send, newest change first: its state (`pending` until a `2xx`, then `delivered`; `failed` after the last retry), the attempts made, the last HTTP status and error, and when the next attempt is due.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id		path		string	true	"webhook ID"
//	@Param			status	query		string	false	"only this state"	Enums(pending, delivered, failed)
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	webhookDeliveryList
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/v1/admin/webhooks/{id}/deliveries [get]
func (s *Server) listWebhookDeliveries(c echo.Context) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	switch status {
	case "", webhooks.StatusPending, webhooks.StatusDelivered, webhooks.StatusFailed:
	default:
		return badParam("status", "must be pending, delivered or failed")
	}
	// The cursor is bound to this webhook and this filter; it carries the
	// change seq the page ended at.
	list := "webhook-deliveries:" + id + ":" + status
	cur, err := s.parseCursor(c, list)
	if err != nil {
		return err
	}
	f := webhooks.DeliveryFilter{Status: status, Limit: limit}
	if cur != nil {
		if f.Before, err = strconv.ParseInt(cur.ID, 10, 64); err != nil || f.Before <= 0 {
			return badParam("cursor", "is not a cursor this list issued; start again without it")
		}
	}
	ds, next, err := s.Webhooks.Deliveries(c.Request().Context(), id, f)
	if err != nil {
		return err
	}
	resp := webhookDeliveryList{Data: make([]webhookDeliveryResponse, 0, len(ds))}
	for _, d := range ds {
		resp.Data = append(resp.Data, toWebhookDeliveryResponse(d))
	}
	if next > 0 {
		last := ds[len(ds)-1]
		nc := s.cursors.encode(position{List: list, Time: last.CreatedAt, ID: strconv.FormatInt(next, 10)})
		resp.NextCursor = &nc
	}
	return sendJSON(c, resp, time.Time{}, cacheNewsroom, nil)
}
