// Package webhooks tells partners' endpoints about the changes of the change
// log, Standard Webhooks style: signed JSON posts, retried with backoff, with
// a delivery log per webhook. The change log is the outbox: each change is
// written in the same transaction as the article write, and the dispatcher
// follows it from each webhook's stored position (see Dispatcher).
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"masthead/internal/fault"
	"masthead/internal/store"
)

// Event types, one per kind of change of the change log.
const (
	EventPublished   = "article.published"
	EventUpdated     = "article.updated"
	EventCorrected   = "article.corrected"
	EventUnpublished = "article.unpublished"
	// AllEvents subscribes to every event type, those added later too.
	AllEvents = "*"
)

// EventTypes lists the event types, in the order they are stored.
var EventTypes = []string{EventPublished, EventUpdated, EventCorrected, EventUnpublished}

// EventOf is the event type of a change kind ("published" →
// "article.published").
func EventOf(kind string) string { return "article." + kind }

// MaxDescriptionRunes bounds a webhook's description.
const MaxDescriptionRunes = 500

// SecretGrace is how long the previous secret keeps signing beside a new
// one, so that a receiver can switch without refusing deliveries.
const SecretGrace = 24 * time.Hour

// The service's faults.
var (
	ErrNotFound = fault.NotFound("no webhook has this id")
	// ErrStale: the webhook changed since the version the caller named.
	ErrStale = fault.Stale("someone changed this webhook since you read it; read it again")
)

// Webhook is an endpoint and the events it wants.
type Webhook struct {
	ID          string
	URL         string
	Events      []string // event types in EventTypes order, or [AllEvents]
	Description string
	Active      bool
	// Secret signs the deliveries (whsec_ and base64): the newsroom sees it
	// when it is made, never again.
	Secret    string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Wants reports whether the webhook subscribed to event.
func (w Webhook) Wants(event string) bool {
	return wants(w.Events, event)
}

func wants(events []string, event string) bool {
	return slices.Contains(events, AllEvents) || slices.Contains(events, event)
}

// Delivery states.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Delivery is one event for one webhook and what became of it.
type Delivery struct {
	ID            string // also the webhook-id header, the same on every attempt
	WebhookID     string
	Event         string
	ChangeSeq     int64
	ArticleID     string
	Status        string
	Attempts      int
	LastStatus    *int // HTTP status of the last attempt, if it got one
	LastError     string
	NextAttemptAt *time.Time
	LastAttemptAt *time.Time
	DeliveredAt   *time.Time
	CreatedAt     time.Time
	Payload       []byte
}

// Change is an entry of the change log, as the webhooks read it.
type Change struct {
	Seq       int64
	ArticleID string
	Kind      string // published, updated, corrected, unpublished
	Lang      string
	Version   int
	Note      string
	At        time.Time
}

// Summary is the headline of a live article: what a delivery may say about
// it. Never body text.
type Summary struct {
	Title        string
	Standfirst   string
	CanonicalURL string
	PublishedAt  *time.Time
}

// Log is the change log the webhooks follow. The content service provides
// it (through an adapter in api/, as sibling domains do not import each
// other).
type Log interface {
	// LastSeq is the newest seq (0 when the log is empty).
	LastSeq(ctx context.Context) (int64, error)
	// ChangesAfter returns up to limit changes with a seq above after,
	// in seq order.
	ChangesAfter(ctx context.Context, after int64, limit int) ([]Change, error)
	// Summary is the headline of the article and true when the public can
	// read it now; false otherwise.
	Summary(ctx context.Context, articleID string) (Summary, bool, error)
}

// Options tune NewService.
type Options struct {
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Policy decides which addresses may be called; nil allows no special
	// network.
	Policy *Policy
}

// Service keeps the webhooks and their delivery logs.
type Service struct {
	db     *store.DB
	log    Log
	now    func() time.Time
	policy *Policy
}

// NewService returns the webhooks service over db, following log.
func NewService(db *store.DB, log Log, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Policy == nil {
		o.Policy = strictPolicy()
	}
	return &Service{db: db, log: log, now: o.Now, policy: o.Policy}
}

// Now is the service's clock in UTC, at the microsecond both databases keep.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Policy is the address policy of the service.
func (s *Service) Policy() *Policy { return s.policy }

func newID() string { return ulid.Make().String() }

// IsID reports whether s has the shape of a webhook or delivery ID.
func IsID(s string) bool {
	if len(s) != ulid.EncodedSize || strings.ToUpper(s) != s {
		return false
	}
	_, err := ulid.ParseStrict(s)
	return err == nil
}

// newSecret is a Standard Webhooks secret: whsec_ and the base64 of 32
// random bytes.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// secretKey is the HMAC key of a secret.
func secretKey(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(k) == 0 {
		return nil, errors.New("malformed webhook secret")
	}
	return k, nil
}

// Input is a new webhook.
type Input struct {
	URL         string
	Events      []string
	Description string
	Active      *bool // nil: active
}

// Patch changes a webhook; nil fields stay.
type Patch struct {
	URL         *string
	Events      []string // nil: unchanged
	Description *string
	Active      *bool
}

// normalizeEvents checks a subscription and puts it in stored order.
func normalizeEvents(in []string) ([]string, []fault.FieldError) {
	bad := func(msg string) []fault.FieldError { return []fault.FieldError{{Field: "events", Message: msg}} }
	if len(in) == 0 {
		return nil, bad(`must name at least one event type, or "*" for all`)
	}
	seen := map[string]bool{}
	for _, e := range in {
		if e != AllEvents && !slices.Contains(EventTypes, e) {
			return nil, bad(fmt.Sprintf("has an unknown event type %q; known: %s, or \"*\"", e, strings.Join(EventTypes, ", ")))
		}
		seen[e] = true
	}
	if seen[AllEvents] {
		if len(seen) > 1 {
			return nil, bad(`"*" already means every event type: send it alone`)
		}
		return []string{AllEvents}, nil
	}
	out := make([]string, 0, len(seen))
	for _, e := range EventTypes {
		if seen[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

func checkDescription(d string) []fault.FieldError {
	if !utf8.ValidString(d) || utf8.RuneCountInString(d) > MaxDescriptionRunes {
		return []fault.FieldError{{Field: "description", Message: fmt.Sprintf("must be text of at most %d characters", MaxDescriptionRunes)}}
	}
	return nil
}

// Create saves a webhook with a new secret. It starts at the current end of
// the change log: it is told about what changes from now on, not the past.
func (s *Service) Create(ctx context.Context, in Input) (Webhook, error) {
	events, errs := normalizeEvents(in.Events)
	errs = append(errs, checkDescription(in.Description)...)
	errs = append(errs, s.policy.CheckURL(ctx, in.URL)...)
	if len(errs) > 0 {
		return Webhook{}, fault.Invalid(errs...)
	}
	head, err := s.log.LastSeq(ctx)
	if err != nil {
		return Webhook{}, err
	}
	now := s.Now()
	w := Webhook{
		ID: newID(), URL: in.URL, Events: events, Description: strings.TrimSpace(in.Description),
		Active: in.Active == nil || *in.Active, Secret: newSecret(), Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.insert(ctx, w, head); err != nil {
		return Webhook{}, err
	}
	return w, nil
}

// Get returns a webhook.
func (s *Service) Get(ctx context.Context, id string) (Webhook, error) {
	r, err := s.row(ctx, id)
	if err != nil {
		return Webhook{}, err
	}
	return r.webhook(), nil
}

// Cursor is where a page of webhooks ended.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// List returns a page of webhooks, newest first, and the cursor of the next
// page (nil on the last).
func (s *Service) List(ctx context.Context, limit int, after *Cursor) ([]Webhook, *Cursor, error) {
	rows, err := s.list(ctx, limit+1, after)
	if err != nil {
		return nil, nil, err
	}
	var next *Cursor
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[len(rows)-1]
		next = &Cursor{CreatedAt: last.CreatedAt.UTC(), ID: last.ID}
	}
	out := make([]Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.webhook()
	}
	return out, next, nil
}

// Update applies p. With expectVersion != 0 the webhook must still be at
// that version (ErrStale otherwise); with 0 it applies to the current one.
// Turning a webhook back on moves it to the current end of the change log:
// what changed while it was off is not sent (the sync API has it).
func (s *Service) Update(ctx context.Context, id string, p Patch, expectVersion int) (Webhook, error) {
	for range 3 {
		cur, err := s.row(ctx, id)
		if err != nil {
			return Webhook{}, err
		}
		if expectVersion != 0 && cur.Version != expectVersion {
			return Webhook{}, ErrStale
		}
		w := cur.webhook()
		var errs []fault.FieldError
		if p.URL != nil && *p.URL != w.URL {
			errs = append(errs, s.policy.CheckURL(ctx, *p.URL)...)
			w.URL = *p.URL
		}
		if p.Events != nil {
			ev, fe := normalizeEvents(p.Events)
			errs = append(errs, fe...)
			w.Events = ev
		}
		if p.Description != nil {
			errs = append(errs, checkDescription(*p.Description)...)
			w.Description = strings.TrimSpace(*p.Description)
		}
		w.Version = cur.Version + 1
		w.UpdatedAt = s.Now()
		cols := map[string]any{
			"url": w.URL, "events": strings.Join(w.Events, " "), "description": w.Description,
			"version": w.Version, "updated_at": w.UpdatedAt,
		}
		if p.Active != nil {
			w.Active = *p.Active
			cols["active"] = w.Active
			// The position is written only here, where no dispatcher
			// moves it (the webhook is off): writing back the position
			// read above could undo a dispatcher's move, and enqueue again.
			if w.Active && !cur.Active {
				if cols["last_seq"], err = s.log.LastSeq(ctx); err != nil {
					return Webhook{}, err
				}
			}
		}
		if len(errs) > 0 {
			return Webhook{}, fault.Invalid(errs...)
		}
		ok, err := s.save(ctx, cur.Version, cols, id)
		if err != nil {
			return Webhook{}, err
		}
		if ok {
			return w, nil
		}
		if expectVersion != 0 {
			return Webhook{}, ErrStale
		}
	}
	return Webhook{}, ErrStale
}

// RotateSecret gives the webhook a new secret. The previous one keeps
// signing beside it for SecretGrace (two signatures in webhook-signature),
// so that the receiver can switch without refusing a delivery.
func (s *Service) RotateSecret(ctx context.Context, id string, expectVersion int) (Webhook, error) {
	cur, err := s.row(ctx, id)
	if err != nil {
		return Webhook{}, err
	}
	if expectVersion != 0 && cur.Version != expectVersion {
		return Webhook{}, ErrStale
	}
	now := s.Now()
	w := cur.webhook()
	w.Secret, w.Version, w.UpdatedAt = newSecret(), cur.Version+1, now
	until := now.Add(SecretGrace)
	ok, err := s.save(ctx, cur.Version, map[string]any{
		"secret": w.Secret, "previous_secret": cur.Secret, "previous_secret_until": until,
		"version": w.Version, "updated_at": now,
	}, id)
	if err != nil {
		return Webhook{}, err
	}
	if !ok {
		return Webhook{}, ErrStale
	}
	return w, nil
}

// Delete removes a webhook and its delivery log; nothing more is sent to
// it. expectVersion as in Update.
func (s *Service) Delete(ctx context.Context, id string, expectVersion int) error {
	return s.remove(ctx, id, expectVersion)
}

// DeliveryFilter selects a page of a delivery log.
type DeliveryFilter struct {
	Status string // "" for all
	Limit  int
	Before int64 // change seq the previous page ended at; 0 from the newest
}

// Deliveries returns a page of a webhook's delivery log, newest change
// first, and the change seq to continue before (0 on the last page).
func (s *Service) Deliveries(ctx context.Context, webhookID string, f DeliveryFilter) ([]Delivery, int64, error) {
	if _, err := s.row(ctx, webhookID); err != nil {
		return nil, 0, err
	}
	rows, err := s.deliveries(ctx, webhookID, f.Status, f.Before, f.Limit+1)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[len(rows)-1].ChangeSeq
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, next, nil
}
