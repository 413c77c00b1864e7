// Package metering counts the subscribers-only articles a registered reader
// opens in full under a monthly quota (a "metered paywall").
//
// Each (subject, calendar month in UTC, article) is one row of meter_reads:
// an article counts once per month, however often it is opened, and stays
// readable for the rest of that month.
package metering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"masthead/internal/store"
)

// Meter is a subject's quota for the current month.
type Meter struct {
	Limit     int
	Remaining int
	ResetsAt  time.Time // the first instant of the next month, UTC
}

// Service applies the quota. A nil *Service, or one with a limit of 0, is
// off: Enabled reports false.
type Service struct {
	db    *store.DB
	limit int
}

// NewService returns a meter granting limit articles per subject and month.
func NewService(db *store.DB, limit int) *Service {
	return &Service{db: db, limit: max(limit, 0)}
}

// Enabled reports whether metering is on.
func (s *Service) Enabled() bool { return s != nil && s.limit > 0 }

// Limit is the number of articles per month.
func (s *Service) Limit() int { return s.limit }

// readRow is one article opened under the meter.
type readRow struct {
	Subject   string `gorm:"primaryKey"`
	Period    string `gorm:"primaryKey"`
	ArticleID string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (readRow) TableName() string { return "meter_reads" }

// Models lists the row types, for the test that checks them against the
// migrated schema of each dialect.
func Models() []any { return []any{&readRow{}} }

// Period is the calendar month of t in UTC, as stored: "2006-01".
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// ResetsAt is the first instant of the month after t's, in UTC.
func ResetsAt(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// advisoryNamespace is the first key of the two-key PostgreSQL advisory lock
// taken per subject ("mete" in ASCII), so that it never meets a lock taken
// with one bigint key (goose's migration lock) or by another feature.
const advisoryNamespace = 0x6d657465

// Use spends one of subject's reads for articleID in the month of now, unless
// the article was already opened this month (free) or the quota is spent
// (not granted). It returns the meter after the call and whether the article
// may be shown in full.
//
// Everything happens in one transaction on the writer:
//
//  1. On PostgreSQL, pg_advisory_xact_lock(namespace, hashtext(subject))
//     serializes the transactions of one subject until commit. Without it,
//     two concurrent transactions under READ COMMITTED could both count
//     N-1 rows and both insert, overrunning the quota. Each statement after
//     the lock takes a fresh snapshot, so it sees what the previous holder
//     committed. On SQLite the writer is a single connection and
//     transactions begin IMMEDIATE: they are serialized already.
//  2. INSERT … SELECT … WHERE (count this month) < limit ON CONFLICT DO
//     NOTHING adds the row only while there is room, and never twice (the
//     primary key); the same statement on both dialects.
//  3. The row's presence says whether the article is granted (inserted now,
//     or earlier this month), and the count gives what remains.
func (s *Service) Use(ctx context.Context, subject, articleID string, now time.Time) (Meter, bool, error) {
	if !s.Enabled() {
		return Meter{}, false, errors.New("metering is off")
	}
	now = now.UTC().Truncate(time.Microsecond)
	period := Period(now)
	var (
		used    int64
		granted bool
	)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if s.db.Dialect == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(?))", advisoryNamespace, subject).Error; err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		err := tx.Exec(`INSERT INTO meter_reads (subject, period, article_id, created_at)
SELECT ?, ?, ?, ?
WHERE (SELECT count(*) FROM meter_reads WHERE subject = ? AND period = ?) < ?
ON CONFLICT (subject, period, article_id) DO NOTHING`,
			subject, period, articleID, now, subject, period, s.limit).Error
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		var n int64
		if err := tx.Model(&readRow{}).Where("subject = ? AND period = ? AND article_id = ?", subject, period, articleID).
			Count(&n).Error; err != nil {
			return fmt.Errorf("read back: %w", err)
		}
		granted = n > 0
		return tx.Model(&readRow{}).Where("subject = ? AND period = ?", subject, period).Count(&used).Error
	})
	if err != nil {
		return Meter{}, false, fmt.Errorf("use meter of %s: %w", subject, err)
	}
	return Meter{Limit: s.limit, Remaining: max(s.limit-int(used), 0), ResetsAt: ResetsAt(now)}, granted, nil
}
