package content

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"masthead/internal/blocks"
)

// RerenderResult counts what Rerender did.
type RerenderResult struct {
	Articles int // articles read
	Changed  int // articles whose stored renderings were rewritten
}

// Rerender recomputes what an article stores beside its body blocks — the
// body's HTML and text, the word count and reading time, and the paywall
// preview — with the current rules and preview budget, for every article
// (whatever its status), batch articles at a time (200 when batch ≤ 0).
// Only the rows whose renderings differ are written, without a new version
// or a new updated_at: this is not an edit. It is idempotent: a second run
// changes nothing. An article saved by an editor in the meantime is left as
// that save rendered it.
func (s *Service) Rerender(ctx context.Context, batch int) (RerenderResult, error) {
	if batch <= 0 {
		batch = 200
	}
	var res RerenderResult
	after := ""
	for {
		var rows []articleRow
		err := s.db.Read(ctx).Where("id > ?", after).Order("id").Limit(batch).Find(&rows).Error
		if err != nil {
			return res, fmt.Errorf("rerender: read articles after %q: %w", after, err)
		}
		if len(rows) == 0 {
			break
		}
		after = rows[len(rows)-1].ID
		res.Articles += len(rows)
		err = s.db.Tx(ctx, func(tx *gorm.DB) error {
			for _, row := range rows {
				changed, err := s.rerenderRow(tx, row)
				if err != nil {
					return err
				}
				if changed {
					res.Changed++
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	if res.Changed > 0 {
		s.changed()
	}
	return res, nil
}

// rerenderRow renders row's body again and writes the renderings that
// differ from the stored ones; it reports whether it wrote.
func (s *Service) rerenderRow(tx *gorm.DB, row articleRow) (bool, error) {
	var body []blocks.Block
	if err := json.Unmarshal([]byte(row.BodyBlocks), &body); err != nil {
		return false, fmt.Errorf("rerender %s: decode body: %w", row.ID, err)
	}
	a := row.toArticle()
	if err := s.render(&a, body); err != nil {
		return false, fmt.Errorf("rerender %s: %w", row.ID, err)
	}
	fresh := toArticleRow(a)
	fields := map[string]any{}
	for _, c := range [...]struct {
		column     string
		old, fresh any
	}{
		{"body_html", row.BodyHTML, fresh.BodyHTML},
		{"body_text", row.BodyText, fresh.BodyText},
		{"word_count", row.WordCount, fresh.WordCount},
		{"reading_minutes", row.ReadingMinutes, fresh.ReadingMinutes},
		{"preview_blocks", row.PreviewBlocks, fresh.PreviewBlocks},
		{"preview_html", row.PreviewHTML, fresh.PreviewHTML},
		{"preview_text", row.PreviewText, fresh.PreviewText},
		{"preview_words", row.PreviewWords, fresh.PreviewWords},
		{"preview_truncated", row.PreviewTruncated, fresh.PreviewTruncated},
	} {
		if c.old != c.fresh {
			fields[c.column] = c.fresh
		}
	}
	if len(fields) == 0 {
		return false, nil
	}
	// The version guards against a save in between, which rendered the
	// article itself.
	res := tx.Model(&articleRow{}).Where("id = ? AND version = ?", row.ID, row.Version).Updates(fields)
	if res.Error != nil {
		return false, fmt.Errorf("rerender %s: %w", row.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	// The preview and text the index holds may have changed with them.
	return true, indexArticle(tx, s.db.Dialect, a)
}
