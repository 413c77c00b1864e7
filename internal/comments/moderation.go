package comments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"
	"gorm.io/gorm"

	"masthead/internal/fault"
	"masthead/internal/store"
)

// Moderation faults.
var (
	// ErrStale: the comment was moderated since the moderator read it.
	ErrStale = fault.Stale("someone moderated this comment since you read it; read it again")
	// ErrAlreadyReported: this reporter already reported this comment.
	ErrAlreadyReported = fault.Conflict("you already reported this comment")
)

// SystemModerator is the moderator recorded for decisions the service takes
// by itself (a comment held again after enough reports).
const SystemModerator = "system"

// MaxNoteLength bounds a moderation or report note, in characters.
const MaxNoteLength = 1000

// MaxBulk is the largest number of ids ModerateMany accepts.
const MaxBulk = 100

// Reason is why a reader reports a comment.
type Reason string

// Report reasons.
const (
	ReasonOffensive Reason = "offensive"
	ReasonAbuse     Reason = "abuse"
	ReasonSpam      Reason = "spam"
	ReasonOther     Reason = "other"
)

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool {
	switch r {
	case ReasonOffensive, ReasonAbuse, ReasonSpam, ReasonOther:
		return true
	}
	return false
}

// Valid reports whether st is a known status.
func (st Status) Valid() bool {
	switch st {
	case StatusPending, StatusApproved, StatusRejected, StatusSpam:
		return true
	}
	return false
}

// HoldReported is the hold reason of a comment held again after reports.
const HoldReported = "reported"

// Moderation is one logged decision on a comment.
type Moderation struct {
	ID        string
	CommentID string
	Moderator string
	From, To  Status
	Note      string
	CreatedAt time.Time
}

// ModerationFilter selects comments for the moderation queue.
type ModerationFilter struct {
	Status    Status // "" is every status
	Reported  bool   // only comments with reports not yet reviewed
	ArticleID string
	Limit     int
	After     *Cursor // newest first: the last comment of the previous page
}

// ListForModeration returns comments newest first (keyset on created_at,
// id), with private fields, and the next page's cursor.
func (s *Service) ListForModeration(ctx context.Context, f ModerationFilter) ([]Comment, *Cursor, error) {
	if f.Limit < 1 {
		f.Limit = 20
	}
	q := s.db.Read(ctx).Model(&commentRow{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Reported {
		q = q.Where("report_count > 0")
	}
	if f.ArticleID != "" {
		q = q.Where("article_id = ?", f.ArticleID)
	}
	if f.After != nil {
		q = q.Where("(created_at, id) < (?, ?)", f.After.CreatedAt, f.After.ID)
	}
	var rows []commentRow
	if err := q.Order("created_at DESC, id DESC").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("list comments for moderation: %w", err)
	}
	var next *Cursor
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		next = &Cursor{CreatedAt: last.CreatedAt.UTC(), ID: last.ID}
	}
	out := make([]Comment, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toComment())
	}
	return out, next, nil
}

// Get returns one comment with its private fields.
func (s *Service) Get(ctx context.Context, id string) (Comment, error) {
	var row commentRow
	if err := s.db.Read(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return Comment{}, fmt.Errorf("get comment %s: %w", id, translate(err))
	}
	return row.toComment(), nil
}

func checkNote(note string) error {
	if !utf8.ValidString(note) {
		return fault.Invalid(fault.Field("note", "must be valid UTF-8"))
	}
	if utf8.RuneCountInString(note) > MaxNoteLength {
		return fault.Invalid(fault.Field("note", fmt.Sprintf("must be at most %d characters", MaxNoteLength)))
	}
	for _, r := range note {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return fault.Invalid(fault.Field("note", "must not contain control characters"))
		}
	}
	return nil
}

// errStale makes Moderate read the comment again and retry.
var errStale = errors.New("comment changed during the decision")

// Moderate moves a comment to status to, in one transaction on the writer:
// a conditional update on the version, a comment_moderations row, and the
// article's comment_count recounted. With expectVersion, a comment at another
// version is ErrStale; without, the version just read is used and
// the decision retried a few times if another one lands in between. Moving
// to the status the comment already has changes and logs nothing.
// Approving clears the hold reasons and marks the reports as reviewed
// (report_count back to 0).
func (s *Service) Moderate(ctx context.Context, id string, to Status, moderator, note string, expectVersion *int) (Comment, error) {
	if !to.Valid() {
		return Comment{}, fault.Invalid(fault.Field("status", "must be pending, approved, rejected or spam"))
	}
	if err := checkNote(note); err != nil {
		return Comment{}, err
	}
	for attempt := 0; ; attempt++ {
		c, countChanged, err := s.moderateOnce(ctx, id, to, moderator, note, expectVersion)
		if errors.Is(err, errStale) && attempt < 4 {
			continue
		}
		if errors.Is(err, errStale) {
			err = ErrStale
		}
		if err != nil {
			return Comment{}, fmt.Errorf("moderate comment %s: %w", id, err)
		}
		if countChanged {
			s.articles.CommentsChanged(c.ArticleID)
		}
		return c, nil
	}
}

// moderateOnce is one attempt of Moderate; it reports whether the article's
// count changed.
func (s *Service) moderateOnce(ctx context.Context, id string, to Status, moderator, note string, expectVersion *int) (Comment, bool, error) {
	var (
		out          Comment
		countChanged bool
	)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockComment(tx, id)
		if err != nil {
			return err
		}
		if expectVersion != nil && row.Version != *expectVersion {
			return ErrStale
		}
		if Status(row.Status) == to {
			out = row.toComment()
			return nil
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		updates := map[string]any{
			"status": string(to), "version": gorm.Expr("version + 1"), "updated_at": now,
		}
		if to == StatusApproved {
			updates["hold_reasons"] = ""
			updates["report_count"] = 0
		}
		changed, err := s.applyDecision(tx, row, updates, moderator, note, to, now)
		if err != nil {
			if errors.Is(err, errStale) && expectVersion != nil {
				return ErrStale
			}
			return err
		}
		countChanged = changed
		var fresh commentRow
		if err := tx.Where("id = ?", id).Take(&fresh).Error; err != nil {
			return fmt.Errorf("read back: %w", err)
		}
		out = fresh.toComment()
		return nil
	})
	return out, countChanged, err
}

// lockComment reads a comment inside tx after locking its article's row, so
// that every write which recounts the article is serialized on PostgreSQL
// (SQLite has one writer already) and each recount sees every earlier one.
func (s *Service) lockComment(tx *gorm.DB, id string) (commentRow, error) {
	var row commentRow
	if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
		return row, translate(err)
	}
	if err := s.articles.LockForComments(tx, row.ArticleID); err != nil {
		return row, err // it names the article
	}
	// Read again: another decision may have committed while we waited.
	if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
		return row, translate(err)
	}
	return row, nil
}

// applyDecision updates the comment on its version, logs the change and
// recounts the article, all in tx. It reports whether the article's count
// changed.
func (s *Service) applyDecision(tx *gorm.DB, row commentRow, updates map[string]any, moderator, note string, to Status, now time.Time) (bool, error) {
	res := tx.Model(&commentRow{}).Where("id = ? AND version = ?", row.ID, row.Version).Updates(updates)
	if res.Error != nil {
		return false, fmt.Errorf("update status: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return false, errStale
	}
	if Status(row.Status) != to {
		log := moderationRow{
			ID: ulid.Make().String(), CommentID: row.ID, Moderator: moderator,
			FromStatus: row.Status, ToStatus: string(to), Note: note, CreatedAt: now,
		}
		if err := tx.Create(&log).Error; err != nil {
			return false, fmt.Errorf("log decision: %w", err)
		}
	}
	return s.recount(tx, row.ArticleID)
}

// recount counts the article's approved comments in tx and hands the number
// to the articles, reporting whether the stored count changed. The caller
// locked the article first (checkOpen or lockComment): on PostgreSQL that
// orders the recounts, so that each one sees the comments of the previous.
func (s *Service) recount(tx *gorm.DB, articleID string) (bool, error) {
	var n int64
	err := tx.Model(&commentRow{}).Where("article_id = ? AND status = ?", articleID, StatusApproved).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("recount comments of %s: %w", articleID, err)
	}
	changed, err := s.articles.StoreCommentCount(tx, articleID, int(n))
	if err != nil {
		return false, fmt.Errorf("recount comments of %s: %w", articleID, err)
	}
	return changed, nil
}

// ModerateMany applies one decision to up to MaxBulk comments. Each id is its
// own transaction and its own logged change (a failure leaves the earlier
// ones applied and consistent); unknown ids are returned, not an error.
func (s *Service) ModerateMany(ctx context.Context, ids []string, to Status, moderator, note string) (updated []Comment, notFound []string, err error) {
	if !to.Valid() {
		return nil, nil, fault.Invalid(fault.Field("status", "must be pending, approved, rejected or spam"))
	}
	if len(ids) == 0 || len(ids) > MaxBulk {
		return nil, nil, fault.Invalid(fault.Field("ids", fmt.Sprintf("must hold 1 to %d ids", MaxBulk)))
	}
	seen := make(map[string]bool, len(ids))
	updated, notFound = []Comment{}, []string{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		c, err := s.Moderate(ctx, id, to, moderator, note, nil)
		if errors.Is(err, ErrNotFound) {
			notFound = append(notFound, id)
			continue
		}
		if err != nil {
			return updated, notFound, err
		}
		updated = append(updated, c)
	}
	return updated, notFound, nil
}

// Delete removes a comment. Its replies go with it (the parent_id foreign
// key cascades), and so do its reports and its moderation log; the article
// is recounted in the same transaction. It returns the article's id.
func (s *Service) Delete(ctx context.Context, id string) (string, error) {
	var (
		articleID    string
		countChanged bool
	)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockComment(tx, id)
		if err != nil {
			return err
		}
		articleID = row.ArticleID
		res := tx.Where("id = ?", id).Delete(&commentRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		countChanged, err = s.recount(tx, row.ArticleID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("delete comment %s: %w", id, err)
	}
	if countChanged {
		s.articles.CommentsChanged(articleID)
	}
	return articleID, nil
}

// History returns a comment's moderation log, oldest first.
func (s *Service) History(ctx context.Context, id string) ([]Moderation, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	var rows []moderationRow
	if err := s.db.Read(ctx).Where("comment_id = ?", id).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("history of comment %s: %w", id, err)
	}
	out := make([]Moderation, 0, len(rows))
	for _, r := range rows {
		out = append(out, Moderation{
			ID: r.ID, CommentID: r.CommentID, Moderator: r.Moderator,
			From: Status(r.FromStatus), To: Status(r.ToStatus), Note: r.Note, CreatedAt: r.CreatedAt.UTC(),
		})
	}
	return out, nil
}

// ReportOutcome says what a report did.
type ReportOutcome struct {
	ReportCount int
	Held        bool // the report reached the threshold: the comment is pending again
	ArticleID   string
}

// Report records reporter's report of an approved comment. A comment that is
// not approved is ErrNotFound (readers cannot see it); a second report by the
// same reporter is ErrAlreadyReported. When the comment's unreviewed reports
// reach threshold it goes back to pending with hold reason "reported",
// logged as SystemModerator, and its article is recounted — all in one
// transaction.
func (s *Service) Report(ctx context.Context, commentID, reporter string, reason Reason, note string, threshold int) (ReportOutcome, error) {
	if !reason.Valid() {
		return ReportOutcome{}, fault.Invalid(fault.Field("reason", "must be offensive, abuse, spam or other"))
	}
	if err := checkNote(note); err != nil {
		return ReportOutcome{}, err
	}
	if reporter == "" {
		return ReportOutcome{}, fault.Invalid(fault.Field("reporter", "is required"))
	}
	threshold = max(threshold, 1)
	var (
		out          ReportOutcome
		countChanged bool
	)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockComment(tx, commentID)
		if err != nil {
			return err
		}
		if Status(row.Status) != StatusApproved {
			return ErrNotFound
		}
		var dup int64
		if err := tx.Model(&reportRow{}).Where("comment_id = ? AND reporter = ?", commentID, reporter).Count(&dup).Error; err != nil {
			return fmt.Errorf("look for an earlier report: %w", err)
		}
		if dup > 0 {
			return ErrAlreadyReported
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		rep := reportRow{CommentID: commentID, Reporter: reporter, Reason: string(reason), Note: note, CreatedAt: now}
		if err := tx.Create(&rep).Error; err != nil {
			if errors.Is(store.Translate(err), store.ErrDuplicate) {
				return ErrAlreadyReported
			}
			return fmt.Errorf("store report: %w", err)
		}
		out = ReportOutcome{ReportCount: row.ReportCount + 1, ArticleID: row.ArticleID}
		updates := map[string]any{
			"report_count": gorm.Expr("report_count + 1"), "version": gorm.Expr("version + 1"), "updated_at": now,
		}
		to := StatusApproved
		if out.ReportCount >= threshold {
			to, out.Held = StatusPending, true
			updates["status"] = string(StatusPending)
			updates["hold_reasons"] = addReason(row.HoldReasons, HoldReported)
		}
		note := ""
		if out.Held {
			note = fmt.Sprintf("held again after %d reports", out.ReportCount)
		}
		countChanged, err = s.applyDecision(tx, row, updates, SystemModerator, note, to, now)
		return err
	})
	if err != nil {
		return ReportOutcome{}, fmt.Errorf("report comment %s: %w", commentID, err)
	}
	if countChanged {
		s.articles.CommentsChanged(out.ArticleID)
	}
	return out, nil
}

func addReason(list, reason string) string {
	if list == "" {
		return reason
	}
	for _, r := range strings.Split(list, ",") {
		if r == reason {
			return list
		}
	}
	return list + "," + reason
}
