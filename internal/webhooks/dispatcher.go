package webhooks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultSchedule is the wait before each retry of a failed delivery: nine
// attempts in all, the last about 22 hours after the first. Each wait is
// stretched or shrunk by up to 20% at random, so that the retries of many
// deliveries to an endpoint that was down do not arrive all at once.
var DefaultSchedule = []time.Duration{
	5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
}

// DispatchOptions tune NewDispatcher.
type DispatchOptions struct {
	// Timeout bounds each attempt, connection to last header (default 10s).
	Timeout time.Duration
	// Schedule is the wait before each retry (default DefaultSchedule); a
	// delivery is failed after len(Schedule)+1 attempts.
	Schedule []time.Duration
	// Batch is how many due deliveries one claim takes (default 20), and
	// Workers how many are sent at once (default 4).
	Batch, Workers int
	// Lease is how long a claimed delivery belongs to this dispatcher
	// (default: long enough to send the whole batch, at least 2 minutes).
	// A dispatcher that dies holding one lets it go when the lease ends.
	Lease time.Duration
	// Logger receives one line per failed attempt and per error; nil
	// discards them. Nothing secret is logged: no secret, body or URL
	// beyond its host.
	Logger *slog.Logger
	// Wake, when set, is polled often (every 100 ms): Run starts a round
	// as soon as its value changes (the content service's generation,
	// which moves on every write in this process), not only on its tick.
	Wake func() uint64
	// Jitter returns a number in [0, 1) (default math/rand).
	Jitter func() float64
	// UserAgent of the requests (default "Masthead-Webhooks/1").
	UserAgent string
}

// Dispatcher turns the change log into deliveries and sends them. It keeps
// no state of its own: everything is in the database, so any number of
// dispatchers (one per serve process) can run on one database, and a
// restarted one goes on where the last stopped.
//
// A round (RunOnce) has two steps. Enqueue: for each active webhook behind
// the end of the change log, read the changes after its position, and in
// one transaction insert a delivery for each change it subscribed to and
// move its position (a compare and swap: see advance). Deliver: claim the
// due deliveries with a lease, post them, and record each attempt.
//
// Delivery is at least once: a dispatcher that dies after the receiver
// answered but before it recorded the answer leaves the delivery to be sent
// again once its lease ends. The webhook-id header is the same on every
// attempt, for receivers to drop duplicates; the payload's seq orders the
// events of an article (retries can overtake one another).
type Dispatcher struct {
	svc       *Service
	client    *http.Client
	timeout   time.Duration
	schedule  []time.Duration
	batch     int
	workers   int
	lease     time.Duration
	log       *slog.Logger
	wake      func() uint64
	jitter    func() float64
	userAgent string
}

// NewDispatcher returns a dispatcher for the webhooks of svc; its
// connections follow svc's address policy.
func NewDispatcher(svc *Service, o DispatchOptions) *Dispatcher {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Schedule == nil {
		o.Schedule = DefaultSchedule
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Lease <= 0 {
		o.Lease = max(2*time.Minute, o.Timeout*time.Duration((o.Batch+o.Workers-1)/o.Workers+1))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	if o.UserAgent == "" {
		o.UserAgent = "Masthead-Webhooks/1"
	}
	return &Dispatcher{
		svc: svc, client: svc.policy.Client(o.Timeout), timeout: o.Timeout, schedule: o.Schedule,
		batch: o.Batch, workers: o.Workers, lease: o.Lease, log: o.Logger, wake: o.Wake,
		jitter: o.Jitter, userAgent: o.UserAgent,
	}
}

// Round counts what one RunOnce did.
type Round struct {
	Enqueued  int // deliveries created
	Attempted int // HTTP attempts recorded
	Delivered int // of which answered 2xx
}

// RunOnce enqueues what the change log has for the webhooks, then sends
// every due delivery (in batches, until none is due).
func (d *Dispatcher) RunOnce(ctx context.Context) (Round, error) {
	n, err := d.Enqueue(ctx)
	if err != nil {
		return Round{Enqueued: n}, err
	}
	r, err := d.Deliver(ctx)
	r.Enqueued = n
	return r, err
}

// Run runs rounds every interval, and at once when Wake moves, until ctx
// ends; an attempt in flight then is abandoned without being counted.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var poll <-chan time.Time
	if d.wake != nil {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		poll = t.C
	}
	for {
		var seen uint64
		if d.wake != nil {
			seen = d.wake()
		}
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("webhook round failed", slog.String("error", err.Error()))
		}
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				waiting = false
			case <-poll:
				waiting = d.wake() == seen
			}
		}
	}
}

// enqueueBatch is how many changes one transaction enqueues for a webhook.
const enqueueBatch = 500

// Enqueue creates the deliveries of the changes each active webhook has not
// seen, and returns how many.
func (d *Dispatcher) Enqueue(ctx context.Context) (int, error) {
	head, err := d.svc.log.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	hooks, err := d.svc.behind(ctx, head)
	if err != nil {
		return 0, err
	}
	summaries := map[string]*Summary{} // by article, for this round
	n := 0
	var errs []error
	for _, p := range hooks {
		// One webhook's trouble does not hold up the others.
		k, err := d.enqueueFor(ctx, p, head, summaries)
		n += k
		if err != nil {
			if ctx.Err() != nil {
				return n, err
			}
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

func (d *Dispatcher) enqueueFor(ctx context.Context, p position, head int64, summaries map[string]*Summary) (int, error) {
	n := 0
	for p.lastSeq < head {
		changes, err := d.svc.log.ChangesAfter(ctx, p.lastSeq, enqueueBatch)
		if err != nil || len(changes) == 0 {
			return n, err
		}
		now := d.svc.Now()
		var rows []deliveryRow
		for _, c := range changes {
			ev := EventOf(c.Kind)
			if !wants(p.events, ev) {
				continue
			}
			body, err := d.payload(ctx, c, summaries)
			if err != nil {
				return n, err
			}
			due := now
			rows = append(rows, deliveryRow{
				ID: newID(), WebhookID: p.id, Event: ev, ChangeSeq: c.Seq, ArticleID: c.ArticleID,
				Payload: string(body), Status: StatusPending, NextAttemptAt: &due, CreatedAt: now,
			})
		}
		to := changes[len(changes)-1].Seq
		moved, err := d.svc.advance(ctx, p, to, rows)
		if err != nil || !moved {
			// Not moved: another dispatcher got there first, or the
			// webhook changed; the next round starts from what is stored.
			return n, err
		}
		n += len(rows)
		p.lastSeq = to
	}
	return n, nil
}

// Payload is the body of a delivery, Standard Webhooks style.
type Payload struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"` // when the change happened
	Data      PayloadData `json:"data"`
}

// PayloadData says what changed. The headline fields are there when the
// article was live as the delivery was enqueued; never any body text.
type PayloadData struct {
	ArticleID    string     `json:"article_id"`
	Kind         string     `json:"kind"`
	Lang         string     `json:"lang"`
	Version      int        `json:"version"`
	Seq          int64      `json:"seq"`
	Note         string     `json:"note,omitempty"`
	Title        string     `json:"title,omitempty"`
	Standfirst   string     `json:"standfirst,omitempty"`
	CanonicalURL string     `json:"canonical_url,omitempty"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
}

func (d *Dispatcher) payload(ctx context.Context, c Change, cache map[string]*Summary) ([]byte, error) {
	p := Payload{Type: EventOf(c.Kind), Timestamp: c.At.UTC(), Data: PayloadData{
		ArticleID: c.ArticleID, Kind: c.Kind, Lang: c.Lang, Version: c.Version, Seq: c.Seq, Note: c.Note,
	}}
	if c.Kind != "unpublished" {
		sum, ok := cache[c.ArticleID]
		if !ok {
			s, live, err := d.svc.log.Summary(ctx, c.ArticleID)
			if err != nil {
				return nil, err
			}
			if live {
				sum = &s
			}
			cache[c.ArticleID] = sum
		}
		if sum != nil {
			p.Data.Title, p.Data.Standfirst, p.Data.CanonicalURL = sum.Title, sum.Standfirst, sum.CanonicalURL
			if sum.PublishedAt != nil {
				t := sum.PublishedAt.UTC()
				p.Data.PublishedAt = &t
			}
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode webhook payload: %w", err)
	}
	return b, nil
}

// A round stops taking new batches after maxBatchesPerRound or roundTime
// (wall time), so that a backlog towards slow receivers does not keep the
// next enqueue waiting.
const (
	maxBatchesPerRound = 50
	roundTime          = 30 * time.Second
)

// Deliver sends the due deliveries, batch after batch, until none is due.
func (d *Dispatcher) Deliver(ctx context.Context) (Round, error) {
	var r Round
	stop := time.Now().Add(roundTime)
	for range maxBatchesPerRound {
		if time.Now().After(stop) {
			return r, nil
		}
		now := d.svc.Now()
		token := newID()
		jobs, err := d.svc.claim(ctx, now, now.Add(d.lease), token, d.batch)
		if err != nil || len(jobs) == 0 {
			return r, err
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
			sem  = make(chan struct{}, d.workers)
		)
		for _, j := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				counted, ok, err := d.attempt(ctx, j, token)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				if counted {
					r.Attempted++
					if ok {
						r.Delivered++
					}
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return r, err
		}
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		if len(jobs) < d.batch {
			return r, nil
		}
	}
	return r, nil
}

// attempt sends one claimed delivery and records what happened. counted is
// false when the attempt was abandoned (shutting down); ok is a 2xx.
func (d *Dispatcher) attempt(ctx context.Context, j job, token string) (counted, ok bool, err error) {
	start := d.svc.Now()
	ts := start.Unix()
	sig, err := d.signature(j, start, ts)
	if err != nil {
		return false, false, fmt.Errorf("sign delivery %s: %w", j.ID, err)
	}
	status, problem, cause := d.send(ctx, j, ts, sig)

	// Record even when ctx has ended: an answer received must not be lost.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if status == 0 && ctx.Err() != nil {
		_, err := d.svc.finish(rctx, j.ID, token, map[string]any{})
		return false, false, err
	}
	n := j.Attempts + 1
	cols := map[string]any{"attempts": n, "last_attempt_at": start, "last_error": problem, "last_status": nil}
	if status != 0 {
		cols["last_status"] = status
	}
	ok = status >= 200 && status < 300
	switch {
	case ok:
		cols["status"], cols["delivered_at"], cols["next_attempt_at"] = StatusDelivered, d.svc.Now(), nil
	case n > len(d.schedule):
		cols["status"], cols["next_attempt_at"] = StatusFailed, nil
	default:
		cols["next_attempt_at"] = d.svc.Now().Add(d.backoff(n))
	}
	if _, err := d.svc.finish(rctx, j.ID, token, cols); err != nil {
		return true, ok, err
	}
	if !ok {
		d.log.Warn("webhook delivery failed",
			slog.String("webhook_id", j.WebhookID), slog.String("delivery_id", j.ID), slog.String("event", j.Event),
			slog.Int("attempt", n), slog.String("host", hostOf(j.URL)), slog.String("error", problem),
			slog.String("cause", cause),
			slog.Bool("gave_up", n > len(d.schedule)))
	}
	return true, ok, nil
}

// backoff is the wait after the nth failed attempt, with ±20% jitter.
func (d *Dispatcher) backoff(n int) time.Duration {
	base := d.schedule[min(n, len(d.schedule))-1]
	return time.Duration(float64(base) * (0.8 + 0.4*d.jitter()))
}

// signature signs with the current secret and, during the grace after a
// rotation, with the previous one too (space-separated, as the standard
// allows): a receiver that still has the old secret accepts the delivery.
func (d *Dispatcher) signature(j job, now time.Time, ts int64) (string, error) {
	key, err := secretKey(j.Secret)
	if err != nil {
		return "", err
	}
	sig := Sign(key, j.ID, ts, []byte(j.Payload))
	if j.PreviousSecret != "" && j.PreviousSecretUntil != nil && now.Before(*j.PreviousSecretUntil) {
		if old, err := secretKey(j.PreviousSecret); err == nil {
			sig += " " + Sign(old, j.ID, ts, []byte(j.Payload))
		}
	}
	return sig, nil
}

// send posts the delivery and returns the HTTP status (0 when there was no
// answer) and, unless it is a 2xx, the text of the delivery log (see
// describe) and a cause for the server's log.
func (d *Dispatcher) send(ctx context.Context, j job, ts int64, sig string) (status int, text, cause string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.URL, strings.NewReader(j.Payload))
	if err != nil {
		return 0, ErrTextRefused, "not a URL"
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", d.userAgent)
	h.Set("webhook-id", j.ID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	res, err := d.client.Do(req)
	if err != nil {
		text, cause := d.describe(err)
		return 0, text, cause
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // so the connection can be reused
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res.StatusCode, "", ""
	}
	msg := fmt.Sprintf("HTTP %d", res.StatusCode)
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		msg += " (redirects are not followed)"
	}
	return res.StatusCode, msg, "status"
}

// What the delivery log says of an attempt that got no answer. The log is
// read through the API, and a webhook's URL is chosen by its caller: were
// it to tell a refused connection from a silent one, a closed port from a
// TLS service, or a loopback address from a private one, webhooks would
// map whatever the server can reach. So it says one of two things.
const (
	ErrTextRefused   = "refused by policy"
	ErrTextNoConnect = "could not connect"
)

// describe says why a request got no answer: the neutral text of the
// delivery log, and for the server's own log a cause from a short fixed
// list (never the error's text, which names addresses and the URL).
func (d *Dispatcher) describe(err error) (text, cause string) {
	var (
		blocked *BlockedError
		dnsErr  *net.DNSError
		netErr  net.Error
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		record  tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &blocked):
		return ErrTextRefused, blocked.What
	case errors.As(err, &dnsErr):
		return ErrTextNoConnect, "host not found"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return ErrTextNoConnect, "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrTextNoConnect, "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ErrTextNoConnect, "closed without an answer"
	case errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		return ErrTextNoConnect, "TLS certificate refused"
	case errors.As(err, &record):
		return ErrTextNoConnect, "TLS handshake failed"
	}
	return ErrTextNoConnect, "other"
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
