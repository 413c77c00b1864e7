package content

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"masthead/internal/blocks"
	"masthead/internal/fault"
	"masthead/internal/xmlchar"
)

// ArticleInput is what a writer supplies; the service derives the rest.
type ArticleInput struct {
	Lang            string
	Slug            string
	TranslationKey  string // empty: the article starts its own group
	Title           string
	Standfirst      string
	SectionID       string
	PhotoID         string
	Source          Source
	Access          Access
	PreviewBreak    *int
	Status          Status
	PublishAt       *time.Time // for scheduled; for published, the publication time (now when nil)
	CommentsEnabled bool
	Featured        bool
	Body            []blocks.Block
	TagIDs          []string
	AuthorIDs       []string
}

// clean strips the characters XML 1.0 forbids from every text of in (see
// package xmlchar), before it is validated and stored.
func (in *ArticleInput) clean() {
	in.Title = xmlchar.Line(in.Title)
	in.Standfirst = xmlchar.Line(in.Standfirst)
	in.Source.Name = xmlchar.Line(in.Source.Name)
	in.Body = blocks.Clean(in.Body)
}

func (in ArticleInput) validate() error {
	var errs []fault.FieldError
	add := func(f, m string) { errs = append(errs, fault.FieldError{Field: f, Message: m}) }
	if !validLang(in.Lang) {
		add("lang", "must be a two-letter language code")
	}
	if !validSlug(in.Slug) {
		add("slug", "must be lower-case letters, digits and dashes")
	}
	if strings.TrimSpace(in.Title) == "" || !utf8.ValidString(in.Title) {
		add("title", "is required")
	}
	if !in.Access.Valid() {
		add("access", "must be public, registered or subscribers")
	}
	if !in.Status.Valid() {
		add("status", "must be draft, scheduled, published or unpublished")
	}
	if in.Status == StatusScheduled && in.PublishAt == nil {
		add("publish_at", "is required when scheduling")
	}
	if in.PreviewBreak != nil && (*in.PreviewBreak < 1 || *in.PreviewBreak >= len(in.Body)) {
		// A break after the last block would show the whole article.
		add("preview_break", "must be a block index between 1 and the number of blocks minus one: the preview must leave something out")
	} else if in.PreviewBreak != nil && blocks.Words(in.Body[*in.PreviewBreak:]) == 0 {
		// Nor may it leave out only photos and embeds: every word shown.
		add("preview_break", "must leave some words out of the preview: the blocks from it on have none")
	}
	if in.Source.URL != "" {
		if u, err := url.Parse(in.Source.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("source.url", "must be an http or https URL")
		}
	}
	for _, fe := range blocks.Validate(in.Body) {
		add("body."+fe.Field, fe.Message)
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

func validLang(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

func validSlug(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// CreateArticle validates in, renders its body and preview, and stores it
// with its tags and authors in one transaction.
func (s *Service) CreateArticle(ctx context.Context, in ArticleInput) (Article, error) {
	a, err := s.newArticle(in)
	if err != nil {
		return Article{}, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := insertArticle(tx, s.db.Dialect, a, in.TagIDs, in.AuthorIDs); err != nil {
			return err
		}
		return s.logCreated(tx, a)
	})
	s.changed()
	if err != nil {
		return Article{}, fmt.Errorf("create article %s: %w", a.Slug, err)
	}
	return a, nil
}

// CreateArticles stores many articles in one transaction, all or none:
// each is validated and rendered as CreateArticle does, and stored and
// logged the same way. It is for bulk loads (masthead seed); the caller
// bounds the batch, a few hundred at a time. The articles come back in the
// order of ins.
func (s *Service) CreateArticles(ctx context.Context, ins []ArticleInput) ([]Article, error) {
	list := make([]Article, len(ins))
	for i, in := range ins {
		a, err := s.newArticle(in)
		if err != nil {
			return nil, fmt.Errorf("article %d (%s): %w", i, in.Slug, err)
		}
		list[i] = a
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		for i, a := range list {
			if err := insertArticle(tx, s.db.Dialect, a, ins[i].TagIDs, ins[i].AuthorIDs); err != nil {
				return fmt.Errorf("create article %s: %w", a.Slug, err)
			}
			if err := s.logCreated(tx, a); err != nil {
				return fmt.Errorf("create article %s: %w", a.Slug, err)
			}
		}
		return nil
	})
	s.changed()
	if err != nil {
		return nil, err
	}
	return list, nil
}

// logCreated logs the publication of a new article that is public at once;
// a scheduled one is logged when its time comes (PromoteDue).
func (s *Service) logCreated(tx *gorm.DB, a Article) error {
	if a.Status != StatusPublished || !visible(a.Status, a.PublishedAt, s.Now()) {
		return nil
	}
	return recordChange(tx, s.db.Dialect, Change{
		ArticleID: a.ID, Kind: ChangePublished, Lang: a.Lang, Version: a.Version, At: a.CreatedAt,
	})
}

// newArticle validates in and builds the article it describes, rendered.
func (s *Service) newArticle(in ArticleInput) (Article, error) {
	in.clean()
	if err := in.validate(); err != nil {
		return Article{}, err
	}
	now := s.Now()
	a := Article{
		ID: NewID(), Lang: in.Lang, Slug: in.Slug, TranslationKey: in.TranslationKey,
		Title: strings.TrimSpace(in.Title), Standfirst: strings.TrimSpace(in.Standfirst),
		SectionID: in.SectionID, PhotoID: in.PhotoID, Source: in.Source,
		Access: in.Access, PreviewBreak: in.PreviewBreak, Status: in.Status,
		CommentsEnabled: in.CommentsEnabled, Featured: in.Featured, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if a.TranslationKey == "" {
		a.TranslationKey = a.ID
	}
	switch in.Status {
	case StatusScheduled:
		t := in.PublishAt.UTC().Truncate(time.Microsecond)
		a.PublishAt, a.PublishedAt = &t, &t
	case StatusPublished:
		t := now
		if in.PublishAt != nil {
			t = in.PublishAt.UTC().Truncate(time.Microsecond)
		}
		a.PublishedAt = &t
	}
	if err := s.render(&a, in.Body); err != nil {
		return Article{}, err
	}
	return a, nil
}

// insertArticle stores a with its tags and authors, in their order, and its
// search index rows, inside tx.
func insertArticle(tx *gorm.DB, dialect string, a Article, tagIDs, authorIDs []string) error {
	row := toArticleRow(a)
	if err := tx.Create(&row).Error; err != nil {
		return notFound(err)
	}
	if err := indexArticle(tx, dialect, a); err != nil {
		return err
	}
	for i, id := range tagIDs {
		if err := tx.Create(&articleTagRow{ArticleID: a.ID, TagID: id, Position: i}).Error; err != nil {
			return fmt.Errorf("tag %s: %w", id, notFound(err))
		}
	}
	for i, id := range authorIDs {
		if err := tx.Create(&articleAuthorRow{ArticleID: a.ID, AuthorID: id, Position: i}).Error; err != nil {
			return fmt.Errorf("author %s: %w", id, notFound(err))
		}
	}
	return nil
}

// CreateSection stores a section.
func (s *Service) CreateSection(ctx context.Context, sec Section) (Section, error) {
	now := s.Now()
	sec.ID, sec.Version, sec.CreatedAt, sec.UpdatedAt = NewID(), 1, now, now
	names, err := json.Marshal(sec.Names)
	if err != nil {
		return Section{}, fmt.Errorf("encode section names: %w", err)
	}
	row := sectionRow{ID: sec.ID, Slug: sec.Slug, ParentID: strPtr(sec.ParentID), Names: string(names),
		Position: sec.Position, Version: 1, CreatedAt: now, UpdatedAt: now}
	if !validSlug(sec.Slug) {
		return Section{}, fault.Invalid(fault.Field("slug", "must be lower-case letters, digits and dashes"))
	}
	if err := s.db.Write(ctx).Create(&row).Error; err != nil {
		return Section{}, fmt.Errorf("create section %s: %w", sec.Slug, notFound(err))
	}
	s.invalidateSections()
	return sec, nil
}

// CreateTag stores a tag.
func (s *Service) CreateTag(ctx context.Context, t Tag) (Tag, error) {
	if t.Kind != TagCountry && t.Kind != TagTopic {
		return Tag{}, fault.Invalid(fault.Field("kind", "must be country or topic"))
	}
	now := s.Now()
	t.ID, t.Version, t.CreatedAt, t.UpdatedAt = NewID(), 1, now, now
	row := tagRow{ID: t.ID, Slug: t.Slug, Name: t.Name, Kind: t.Kind, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.db.Write(ctx).Create(&row).Error; err != nil {
		return Tag{}, fmt.Errorf("create tag %s: %w", t.Slug, notFound(err))
	}
	s.changed()
	return t, nil
}

// CreateAuthor stores an author.
func (s *Service) CreateAuthor(ctx context.Context, a Author) (Author, error) {
	now := s.Now()
	a.ID, a.Version, a.CreatedAt, a.UpdatedAt = NewID(), 1, now, now
	row := authorRow{ID: a.ID, Slug: a.Slug, Name: a.Name, Bio: a.Bio, PhotoID: strPtr(a.PhotoID), Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.db.Write(ctx).Create(&row).Error; err != nil {
		return Author{}, fmt.Errorf("create author %s: %w", a.Slug, notFound(err))
	}
	s.changed()
	return a, nil
}

// CreatePhoto stores a photo's metadata (its files are already in the media store).
func (s *Service) CreatePhoto(ctx context.Context, p Photo) (Photo, error) {
	p, err := s.CreatePhotoTx(s.db.Write(ctx), p)
	if err != nil {
		return Photo{}, err
	}
	s.changed()
	return p, nil
}

// CreatePhotoTx is CreatePhoto inside the caller's transaction tx, so that
// an importer stores the photo and its reference (PutExternalRefTx) in one
// commit: a run cut short between the two would store the photo again on
// the next. Call Changed after the commit.
func (s *Service) CreatePhotoTx(tx *gorm.DB, p Photo) (Photo, error) {
	now := s.Now()
	p.ID, p.Version, p.CreatedAt, p.UpdatedAt = NewID(), 1, now, now
	p.Caption, p.Credit, p.Alt = xmlchar.Text(p.Caption), xmlchar.Line(p.Credit), xmlchar.Text(p.Alt)
	rends, err := json.Marshal(p.Renditions)
	if err != nil {
		return Photo{}, fmt.Errorf("encode renditions: %w", err)
	}
	row := photoRow{
		ID: p.ID, Hash: p.Hash, Width: p.Width, Height: p.Height, Mime: p.Mime, Original: p.Original,
		Renditions: string(rends), Blurhash: p.Blurhash, DominantColor: p.DominantColor,
		Caption: p.Caption, Credit: p.Credit, Alt: p.Alt, SourceURL: p.SourceURL,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.Create(&row).Error; err != nil {
		return Photo{}, fmt.Errorf("create photo: %w", notFound(err))
	}
	return p, nil
}

// CountArticles counts every article, whatever its status (the demo loader
// only fills an empty database).
func (s *Service) CountArticles(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.Read(ctx).Model(&articleRow{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

func toArticleRow(a Article) articleRow {
	return articleRow{
		ID: a.ID, Lang: a.Lang, Slug: a.Slug, TranslationKey: a.TranslationKey,
		Title: a.Title, Standfirst: a.Standfirst,
		SectionID: strPtr(a.SectionID), PhotoID: strPtr(a.PhotoID),
		SourceName: a.Source.Name, SourceURL: a.Source.URL,
		Access: string(a.Access), PreviewBreak: a.PreviewBreak, Status: string(a.Status),
		PublishAt: a.PublishAt, PublishedAt: a.PublishedAt,
		CommentsEnabled: a.CommentsEnabled, Featured: a.Featured, CommentCount: a.CommentCount,
		WordCount: a.WordCount, ReadingMinutes: a.ReadingMinutes,
		BodyBlocks: string(a.Body.Blocks), BodyHTML: a.Body.HTML, BodyText: a.Body.Text,
		PreviewBlocks: string(a.Preview.Blocks), PreviewHTML: a.Preview.HTML, PreviewText: a.Preview.Text,
		PreviewWords: a.Preview.Words, PreviewTruncated: a.Truncated,
		Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}
