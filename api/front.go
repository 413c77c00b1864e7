package api

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// front is the first middleware of every request, and does in one closure
// what Echo's RequestID, RequestLogger, Recover, Secure and ContextTimeout
// did in five:
//
//   - the request id: the client's X-Request-ID when it sends a usable one,
//     else a new one; echoed in the response and named in the access log and
//     in problem documents;
//   - the security headers, on every answer, errors included;
//   - the deadline of the request, made only when something asks for it
//     (deadline below): a read answered from the cache pays no timer;
//   - recovery: a panic is logged with its stack and answered 500;
//   - the access log: one line per request, never a token, a body or a
//     header value beyond these fields.
//
// Errors returned by the handlers are answered here, by the error handler,
// so that the access log sees the status sent.
func front(log *slog.Logger, timeout time.Duration) echo.MiddlewareFunc {
	ids := newRequestIDs()
	logging := log.Enabled(context.Background(), slog.LevelInfo)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			start := time.Now()
			req, res := c.Request(), c.Response()
			h := res.Header()
			id := req.Header.Get(echo.HeaderXRequestID)
			if !usableRequestID(id) {
				id = ids.next()
			}
			h[echo.HeaderXRequestID] = []string{id}
			for k, v := range securityHeaders {
				h[k] = v
			}
			var dl *deadline
			if timeout > 0 && !isUpload(c) {
				dl = newDeadline(req.Context(), start.Add(timeout))
				c.SetRequest(req.WithContext(dl))
			}
			defer func() {
				if r := recover(); r != nil {
					if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
						panic(r)
					}
					err = recovered(log, id, r)
				}
				if err != nil {
					c.Error(err)
					err = nil
				}
				dl.release()
				if logging || res.Status >= 500 {
					accessLine(log, c, id, start)
				}
			}()
			return next(c)
		}
	}
}

// recovered turns a panic into an error, and logs it with its stack.
func recovered(log *slog.Logger, id string, r any) error {
	err, ok := r.(error)
	if !ok {
		err = fmt.Errorf("%v", r)
	}
	stack := make([]byte, 8<<10)
	stack = stack[:runtime.Stack(stack, false)]
	log.LogAttrs(context.Background(), slog.LevelError, "panic", slog.String("request_id", id),
		slog.String("error", err.Error()), slog.String("stack", string(stack)))
	return fmt.Errorf("panic: %w", err)
}

// accessLine writes the access log's line for the request.
func accessLine(log *slog.Logger, c echo.Context, id string, start time.Time) {
	req, res := c.Request(), c.Response()
	level := slog.LevelInfo
	if res.Status >= 500 {
		level = slog.LevelError
	}
	// The attributes live on the stack: slog copies the first five into its
	// record and the rest into one slice.
	attrs := [9]slog.Attr{
		slog.String("request_id", id),
		slog.String("method", req.Method),
		slog.String("route", c.Path()),
		slog.String("path", req.URL.Path),
		slog.Int("status", res.Status),
		slog.Duration("latency", time.Since(start)),
		slog.Int64("bytes", res.Size),
	}
	n := 7
	if p := principalOf(c); !p.Anonymous() {
		attrs[7], attrs[8] = slog.String("sub", p.Subject), slog.String("role", string(p.Role))
		n = 9
	}
	log.LogAttrs(context.Background(), level, "request", attrs[:n]...)
}

// securityHeaders go on every answer. The slices are shared by every
// response and never appended to in place: a header added to one of them
// (none is) would get a slice of its own, as len equals cap.
var securityHeaders = map[string][]string{
	"X-Xss-Protection":       {"0"},
	"X-Content-Type-Options": {"nosniff"},
	"X-Frame-Options":        {"DENY"},
	"Referrer-Policy":        {"strict-origin-when-cross-origin"},
}

// requestIDs makes request ids: a random prefix drawn at start and a
// counter, so that making one costs an atomic add, and ids stay unique
// across processes and restarts.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return &requestIDs{prefix: base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])}
}

func (r *requestIDs) next() string {
	var buf [32]byte
	b := append(buf[:0], r.prefix...)
	b = append(b, '-')
	b = strconv.AppendUint(b, r.n.Add(1), 36)
	return string(b)
}

// usableRequestID accepts a client's id of up to 128 printable ASCII
// characters: it is echoed in a header and written in the logs.
func usableRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return false
		}
	}
	return true
}

// deadline is the request's context with its timeout, made lazily: the
// timer exists only once something waits on Done (a database query does;
// an answer from the response cache does not). Until then Err and Deadline
// are answered from the clock and the parent.
type deadline struct {
	parent context.Context
	at     time.Time
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	made   bool
}

func newDeadline(parent context.Context, at time.Time) *deadline {
	return &deadline{parent: parent, at: at}
}

func (d *deadline) Deadline() (time.Time, bool) {
	if t, ok := d.parent.Deadline(); ok && t.Before(d.at) {
		return t, true
	}
	return d.at, true
}

func (d *deadline) Done() <-chan struct{} { return d.timed().Done() }

func (d *deadline) Err() error {
	d.mu.Lock()
	made := d.made
	d.mu.Unlock()
	if made {
		return d.ctx.Err()
	}
	if err := d.parent.Err(); err != nil {
		return err
	}
	if !time.Now().Before(d.at) {
		return context.DeadlineExceeded
	}
	return nil
}

func (d *deadline) Value(key any) any { return d.parent.Value(key) }

// timed makes the timer the first time it is needed.
func (d *deadline) timed() context.Context {
	d.once.Do(func() {
		ctx, cancel := context.WithDeadline(d.parent, d.at)
		d.mu.Lock()
		d.ctx, d.cancel, d.made = ctx, cancel, true
		d.mu.Unlock()
	})
	return d.ctx
}

// release ends the request's context: it stops the timer if one was made,
// and otherwise leaves a context that is already done, should anything
// still hold it. A nil deadline is fine.
func (d *deadline) release() {
	if d == nil {
		return
	}
	d.once.Do(func() {
		d.mu.Lock()
		d.ctx, d.made = doneContext, true
		d.mu.Unlock()
	})
	d.mu.Lock()
	cancel := d.cancel
	d.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// doneContext is a context canceled from the start.
var doneContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (d *deadline) String() string { return "api.deadline" }
