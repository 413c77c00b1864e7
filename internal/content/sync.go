package content

import (
	"context"
	"fmt"
	"slices"
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
	cols := slices.Clone(summaryColumns)
	if body {
		cols = append(cols, "body_html", "body_text")
	}
	var rows []articleRow
	err := live(s.db.Read(ctx).Model(&articleRow{}), s.Now()).Select(cols).Where("id IN ?", ids).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load live articles: %w", err)
	}
	list := make([]*Article, 0, len(rows))
	for _, row := range rows {
		a := row.toArticle()
		if body {
			a.Body.HTML, a.Body.Text = row.BodyHTML, row.BodyText
		}
		list = append(list, &a)
	}
	if err := s.completePage(ctx, list); err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.ID] = *a
	}
	return out, nil
}
