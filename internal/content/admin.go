package content

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"masthead/internal/blocks"
	"masthead/internal/fault"
	"masthead/internal/search"
)

// Revision actions: what a save did.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionPublish   = "publish"
	ActionUnpublish = "unpublish"
)

// Revision is one save of an article: who made it, what it did, and the
// article's editable fields and body as they were after it.
type Revision struct {
	ID        string
	ArticleID string
	Version   int
	Editor    string // the token subject of whoever saved
	Action    string
	Snapshot  json.RawMessage // see snapshot
	CreatedAt time.Time
}

// snapshot is the stored form of a revision: the editable fields, the
// references by id (slugs of tags and authors may change later), and the
// body blocks.
type snapshot struct {
	Slug            string          `json:"slug"`
	Lang            string          `json:"lang"`
	Title           string          `json:"title"`
	Standfirst      string          `json:"standfirst"`
	SectionID       string          `json:"section_id,omitempty"`
	PhotoID         string          `json:"photo_id,omitempty"`
	SourceName      string          `json:"source_name,omitempty"`
	SourceURL       string          `json:"source_url,omitempty"`
	Access          Access          `json:"access"`
	PreviewBreak    *int            `json:"preview_break"`
	Status          Status          `json:"status"`
	PublishAt       *time.Time      `json:"publish_at"`
	PublishedAt     *time.Time      `json:"published_at"`
	CommentsEnabled bool            `json:"comments_enabled"`
	Featured        bool            `json:"featured"`
	TagIDs          []string        `json:"tag_ids"`
	AuthorIDs       []string        `json:"author_ids"`
	Blocks          json.RawMessage `json:"blocks"`
}

func snapshotOf(a Article, tagIDs, authorIDs []string) (string, error) {
	b, err := json.Marshal(snapshot{
		Slug: a.Slug, Lang: a.Lang, Title: a.Title, Standfirst: a.Standfirst,
		SectionID: a.SectionID, PhotoID: a.PhotoID, SourceName: a.Source.Name, SourceURL: a.Source.URL,
		Access: a.Access, PreviewBreak: a.PreviewBreak, Status: a.Status,
		PublishAt: a.PublishAt, PublishedAt: a.PublishedAt, CommentsEnabled: a.CommentsEnabled, Featured: a.Featured,
		TagIDs: nonNilIDs(tagIDs), AuthorIDs: nonNilIDs(authorIDs), Blocks: a.Body.Blocks,
	})
	if err != nil {
		return "", fmt.Errorf("encode revision: %w", err)
	}
	return string(b), nil
}

func nonNilIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// Refs names what an article points to the way the newsroom does: the
// section, tags and authors by slug, the featured photo by id. Nil fields are
// not resolved (a patch leaves them unchanged); an empty section or photo
// means none.
type Refs struct {
	Section *string
	Tags    *[]string
	Authors *[]string
	PhotoID *string
}

// RefIDs are Refs resolved to ids, for ArticleInput or ArticlePatch.
type RefIDs struct {
	SectionID *string
	TagIDs    *[]string
	AuthorIDs *[]string
	PhotoID   *string
}

// ResolveRefs turns slugs into ids. A slug or photo id that names nothing is
// an invalid fault naming the field ("section", "tags[1]", "authors[0]",
// "photo_id"), as is a tag or author listed twice.
func (s *Service) ResolveRefs(ctx context.Context, r Refs) (RefIDs, error) {
	var out RefIDs
	var errs []fault.FieldError
	add := func(f, m string) { errs = append(errs, fault.FieldError{Field: f, Message: m}) }
	if r.Section != nil {
		id := ""
		if *r.Section != "" {
			list, err := s.Sections(ctx)
			if err != nil {
				return out, err
			}
			for _, sec := range list {
				if sec.Slug == *r.Section {
					id = sec.ID
				}
			}
			if id == "" {
				add("section", "no section has this slug")
			}
		}
		out.SectionID = &id
	}
	if r.PhotoID != nil {
		id := *r.PhotoID
		if id != "" {
			if _, err := s.Photo(ctx, id); errors.Is(err, ErrNotFound) {
				add("photo_id", "no photo has this id")
			} else if err != nil {
				return out, err
			}
		}
		out.PhotoID = &id
	}
	if r.Tags != nil {
		ids, err := resolveSlugs(ctx, "tags", "tag", *r.Tags, add, func(ctx context.Context, slug string) (string, error) {
			t, err := s.repo.tagBySlug(ctx, slug)
			return t.ID, err
		})
		if err != nil {
			return out, err
		}
		out.TagIDs = &ids
	}
	if r.Authors != nil {
		ids, err := resolveSlugs(ctx, "authors", "author", *r.Authors, add, func(ctx context.Context, slug string) (string, error) {
			a, err := s.repo.authorBySlug(ctx, slug)
			return a.ID, err
		})
		if err != nil {
			return out, err
		}
		out.AuthorIDs = &ids
	}
	if len(errs) > 0 {
		return out, fault.Invalid(errs...)
	}
	return out, nil
}

// checkBodyPhotos reports photo blocks whose photo does not exist.
func (s *Service) checkBodyPhotos(ctx context.Context, body []blocks.Block) ([]fault.FieldError, error) {
	var ids []string
	for _, b := range body {
		if b.Type == blocks.TypePhoto && b.PhotoID != "" {
			ids = append(ids, b.PhotoID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := s.repo.photos(ctx, ids)
	if err != nil {
		return nil, err
	}
	var errs []fault.FieldError
	for i, b := range body {
		if b.Type == blocks.TypePhoto && b.PhotoID != "" {
			if _, ok := found[b.PhotoID]; !ok {
				errs = append(errs, fault.FieldError{Field: fmt.Sprintf("body.blocks[%d].photo_id", i), Message: "no photo has this id"})
			}
		}
	}
	return errs, nil
}

// schedule checks the publication fields of a save and says what publish_at
// and published_at become. cur is the stored article (nil on create);
// publishAt is what the caller sent (nil: nothing).
//
//   - scheduled: publish_at is required and, when it is set or the status
//     changes to scheduled, must be in the future; published_at = publish_at,
//     so that the article appears by itself once the time has come.
//   - published: publish_at, when sent, is the publication time and must not
//     be in the future (schedule instead); otherwise published_at stays when
//     it is already set and past, else it is now.
//   - draft, unpublished: publish_at may not be sent; published_at stays when
//     the article really was published (it is past), else it is cleared.
func schedule(cur *Article, status Status, publishAt *time.Time, now time.Time) (pa, pd *time.Time, errs []fault.FieldError) {
	changed := cur == nil || cur.Status != status
	if publishAt != nil {
		t := publishAt.UTC().Truncate(time.Microsecond)
		publishAt = &t
	}
	var published *time.Time
	if cur != nil && cur.PublishedAt != nil && !cur.PublishedAt.After(now) {
		published = cur.PublishedAt
	}
	switch status {
	case StatusScheduled:
		t := publishAt
		if t == nil && cur != nil {
			t = cur.PublishAt
		}
		switch {
		case t == nil:
			return nil, nil, []fault.FieldError{{Field: "publish_at", Message: "is required when scheduling"}}
		case (changed || publishAt != nil) && !t.After(now):
			return nil, nil, []fault.FieldError{{Field: "publish_at", Message: "must be in the future to schedule; publish instead"}}
		}
		return t, t, nil
	case StatusPublished:
		if publishAt != nil {
			if publishAt.After(now) {
				return nil, nil, []fault.FieldError{{Field: "publish_at", Message: "must not be in the future when publishing; schedule instead"}}
			}
			return nil, publishAt, nil
		}
		if published == nil {
			published = &now
		}
		return nil, published, nil
	default:
		if publishAt != nil {
			return nil, nil, []fault.FieldError{{Field: "publish_at", Message: "is only for status scheduled or published"}}
		}
		return nil, published, nil
	}
}

// CreateArticleBy creates an article for the newsroom: like CreateArticle,
// with the editorial rules on top. The status is draft, scheduled (with a
// future PublishAt) or published; an empty slug is made from the title,
// unique in the language; a slug the editor chose must be free in the
// language (also among the old slugs of other articles), else ErrConflict.
// The first revision is stored with the article, in the same transaction.
// The article is returned with its read model, but for translations.
func (s *Service) CreateArticleBy(ctx context.Context, in ArticleInput, editor string) (Article, error) {
	now := s.Now()
	var errs []fault.FieldError
	switch in.Status {
	case StatusDraft, StatusScheduled, StatusPublished:
		if _, _, fe := schedule(nil, in.Status, in.PublishAt, now); fe != nil {
			errs = append(errs, fe...)
		}
	default:
		errs = append(errs, fault.FieldError{Field: "status", Message: "must be draft, scheduled or published"})
	}
	if in.Status == StatusDraft {
		in.PublishAt = nil
	}
	auto := in.Slug == ""
	if auto {
		in.Slug = Slugify(in.Title, in.Lang)
	}
	fe, err := s.checkBodyPhotos(ctx, in.Body)
	if err != nil {
		return Article{}, err
	}
	errs = append(errs, fe...)
	if in.TranslationKey != "" {
		other, err := s.repo.article(ctx, in.TranslationKey, "", "")
		switch {
		case errors.Is(err, ErrNotFound):
			errs = append(errs, fault.FieldError{Field: "translation_of", Message: "no article has this id"})
		case err != nil:
			return Article{}, err
		default:
			var n int64
			err := s.db.Read(ctx).Model(&articleRow{}).
				Where("translation_key = ? AND lang = ?", other.TranslationKey, in.Lang).Count(&n).Error
			if err != nil {
				return Article{}, fmt.Errorf("check translations: %w", err)
			}
			if n > 0 {
				errs = append(errs, fault.FieldError{Field: "translation_of", Message: "the story already has an article in this language"})
			}
		}
	}
	if errs, err = fault.Collect(errs, in.validate()); err != nil {
		return Article{}, err
	}
	if len(errs) > 0 {
		return Article{}, fault.Invalid(errs...)
	}
	if in.TranslationKey != "" {
		// Join the group of the named article.
		other, err := s.repo.article(ctx, in.TranslationKey, "", "")
		if err != nil {
			return Article{}, err
		}
		in.TranslationKey = other.TranslationKey
	}
	a, err := s.newArticle(in)
	if err != nil {
		return Article{}, err
	}
	base := a.Slug
	// A generated slug that another transaction takes between our check and
	// our insert (possible on PostgreSQL) is picked again.
	for attempt := 0; ; attempt++ {
		err = s.db.Tx(ctx, func(tx *gorm.DB) error {
			if auto {
				slug, err := uniqueSlug(tx, a.Lang, base, a.ID)
				if err != nil {
					return err
				}
				a.Slug = slug
			} else if err := checkSlugFree(tx, a.Lang, a.Slug, a.ID); err != nil {
				return err
			}
			if err := insertArticle(tx, s.db.Dialect, a, in.TagIDs, in.AuthorIDs); err != nil {
				return err
			}
			if err := insertRevision(tx, a, in.TagIDs, in.AuthorIDs, editor, ActionCreate); err != nil {
				return err
			}
			return s.logCreated(tx, a)
		})
		if !auto || !errors.Is(err, ErrConflict) || attempt == 2 {
			break
		}
	}
	s.changed()
	if err != nil {
		return Article{}, fmt.Errorf("create article %s: %w", a.Slug, err)
	}
	a.Tags, a.Authors = nil, nil
	if err := s.attach(ctx, []*Article{&a}); err != nil {
		return Article{}, err
	}
	if err := s.completeWrite(ctx, &a); err != nil {
		return Article{}, err
	}
	return a, nil
}

// slugTaken reports whether another article than except uses slug in lang,
// now or as an old slug that still redirects.
func slugTaken(tx *gorm.DB, lang, slug, except string) (bool, error) {
	var n int64
	if err := tx.Model(&articleRow{}).Where("lang = ? AND slug = ? AND id <> ?", lang, slug, except).Count(&n).Error; err != nil {
		return false, fmt.Errorf("check slug %s: %w", slug, err)
	}
	if n > 0 {
		return true, nil
	}
	if err := tx.Model(&articleSlugRow{}).Where("lang = ? AND slug = ? AND article_id <> ?", lang, slug, except).Count(&n).Error; err != nil {
		return false, fmt.Errorf("check slug %s: %w", slug, err)
	}
	return n > 0, nil
}

// checkSlugFree is ErrConflict when slug is taken in lang by another article.
func checkSlugFree(tx *gorm.DB, lang, slug, except string) error {
	taken, err := slugTaken(tx, lang, slug, except)
	if err != nil {
		return err
	}
	if taken {
		return fmt.Errorf("%w: slug %q is taken in %s", ErrConflict, slug, lang)
	}
	return nil
}

// uniqueSlug returns base, or base-2, base-3… : the first that is free in lang.
func uniqueSlug(tx *gorm.DB, lang, base, except string) (string, error) {
	for n := 1; n <= 100; n++ {
		cand := base
		if n > 1 {
			cand = withSuffix(base, n)
		}
		taken, err := slugTaken(tx, lang, cand, except)
		if err != nil {
			return "", err
		}
		if !taken {
			return cand, nil
		}
	}
	// A hundred namesakes: a random suffix ends the search.
	suffix := "-" + strings.ToLower(NewID()[16:])
	return truncateSlug(base, MaxSlugLen-len(suffix)) + suffix, nil
}

func insertRevision(tx *gorm.DB, a Article, tagIDs, authorIDs []string, editor, action string) error {
	snap, err := snapshotOf(a, tagIDs, authorIDs)
	if err != nil {
		return err
	}
	row := revisionRow{
		ID: NewID(), ArticleID: a.ID, Version: a.Version, Editor: editor, Action: action,
		Snapshot: snap, CreatedAt: a.UpdatedAt,
	}
	if err := tx.Create(&row).Error; err != nil {
		err = notFound(err)
		if errors.Is(err, ErrConflict) {
			// Another save already recorded this version.
			return ErrStale
		}
		return fmt.Errorf("store revision: %w", err)
	}
	return nil
}

// ArticlePatch is a change to an article; nil fields stay as they are. The
// language is fixed when the article is created. References are ids (see
// ResolveRefs); an empty SectionID or PhotoID removes the section or photo.
type ArticlePatch struct {
	Title             *string
	Standfirst        *string
	Slug              *string
	SectionID         *string
	PhotoID           *string
	Source            *Source
	Access            *Access
	PreviewBreak      *int
	ClearPreviewBreak bool // remove the editor's paywall point
	CommentsEnabled   *bool
	Featured          *bool
	TagIDs            *[]string
	AuthorIDs         *[]string
	Body              *[]blocks.Block
	Status            *Status
	PublishAt         *time.Time
	// Correction, on a published article that stays published, logs the
	// save as a correction with this note for partners (see Change).
	Correction *string
}

// UpdateArticle applies patch to the article id, provided that it is still at
// expectVersion: the check and the write are one conditional UPDATE in a
// transaction, so of two editors who both read version 3, one writes version
// 4 and the other gets ErrStale with nothing of theirs stored. An
// expectVersion of 0 applies the patch to whatever version is current (read
// again when another save slips in between: see save). The body and
// preview are rendered again; a changed slug leaves the old one redirecting;
// a revision is stored in the same transaction. The article is returned with
// its read model, but for translations.
func (s *Service) UpdateArticle(ctx context.Context, id string, patch ArticlePatch, expectVersion int, editor string) (Article, error) {
	return s.save(ctx, id, patch, expectVersion, editor, ActionUpdate)
}

// PublishArticle makes the article public now (published_at stays when it
// was already published). See UpdateArticle for expectVersion.
func (s *Service) PublishArticle(ctx context.Context, id string, expectVersion int, editor string) (Article, error) {
	st := StatusPublished
	return s.save(ctx, id, ArticlePatch{Status: &st}, expectVersion, editor, ActionPublish)
}

// UnpublishArticle withdraws the article from the public at once. See
// UpdateArticle for expectVersion.
func (s *Service) UnpublishArticle(ctx context.Context, id string, expectVersion int, editor string) (Article, error) {
	st := StatusUnpublished
	return s.save(ctx, id, ArticlePatch{Status: &st}, expectVersion, editor, ActionUnpublish)
}

// errSaveStorm is the answer of a save that lost every round (see save).
var errSaveStorm = fault.Unavailable("other saves of this article keep landing first; try again")

// unconditionalAttempts bounds the rounds of a save that asked for no
// version (see save).
const unconditionalAttempts = 64

// save stores a patch. A save that asked for no particular version
// (expectVersion 0: If-Match "*" or none) is read and rendered outside the
// write transaction, like any other, and may find that another save of the
// same article landed in between: it is read and tried again, after a
// short random pause that spreads the racers out. Each round one of them
// wins, so all land; the client set no precondition, so none of them is
// ever refused as stale. Only a save that loses every round (a storm of
// saves on one article) gives up, as unavailable: try again.
func (s *Service) save(ctx context.Context, id string, p ArticlePatch, expectVersion int, editor, action string) (Article, error) {
	for attempt := 1; ; attempt++ {
		a, err := s.saveOnce(ctx, id, p, expectVersion, editor, action)
		if expectVersion != 0 || !errors.Is(err, ErrStale) {
			return a, err
		}
		if attempt == unconditionalAttempts {
			return Article{}, fmt.Errorf("save article %s: lost %d rounds to other saves: %w", id, attempt, errSaveStorm)
		}
		pause := time.Duration(rand.Int64N(int64(min(attempt, 10)) * int64(time.Millisecond)))
		select {
		case <-ctx.Done():
			return Article{}, ctx.Err()
		case <-time.After(pause):
		}
	}
}

func (s *Service) saveOnce(ctx context.Context, id string, p ArticlePatch, expectVersion int, editor, action string) (Article, error) {
	if !IsID(id) {
		return Article{}, errNoArticle
	}
	cur, err := s.current(ctx, id)
	if err != nil {
		return Article{}, missing(err, errNoArticle.Detail)
	}
	ps, err := s.prepareSave(cur, p, expectVersion)
	if err != nil {
		return Article{}, err
	}
	if err := s.checkSave(ctx, &ps); err != nil {
		return Article{}, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error { return s.writeSave(tx, ps, editor, action, nil) })
	s.changed()
	if err != nil {
		return Article{}, fmt.Errorf("%s article %s: %w", action, id, err)
	}
	return s.afterSave(ctx, ps)
}

// preparedSave is a save checked and rendered, ready to be written: the
// stored article (cur), what it becomes (a), the input it was made from.
type preparedSave struct {
	cur, a        Article
	in            ArticleInput
	p             ArticlePatch
	expectVersion int
	correction    string
	now           time.Time
	// revisionAt is when the revision says the save was made (now).
	revisionAt time.Time
	// errs are the field errors found so far; checkSave adds those of the
	// body's photos at photosAt (after the schedule's, as the newsroom
	// reads them) and refuses the save when there are any.
	errs     []fault.FieldError
	photosAt int
}

// prepareSave applies p to cur (the stored article, with its tags and
// authors), checks the result and renders it, without a query. An
// expectVersion of 0 is cur's version; another one that differs is
// ErrStale.
func (s *Service) prepareSave(cur Article, p ArticlePatch, expectVersion int) (preparedSave, error) {
	if expectVersion == 0 {
		expectVersion = cur.Version
	}
	if cur.Version != expectVersion {
		return preparedSave{}, ErrStale
	}
	var body []blocks.Block
	if err := json.Unmarshal(cur.Body.Blocks, &body); err != nil {
		return preparedSave{}, fmt.Errorf("decode body of %s: %w", cur.ID, err)
	}
	in := ArticleInput{
		Lang: cur.Lang, Slug: cur.Slug, TranslationKey: cur.TranslationKey,
		Title: cur.Title, Standfirst: cur.Standfirst, SectionID: cur.SectionID, PhotoID: cur.PhotoID,
		Source: cur.Source, Access: cur.Access, PreviewBreak: cur.PreviewBreak, Status: cur.Status,
		PublishAt: cur.PublishAt, CommentsEnabled: cur.CommentsEnabled, Featured: cur.Featured, Body: body,
	}
	for _, t := range cur.Tags {
		in.TagIDs = append(in.TagIDs, t.ID)
	}
	for _, a := range cur.Authors {
		in.AuthorIDs = append(in.AuthorIDs, a.ID)
	}
	setIf(&in.Title, p.Title)
	setIf(&in.Standfirst, p.Standfirst)
	setIf(&in.Slug, p.Slug)
	setIf(&in.SectionID, p.SectionID)
	setIf(&in.PhotoID, p.PhotoID)
	setIf(&in.Source, p.Source)
	setIf(&in.Access, p.Access)
	setIf(&in.CommentsEnabled, p.CommentsEnabled)
	setIf(&in.Featured, p.Featured)
	setIf(&in.TagIDs, p.TagIDs)
	setIf(&in.AuthorIDs, p.AuthorIDs)
	setIf(&in.Body, p.Body)
	setIf(&in.Status, p.Status)
	switch {
	case p.ClearPreviewBreak:
		in.PreviewBreak = nil
	case p.PreviewBreak != nil:
		in.PreviewBreak = p.PreviewBreak
	}

	in.clean()
	now := s.Now()
	var errs []fault.FieldError
	publishAt, publishedAt := cur.PublishAt, cur.PublishedAt
	if p.Status != nil || p.PublishAt != nil {
		var fe []fault.FieldError
		publishAt, publishedAt, fe = schedule(&cur, in.Status, p.PublishAt, now)
		errs = append(errs, fe...)
	}
	in.PublishAt = publishAt
	photosAt := len(errs)
	errs, err := fault.Collect(errs, in.validate())
	if err != nil {
		return preparedSave{}, err
	}
	status := in.Status
	if visible(status, publishedAt, now) {
		// A scheduled article whose time came is published: say so.
		status = StatusPublished
	}
	correction, fe := checkCorrection(p.Correction, cur, Article{Status: status, PublishedAt: publishedAt}, now)
	errs = append(errs, fe...)

	a := cur
	a.Title, a.Standfirst = strings.TrimSpace(in.Title), strings.TrimSpace(in.Standfirst)
	a.Slug, a.SectionID, a.PhotoID, a.Source = in.Slug, in.SectionID, in.PhotoID, in.Source
	a.Access, a.PreviewBreak, a.Status = in.Access, in.PreviewBreak, status
	a.PublishAt, a.PublishedAt = publishAt, publishedAt
	a.CommentsEnabled, a.Featured = in.CommentsEnabled, in.Featured
	a.Version, a.UpdatedAt = expectVersion+1, now
	if len(errs) == 0 {
		if err := s.render(&a, in.Body); err != nil {
			return preparedSave{}, err
		}
	}
	return preparedSave{cur: cur, a: a, in: in, p: p, expectVersion: expectVersion, correction: correction,
		now: now, revisionAt: now, errs: errs, photosAt: photosAt}, nil
}

// checkSave checks what prepareSave could not without a query (the photos
// of a new body) and refuses the save with every field error found.
func (s *Service) checkSave(ctx context.Context, ps *preparedSave) error {
	if ps.p.Body != nil {
		fe, err := s.checkBodyPhotos(ctx, ps.in.Body)
		if err != nil {
			return err
		}
		ps.errs = slices.Insert(ps.errs, ps.photosAt, fe...)
	}
	if len(ps.errs) > 0 {
		return fault.Invalid(ps.errs...)
	}
	return nil
}

// writeSave writes a prepared save in tx: the conditional update on the
// version (ErrStale when another save landed first), the search index, the
// tags and authors when the patch names them, the old slug kept as a
// redirect, the revision, then within (when not nil) and the change log,
// which must come last (see recordChange).
func (s *Service) writeSave(tx *gorm.DB, ps preparedSave, editor, action string, within func(tx *gorm.DB) error) error {
	a, cur, in, p, now := ps.a, ps.cur, ps.in, ps.p, ps.now
	if a.Slug != cur.Slug {
		if err := checkSlugFree(tx, a.Lang, a.Slug, a.ID); err != nil {
			return err
		}
	}
	row := toArticleRow(a)
	res := tx.Model(&articleRow{}).Where("id = ? AND version = ?", a.ID, ps.expectVersion).Updates(map[string]any{
		"title": row.Title, "standfirst": row.Standfirst, "slug": row.Slug,
		"translation_key": row.TranslationKey,
		"section_id":      row.SectionID, "photo_id": row.PhotoID,
		"source_name": row.SourceName, "source_url": row.SourceURL,
		"access": row.Access, "preview_break": row.PreviewBreak, "status": row.Status,
		"publish_at": row.PublishAt, "published_at": row.PublishedAt,
		"comments_enabled": row.CommentsEnabled, "featured": row.Featured,
		"word_count": row.WordCount, "reading_minutes": row.ReadingMinutes,
		"body_blocks": row.BodyBlocks, "body_html": row.BodyHTML, "body_text": row.BodyText,
		"preview_blocks": row.PreviewBlocks, "preview_html": row.PreviewHTML, "preview_text": row.PreviewText,
		"preview_words": row.PreviewWords, "preview_truncated": row.PreviewTruncated,
		"updated_at": row.UpdatedAt,
		"version":    gorm.Expr("version + 1"),
	})
	if res.Error != nil {
		return notFound(res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrStale
	}
	if err := indexArticle(tx, s.db.Dialect, a); err != nil {
		return err
	}
	if p.TagIDs != nil {
		if err := tx.Where("article_id = ?", a.ID).Delete(&articleTagRow{}).Error; err != nil {
			return fmt.Errorf("replace tags: %w", err)
		}
		for i, tid := range in.TagIDs {
			if err := tx.Create(&articleTagRow{ArticleID: a.ID, TagID: tid, Position: i}).Error; err != nil {
				return fmt.Errorf("tag %s: %w", tid, notFound(err))
			}
		}
	}
	if p.AuthorIDs != nil {
		if err := tx.Where("article_id = ?", a.ID).Delete(&articleAuthorRow{}).Error; err != nil {
			return fmt.Errorf("replace authors: %w", err)
		}
		for i, aid := range in.AuthorIDs {
			if err := tx.Create(&articleAuthorRow{ArticleID: a.ID, AuthorID: aid, Position: i}).Error; err != nil {
				return fmt.Errorf("author %s: %w", aid, notFound(err))
			}
		}
	}
	if a.Slug != cur.Slug {
		// The old slug redirects from now on; the new one is no
		// longer an old one of this article (A → B → A).
		err := tx.Where("lang = ? AND slug IN ? AND article_id = ?", a.Lang, []string{cur.Slug, a.Slug}, a.ID).
			Delete(&articleSlugRow{}).Error
		if err != nil {
			return fmt.Errorf("keep old slug: %w", err)
		}
		if err := tx.Create(&articleSlugRow{Lang: a.Lang, Slug: cur.Slug, ArticleID: a.ID, CreatedAt: now}).Error; err != nil {
			return fmt.Errorf("keep old slug: %w", notFound(err))
		}
	}
	rev := a
	rev.UpdatedAt = ps.revisionAt
	if err := insertRevision(tx, rev, in.TagIDs, in.AuthorIDs, editor, action); err != nil {
		return err
	}
	if within != nil {
		if err := within(tx); err != nil {
			return err
		}
	}
	if kind, ok := changeOf(cur, a, ps.correction, now); ok {
		return recordChange(tx, s.db.Dialect, Change{
			ArticleID: a.ID, Kind: kind, Lang: a.Lang, Version: a.Version, Note: ps.correction, At: now,
		})
	}
	return nil
}

// afterSave returns the saved article with its read model, but for
// translations.
func (s *Service) afterSave(ctx context.Context, ps preparedSave) (Article, error) {
	a := ps.a
	if ps.p.TagIDs != nil || ps.p.AuthorIDs != nil {
		a.Tags, a.Authors = nil, nil
		if err := s.attach(ctx, []*Article{&a}); err != nil {
			return Article{}, err
		}
	}
	if err := s.completeWrite(ctx, &a); err != nil {
		return Article{}, err
	}
	return a, nil
}

// errNoArticle is the not-found of the newsroom's article writes.
var errNoArticle = fault.NotFound("no article has this id")

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteArticle removes an article for good, with its tags, authors, old
// slugs, comments and revisions. expectVersion 0 deletes whatever the
// version; otherwise a newer version is ErrStale.
func (s *Service) DeleteArticle(ctx context.Context, id string, expectVersion int) error {
	if !IsID(id) {
		return errNoArticle
	}
	var affected int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var cur articleRow
		err := tx.Select("id", "lang", "status", "published_at", "version").Where("id = ?", id).Take(&cur).Error
		if err != nil {
			return notFound(err)
		}
		unindex, err := unindexer(tx, s.db.Dialect, id)
		if err != nil {
			return fmt.Errorf("unindex article %s: %w", id, err)
		}
		q := tx.Where("id = ?", id)
		if expectVersion != 0 {
			q = q.Where("version = ?", expectVersion)
		}
		res := q.Delete(&articleRow{})
		if res.Error != nil {
			return res.Error
		}
		affected = res.RowsAffected
		if affected > 0 {
			if err := unindex(); err != nil {
				return fmt.Errorf("unindex article %s: %w", id, err)
			}
		}
		if affected == 0 || !visible(Status(cur.Status), cur.PublishedAt, s.Now()) {
			return nil
		}
		// Partners may hold it: leave a tombstone.
		return recordChange(tx, s.db.Dialect, Change{
			ArticleID: id, Kind: ChangeUnpublished, Lang: cur.Lang, Version: cur.Version, At: s.Now(),
		})
	})
	s.changed()
	if err != nil {
		return fmt.Errorf("delete article %s: %w", id, missing(notFound(err), errNoArticle.Detail))
	}
	if affected == 0 {
		if _, err := s.repo.article(ctx, id, "", ""); err != nil {
			return missing(err, errNoArticle.Detail)
		}
		return ErrStale
	}
	return nil
}

// Revisions returns the revisions of an article, newest first, at most
// limit, older than version before when before > 0. An unknown article is
// ErrNotFound.
func (s *Service) Revisions(ctx context.Context, articleID string, limit, before int) ([]Revision, error) {
	if !IsID(articleID) {
		return nil, errNoArticle
	}
	if _, err := s.repo.article(ctx, articleID, "", ""); err != nil {
		return nil, missing(err, errNoArticle.Detail)
	}
	q := s.db.Read(ctx).Where("article_id = ?", articleID)
	if before > 0 {
		q = q.Where("version < ?", before)
	}
	var rows []revisionRow
	if err := q.Order("version DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list revisions of %s: %w", articleID, err)
	}
	out := make([]Revision, 0, len(rows))
	for _, r := range rows {
		out = append(out, Revision{
			ID: r.ID, ArticleID: r.ArticleID, Version: r.Version, Editor: r.Editor, Action: r.Action,
			Snapshot: json.RawMessage(r.Snapshot), CreatedAt: r.CreatedAt.UTC(),
		})
	}
	return out, nil
}

// AdminCursor is a position in the newsroom's list.
type AdminCursor struct {
	CreatedAt time.Time
	ID        string
}

// AdminFilter narrows the newsroom's list. Section is a slug (with its
// subsections); Query, when not nil, keeps the articles whose whole text
// matches it (the search engine of Search, over every status); empty fields
// do not filter.
type AdminFilter struct {
	Status  Status
	Lang    string
	Section string
	Query   *search.Query
	Limit   int
	After   *AdminCursor
}

// ListArticles returns a page of article summaries in every status, newest
// created first (a stable order: editing does not move an article), with
// their read model but for translations, and the cursor of the next page
// (nil on the last).
func (s *Service) ListArticles(ctx context.Context, f AdminFilter) ([]Article, *AdminCursor, error) {
	if f.Limit <= 0 {
		return nil, nil, fmt.Errorf("list articles: limit %d", f.Limit)
	}
	var sectionIDs []string
	if f.Section != "" {
		ids, err := s.SectionTree(ctx, f.Section)
		if errors.Is(err, ErrNotFound) {
			return []Article{}, nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
		sectionIDs = ids
	}
	q := s.repo.adminListQuery(ctx, f, sectionIDs)
	list, err := scanArticles(q, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("list articles: %w", err)
	}
	var next *AdminCursor
	if len(list) > f.Limit {
		list = list[:f.Limit]
		last := list[len(list)-1]
		next = &AdminCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	if err := s.completePage(ctx, pointers(list)); err != nil {
		return nil, nil, err
	}
	return list, next, nil
}

// adminListQuery is ListArticles' statement, its section resolved to
// sectionIDs (with the subsections).
func (r repo) adminListQuery(ctx context.Context, f AdminFilter, sectionIDs []string) *gorm.DB {
	q := r.db.Read(ctx).Table("articles").Select(summarySelect + ", articles.preview_break").Joins(photoJoin)
	if len(sectionIDs) > 0 {
		q = q.Where(sectionIn(q, "articles"), sectionIDs)
	}
	if f.Status != "" {
		q = q.Where("articles.status = ?", string(f.Status))
	}
	if f.Lang != "" {
		q = q.Where("articles.lang = ?", f.Lang)
	}
	if f.Query != nil {
		q = r.whereMatches(q, match{query: *f.Query, all: true}, true)
	}
	if f.After != nil {
		q = q.Where("(articles.created_at < ? OR (articles.created_at = ? AND articles.id < ?))", f.After.CreatedAt, f.After.CreatedAt, f.After.ID)
	}
	return q.Order("articles.created_at DESC, articles.id DESC").Limit(f.Limit + 1)
}

// resolveSlugs turns a list of slugs into IDs with lookup, reporting through
// add each slug that is listed twice or names nothing (field "tags[2]"…).
// Only a failed lookup is an error.
func resolveSlugs(ctx context.Context, field, kind string, slugs []string, add func(field, msg string),
	lookup func(context.Context, string) (string, error)) ([]string, error) {
	ids := make([]string, 0, len(slugs))
	for i, slug := range slugs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if slices.Contains(slugs[:i], slug) {
			add(f, "is listed twice")
			continue
		}
		id, err := lookup(ctx, slug)
		if errors.Is(err, ErrNotFound) {
			add(f, "no "+kind+" has this slug")
			continue
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
