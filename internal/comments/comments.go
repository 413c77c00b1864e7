// Package comments owns reader comments: their storage, their moderation
// status and the threaded view the public reads.
package comments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"gorm.io/gorm"

	"masthead/internal/fault"
	"masthead/internal/store"
)

// ErrNotFound is the fault of a comment that does not exist (or that readers
// may not see).
var ErrNotFound = fault.NotFound("no comment has this id")

// ErrNoArticle is the fault of a submission to an article that is not live.
var ErrNoArticle = fault.NotFound("no published article has this id or slug")

// Status is a comment's moderation state.
type Status string

// Statuses.
const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	StatusSpam     Status = "spam"
)

// Comment is one reader comment. Email is private: it never leaves the
// newsroom's side of the API.
type Comment struct {
	ID          string
	ArticleID   string
	ParentID    string
	Depth       int
	AuthorName  string
	UserID      string
	Email       string
	Body        string
	Status      Status
	ReportCount int
	HoldReasons []string // why the policy held it: moderators only
	IP          string   // moderators only
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Node is a comment with its visible replies.
type Node struct {
	Comment
	Replies []Node
	// ReplyCount is the number of visible direct replies: len(Replies) in
	// the threaded view, counted without them in the flat one.
	ReplyCount int
}

// Cursor is a position among an article's top-level comments, oldest first.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

type commentRow struct {
	ID          string `gorm:"primaryKey"`
	ArticleID   string
	ParentID    *string
	Depth       int
	AuthorName  string
	UserID      *string
	Email       string
	Body        string
	Status      string
	ReportCount int
	HoldReasons string // comma-separated, for moderators only
	IP          string // the submitter's address, for moderators only
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (commentRow) TableName() string { return "comments" }

type reportRow struct {
	CommentID string `gorm:"primaryKey"`
	Reporter  string `gorm:"primaryKey"`
	Reason    string
	Note      string
	CreatedAt time.Time
}

func (reportRow) TableName() string { return "comment_reports" }

type moderationRow struct {
	ID         string `gorm:"primaryKey"`
	CommentID  string
	Moderator  string
	FromStatus string
	ToStatus   string
	Note       string
	CreatedAt  time.Time
}

func (moderationRow) TableName() string { return "comment_moderations" }

// Models lists the row types, for the schema agreement test.
func Models() []any { return []any{&commentRow{}, &reportRow{}, &moderationRow{}} }

// Articles is what comments need of the articles they hang under. The
// content domain owns the articles table and the rule of what is live; it
// satisfies this interface without knowing it.
//
// The methods that take tx run inside the comments service's transaction
// (store.DB.Tx), so that an article's count changes in the same commit as the
// comment that changed it.
type Articles interface {
	// OpenForComments reads, in tx, the article a comment is about to join,
	// locking its row where the dialect needs it (as LockForComments). It
	// returns when the article was published and whether it takes comments,
	// or a not-found fault when no article with this id is live at now.
	OpenForComments(tx *gorm.DB, articleID string, now time.Time) (publishedAt time.Time, enabled bool, err error)
	// LockForComments locks, in tx and where the dialect needs it, the
	// article's row, so that the writes that recount its comments run one
	// after the other and each counts what the previous one committed.
	LockForComments(tx *gorm.DB, articleID string) error
	// StoreCommentCount stores, in tx, the article's count of approved
	// comments, and reports whether the stored count changed.
	StoreCommentCount(tx *gorm.DB, articleID string, n int) (changed bool, err error)
	// CommentCounts returns the counts of the articles among ids that are
	// live at now; other ids are absent.
	CommentCounts(ctx context.Context, ids []string, now time.Time) (map[string]int, error)
	// CommentsChanged tells the owner of the articles that what it serves of
	// article articleID (its count) changed. Called after the commit.
	CommentsChanged(articleID string)
}

// Members is what comments need of the accounts: the names guests may not
// post under.
type Members interface {
	// NameTaken reports whether an account carries name (case aside).
	NameTaken(ctx context.Context, name string) (bool, error)
}

// Options configure a Service. Articles and Members are required.
type Options struct {
	Now      func() time.Time // nil: time.Now
	Articles Articles
	Members  Members
}

// Service reads and writes comments.
type Service struct {
	db       *store.DB
	now      func() time.Time
	articles Articles
	members  Members
}

// NewService returns a comments service. It panics when Articles or
// Members is missing: that is a wiring mistake, not a runtime condition.
func NewService(db *store.DB, o Options) *Service {
	if o.Articles == nil || o.Members == nil {
		panic("comments.NewService: Options.Articles and Options.Members are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: db, now: o.Now, articles: o.Articles, members: o.Members}
}

// Create stores c as given (status included) and returns it with its ID,
// depth and times. It is the loader's and, later, the submission path's
// primitive; the rules for readers live above it.
func (s *Service) Create(ctx context.Context, c Comment) (Comment, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond)
	c.ID, c.UpdatedAt = ulid.Make().String(), now
	c.Depth = 0 // derived from the parent, never taken from the caller
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if c.ParentID != "" {
			var parent commentRow
			if err := tx.Where("id = ? AND article_id = ?", c.ParentID, c.ArticleID).Take(&parent).Error; err != nil {
				return fmt.Errorf("parent %s: %w", c.ParentID, translate(err))
			}
			c.Depth = parent.Depth + 1
		}
		row := toRow(c)
		return tx.Create(&row).Error
	})
	if err != nil {
		return Comment{}, fmt.Errorf("create comment: %w", err)
	}
	return c, nil
}

// CountApproved counts an article's approved comments.
func (s *Service) CountApproved(ctx context.Context, articleID string) (int, error) {
	var n int64
	err := s.db.Read(ctx).Model(&commentRow{}).
		Where("article_id = ? AND status = ?", articleID, StatusApproved).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count comments of %s: %w", articleID, err)
	}
	return int(n), nil
}

// Thread returns a page of an article's approved top-level comments, oldest
// first, each with its approved replies nested, and the next page's cursor.
// A reply is shown only when its whole chain of parents is approved.
func (s *Service) Thread(ctx context.Context, articleID string, limit int, after *Cursor) ([]Node, *Cursor, error) {
	return s.ThreadView(ctx, articleID, ThreadOptions{Limit: limit, After: after})
}

func translate(err error) error {
	if errors.Is(store.Translate(err), store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

func toRow(c Comment) commentRow {
	r := commentRow{
		ID: c.ID, ArticleID: c.ArticleID, Depth: c.Depth, AuthorName: c.AuthorName,
		Email: c.Email, Body: c.Body, Status: string(c.Status), ReportCount: c.ReportCount,
		HoldReasons: strings.Join(c.HoldReasons, ","), IP: c.IP, Version: max(c.Version, 1),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.ParentID != "" {
		r.ParentID = &c.ParentID
	}
	if c.UserID != "" {
		r.UserID = &c.UserID
	}
	return r
}

func (r commentRow) toComment() Comment {
	c := Comment{
		ID: r.ID, ArticleID: r.ArticleID, Depth: r.Depth, AuthorName: r.AuthorName,
		Email: r.Email, Body: r.Body, Status: Status(r.Status), ReportCount: r.ReportCount,
		IP: r.IP, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.HoldReasons != "" {
		c.HoldReasons = strings.Split(r.HoldReasons, ",")
	}
	if r.ParentID != nil {
		c.ParentID = *r.ParentID
	}
	if r.UserID != nil {
		c.UserID = *r.UserID
	}
	return c
}
