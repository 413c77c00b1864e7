package webhooks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"masthead/internal/store"
)

// webhookRow mirrors migrations/*/00008_webhooks.sql.
type webhookRow struct {
	ID                  string `gorm:"primaryKey"`
	URL                 string `gorm:"column:url"`
	Events              string // space-separated, or "*"
	Description         string
	Active              bool
	Secret              string
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	LastSeq             int64
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

// deliveryRow mirrors migrations/*/00008_webhooks.sql.
type deliveryRow struct {
	ID            string `gorm:"primaryKey"`
	WebhookID     string
	Event         string
	ChangeSeq     int64
	ArticleID     string
	Payload       string
	Status        string
	Attempts      int
	NextAttemptAt *time.Time
	LeaseUntil    *time.Time
	LeaseToken    string
	LastStatus    *int
	LastError     string
	LastAttemptAt *time.Time
	DeliveredAt   *time.Time
	CreatedAt     time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

// Models lists the row types, for the schema agreement test.
func Models() []any { return []any{&webhookRow{}, &deliveryRow{}} }

func (r webhookRow) webhook() Webhook {
	return Webhook{
		ID: r.ID, URL: r.URL, Events: strings.Fields(r.Events), Description: r.Description, Active: r.Active,
		Secret: r.Secret, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r deliveryRow) delivery() Delivery {
	return Delivery{
		ID: r.ID, WebhookID: r.WebhookID, Event: r.Event, ChangeSeq: r.ChangeSeq, ArticleID: r.ArticleID,
		Status: r.Status, Attempts: r.Attempts, LastStatus: r.LastStatus, LastError: r.LastError,
		NextAttemptAt: utcPtr(r.NextAttemptAt), LastAttemptAt: utcPtr(r.LastAttemptAt),
		DeliveredAt: utcPtr(r.DeliveredAt), CreatedAt: r.CreatedAt.UTC(), Payload: []byte(r.Payload),
	}
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

func (s *Service) insert(ctx context.Context, w Webhook, lastSeq int64) error {
	r := webhookRow{
		ID: w.ID, URL: w.URL, Events: strings.Join(w.Events, " "), Description: w.Description, Active: w.Active,
		Secret: w.Secret, LastSeq: lastSeq, Version: w.Version, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
	if err := s.db.Write(ctx).Create(&r).Error; err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	return nil
}

func (s *Service) row(ctx context.Context, id string) (webhookRow, error) {
	var r webhookRow
	if err := s.db.Read(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return r, fmt.Errorf("read webhook %s: %w", id, notFound(err))
	}
	return r, nil
}

func (s *Service) list(ctx context.Context, n int, after *Cursor) ([]webhookRow, error) {
	q := s.db.Read(ctx).Order("created_at DESC, id DESC").Limit(n)
	if after != nil {
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", after.CreatedAt, after.CreatedAt, after.ID)
	}
	var rows []webhookRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return rows, nil
}

// save writes cols if the webhook is still at version; false when it is
// not (or is gone). UpdateColumns: GORM must not touch updated_at itself.
func (s *Service) save(ctx context.Context, version int, cols map[string]any, id string) (bool, error) {
	res := s.db.Write(ctx).Model(&webhookRow{}).Where("id = ? AND version = ?", id, version).UpdateColumns(cols)
	if res.Error != nil {
		return false, fmt.Errorf("save webhook %s: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (s *Service) remove(ctx context.Context, id string, version int) error {
	q := s.db.Write(ctx).Where("id = ?", id)
	if version > 0 {
		q = q.Where("version = ?", version)
	}
	res := q.Delete(&webhookRow{})
	if res.Error != nil {
		return fmt.Errorf("delete webhook %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.row(ctx, id); err != nil {
			return err
		}
		return ErrStale
	}
	return nil
}

func (s *Service) deliveries(ctx context.Context, webhookID, status string, before int64, n int) ([]deliveryRow, error) {
	q := s.db.Read(ctx).Where("webhook_id = ?", webhookID).Order("change_seq DESC").Limit(n)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if before > 0 {
		q = q.Where("change_seq < ?", before)
	}
	var rows []deliveryRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list deliveries of %s: %w", webhookID, err)
	}
	return rows, nil
}

// position is where a webhook stands in the change log, and what it wants.
type position struct {
	id      string
	events  []string
	lastSeq int64
	version int
}

// behind lists the active webhooks whose position is below head.
func (s *Service) behind(ctx context.Context, head int64) ([]position, error) {
	var rows []webhookRow
	err := s.db.Read(ctx).Select("id", "events", "last_seq", "version").
		Where("active = ? AND last_seq < ?", true, head).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read webhook positions: %w", err)
	}
	out := make([]position, len(rows))
	for i, r := range rows {
		out[i] = position{id: r.ID, events: strings.Fields(r.Events), lastSeq: r.LastSeq, version: r.Version}
	}
	return out, nil
}

// advance moves a webhook from p.lastSeq to to and inserts the deliveries
// of the changes in between, in one transaction. The move is a compare and
// swap on the position (and on the version, so that an edit of the events
// in the meantime is honoured): when another dispatcher moved it first, or
// the webhook was edited, switched off or deleted, nothing is written and
// advance reports false. So each change is enqueued once per webhook,
// whatever crashes or concurrent dispatchers do.
func (s *Service) advance(ctx context.Context, p position, to int64, rows []deliveryRow) (bool, error) {
	moved := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&webhookRow{}).
			Where("id = ? AND last_seq = ? AND version = ? AND active = ?", p.id, p.lastSeq, p.version, true).
			UpdateColumn("last_seq", to)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 100).Error; err != nil {
				return err
			}
		}
		moved = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("enqueue for webhook %s: %w", p.id, err)
	}
	return moved, nil
}

// job is a claimed delivery and where it goes.
type job struct {
	ID                  string
	WebhookID           string
	Event               string
	Payload             string
	Attempts            int
	URL                 string `gorm:"column:url"`
	Secret              string
	PreviousSecret      string
	PreviousSecretUntil *time.Time
}

// claim takes up to n due deliveries of active webhooks for this
// dispatcher until leaseUntil, and returns them.
func (s *Service) claim(ctx context.Context, now, leaseUntil time.Time, token string, n int) ([]job, error) {
	ids, err := s.due(ctx, now, n)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	taken, err := s.take(ctx, ids, now, leaseUntil, token)
	if err != nil || taken == 0 {
		return nil, err
	}
	return s.jobs(ctx, token)
}

// due lists up to n deliveries that are due and not leased, of active
// webhooks, oldest due first.
func (s *Service) due(ctx context.Context, now time.Time, n int) ([]string, error) {
	var ids []string
	err := s.db.Read(ctx).Table("webhook_deliveries AS d").
		Joins("JOIN webhooks w ON w.id = d.webhook_id").
		Where("d.status = ? AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?) AND w.active = ?",
			StatusPending, now, now, true).
		Order("d.next_attempt_at, d.id").Limit(n).Pluck("d.id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("find due deliveries: %w", err)
	}
	return ids, nil
}

// take leases those of ids that are still pending and free. The condition
// is what makes it safe: of two dispatchers that listed the same rows, the
// second finds them leased (on PostgreSQL its UPDATE waits for the first to
// commit, then checks the condition again on the new row; SQLite has one
// writer at a time). It returns how many it took.
func (s *Service) take(ctx context.Context, ids []string, now, leaseUntil time.Time, token string) (int64, error) {
	res := s.db.Write(ctx).Model(&deliveryRow{}).
		Where("id IN ? AND status = ? AND (lease_until IS NULL OR lease_until <= ?)", ids, StatusPending, now).
		UpdateColumns(map[string]any{"lease_until": leaseUntil, "lease_token": token})
	if res.Error != nil {
		return 0, fmt.Errorf("claim deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// jobs reads the deliveries leased under token, with their webhooks.
func (s *Service) jobs(ctx context.Context, token string) ([]job, error) {
	var jobs []job
	err := s.db.Read(ctx).Table("webhook_deliveries AS d").
		Select("d.id, d.webhook_id, d.event, d.payload, d.attempts, w.url, w.secret, w.previous_secret, w.previous_secret_until").
		Joins("JOIN webhooks w ON w.id = d.webhook_id").
		Where("d.lease_token = ?", token).Order("d.next_attempt_at, d.id").Scan(&jobs).Error
	if err != nil {
		return nil, fmt.Errorf("read claimed deliveries: %w", err)
	}
	return jobs, nil
}

// finish records an attempt of a delivery this dispatcher holds; false when
// the lease was lost meanwhile.
func (s *Service) finish(ctx context.Context, id, token string, cols map[string]any) (bool, error) {
	cols["lease_until"] = nil
	cols["lease_token"] = ""
	res := s.db.Write(ctx).Model(&deliveryRow{}).Where("id = ? AND lease_token = ?", id, token).UpdateColumns(cols)
	if res.Error != nil {
		return false, fmt.Errorf("record delivery %s: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}
