package content

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// FeedFilter says which articles a syndication feed carries. Section and
// Tag are slugs (a section includes its subsections). Unlike the public
// list, a slug that names nothing is ErrNotFound: a feed URL pointing
// nowhere is a mistake to report, not an empty feed to poll forever.
type FeedFilter struct {
	Section  string
	Tag      string
	Lang     string
	Limit    int
	FullText bool // load the whole body's HTML; otherwise the preview's only
}

// FeedArticles returns the newest live articles for a feed, newest first,
// with their read model but for translations, and one stored HTML form of
// the body: the whole body's (Body.HTML) when f.FullText is set, the
// preview's (Preview.HTML) otherwise. The whole body is not even read from
// the database for a feed that must not carry it.
func (s *Service) FeedArticles(ctx context.Context, f FeedFilter) ([]Article, error) {
	if f.Limit <= 0 {
		return nil, fmt.Errorf("feed articles: limit %d", f.Limit)
	}
	q, err := s.resolve(ctx, ListFilter{Section: f.Section, Tag: f.Tag, Lang: f.Lang, Limit: f.Limit}, false)
	if err != nil {
		return nil, err
	}
	list, err := s.repo.feedArticles(ctx, q, f.FullText, s.Now())
	if err != nil {
		return nil, err
	}
	if len(list) == 0 && f.Tag != "" {
		// The statement resolved the tag: an empty feed may be a slug
		// that names nothing.
		if _, err := s.TagBySlug(ctx, f.Tag); err != nil {
			return nil, err
		}
	}
	if err := s.completePage(ctx, pointers(list)); err != nil {
		return nil, err
	}
	return list, nil
}

// feedArticles is listLive's query for a feed's single page: summary
// columns with the photo, plus one HTML column.
func (r repo) feedArticles(ctx context.Context, f liveQuery, fullText bool, now time.Time) ([]Article, error) {
	out, err := scanArticles(r.feedQuery(ctx, f, fullText, now), func(a *Article, row *articleRow) {
		if fullText {
			a.Body.HTML = row.BodyHTML
		} else {
			a.Preview.HTML = row.PreviewHTML
		}
	})
	if err != nil {
		return nil, fmt.Errorf("feed articles: %w", err)
	}
	return out, nil
}

// feedQuery is feedArticles' statement.
func (r repo) feedQuery(ctx context.Context, f liveQuery, fullText bool, now time.Time) *gorm.DB {
	htmlColumn := "articles.preview_html"
	if fullText {
		htmlColumn = "articles.body_html"
	}
	q := f.where(live(r.db.Read(ctx).Table("articles"), now).Select(summarySelect + ", " + htmlColumn).Joins(photoJoin))
	return q.Order("articles.published_at DESC, articles.id DESC").Limit(f.Limit)
}
