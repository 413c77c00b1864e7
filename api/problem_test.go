package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"masthead/internal/fault"
)

// A request whose client went away is not a server failure: it must not be
// counted or logged as a 500.
func TestCanceledRequestIsNotA500(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("list comments of x: %w", context.Canceled)
	p, _ := toProblem(err)
	if p.Status != statusClientClosed || p.Code != "client_closed_request" || p.Title == "" {
		t.Fatalf("problem for a canceled request = %+v", p)
	}
	// A deadline is still ours: 503.
	p, _ = toProblem(fmt.Errorf("q: %w", context.DeadlineExceeded))
	if p.Status != http.StatusServiceUnavailable {
		t.Fatalf("problem for a deadline = %+v", p)
	}
	// Anything unknown stays a 500 with no detail.
	p, _ = toProblem(fmt.Errorf("boom"))
	if p.Status != http.StatusInternalServerError || p.Detail != "" {
		t.Fatalf("problem for an unknown error = %+v", p)
	}
}

// Every domain fault maps to its status and code in toProblem, wrapped or
// not, with the domain's detail and fields; the codes a domain chooses
// (401 and 403) win over the kind's default.
func TestFaultsMapToProblems(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
		detail string
		auth   bool
	}{
		{fault.NotFound("no photo has this id"), 404, "not_found", "no photo has this id", false},
		{fault.ErrNotFound, 404, "not_found", "no such resource", false},
		{fault.Conflict("another partner has this name"), 409, "conflict", "another partner has this name", false},
		{fault.ErrStale, 412, "precondition_failed", "someone changed this resource since you read it; read it again", false},
		{fault.Invalid(fault.Field("title", "is required")), 422, "validation_failed", "the request has invalid fields", false},
		{fault.Unauthenticated("invalid_credentials", "wrong email or password"), 401, "invalid_credentials", "wrong email or password", true},
		{fault.Forbidden("comments_closed", "this article no longer takes comments"), 403, "comments_closed", "this article no longer takes comments", false},
		{fault.Gone("the article at this path was withdrawn"), 410, "gone", "the article at this path was withdrawn", false},
		{fault.ErrGone, 410, "gone", "what this named is gone", false},
	} {
		p, hdr := toProblem(fmt.Errorf("handler: %w", tc.err))
		if p.Status != tc.status || p.Code != tc.code || p.Detail != tc.detail {
			t.Errorf("%v: %d %s %q, want %d %s %q", tc.err, p.Status, p.Code, p.Detail, tc.status, tc.code, tc.detail)
		}
		if got := hdr.Get("WWW-Authenticate") != ""; got != tc.auth {
			t.Errorf("%v: WWW-Authenticate set = %v", tc.err, got)
		}
	}
	p, _ := toProblem(fault.Invalid(fault.Field("tags[1]", "no tag has this slug")))
	if len(p.Errors) != 1 || p.Errors[0].Field != "tags[1]" || p.Errors[0].Message != "no tag has this slug" {
		t.Errorf("fields: %+v", p.Errors)
	}
}
