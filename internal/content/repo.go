package content

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"masthead/internal/store"
)

// Rows mirror the tables created by migrations/*/00001_content.sql.

type sectionRow struct {
	ID        string `gorm:"primaryKey"`
	Slug      string
	ParentID  *string
	Names     string // JSON object, names by language
	Position  int
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (sectionRow) TableName() string { return "sections" }

type tagRow struct {
	ID        string `gorm:"primaryKey"`
	Slug      string
	Name      string
	Kind      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (tagRow) TableName() string { return "tags" }

type authorRow struct {
	ID        string `gorm:"primaryKey"`
	Slug      string
	Name      string
	Bio       string
	PhotoID   *string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (authorRow) TableName() string { return "authors" }

type photoRow struct {
	ID            string `gorm:"primaryKey"`
	Hash          string
	Width         int
	Height        int
	Mime          string
	Original      string
	Renditions    string // JSON array of Rendition
	Blurhash      string
	DominantColor string
	Caption       string
	Credit        string
	Alt           string
	SourceURL     string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (photoRow) TableName() string { return "photos" }

type articleRow struct {
	ID               string `gorm:"primaryKey"`
	Lang             string
	Slug             string
	TranslationKey   string
	Title            string
	Standfirst       string
	SectionID        *string
	PhotoID          *string
	SourceName       string
	SourceURL        string
	Access           string
	PreviewBreak     *int
	Status           string
	PublishAt        *time.Time
	PublishedAt      *time.Time
	CommentsEnabled  bool
	CommentCount     int
	WordCount        int
	ReadingMinutes   int
	BodyBlocks       string
	BodyHTML         string `gorm:"column:body_html"`
	BodyText         string
	PreviewBlocks    string
	PreviewHTML      string `gorm:"column:preview_html"`
	PreviewText      string
	PreviewWords     int
	PreviewTruncated bool
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (articleRow) TableName() string { return "articles" }

type articleTagRow struct {
	ArticleID string `gorm:"primaryKey"`
	TagID     string `gorm:"primaryKey"`
	Position  int
}

func (articleTagRow) TableName() string { return "article_tags" }

type articleAuthorRow struct {
	ArticleID string `gorm:"primaryKey"`
	AuthorID  string `gorm:"primaryKey"`
	Position  int
}

func (articleAuthorRow) TableName() string { return "article_authors" }

type articleSlugRow struct {
	Lang      string `gorm:"primaryKey"`
	Slug      string `gorm:"primaryKey"`
	ArticleID string
	CreatedAt time.Time
}

func (articleSlugRow) TableName() string { return "article_slugs" }

// revisionRow mirrors migrations/*/00003_editorial.sql.
type revisionRow struct {
	ID        string `gorm:"primaryKey"`
	ArticleID string
	Version   int
	Editor    string
	Action    string
	Snapshot  string // JSON, see snapshot
	CreatedAt time.Time
}

func (revisionRow) TableName() string { return "article_revisions" }

// Models lists the row types, for the test that checks them against the
// migrated schema of each dialect.
func Models() []any {
	return []any{
		&sectionRow{}, &tagRow{}, &authorRow{}, &photoRow{}, &articleRow{},
		&articleTagRow{}, &articleAuthorRow{}, &articleSlugRow{}, &revisionRow{}, &changeRow{},
	}
}

// summaryColumns are what a list needs: never the bodies.
var summaryColumns = []string{
	"id", "lang", "slug", "translation_key", "title", "standfirst", "section_id", "photo_id",
	"source_name", "source_url", "access", "status", "publish_at", "published_at",
	"comments_enabled", "comment_count", "word_count", "reading_minutes", "version",
	"created_at", "updated_at",
}

// repo holds the queries; the service holds the rules.
type repo struct {
	db *store.DB
}

func notFound(err error) error {
	err = store.Translate(err)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, store.ErrDuplicate):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

func (r repo) sections(ctx context.Context) ([]Section, error) {
	var rows []sectionRow
	if err := r.db.Read(ctx).Order("position, slug").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	out := make([]Section, 0, len(rows))
	for _, row := range rows {
		s, err := row.toSection()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (r repo) tags(ctx context.Context) ([]Tag, error) {
	var rows []tagRow
	if err := r.db.Read(ctx).Order("kind, slug").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	out := make([]Tag, 0, len(rows))
	for _, row := range rows {
		out = append(out, row.toTag())
	}
	return out, nil
}

func (r repo) tagBySlug(ctx context.Context, slug string) (Tag, error) {
	var row tagRow
	if err := r.db.Read(ctx).Where("slug = ?", slug).Take(&row).Error; err != nil {
		return Tag{}, notFound(err)
	}
	return row.toTag(), nil
}

func (r repo) authorBySlug(ctx context.Context, slug string) (Author, error) {
	var row authorRow
	if err := r.db.Read(ctx).Where("slug = ?", slug).Take(&row).Error; err != nil {
		return Author{}, notFound(err)
	}
	return row.toAuthor(), nil
}

func (r repo) photos(ctx context.Context, ids []string) (map[string]Photo, error) {
	out := make(map[string]Photo, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []photoRow
	if err := r.db.Read(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load photos: %w", err)
	}
	for _, row := range rows {
		p, err := row.toPhoto()
		if err != nil {
			return nil, err
		}
		out[p.ID] = p
	}
	return out, nil
}

// article loads one article by id, or by language and slug when lang is set
// (or the first by creation when lang is empty and the slug is ambiguous).
func (r repo) article(ctx context.Context, id, lang, slug string) (Article, error) {
	var row articleRow
	if err := byRef(r.db.Read(ctx), "", id, lang, slug).Take(&row).Error; err != nil {
		return Article{}, notFound(err)
	}
	return row.toArticle(), nil
}

// byRef narrows q to the article of article's arguments; prefix qualifies
// the columns ("articles." in a join).
func byRef(q *gorm.DB, prefix, id, lang, slug string) *gorm.DB {
	switch {
	case id != "":
		return q.Where(prefix+"id = ?", id)
	case lang != "":
		return q.Where(prefix+"lang = ? AND "+prefix+"slug = ?", lang, slug)
	}
	return q.Where(prefix+"slug = ?", slug).Order(prefix + "created_at, " + prefix + "id")
}

// oldSlug finds the article that used to answer to slug.
func (r repo) oldSlug(ctx context.Context, lang, slug string) (string, error) {
	q := r.db.Read(ctx).Where("slug = ?", slug)
	if lang != "" {
		q = q.Where("lang = ?", lang)
	}
	var row articleSlugRow
	if err := q.Order("created_at DESC").Take(&row).Error; err != nil {
		return "", notFound(err)
	}
	return row.ArticleID, nil
}

// relations loads the tags and authors of the given articles, in their
// byline order, in one query.
func (r repo) relations(ctx context.Context, ids []string) (map[string][]Tag, map[string][]Author, error) {
	tags := make(map[string][]Tag, len(ids))
	authors := make(map[string][]Author, len(ids))
	if len(ids) == 0 {
		return tags, authors, nil
	}
	var rows []struct {
		Rel, ArticleID, ID, Slug, Name, Kind string
		Position                             int
	}
	err := r.db.Read(ctx).Raw(`SELECT 'tag' AS rel, at.article_id, at.position, t.id, t.slug, t.name, t.kind
		FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN ?
		UNION ALL
		SELECT 'author' AS rel, aa.article_id, aa.position, a.id, a.slug, a.name, '' AS kind
		FROM article_authors aa JOIN authors a ON a.id = aa.author_id WHERE aa.article_id IN ?
		ORDER BY article_id, rel, position, slug`, ids, ids).Scan(&rows).Error
	if err != nil {
		return nil, nil, fmt.Errorf("load article tags and authors: %w", err)
	}
	for _, x := range rows {
		if x.Rel == "tag" {
			tags[x.ArticleID] = append(tags[x.ArticleID], Tag{ID: x.ID, Slug: x.Slug, Name: x.Name, Kind: x.Kind})
		} else {
			authors[x.ArticleID] = append(authors[x.ArticleID], Author{ID: x.ID, Slug: x.Slug, Name: x.Name})
		}
	}
	return tags, authors, nil
}

// translations lists the live articles sharing key, other than id.
func (r repo) translations(ctx context.Context, key, id string, now time.Time) ([]Translation, error) {
	var rows []articleRow
	err := live(r.db.Read(ctx), now).
		Select("id", "lang", "slug").
		Where("translation_key = ? AND id <> ?", key, id).
		Order("lang").
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load translations: %w", err)
	}
	out := make([]Translation, 0, len(rows))
	for _, row := range rows {
		out = append(out, Translation{ID: row.ID, Lang: row.Lang, Slug: row.Slug})
	}
	return out, nil
}

// live restricts q to what the public may see at now.
// The statuses are literals, not parameters: SQLite uses the partial index
// articles_live only when the query's condition visibly implies the
// index's, which a bound parameter does not.
func live(q *gorm.DB, now time.Time) *gorm.DB {
	return q.Where("status IN ('published', 'scheduled') AND published_at <= ?", now)
}

// lockForComments makes q lock the article rows it reads until the
// transaction ends, on PostgreSQL: the lock that orders the writes that
// recount an article's comments. NO KEY UPDATE, because it does not block
// the key-share lock a comment insert takes on its article through the
// foreign key. SQLite has one writer, so nothing to lock.
func lockForComments(q *gorm.DB, dialect string) *gorm.DB {
	if dialect == store.Postgres {
		return q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	return q
}

// openForComments reads, in tx and locked, what a comment submission needs
// of article id: ErrNotFound unless it is live at now (so published_at is
// set).
func (r repo) openForComments(tx *gorm.DB, id string, now time.Time) (articleRow, error) {
	var row articleRow
	q := live(lockForComments(tx.Model(&articleRow{}), r.db.Dialect), now)
	err := q.Select("id", "status", "published_at", "comments_enabled").Where("id = ?", id).Take(&row).Error
	return row, notFound(err)
}

// lockArticle locks an article's row in tx on PostgreSQL (see
// lockForComments); a missing article is not an error.
func (r repo) lockArticle(tx *gorm.DB, id string) error {
	if r.db.Dialect != store.Postgres {
		return nil
	}
	var ids []string
	return lockForComments(tx.Model(&articleRow{}), r.db.Dialect).Where("id = ?", id).Pluck("id", &ids).Error
}

// storeCommentCount sets an article's comment_count in tx and reports
// whether it changed.
func (r repo) storeCommentCount(tx *gorm.DB, id string, n int) (bool, error) {
	res := tx.Model(&articleRow{}).Where("id = ? AND comment_count <> ?", id, n).UpdateColumn("comment_count", n)
	return res.RowsAffected > 0, res.Error
}

// commentCounts reads the comment_count of the live articles among ids.
func (r repo) commentCounts(ctx context.Context, ids []string, now time.Time) (map[string]int, error) {
	var rows []articleRow
	err := live(r.db.Read(ctx).Model(&articleRow{}), now).Select("id", "comment_count").Where("id IN ?", ids).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, row := range rows {
		out[row.ID] = row.CommentCount
	}
	return out, nil
}

// where narrows q to the section, tag, author and language of f.
func (f liveQuery) where(q *gorm.DB) *gorm.DB {
	if len(f.SectionIDs) > 0 {
		q = q.Where("section_id IN ?", f.SectionIDs)
	}
	if f.TagID != "" {
		q = q.Where("EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = articles.id AND x.tag_id = ?)", f.TagID)
	}
	if f.AuthorID != "" {
		q = q.Where("EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = articles.id AND x.author_id = ?)", f.AuthorID)
	}
	if f.Lang != "" {
		q = q.Where("lang = ?", f.Lang)
	}
	return q
}

// listLive answers the public list: summary columns, newest first, keyset
// pagination on (published_at, id), one row more than asked to know whether
// a next page exists.
func (r repo) listLive(ctx context.Context, f liveQuery, now time.Time) ([]Article, error) {
	q := f.where(live(r.db.Read(ctx).Model(&articleRow{}), now).Select(summaryColumns))
	if f.After != nil {
		q = q.Where("(published_at < ? OR (published_at = ? AND id < ?))", f.After.PublishedAt, f.After.PublishedAt, f.After.ID)
	}
	var rows []articleRow
	if err := q.Order("published_at DESC, id DESC").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	out := make([]Article, 0, len(rows))
	for _, row := range rows {
		out = append(out, row.toArticle())
	}
	return out, nil
}

// Converters.

func (row sectionRow) toSection() (Section, error) {
	s := Section{ID: row.ID, Slug: row.Slug, Position: row.Position, Version: row.Version, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	if row.ParentID != nil {
		s.ParentID = *row.ParentID
	}
	if err := json.Unmarshal([]byte(row.Names), &s.Names); err != nil {
		return Section{}, fmt.Errorf("section %s names: %w", row.ID, err)
	}
	return s, nil
}

func (row tagRow) toTag() Tag {
	return Tag{ID: row.ID, Slug: row.Slug, Name: row.Name, Kind: row.Kind, Version: row.Version, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
}

func (row authorRow) toAuthor() Author {
	a := Author{ID: row.ID, Slug: row.Slug, Name: row.Name, Bio: row.Bio, Version: row.Version, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	if row.PhotoID != nil {
		a.PhotoID = *row.PhotoID
	}
	return a
}

func (row photoRow) toPhoto() (Photo, error) {
	p := Photo{
		ID: row.ID, Hash: row.Hash, Width: row.Width, Height: row.Height, Mime: row.Mime,
		Original: row.Original, Blurhash: row.Blurhash, DominantColor: row.DominantColor,
		Caption: row.Caption, Credit: row.Credit, Alt: row.Alt, SourceURL: row.SourceURL,
		Version: row.Version, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	if err := json.Unmarshal([]byte(row.Renditions), &p.Renditions); err != nil {
		return Photo{}, fmt.Errorf("photo %s renditions: %w", row.ID, err)
	}
	return p, nil
}

func (row articleRow) toArticle() Article {
	a := Article{
		ID: row.ID, Lang: row.Lang, Slug: row.Slug, TranslationKey: row.TranslationKey,
		Title: row.Title, Standfirst: row.Standfirst,
		Source:       Source{Name: row.SourceName, URL: row.SourceURL},
		Access:       Access(row.Access),
		PreviewBreak: row.PreviewBreak,
		Status:       Status(row.Status),
		PublishAt:    utcPtr(row.PublishAt), PublishedAt: utcPtr(row.PublishedAt),
		CommentsEnabled: row.CommentsEnabled, CommentCount: row.CommentCount,
		WordCount: row.WordCount, ReadingMinutes: row.ReadingMinutes,
		Truncated: row.PreviewTruncated,
		Version:   row.Version,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
	if row.SectionID != nil {
		a.SectionID = *row.SectionID
	}
	if row.PhotoID != nil {
		a.PhotoID = *row.PhotoID
	}
	if row.BodyBlocks != "" {
		a.Body = Rendered{Blocks: json.RawMessage(row.BodyBlocks), HTML: row.BodyHTML, Text: row.BodyText, Words: row.WordCount}
		a.Preview = Rendered{Blocks: json.RawMessage(row.PreviewBlocks), HTML: row.PreviewHTML, Text: row.PreviewText, Words: row.PreviewWords}
	}
	return a
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
