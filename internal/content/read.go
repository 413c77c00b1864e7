package content

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The read model. Every read the API serves returns articles with what their
// responses show already loaded (the last fields of Article), so that the
// API's converters are pure functions, in a number of queries that does not
// depend on the number of articles:
//
//   - one article (LiveArticle, AnyArticle): the article with its featured
//     photo (one query), its tags and authors (one), its translations (one);
//   - a page (ListLive, ListArticles, FeedArticles, LiveByID): the rows
//     (one), the tags and authors of them all (one), their photos (one);
//   - section paths and canonical URLs cost no query: the sections are
//     cached in process (sectionCache).

// completeOne loads the read model of a single article that find returned
// (its photo came with it).
func (s *Service) completeOne(ctx context.Context, a *Article) error {
	if err := s.attach(ctx, []*Article{a}); err != nil {
		return err
	}
	trs, err := s.repo.translations(ctx, a.TranslationKey, a.ID, s.Now())
	if err != nil {
		return err
	}
	a.Translations = trs
	return s.place(ctx, []*Article{a})
}

// completePage loads the read model of a page of articles, but for
// translations: their tags and authors in one query, their photos in one.
func (s *Service) completePage(ctx context.Context, as []*Article) error {
	if err := s.attach(ctx, as); err != nil {
		return err
	}
	if err := s.attachPhotos(ctx, as); err != nil {
		return err
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

// articlePhotoRow is an article row with the columns of its featured photo,
// all NULL (so zero) when it has none.
type articlePhotoRow struct {
	Article articleRow `gorm:"embedded"`
	Photo   photoRow   `gorm:"embedded;embeddedPrefix:photo__"`
}

// photoColumns select the photo columns of an articlePhotoRow.
var photoColumns = func() string {
	cols := []string{"id", "hash", "width", "height", "mime", "original", "renditions", "blurhash",
		"dominant_color", "caption", "credit", "alt", "source_url", "version", "created_at", "updated_at"}
	for i, c := range cols {
		cols[i] = "photos." + c + " AS photo__" + c
	}
	return strings.Join(cols, ", ")
}()

// articleWithPhoto is article with the featured photo (Article.Photo) in
// the same query.
func (r repo) articleWithPhoto(ctx context.Context, id, lang, slug string) (Article, error) {
	q := r.db.Read(ctx).Table("articles").
		Select("articles.*, " + photoColumns).
		Joins("LEFT JOIN photos ON photos.id = articles.photo_id")
	var row articlePhotoRow
	if err := byRef(q, "articles.", id, lang, slug).Take(&row).Error; err != nil {
		return Article{}, notFound(err)
	}
	a := row.Article.toArticle()
	if row.Photo.ID != "" {
		ph, err := row.Photo.toPhoto()
		if err != nil {
			return Article{}, fmt.Errorf("article %s: %w", a.ID, err)
		}
		a.Photo = &ph
	}
	return a, nil
}
