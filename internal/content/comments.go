package content

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"masthead/internal/fault"
)

// What the comments domain asks of articles (comments.Articles): content
// owns the articles table, their comment_count and the rule of what is
// live, and satisfies that interface without importing comments. The
// methods that take tx run inside the caller's transaction.

// errNotOpen is the not-found of an article a comment cannot join.
var errNotOpen = fault.NotFound("no published article has this id or slug")

// OpenForComments reads article id in tx, locking its row on PostgreSQL until
// the transaction ends (see LockForComments), and returns when it was
// published and whether it takes comments. An article that is not live at now
// is a not-found fault.
func (s *Service) OpenForComments(tx *gorm.DB, id string, now time.Time) (publishedAt time.Time, enabled bool, err error) {
	row, err := s.repo.openForComments(tx, id, now.UTC().Truncate(time.Microsecond))
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, false, errNotOpen
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read article %s: %w", id, err)
	}
	return row.PublishedAt.UTC(), row.CommentsEnabled, nil
}

// LockForComments locks article id's row in tx on PostgreSQL, so that the
// writes that recount its comments run one after the other, each counting
// what the previous one committed. SQLite has a single writer already.
func (s *Service) LockForComments(tx *gorm.DB, id string) error {
	if err := s.repo.lockArticle(tx, id); err != nil {
		return fmt.Errorf("lock article %s: %w", id, err)
	}
	return nil
}

// StoreCommentCount sets article id's number of approved comments in tx and
// reports whether it changed. The caller calls CommentsChanged after the
// commit when it did.
func (s *Service) StoreCommentCount(tx *gorm.DB, id string, n int) (changed bool, err error) {
	changed, err = s.repo.storeCommentCount(tx, id, n)
	if err != nil {
		return false, fmt.Errorf("store comment count of %s: %w", id, err)
	}
	return changed, nil
}

// SetCommentCount stores article id's number of approved comments in a
// transaction of its own (the demo loader's path).
func (s *Service) SetCommentCount(ctx context.Context, id string, n int) error {
	var changed bool
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		changed, err = s.StoreCommentCount(tx, id, n)
		return err
	})
	if changed {
		s.changed()
	}
	return err
}

// CommentCounts returns the comment counts of the articles among ids that
// are live at now; other ids are absent.
func (s *Service) CommentCounts(ctx context.Context, ids []string, now time.Time) (map[string]int, error) {
	if len(ids) == 0 {
		return map[string]int{}, nil
	}
	out, err := s.repo.commentCounts(ctx, ids, now.UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, fmt.Errorf("comment counts: %w", err)
	}
	return out, nil
}

// CommentsChanged marks what was served of article id stale: a comment
// write changed its count. Comments call it after their transaction
// committed, so that a cache filled from now on reads the new count. Every
// cached representation goes (the generation is one counter); the id says
// which one had to.
func (s *Service) CommentsChanged(id string) { s.changed() }
