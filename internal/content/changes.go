package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"masthead/internal/fault"
	"masthead/internal/store"
)

// ChangeKind is what happened to an article, as partners see it.
type ChangeKind string

// Change kinds.
const (
	// ChangePublished: the article became readable by the public (created
	// published, published, or its scheduled time came).
	ChangePublished ChangeKind = "published"
	// ChangeUpdated: a public article was saved again.
	ChangeUpdated ChangeKind = "updated"
	// ChangeCorrected: a public article was saved with a correction note.
	ChangeCorrected ChangeKind = "corrected"
	// ChangeUnpublished: the article is no longer public (withdrawn,
	// rescheduled, back to draft or deleted): a tombstone.
	ChangeUnpublished ChangeKind = "unpublished"
)

// Change is one entry of the change log.
type Change struct {
	Seq       int64
	ArticleID string
	Kind      ChangeKind
	Lang      string
	Version   int // the article's version after the change
	Note      string
	At        time.Time
}

// MaxCorrectionRunes bounds a correction note.
const MaxCorrectionRunes = 2000

// changeRow mirrors migrations/*/00006_changes.sql.
type changeRow struct {
	Seq       int64 `gorm:"primaryKey;autoIncrement"`
	ArticleID string
	Kind      string
	Lang      string
	Version   int
	Note      string
	CreatedAt time.Time
}

func (changeRow) TableName() string { return "article_changes" }

// changeLockKey is the PostgreSQL advisory lock that orders the log's
// writers (an arbitrary constant: "mhchange" in ASCII).
const changeLockKey int64 = 0x6d686368616e6765

// recordChange appends to the change log inside tx. It must be the last
// statement of the transaction: on PostgreSQL it takes an advisory lock held
// until commit, so that seqs become visible in the order they were taken
// and a reader never skips a seq that commits late. (SQLite has one writer:
// commit order is seq order already.)
func recordChange(tx *gorm.DB, dialect string, c Change) error {
	if dialect == store.Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", changeLockKey).Error; err != nil {
			return fmt.Errorf("lock change log: %w", err)
		}
	}
	row := changeRow{
		ArticleID: c.ArticleID, Kind: string(c.Kind), Lang: c.Lang, Version: c.Version,
		Note: c.Note, CreatedAt: c.At,
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("record %s of %s: %w", c.Kind, c.ArticleID, err)
	}
	return nil
}

// visible reports whether the public can read an article in this state at
// now: published, or scheduled with its time passed. It is the one rule in
// Go; live (repo.go) is the same rule in SQL.
func visible(st Status, publishedAt *time.Time, now time.Time) bool {
	return (st == StatusPublished || st == StatusScheduled) && publishedAt != nil && !publishedAt.After(now)
}

// changeOf says which change a save from cur to next is, if any. announced
// is whether the log already said "published" for cur: a scheduled article
// whose time came but that nobody promoted yet is visible, not announced.
func changeOf(cur Article, next Article, correction string, now time.Time) (ChangeKind, bool) {
	announced := cur.Status == StatusPublished
	was := visible(cur.Status, cur.PublishedAt, now)
	is := visible(next.Status, next.PublishedAt, now)
	switch {
	case is && !announced:
		return ChangePublished, true
	case is && correction != "":
		return ChangeCorrected, true
	case is:
		return ChangeUpdated, true
	case was:
		return ChangeUnpublished, true
	}
	return "", false
}

// checkCorrection validates a correction note for a save from cur to next.
func checkCorrection(note *string, cur, next Article, now time.Time) (string, []fault.FieldError) {
	if note == nil {
		return "", nil
	}
	n := strings.TrimSpace(*note)
	switch {
	case n == "":
		return "", []fault.FieldError{{Field: "correction", Message: "must not be empty"}}
	case utf8.RuneCountInString(n) > MaxCorrectionRunes:
		return "", []fault.FieldError{{Field: "correction", Message: fmt.Sprintf("must be at most %d characters", MaxCorrectionRunes)}}
	case cur.Status != StatusPublished || !visible(next.Status, next.PublishedAt, now):
		return "", []fault.FieldError{{Field: "correction", Message: "is for an article that is published and stays published"}}
	}
	return n, nil
}

// ChangesAfter returns up to limit entries of the change log with a seq
// greater than after, in seq order.
func (s *Service) ChangesAfter(ctx context.Context, after int64, limit int) ([]Change, error) {
	var rows []changeRow
	err := changesQuery(s.db.Read(ctx), after, limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read change log: %w", err)
	}
	out := make([]Change, len(rows))
	for i, r := range rows {
		out[i] = Change{
			Seq: r.Seq, ArticleID: r.ArticleID, Kind: ChangeKind(r.Kind), Lang: r.Lang,
			Version: r.Version, Note: r.Note, At: r.CreatedAt.UTC(),
		}
	}
	return out, nil
}

// changesQuery is ChangesAfter's statement over q.
func changesQuery(q *gorm.DB, after int64, limit int) *gorm.DB {
	return q.Model(&changeRow{}).Where("seq > ?", after).Order("seq").Limit(limit)
}

// LastChange returns the newest seq of the change log (0 when empty).
func (s *Service) LastChange(ctx context.Context) (int64, error) {
	var seq *int64
	if err := s.db.Read(ctx).Model(&changeRow{}).Select("MAX(seq)").Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("read change log: %w", err)
	}
	if seq == nil {
		return 0, nil
	}
	return *seq, nil
}

// PromoteDue marks published the scheduled articles whose time has come and
// logs their publication: reads show them as soon as the time comes, the
// change log as soon as this runs (RunScheduler every few seconds, and the
// sync API before it reads). Each promotion is a conditional update, so
// processes running it together promote each article once. It returns how
// many it promoted.
func (s *Service) PromoteDue(ctx context.Context) (int, error) {
	now := s.Now()
	var ids []string
	// The status is a literal so that SQLite uses the partial index
	// articles_due (see live).
	err := s.db.Read(ctx).Model(&articleRow{}).
		Where("status = 'scheduled' AND published_at <= ?", now).
		Order("published_at, id").Limit(500).Pluck("id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("find due articles: %w", err)
	}
	n := 0
	for _, id := range ids {
		ok, err := s.promote(ctx, id, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	if n > 0 {
		s.changed()
	}
	return n, nil
}

func (s *Service) promote(ctx context.Context, id string, now time.Time) (bool, error) {
	cur, err := s.current(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if cur.Status != StatusScheduled || !visible(cur.Status, cur.PublishedAt, now) {
		return false, nil
	}
	a := cur
	a.Status, a.Version, a.UpdatedAt = StatusPublished, cur.Version+1, now
	done := false
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		// updated_at is set here, on the service's clock: left out, GORM
		// would fill it from the wall clock.
		res := tx.Model(&articleRow{}).
			Where("id = ? AND version = ? AND status = ?", id, cur.Version, StatusScheduled).
			Updates(map[string]any{"status": string(StatusPublished), "version": gorm.Expr("version + 1"), "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // an editor or another process got there first
		}
		if err := setIndexedStatus(tx, id, StatusPublished); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		var tagIDs, authorIDs []string
		for _, t := range a.Tags {
			tagIDs = append(tagIDs, t.ID)
		}
		for _, au := range a.Authors {
			authorIDs = append(authorIDs, au.ID)
		}
		rev := a
		rev.UpdatedAt = now
		if err := insertRevision(tx, rev, tagIDs, authorIDs, SchedulerEditor, ActionPublish); err != nil {
			return err
		}
		err := recordChange(tx, s.db.Dialect, Change{
			ArticleID: a.ID, Kind: ChangePublished, Lang: a.Lang, Version: a.Version, At: now,
		})
		done = err == nil
		return err
	})
	if err != nil {
		if errors.Is(err, ErrStale) {
			return false, nil
		}
		return false, fmt.Errorf("promote article %s: %w", id, err)
	}
	return done, nil
}

// SchedulerEditor is the editor named in the revisions of scheduled
// publications.
const SchedulerEditor = "scheduler"

// RunScheduler promotes due articles every interval until ctx ends. Errors
// are reported to logf and retried at the next tick.
func (s *Service) RunScheduler(ctx context.Context, every time.Duration, logf func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.PromoteDue(ctx); err != nil && ctx.Err() == nil && logf != nil {
			logf(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
