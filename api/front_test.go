package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// lockedBuffer collects log lines from the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func frontServer(t *testing.T, timeout time.Duration) (string, *lockedBuffer) {
	t.Helper()
	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log)
	e.Use(front(log, timeout))
	e.GET("/wait", func(c echo.Context) error {
		<-c.Request().Context().Done()
		return c.Request().Context().Err()
	})
	e.GET("/sleep", func(c echo.Context) error {
		// Never asks for Done: the deadline is read from the clock.
		time.Sleep(2 * timeout)
		return c.Request().Context().Err()
	})
	e.GET("/lazy", func(c echo.Context) error {
		d, ok := c.Request().Context().(*deadline)
		if !ok {
			return errors.New("the request's context is not the lazy deadline")
		}
		if d.made {
			return errors.New("a timer was made before anything asked for one")
		}
		if _, ok := d.Deadline(); !ok {
			return errors.New("no deadline")
		}
		return c.String(http.StatusOK, "ok")
	})
	e.GET("/panic", func(echo.Context) error { panic("boom") })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL, &logs
}

// answer is what a test reads of a response: its status, headers and
// problem document, the body closed.
type answer struct {
	StatusCode int
	Header     http.Header
}

func getProblem(t *testing.T, url string, header ...string) (answer, Problem) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var p Problem
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
	}
	return answer{StatusCode: res.StatusCode, Header: res.Header}, p
}

func TestFrontDeadline(t *testing.T) {
	t.Parallel()
	url, _ := frontServer(t, 50*time.Millisecond)
	for _, path := range []string{"/wait", "/sleep"} {
		res, p := getProblem(t, url+path)
		if res.StatusCode != http.StatusServiceUnavailable || p.Code != "unavailable" || res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d %q, Retry-After %q", path, res.StatusCode, p.Code, res.Header.Get("Retry-After"))
		}
	}
	if res, _ := getProblem(t, url+"/lazy"); res.StatusCode != http.StatusOK {
		t.Errorf("/lazy: %d", res.StatusCode)
	}
}

func TestDeadlineContext(t *testing.T) {
	t.Parallel()
	parent, cancel := context.WithCancel(context.Background())
	d := newDeadline(parent, time.Now().Add(time.Hour))
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	cancel()
	if !errors.Is(d.Err(), context.Canceled) {
		t.Fatalf("parent canceled, no timer: Err %v", d.Err())
	}
	select {
	case <-d.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the parent was canceled")
	}

	d = newDeadline(context.Background(), time.Now().Add(-time.Second))
	if !errors.Is(d.Err(), context.DeadlineExceeded) {
		t.Fatalf("past deadline, no timer: Err %v", d.Err())
	}

	d = newDeadline(context.Background(), time.Now().Add(time.Hour))
	d.release()
	if d.Err() == nil {
		t.Fatal("released: Err nil")
	}
	select {
	case <-d.Done():
	default:
		t.Fatal("released: Done not closed")
	}
	(*deadline)(nil).release()
}

func TestFrontRecoversAndLogs(t *testing.T) {
	t.Parallel()
	url, logs := frontServer(t, time.Second)
	res, p := getProblem(t, url+"/panic", "X-Request-ID", "client-id-1")
	if res.StatusCode != http.StatusInternalServerError || p.RequestID != "client-id-1" {
		t.Fatalf("panic: %d, request_id %q", res.StatusCode, p.RequestID)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("security headers missing on the 500: %v", res.Header)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"panic"`, `"error":"boom"`, `"stack":"goroutine`, `"msg":"request"`, `"status":500`, `"request_id":"client-id-1"`, `"route":"/panic"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

func TestFrontRequestIDs(t *testing.T) {
	t.Parallel()
	url, _ := frontServer(t, time.Second)
	seen := map[string]bool{}
	for range 50 {
		res, _ := getProblem(t, url+"/lazy")
		id := res.Header.Get("X-Request-ID")
		if id == "" || seen[id] {
			t.Fatalf("request id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
	for sent, kept := range map[string]bool{
		"abc-123":                true,
		strings.Repeat("a", 128): true,
		strings.Repeat("a", 129): false,
		"two words":              false,
		"caf\u00e9":              false,
		"tab\there":              false,
	} {
		res, _ := getProblem(t, url+"/lazy", "X-Request-ID", sent)
		if got := res.Header.Get("X-Request-ID"); (got == sent) != kept || got == "" {
			t.Errorf("sent %q: got %q, want kept=%v", sent, got, kept)
		}
	}
}
