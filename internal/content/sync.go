package content

import (
	"context"
	"fmt"
)

// LiveByID returns those of the given articles that the public can read
// now, by id, with their read model but for translations: what the sync API
// shows beside each change. An article that is not live is simply absent,
// so a withdrawn article's content never travels with its older changes.
// Only summary columns are read, plus the whole body's HTML and text when
// body is set: a body the caller may not have is never loaded.
func (s *Service) LiveByID(ctx context.Context, ids []string, body bool) (map[string]Article, error) {
	out := make(map[string]Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cols := summarySelect
	if body {
		cols += ", articles.body_html, articles.body_text"
	}
	q := live(s.db.Read(ctx).Table("articles"), s.Now()).Select(cols).Joins(photoJoin).Where("articles.id IN ?", ids)
	rows, err := scanArticles(q, func(a *Article, row *articleRow) {
		if body {
			a.Body.HTML, a.Body.Text = row.BodyHTML, row.BodyText
		}
	})
	if err != nil {
		return nil, fmt.Errorf("load live articles: %w", err)
	}
	list := pointers(rows)
	if err := s.completePage(ctx, list); err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.ID] = *a
	}
	return out, nil
}
