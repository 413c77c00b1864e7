package comments

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oklog/ulid/v2"
	"gorm.io/gorm"
)

// Imported is a comment as a bulk load writes it, with what its history
// left behind: the reports against it and the moderation decisions taken
// on it. The load states the outcome (status, version, report count, hold
// reasons); Import stores it as the service would have, and derives what
// the service derives.
type Imported struct {
	Comment
	Reports   []ImportedReport
	Decisions []Moderation // From, To, Moderator, Note, CreatedAt
}

// ImportedReport is one reader's report of an imported comment.
type ImportedReport struct {
	Reporter  string
	Reason    Reason
	Note      string
	CreatedAt time.Time
}

// importBatch is how many rows one INSERT carries (15 columns each: within
// both databases' limits on bound parameters).
const importBatch = 500

// Import stores comments in bulk, in one transaction: the comments (in
// multi-row statements), their reports and their moderation log; then it
// recounts the approved comments of every article it touched, as each
// write of the service does, and tells the articles after the commit. An
// ID left empty is made; a parent must come earlier in list or be stored
// already, in the same article, and gives the comment its depth. It is the
// corpus generator's path (masthead seed): it applies no submission rule.
func (s *Service) Import(ctx context.Context, list []Imported) error {
	if len(list) == 0 {
		return nil
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	rows := make([]commentRow, len(list))
	depth := make(map[string]int, len(list))
	article := make(map[string]string, len(list))
	var missing []string
	for i := range list {
		c := &list[i].Comment
		if c.ID == "" {
			c.ID = ulid.Make().String()
		}
		depth[c.ID], article[c.ID] = 0, c.ArticleID
		if c.ParentID != "" {
			if _, ok := depth[c.ParentID]; !ok {
				missing = append(missing, c.ParentID)
			}
		}
	}
	var touched []string
	changed := map[string]bool{}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if len(missing) > 0 {
			var stored []commentRow
			for chunk := range slices.Chunk(missing, importBatch) {
				var part []commentRow
				if err := tx.Select("id", "article_id", "depth").Where("id IN ?", chunk).Find(&part).Error; err != nil {
					return fmt.Errorf("read parents: %w", err)
				}
				stored = append(stored, part...)
			}
			for _, p := range stored {
				depth[p.ID], article[p.ID] = p.Depth, p.ArticleID
			}
		}
		seen := map[string]bool{}
		var reports []reportRow
		var log []moderationRow
		for i := range list {
			c := &list[i].Comment
			c.Depth = 0
			if c.ParentID != "" {
				d, ok := depth[c.ParentID]
				if !ok || article[c.ParentID] != c.ArticleID {
					return fmt.Errorf("comment %s: parent %s: %w", c.ID, c.ParentID, ErrNotFound)
				}
				c.Depth = d + 1
			}
			depth[c.ID] = c.Depth
			c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond)
			if c.UpdatedAt.IsZero() {
				c.UpdatedAt = now
			}
			c.UpdatedAt = c.UpdatedAt.UTC().Truncate(time.Microsecond)
			rows[i] = toRow(*c)
			if !seen[c.ArticleID] {
				seen[c.ArticleID] = true
				touched = append(touched, c.ArticleID)
			}
			for _, r := range list[i].Reports {
				reports = append(reports, reportRow{CommentID: c.ID, Reporter: r.Reporter, Reason: string(r.Reason),
					Note: r.Note, CreatedAt: r.CreatedAt.UTC().Truncate(time.Microsecond)})
			}
			for _, d := range list[i].Decisions {
				log = append(log, moderationRow{ID: ulid.Make().String(), CommentID: c.ID, Moderator: d.Moderator,
					FromStatus: string(d.From), ToStatus: string(d.To), Note: d.Note, CreatedAt: d.CreatedAt.UTC().Truncate(time.Microsecond)})
			}
		}
		// Lock the articles before writing, in one order, as every write
		// that recounts does.
		slices.Sort(touched)
		for _, id := range touched {
			if err := s.articles.LockForComments(tx, id); err != nil {
				return err
			}
		}
		if err := tx.CreateInBatches(&rows, importBatch).Error; err != nil {
			return fmt.Errorf("insert comments: %w", err)
		}
		if len(reports) > 0 {
			if err := tx.CreateInBatches(&reports, importBatch).Error; err != nil {
				return fmt.Errorf("insert reports: %w", err)
			}
		}
		if len(log) > 0 {
			if err := tx.CreateInBatches(&log, importBatch).Error; err != nil {
				return fmt.Errorf("insert moderation log: %w", err)
			}
		}
		return s.recountMany(tx, touched, changed)
	})
	if err != nil {
		return fmt.Errorf("import %d comments: %w", len(list), err)
	}
	for _, id := range touched {
		if changed[id] {
			s.articles.CommentsChanged(id)
		}
	}
	return nil
}

// recountMany is recount for many articles: one grouped count, then each
// article's count stored; changed collects those whose count moved.
func (s *Service) recountMany(tx *gorm.DB, ids []string, changed map[string]bool) error {
	counts := make(map[string]int, len(ids))
	for chunk := range slices.Chunk(ids, importBatch) {
		var got []struct {
			ArticleID string
			N         int
		}
		err := tx.Model(&commentRow{}).Select("article_id, COUNT(*) AS n").
			Where("article_id IN ? AND status = ?", chunk, StatusApproved).Group("article_id").Scan(&got).Error
		if err != nil {
			return fmt.Errorf("recount comments: %w", err)
		}
		for _, g := range got {
			counts[g.ArticleID] = g.N
		}
	}
	for _, id := range ids {
		ch, err := s.articles.StoreCommentCount(tx, id, counts[id])
		if err != nil {
			return fmt.Errorf("recount comments of %s: %w", id, err)
		}
		if ch {
			changed[id] = true
		}
	}
	return nil
}
