package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"
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
