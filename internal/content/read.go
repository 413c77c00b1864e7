package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// The read model. Every read the API serves returns articles with what their
// responses show already loaded (the last fields of Article), so that the
// API's converters are pure functions, in a number of queries that does not
// depend on the number of articles:
//
//   - one article (LiveArticle, AnyArticle): the article with its featured
//     photo (one query), then its tags, authors and translations (one);
//   - a page (ListLive, ListArticles, FeedArticles, LiveByID): the rows with
//     their photos (one), then the tags and authors of them all (one);
//   - section paths and canonical URLs cost no query: the sections are
//     cached in process (sectionCache).
//
// TestQueryBudget counts them.

// completeOne loads the read model of a single article that find returned
// (its photo came with it): its tags, authors and translations in one
// query.
func (s *Service) completeOne(ctx context.Context, a *Article) error {
	tags, authors, trs, err := s.repo.relations(ctx, []string{a.ID}, a, s.Now())
	if err != nil {
		return err
	}
	a.Tags, a.Authors, a.Translations = tags[a.ID], authors[a.ID], trs
	return s.place(ctx, []*Article{a})
}

// completePage loads the read model of a page of articles, but for
// translations: their tags and authors in one query; the photos of those
// whose photo the page's query did not bring (a search's hits) in one
// more.
func (s *Service) completePage(ctx context.Context, as []*Article) error {
	if err := s.attach(ctx, as); err != nil {
		return err
	}
	var bare []*Article
	for _, a := range as {
		if a.PhotoID != "" && a.Photo == nil {
			bare = append(bare, a)
		}
	}
	if len(bare) > 0 {
		if err := s.attachPhotos(ctx, bare); err != nil {
			return err
		}
	}
	return s.place(ctx, as)
}

// completeWrite loads the read model of an article a newsroom write returns,
// but for translations; its tags and authors are already there. The photo
// is loaded unless it is already the one a shows.
func (s *Service) completeWrite(ctx context.Context, a *Article) error {
	if a.Photo == nil || a.Photo.ID != a.PhotoID {
		a.Photo = nil
		if err := s.attachPhotos(ctx, []*Article{a}); err != nil {
			return err
		}
	}
	return s.place(ctx, []*Article{a})
}

// attachPhotos loads the featured photos of as in one query.
func (s *Service) attachPhotos(ctx context.Context, as []*Article) error {
	ids := make([]string, 0, len(as))
	for _, a := range as {
		if a.PhotoID != "" {
			ids = append(ids, a.PhotoID)
		}
	}
	slices.Sort(ids)
	photos, err := s.repo.photos(ctx, slices.Compact(ids))
	if err != nil {
		return err
	}
	for _, a := range as {
		a.Photo = nil
		if ph, ok := photos[a.PhotoID]; ok {
			a.Photo = &ph
		}
	}
	return nil
}

// place fills what needs no query: the section path, from the cached
// sections, and the canonical URL.
func (s *Service) place(ctx context.Context, as []*Article) error {
	_, by, err := s.sectionCache(ctx)
	if err != nil {
		return err
	}
	for _, a := range as {
		a.SectionPath = sectionPath(by, a.SectionID)
		a.CanonicalURL = s.CanonicalURL(*a)
	}
	return nil
}

// pointers returns pointers to the elements of list, for the loaders above.
func pointers(list []Article) []*Article {
	out := make([]*Article, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

// The hot reads (one article, a page) scan their rows by hand: GORM's
// scanning, by reflection over the row structs, was most of a read's CPU.
// The statements are still GORM's (its clauses, its callbacks); only the
// rows are read here.

// photoJoin joins each article's featured photo, for withPhoto's columns.
const photoJoin = "LEFT JOIN photos ON photos.id = articles.photo_id"

// withPhoto is the select list of cols (of articles, qualified) and the
// columns of the featured photo (photo__ names, all NULL when none).
func withPhoto(cols string) string { return cols + ", " + photoColumns }

// photoColumns select a featured photo's columns as photo__name.
var photoColumns = func() string {
	cols := []string{"id", "hash", "width", "height", "mime", "original", "renditions", "blurhash",
		"dominant_color", "caption", "credit", "alt", "source_url", "version", "created_at", "updated_at"}
	for i, c := range cols {
		cols[i] = "photos." + c + " AS photo__" + c
	}
	return strings.Join(cols, ", ")
}()

// summarySelect is the select list of a page with its photos.
var summarySelect = withPhoto(strings.Join(qualified(summaryColumns), ", "))

// articleScan receives one row of articles, any of its columns by name,
// with the photo__ columns of its featured photo when the statement joins
// it.
type articleScan struct {
	row                    articleRow
	sectionID, photoID     sql.NullString
	previewBreak           sql.NullInt64
	publishAt, publishedAt sql.NullTime
	photo                  struct {
		id, hash, mime, original, renditions, blurhash, dominantColor sql.NullString
		caption, credit, alt, sourceURL                               sql.NullString
		width, height, version                                        sql.NullInt64
		createdAt, updatedAt                                          sql.NullTime
	}
}

// targets are the scan destinations of cols, in order.
func (s *articleScan) targets(cols []string) ([]any, error) {
	out := make([]any, len(cols))
	r, p := &s.row, &s.photo
	for i, c := range cols {
		var t any
		switch c {
		case "id":
			t = &r.ID
		case "lang":
			t = &r.Lang
		case "slug":
			t = &r.Slug
		case "translation_key":
			t = &r.TranslationKey
		case "title":
			t = &r.Title
		case "standfirst":
			t = &r.Standfirst
		case "section_id":
			t = &s.sectionID
		case "photo_id":
			t = &s.photoID
		case "source_name":
			t = &r.SourceName
		case "source_url":
			t = &r.SourceURL
		case "access":
			t = &r.Access
		case "preview_break":
			t = &s.previewBreak
		case "status":
			t = &r.Status
		case "publish_at":
			t = &s.publishAt
		case "published_at":
			t = &s.publishedAt
		case "comments_enabled":
			t = &r.CommentsEnabled
		case "featured":
			t = &r.Featured
		case "comment_count":
			t = &r.CommentCount
		case "word_count":
			t = &r.WordCount
		case "reading_minutes":
			t = &r.ReadingMinutes
		case "body_blocks":
			t = &r.BodyBlocks
		case "body_html":
			t = &r.BodyHTML
		case "body_text":
			t = &r.BodyText
		case "preview_blocks":
			t = &r.PreviewBlocks
		case "preview_html":
			t = &r.PreviewHTML
		case "preview_text":
			t = &r.PreviewText
		case "preview_words":
			t = &r.PreviewWords
		case "preview_truncated":
			t = &r.PreviewTruncated
		case "version":
			t = &r.Version
		case "created_at":
			t = &r.CreatedAt
		case "updated_at":
			t = &r.UpdatedAt
		case "photo__id":
			t = &p.id
		case "photo__hash":
			t = &p.hash
		case "photo__width":
			t = &p.width
		case "photo__height":
			t = &p.height
		case "photo__mime":
			t = &p.mime
		case "photo__original":
			t = &p.original
		case "photo__renditions":
			t = &p.renditions
		case "photo__blurhash":
			t = &p.blurhash
		case "photo__dominant_color":
			t = &p.dominantColor
		case "photo__caption":
			t = &p.caption
		case "photo__credit":
			t = &p.credit
		case "photo__alt":
			t = &p.alt
		case "photo__source_url":
			t = &p.sourceURL
		case "photo__version":
			t = &p.version
		case "photo__created_at":
			t = &p.createdAt
		case "photo__updated_at":
			t = &p.updatedAt
		default:
			return nil, fmt.Errorf("scan articles: unknown column %q", c)
		}
		out[i] = t
	}
	return out, nil
}

// article is the scanned row as an Article (with its Photo when the row
// has one), and the row itself, for the columns toArticle leaves out.
func (s *articleScan) article() (Article, error) {
	r := &s.row
	r.SectionID, r.PhotoID, r.PreviewBreak, r.PublishAt, r.PublishedAt = nil, nil, nil, nil, nil
	if s.sectionID.Valid {
		r.SectionID = &s.sectionID.String
	}
	if s.photoID.Valid {
		r.PhotoID = &s.photoID.String
	}
	if s.previewBreak.Valid {
		n := int(s.previewBreak.Int64)
		r.PreviewBreak = &n
	}
	if s.publishAt.Valid {
		r.PublishAt = &s.publishAt.Time
	}
	if s.publishedAt.Valid {
		r.PublishedAt = &s.publishedAt.Time
	}
	a := r.toArticle()
	if p := &s.photo; p.id.Valid {
		ph := Photo{
			ID: p.id.String, Hash: p.hash.String, Width: int(p.width.Int64), Height: int(p.height.Int64),
			Mime: p.mime.String, Original: p.original.String, Blurhash: p.blurhash.String,
			DominantColor: p.dominantColor.String, Caption: p.caption.String, Credit: p.credit.String,
			Alt: p.alt.String, SourceURL: p.sourceURL.String, Version: int(p.version.Int64),
			CreatedAt: p.createdAt.Time, UpdatedAt: p.updatedAt.Time,
		}
		if err := json.Unmarshal([]byte(p.renditions.String), &ph.Renditions); err != nil {
			return Article{}, fmt.Errorf("photo %s renditions: %w", ph.ID, err)
		}
		a.Photo = &ph
	}
	return a, nil
}

// scanArticles runs q and reads its rows of articles (see articleScan);
// each row's columns go through each, with the row, before the next is
// read (nil: none to keep).
func scanArticles(q *gorm.DB, each func(*Article, *articleRow)) ([]Article, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var s articleScan
	dst, err := s.targets(cols)
	if err != nil {
		return nil, err
	}
	var out []Article
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		a, err := s.article()
		if err != nil {
			return nil, err
		}
		if each != nil {
			each(&a, &s.row)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Article{}
	}
	return out, nil
}

// articleWithPhoto is article with the featured photo (Article.Photo) in
// the same query.
func (r repo) articleWithPhoto(ctx context.Context, id, lang, slug string) (Article, error) {
	q := r.db.Read(ctx).Table("articles").Select(withPhoto("articles.*")).Joins(photoJoin)
	return takeArticle(byRef(q, "articles.", id, lang, slug))
}

// articleAtOldSlug is articleWithPhoto of the article that used to answer
// to slug (in lang, when set; the newest such slug).
func (r repo) articleAtOldSlug(ctx context.Context, lang, slug string) (Article, error) {
	old := r.db.Read(ctx).Table("article_slugs").Select("article_id").Where("slug = ?", slug)
	if lang != "" {
		old = old.Where("lang = ?", lang)
	}
	q := r.db.Read(ctx).Table("articles").Select(withPhoto("articles.*")).Joins(photoJoin).
		Where("articles.id = (?)", old.Order("created_at DESC").Limit(1))
	return takeArticle(q)
}

// takeArticle reads the one article of q; ErrNotFound when there is none.
func takeArticle(q *gorm.DB) (Article, error) {
	list, err := scanArticles(q.Limit(1), nil)
	if err != nil {
		return Article{}, notFound(err)
	}
	if len(list) == 0 {
		return Article{}, ErrNotFound
	}
	return list[0], nil
}
