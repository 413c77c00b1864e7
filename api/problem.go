package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/fault"
)

// Problem is an RFC 9457 problem document; every error response is one.
type Problem struct {
	Type      string       `json:"type" validate:"required" example:"urn:masthead:problem:not_found"`
	Title     string       `json:"title" validate:"required" example:"Not Found"`
	Status    int          `json:"status" validate:"required" example:"404"`
	Detail    string       `json:"detail,omitempty" example:"no article is called sommet-de-la-vallee"`
	Code      string       `json:"code" validate:"required" enums:"bad_request,client_closed_request,validation_failed,unauthenticated,token_invalid,token_expired,forbidden,not_found,method_not_allowed,not_acceptable,conflict,precondition_failed,precondition_required,payload_too_large,unsupported_media_type,too_many_requests,rate_limited,internal,unavailable,invalid_credentials,token_reused,comments_closed,partner_cannot_comment,gone" example:"not_found"`
	Instance  string       `json:"instance,omitempty" example:"/v1/articles/sommet-de-la-vallee"`
	RequestID string       `json:"request_id,omitempty" example:"6kRrHw1wDtg5QpQ4aYx2"`
	Errors    []FieldIssue `json:"errors,omitempty"`
}

// FieldIssue is one invalid field of a request.
type FieldIssue struct {
	Field   string `json:"field" validate:"required" example:"limit"`
	Message string `json:"message" validate:"required" example:"must be between 1 and 100"`
}

// problemError is an error that already knows its problem document.
type problemError struct {
	status int
	code   string
	detail string
	fields []FieldIssue
	header http.Header
}

func (e *problemError) Error() string { return e.code + ": " + e.detail }

func badRequest(detail string, fields ...FieldIssue) error {
	return &problemError{status: http.StatusBadRequest, code: "bad_request", detail: detail, fields: fields}
}

func badParam(name, message string) error {
	return badRequest(fmt.Sprintf("query parameter %q %s", name, message), FieldIssue{Field: name, Message: message})
}

// notFound is the not-found of a path or query value that cannot name
// anything (the wrong shape of id, an unknown feed name).
func notFound(detail string) error { return fault.NotFound(detail) }

// statusCodes maps statuses Echo raises itself to stable codes.
var statusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusNotAcceptable:         "not_acceptable",
	http.StatusConflict:              "conflict",
	http.StatusPreconditionFailed:    "precondition_failed",
	http.StatusPreconditionRequired:  "precondition_required",
	http.StatusRequestEntityTooLarge: "payload_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "validation_failed",
	http.StatusTooManyRequests:       "too_many_requests",
	http.StatusServiceUnavailable:    "unavailable",
}

// errorHandler turns every error a handler or middleware returns into a
// problem document. Unknown errors are a 500 with no detail, logged once with
// the request id.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, hdr := toProblem(err)
		req := c.Request()
		p.Instance = req.URL.Path
		p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		if p.Status >= 500 {
			log.LogAttrs(req.Context(), slog.LevelError, "request failed",
				slog.String("request_id", p.RequestID),
				slog.String("method", req.Method),
				slog.String("route", c.Path()),
				slog.String("error", err.Error()))
		}
		h := c.Response().Header()
		for k, vs := range hdr {
			h[http.CanonicalHeaderKey(k)] = vs
		}
		// An error is never cached as if it were the resource.
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Del(headerETag)
		h.Del(echo.HeaderLastModified)
		h.Set(echo.HeaderContentType, "application/problem+json")
		// A HEAD gets the same answer: net/http sends no body for it.
		if werr := c.JSON(p.Status, p); werr != nil {
			log.Warn("write problem", slog.String("error", werr.Error()))
		}
	}
}

// faultKinds gives each domain fault its status, code and the detail used
// when the fault carries none.
var faultKinds = []struct {
	kind         error
	status       int
	code, detail string
}{
	{fault.ErrNotFound, http.StatusNotFound, "not_found", "no such resource"},
	{fault.ErrConflict, http.StatusConflict, "conflict", "the resource already exists"},
	{fault.ErrStale, http.StatusPreconditionFailed, "precondition_failed", "someone changed this resource since you read it; read it again"},
	{fault.ErrInvalid, http.StatusUnprocessableEntity, "validation_failed", "the request has invalid fields"},
	{fault.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "authentication is required"},
	{fault.ErrForbidden, http.StatusForbidden, "forbidden", "you may not do this"},
	{fault.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "the service cannot reach its database; try again shortly"},
	{fault.ErrGone, http.StatusGone, "gone", "what this named is gone"},
}

// retryAfter is the Retry-After, in seconds, of a 503: long enough for a
// database to restart or fail over, or for a large photo to be decoded;
// short enough for a reader to wait.
const retryAfter = "5"

// toProblem is the one mapping from errors to problem documents: the
// HTTP layer's own (problemError), tokens, the domains' faults, timeouts and
// Echo's errors. Anything else is a 500 that says nothing.
func toProblem(err error) (Problem, http.Header) {
	var (
		pe  *problemError
		te  *access.TokenError
		fe  *fault.Error
		he  *echo.HTTPError
		hdr = http.Header{}
	)
	switch {
	case errors.As(err, &pe):
		for k, vs := range pe.header {
			// Literal header maps may spell a key as the RFC does
			// (WWW-Authenticate); Go's readers look up the canonical one.
			hdr[http.CanonicalHeaderKey(k)] = vs
		}
		return newProblem(pe.status, pe.code, pe.detail, pe.fields), hdr
	case errors.As(err, &te):
		hdr.Set(echo.HeaderWWWAuthenticate, fmt.Sprintf(`Bearer realm="masthead", error="invalid_token", error_description=%q`, te.Reason))
		return newProblem(http.StatusUnauthorized, te.Code, te.Reason, nil), hdr
	case errors.Is(err, context.DeadlineExceeded):
		hdr.Set("Retry-After", retryAfter)
		return newProblem(http.StatusServiceUnavailable, "unavailable", "the request took too long; try again", nil), hdr
	case errors.Is(err, context.Canceled):
		// The client went away before the answer: nobody reads this, but
		// the access log and the metrics must not count it as our failure.
		p := newProblem(statusClientClosed, "client_closed_request", "the client closed the request", nil)
		p.Title = "Client Closed Request"
		return p, hdr
	case errors.As(err, &he):
		code, ok := statusCodes[he.Code]
		if !ok || he.Code >= 500 {
			return newProblem(http.StatusInternalServerError, "internal", "", nil), hdr
		}
		detail := ""
		if m, ok := he.Message.(string); ok && m != "" {
			detail = strings.ToLower(m[:1]) + m[1:]
		}
		if he.Code == http.StatusUnauthorized {
			hdr.Set(echo.HeaderWWWAuthenticate, `Bearer realm="masthead"`)
		}
		return newProblem(he.Code, code, detail, nil), hdr
	}
	errors.As(err, &fe)
	for _, k := range faultKinds {
		if !errors.Is(err, k.kind) {
			continue
		}
		code, detail := k.code, k.detail
		var fields []FieldIssue
		if fe != nil && errors.Is(fe.Kind(), k.kind) {
			if fe.Code != "" {
				code = fe.Code
			}
			if fe.Detail != "" {
				detail = fe.Detail
			}
			for _, f := range fe.Fields {
				fields = append(fields, FieldIssue{Field: f.Field, Message: f.Message})
			}
		}
		switch k.status {
		case http.StatusUnauthorized:
			hdr.Set(echo.HeaderWWWAuthenticate, `Bearer realm="masthead"`)
		case http.StatusServiceUnavailable:
			hdr.Set("Retry-After", retryAfter)
		}
		return newProblem(k.status, code, detail, fields), hdr
	}
	return newProblem(http.StatusInternalServerError, "internal", "", nil), hdr
}

// statusClientClosed is the de facto status (nginx's 499) of a request whose
// client disconnected before the answer was ready.
const statusClientClosed = 499

func newProblem(status int, code, detail string, fields []FieldIssue) Problem {
	return Problem{
		Type:   "urn:masthead:problem:" + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
		Errors: fields,
	}
}

// tooMany is a 429 problem whose Retry-After is wait, rounded up to whole
// seconds (at least 1).
func tooMany(code, detail string, wait time.Duration) error {
	return &problemError{status: http.StatusTooManyRequests, code: code, detail: detail,
		header: http.Header{"Retry-After": {strconv.Itoa(max(1, ceilSeconds(wait)))}}}
}

// ceilSeconds rounds d up to whole seconds, at least 0.
func ceilSeconds(d time.Duration) int {
	return max(0, int(math.Ceil(d.Seconds())))
}
