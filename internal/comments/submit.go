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
	"masthead/internal/xmlchar"
)

// SubmitInput is a reader's comment as the HTTP layer received it. A member
// (UserID set) posts under AuthorName, which the caller takes from their
// account; a guest (UserID empty) gives AuthorName and Email.
type SubmitInput struct {
	ArticleID  string
	ParentID   string
	Body       string
	AuthorName string
	Email      string
	UserID     string
	UserRole   string // reader, subscriber, editor, admin; "" for a guest
	IP         string
	Honeypot   string // a field humans leave empty
}

// trustedRoles publish at once in trusted mode.
var trustedRoles = map[string]bool{"subscriber": true, "editor": true, "admin": true}

// Submit applies the submission rules and the moderation policy to a
// reader's comment and stores it, approved, pending (with its hold reasons)
// or, when the honeypot is filled, as spam. Errors: ErrNoArticle (no live
// article), ErrClosed, an invalid fault (nothing is stored).
func (s *Service) Submit(ctx context.Context, pol Policy, in SubmitInput, now time.Time) (Comment, error) {
	now = now.UTC().Truncate(time.Microsecond)
	body, err := CheckBody(in.Body)
	if err != nil {
		return Comment{}, err
	}
	c := Comment{
		ArticleID: in.ArticleID, ParentID: in.ParentID, Body: body, UserID: in.UserID,
		AuthorName: strings.TrimSpace(xmlchar.Line(in.AuthorName)), Email: in.Email, IP: in.IP,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if in.UserID == "" {
		if c.AuthorName, c.Email, err = checkGuest(in.AuthorName, in.Email); err != nil {
			return Comment{}, err
		}
		taken, err := s.memberName(ctx, c.AuthorName)
		if err != nil {
			return Comment{}, err
		}
		if taken {
			return Comment{}, invalidField("author_name", "this name belongs to a member; sign in to use it")
		}
	}
	text := commentWords(body)
	if containsWord(text, pol.Banned) {
		return Comment{}, invalidField("body", "contains words we do not publish")
	}

	var countChanged bool
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.checkOpen(tx, pol, in.ArticleID, now); err != nil {
			return err
		}
		if c.ParentID != "" {
			var parent commentRow
			err := tx.Where("id = ?", c.ParentID).Take(&parent).Error
			if errors.Is(store.Translate(err), store.ErrNotFound) || (err == nil && (parent.ArticleID != c.ArticleID || parent.Status != string(StatusApproved))) {
				return invalidField("parent_id", "must be a published comment of this article")
			}
			if err != nil {
				return fmt.Errorf("read parent: %w", err)
			}
			c.Depth = parent.Depth + 1
			if c.Depth > pol.maxDepth() {
				return invalidField("parent_id", fmt.Sprintf("replies nest at most %d deep", pol.maxDepth()))
			}
		}
		status, reasons, err := s.decide(tx, pol, in, c.Email, text, body)
		if err != nil {
			return err
		}
		c.Status, c.HoldReasons = status, reasons
		c.ID = ulid.Make().String()
		row := toRow(c)
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("insert comment: %w", err)
		}
		if status == StatusApproved {
			countChanged, err = s.recount(tx, c.ArticleID)
			return err
		}
		return nil
	})
	if err != nil {
		return Comment{}, fmt.Errorf("submit comment: %w", err)
	}
	if countChanged {
		s.articles.CommentsChanged(c.ArticleID)
	}
	return c, nil
}

// checkOpen asks the articles whether articleID is live and open for
// comments at now (the article's row stays locked, on PostgreSQL, until the
// transaction ends, so that recounts of the article run one after the
// other), and applies the policy's closing delay.
func (s *Service) checkOpen(tx *gorm.DB, pol Policy, articleID string, now time.Time) error {
	published, enabled, err := s.articles.OpenForComments(tx, articleID, now)
	if errors.Is(err, fault.ErrNotFound) {
		return ErrNoArticle
	}
	if err != nil {
		return err // it names the article
	}
	if !enabled {
		return ErrClosed
	}
	if pol.CloseDays > 0 && !now.Before(published.Add(time.Duration(pol.CloseDays)*24*time.Hour)) {
		return ErrClosed
	}
	return nil
}

// decide is the moderation policy: the status a new comment gets and why
// it is held.
func (s *Service) decide(tx *gorm.DB, pol Policy, in SubmitInput, email string, text []string, body string) (Status, []string, error) {
	if strings.TrimSpace(in.Honeypot) != "" {
		return StatusSpam, []string{ReasonHoneypot}, nil
	}
	var reasons []string
	if containsWord(text, pol.Suspect) {
		reasons = append(reasons, ReasonSuspectWords)
	}
	if countLinks(body) > pol.maxLinks() {
		reasons = append(reasons, ReasonTooManyLinks)
	}
	switch pol.mode() {
	case ModePre:
		reasons = append(reasons, ReasonPremod)
	case ModeTrusted:
		trusted, err := s.trusted(tx, in, email)
		if err != nil {
			return "", nil, err
		}
		if !trusted {
			reasons = append(reasons, ReasonNewAuthor)
		}
	}
	if len(reasons) > 0 {
		return StatusPending, reasons, nil
	}
	return StatusApproved, nil, nil
}

// trusted: a subscriber or staff member, or an author with an approved
// comment (by account for members, by email for guests).
func (s *Service) trusted(tx *gorm.DB, in SubmitInput, email string) (bool, error) {
	if in.UserID != "" && trustedRoles[in.UserRole] {
		return true, nil
	}
	q := tx.Model(&commentRow{}).Where("status = ?", StatusApproved)
	if in.UserID != "" {
		q = q.Where("user_id = ?", in.UserID)
	} else {
		q = q.Where("user_id IS NULL AND lower(email) = ?", strings.ToLower(email))
	}
	var n int64
	if err := q.Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("check author: %w", err)
	}
	return n > 0, nil
}

// memberName reports whether a member's account carries name.
func (s *Service) memberName(ctx context.Context, name string) (bool, error) {
	taken, err := s.members.NameTaken(ctx, name)
	if err != nil {
		return false, fmt.Errorf("check member names: %w", err)
	}
	return taken, nil
}

// Counts returns the number of approved comments of each live article
// among ids; other ids are absent.
func (s *Service) Counts(ctx context.Context, ids []string, now time.Time) (map[string]int, error) {
	if len(ids) == 0 {
		return map[string]int{}, nil
	}
	out, err := s.articles.CommentCounts(ctx, ids, now.UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, fmt.Errorf("count comments: %w", err)
	}
	return out, nil
}
