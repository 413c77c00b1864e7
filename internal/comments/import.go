package comments

import (
	"context"
	"crypto/sha256"
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

// ImportModerator is who the moderation log names when an import changes
// the status of a comment an earlier import stored.
const ImportModerator = "import"

// ImportID is the id of the comment a record of another system becomes:
// the same source ("wordpress:https://courrier.example") and external id
// (the WordPress comment id) give the same id on every run, without a
// lookup, so that an import run again updates its comments instead of
// adding them twice. It has the shape of every id (a ULID), made of the
// first 128 bits of a SHA-256 of both: its time part means nothing.
func ImportID(source, externalID string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + externalID))
	var id ulid.ULID
	copy(id[:], sum[:len(id)])
	return id.String()
}

// Import stores comments in bulk in a transaction of its own (ImportTx),
// then tells the articles whose comments or count changed (Touched). It
// is the corpus generator's path (masthead seed).
func (s *Service) Import(ctx context.Context, list []Imported) error {
	if len(list) == 0 {
		return nil
	}
	var touched []string
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		touched, err = s.ImportTx(tx, list)
		return err
	})
	if err != nil {
		return fmt.Errorf("import %d comments: %w", len(list), err)
	}
	s.Touched(touched)
	return nil
}

// ImportTx stores comments in bulk inside the caller's transaction tx (an
// article's, see content.ImportedArticle.Within): new comments in
// multi-row statements with their reports and moderation log; then it
// recounts the approved comments of every article of list, as each write
// of the service does. It applies no submission rule.
//
// It may be run again with the same comments: a comment whose ID is
// stored already is updated to what list says (author, email, body,
// status, hold reasons, user, creation time), its version moved, and a
// change of status logged as a decision of ImportModerator; one that did
// not change is left alone; its reports and decisions are written with
// its first import only, and its article and parent never change. So the
// counts come out exact whatever ran before. Give stable ids
// (ImportID); an ID left empty is made.
//
// A parent must come earlier in list or be stored already, in the same
// article, and gives the comment its depth; otherwise the comment is a
// not-found error (the importer makes such a comment top-level first).
//
// It returns the articles whose comments or count it changed, sorted:
// after the commit, pass them to Touched so that caches forget them.
func (s *Service) ImportTx(tx *gorm.DB, list []Imported) (touched []string, err error) {
	if len(list) == 0 {
		return nil, nil
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	depth := make(map[string]int, len(list))
	article := make(map[string]string, len(list))
	inList := make(map[string]bool, len(list))
	lookup := make([]string, 0, len(list))
	for i := range list {
		c := &list[i].Comment
		if c.ID == "" {
			c.ID = ulid.Make().String()
		}
		if inList[c.ID] {
			return nil, fmt.Errorf("comment %s is listed twice", c.ID)
		}
		inList[c.ID] = true
		lookup = append(lookup, c.ID)
	}
	for i := range list {
		if p := list[i].ParentID; p != "" && !inList[p] {
			lookup = append(lookup, p)
		}
	}
	stored := make(map[string]commentRow, len(lookup))
	for chunk := range slices.Chunk(lookup, importBatch) {
		var part []commentRow
		err := tx.Select("id", "article_id", "parent_id", "depth", "author_name", "user_id", "email", "body", "status",
			"hold_reasons", "created_at").Where("id IN ?", chunk).Find(&part).Error
		if err != nil {
			return nil, fmt.Errorf("read stored comments: %w", err)
		}
		for _, r := range part {
			stored[r.ID] = r
		}
	}
	for id, r := range stored {
		depth[id], article[id] = r.Depth, r.ArticleID
	}

	var (
		inserts  []commentRow
		updates  []commentRow
		reports  []reportRow
		log      []moderationRow
		articles []string
		written  = map[string]bool{}
	)
	seen := map[string]bool{}
	for i := range list {
		c := &list[i].Comment
		old, again := stored[c.ID]
		if again {
			if old.ArticleID != c.ArticleID {
				return nil, fmt.Errorf("comment %s: stored under article %s, not %s: %w", c.ID, old.ArticleID, c.ArticleID, ErrNotFound)
			}
			// Its place in the thread stays as stored.
			c.ParentID, c.Depth = "", old.Depth
			if old.ParentID != nil {
				c.ParentID = *old.ParentID
			}
		} else {
			c.Depth = 0
			if c.ParentID != "" {
				d, ok := depth[c.ParentID]
				if !ok || article[c.ParentID] != c.ArticleID {
					return nil, fmt.Errorf("comment %s: parent %s: %w", c.ID, c.ParentID, ErrNotFound)
				}
				c.Depth = d + 1
			}
		}
		depth[c.ID], article[c.ID] = c.Depth, c.ArticleID
		c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond)
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = now
		}
		c.UpdatedAt = c.UpdatedAt.UTC().Truncate(time.Microsecond)
		if !seen[c.ArticleID] {
			seen[c.ArticleID] = true
			articles = append(articles, c.ArticleID)
		}
		row := toRow(*c)
		if again {
			if sameImported(old, row) {
				continue
			}
			updates = append(updates, row)
			written[c.ArticleID] = true
			if old.Status != row.Status {
				log = append(log, moderationRow{ID: ulid.Make().String(), CommentID: c.ID, Moderator: ImportModerator,
					FromStatus: old.Status, ToStatus: row.Status, Note: "changed by an import", CreatedAt: now})
			}
			continue
		}
		inserts = append(inserts, row)
		written[c.ArticleID] = true
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
	slices.Sort(articles)
	for _, id := range articles {
		if err := s.articles.LockForComments(tx, id); err != nil {
			return nil, err
		}
	}
	if len(inserts) > 0 {
		if err := tx.CreateInBatches(&inserts, importBatch).Error; err != nil {
			return nil, fmt.Errorf("insert comments: %w", err)
		}
	}
	for _, r := range updates {
		err := tx.Model(&commentRow{}).Where("id = ?", r.ID).Updates(map[string]any{
			"author_name": r.AuthorName, "user_id": r.UserID, "email": r.Email, "body": r.Body,
			"status": r.Status, "hold_reasons": r.HoldReasons, "created_at": r.CreatedAt,
			"updated_at": r.UpdatedAt, "version": gorm.Expr("version + 1"),
		}).Error
		if err != nil {
			return nil, fmt.Errorf("update comment %s: %w", r.ID, err)
		}
	}
	if len(reports) > 0 {
		if err := tx.CreateInBatches(&reports, importBatch).Error; err != nil {
			return nil, fmt.Errorf("insert reports: %w", err)
		}
	}
	if len(log) > 0 {
		if err := tx.CreateInBatches(&log, importBatch).Error; err != nil {
			return nil, fmt.Errorf("insert moderation log: %w", err)
		}
	}
	if err := s.recountMany(tx, articles, written); err != nil {
		return nil, err
	}
	for _, id := range articles {
		if written[id] {
			touched = append(touched, id)
		}
	}
	return touched, nil
}

// sameImported reports whether an import's row says what the stored one
// does, in the columns an import updates.
func sameImported(old, row commentRow) bool {
	return old.AuthorName == row.AuthorName && old.Email == row.Email && old.Body == row.Body &&
		old.Status == row.Status && old.HoldReasons == row.HoldReasons &&
		deref(old.UserID) == deref(row.UserID) && old.CreatedAt.Equal(row.CreatedAt)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Touched tells the articles that what they serve of ids (their counts,
// their threads) changed: call it after committing the transaction that
// ImportTx wrote in, with what it returned.
func (s *Service) Touched(ids []string) {
	for _, id := range ids {
		s.articles.CommentsChanged(id)
	}
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
