package content

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"masthead/internal/search"
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
	Featured         bool
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

// searchDocRow mirrors migrations/*/00010_search.sql: the index's row of an
// article. It is written with the dialect's SQL (writeIndex), never through
// the model; on PostgreSQL the row also holds the two tsvectors
// (EngineColumns).
type searchDocRow struct {
	ID          int64 `gorm:"primaryKey"`
	ArticleID   string
	Analyzer    int
	Lang        string
	SectionID   *string
	Access      string
	Status      string
	PublishedTS *int64 `gorm:"column:published_ts"`
}

func (searchDocRow) TableName() string { return "search_docs" }

// EngineColumns are columns of the table that the model leaves to the
// dialect's SQL.
func (searchDocRow) EngineColumns(dialect string) []string {
	if dialect == store.Postgres {
		return []string{"head_doc", "public_doc", "full_doc"}
	}
	return nil
}

// Models lists the row types, for the test that checks them against the
// migrated schema of each dialect.
func Models() []any {
	return []any{
		&sectionRow{}, &tagRow{}, &authorRow{}, &photoRow{}, &articleRow{},
		&articleTagRow{}, &articleAuthorRow{}, &articleSlugRow{}, &revisionRow{}, &changeRow{}, &searchDocRow{},
		&externalRefRow{}, &legacyPathRow{},
	}
}

// summaryColumns are what a list needs: never the bodies.
var summaryColumns = []string{
	"id", "lang", "slug", "translation_key", "title", "standfirst", "section_id", "photo_id",
	"source_name", "source_url", "access", "status", "publish_at", "published_at",
	"comments_enabled", "featured", "comment_count", "word_count", "reading_minutes", "version",
	"created_at", "updated_at",
}

// qualified names columns of articles as articles.column, for queries that
// join other tables.
func qualified(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "articles." + c
	}
	return out
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

// relations loads the tags and authors of the given articles, in their
// byline order, in one query; and, when one is not nil, the live
// translations of one (at now) in the same query.
func (r repo) relations(ctx context.Context, ids []string, one *Article, now time.Time) (map[string][]Tag, map[string][]Author, []Translation, error) {
	tags := make(map[string][]Tag, len(ids))
	authors := make(map[string][]Author, len(ids))
	if len(ids) == 0 {
		return tags, authors, nil, nil
	}
	stmt := `SELECT 'tag' AS rel, at.article_id, at.position, t.id, t.slug, t.name, t.kind
		FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN ?
		UNION ALL
		SELECT 'author' AS rel, aa.article_id, aa.position, a.id, a.slug, a.name, '' AS kind
		FROM article_authors aa JOIN authors a ON a.id = aa.author_id WHERE aa.article_id IN ?`
	args := []any{ids, ids}
	if one != nil {
		// The translations' language goes in name.
		stmt += `
		UNION ALL
		SELECT 'translation' AS rel, '' AS article_id, 0 AS position, x.id, x.slug, x.lang AS name, '' AS kind
		FROM articles x WHERE x.translation_key = ? AND x.id <> ?
			AND x.status IN ('published', 'scheduled') AND x.published_at <= ?`
		args = append(args, one.TranslationKey, one.ID, now)
	}
	rows, err := r.db.Read(ctx).Raw(stmt+`
		ORDER BY article_id, rel, position, slug`, args...).Rows()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load article tags and authors: %w", err)
	}
	defer rows.Close()
	var (
		trs                                  []Translation
		rel, articleID, id, slug, name, kind string
		position                             int
	)
	for rows.Next() {
		if err := rows.Scan(&rel, &articleID, &position, &id, &slug, &name, &kind); err != nil {
			return nil, nil, nil, fmt.Errorf("load article tags and authors: %w", err)
		}
		switch rel {
		case "tag":
			tags[articleID] = append(tags[articleID], Tag{ID: id, Slug: slug, Name: name, Kind: kind})
		case "author":
			authors[articleID] = append(authors[articleID], Author{ID: id, Slug: slug, Name: name})
		default:
			trs = append(trs, Translation{ID: id, Lang: name, Slug: slug})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("load article tags and authors: %w", err)
	}
	if one != nil {
		slices.SortFunc(trs, func(a, b Translation) int {
			return cmp.Or(strings.Compare(a.Lang, b.Lang), strings.Compare(a.Slug, b.Slug))
		})
		if trs == nil {
			trs = []Translation{}
		}
	}
	return tags, authors, trs, nil
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
	return q.Where("articles.status IN ('published', 'scheduled') AND articles.published_at <= ?", now)
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

// where narrows q (over articles) to the section, tag, author and
// language of f.
func (f liveQuery) where(q *gorm.DB) *gorm.DB { return f.whereOn(q, "articles", "articles.id") }

// whereOn is where over table, whose rows name their article in idColumn
// (articles, or the search index's search_docs).
func (f liveQuery) whereOn(q *gorm.DB, table, idColumn string) *gorm.DB {
	if len(f.SectionIDs) > 0 {
		q = q.Where(sectionIn(q, table), f.SectionIDs)
	}
	switch {
	case f.TagID != "":
		q = q.Where("EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = "+idColumn+" AND x.tag_id = ?)", f.TagID)
	case f.TagSlug != "":
		q = q.Where("EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = "+idColumn+
			" AND x.tag_id = (SELECT id FROM tags WHERE slug = ?))", f.TagSlug)
	}
	switch {
	case f.AuthorID != "":
		q = q.Where("EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = "+idColumn+" AND x.author_id = ?)", f.AuthorID)
	case f.AuthorSlug != "":
		q = q.Where("EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = "+idColumn+
			" AND x.author_id = (SELECT id FROM authors WHERE slug = ?))", f.AuthorSlug)
	}
	if f.Lang != "" {
		q = q.Where(table+".lang = ?", f.Lang)
	}
	return q
}

// sectionIn is the condition "table.section_id IN ?". A section with
// subsections is several IDs: an index on (section_id, time) serves each
// in its order but not their union, and SQLite would read every article of
// them all to sort them; the unary plus keeps it from that index, so that
// it reads the list's index in order, keeping the articles of the sections,
// until the page is full. (PostgreSQL makes that choice itself.)
func sectionIn(q *gorm.DB, table string) string {
	if q.Name() == "sqlite" { // the dialector's name
		return "+" + table + ".section_id IN ?"
	}
	return table + ".section_id IN ?"
}

// listLive answers the public list: summary columns with the featured
// photo, newest first, keyset pagination on (published_at, id), one row
// more than asked to know whether a next page exists.
func (r repo) listLive(ctx context.Context, f liveQuery, now time.Time) ([]Article, error) {
	out, err := scanArticles(r.listLiveQuery(ctx, f, now), nil)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return out, nil
}

// listLiveQuery is listLive's statement.
func (r repo) listLiveQuery(ctx context.Context, f liveQuery, now time.Time) *gorm.DB {
	q := f.where(live(r.db.Read(ctx).Table("articles"), now).Select(summarySelect).Joins(photoJoin))
	if f.Featured {
		// A literal, as live's statuses: SQLite reads the partial index
		// articles_featured only when the condition visibly implies its own.
		q = q.Where("articles.featured = TRUE")
	}
	if f.Match != nil {
		q = r.whereMatches(q, *f.Match, true)
	}
	if f.After != nil {
		q = q.Where("(articles.published_at < ? OR (articles.published_at = ? AND articles.id < ?))", f.After.PublishedAt, f.After.PublishedAt, f.After.ID)
	}
	return q.Order("articles.published_at DESC, articles.id DESC").Limit(f.Limit + 1)
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
		CommentsEnabled: row.CommentsEnabled, Featured: row.Featured, CommentCount: row.CommentCount,
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

// --- search (see search.go; the analysis is package search's) ---

// indexMeta is what the index keeps of an article beside its terms: what a
// search filters and ranks on.
type indexMeta struct {
	ID          string
	Lang        string
	SectionID   *string
	Access      string
	Status      string
	PublishedTS *int64 // Unix seconds
}

func metaOf(a Article) indexMeta {
	m := indexMeta{ID: a.ID, Lang: a.Lang, SectionID: strPtr(a.SectionID), Access: string(a.Access), Status: string(a.Status)}
	if a.PublishedAt != nil {
		ts := a.PublishedAt.Unix()
		m.PublishedTS = &ts
	}
	return m
}

// writeIndex replaces an article's rows in the search index, in tx.
func writeIndex(tx *gorm.DB, dialect string, m indexMeta, doc search.Analyzed) error {
	if dialect == store.Postgres {
		return tx.Exec(`INSERT INTO search_docs (article_id, analyzer, lang, section_id, access, status, published_ts,
				head_doc, public_doc, full_doc)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?::tsvector, ?::tsvector, ?::tsvector)
			ON CONFLICT (article_id) DO UPDATE SET analyzer = excluded.analyzer, lang = excluded.lang,
				section_id = excluded.section_id, access = excluded.access, status = excluded.status,
				published_ts = excluded.published_ts, head_doc = excluded.head_doc,
				public_doc = excluded.public_doc, full_doc = excluded.full_doc`,
			m.ID, search.Version, m.Lang, m.SectionID, m.Access, m.Status, m.PublishedTS,
			doc.TSVectorHeads(), doc.TSVector(true), doc.TSVector(false)).Error
	}
	// SQLite: the FTS5 rows are keyed by search_docs.id.
	var rowid int64
	err := tx.Raw(`INSERT INTO search_docs (article_id, analyzer, lang, section_id, access, status, published_ts)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (article_id) DO UPDATE SET analyzer = excluded.analyzer, lang = excluded.lang,
			section_id = excluded.section_id, access = excluded.access, status = excluded.status,
			published_ts = excluded.published_ts
		RETURNING id`,
		m.ID, search.Version, m.Lang, m.SectionID, m.Access, m.Status, m.PublishedTS).Scan(&rowid).Error
	if err != nil {
		return err
	}
	for _, table := range []string{"search_fts", "search_heads"} {
		if err := tx.Exec(`DELETE FROM `+table+` WHERE rowid = ?`, rowid).Error; err != nil {
			return err
		}
	}
	err = tx.Exec(`INSERT INTO search_fts (rowid, title, standfirst, preview, body, title_w, standfirst_w, preview_w, body_w)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, rowid,
		doc.Stems[search.Title], doc.Stems[search.Standfirst], doc.Stems[search.Preview], doc.Stems[search.Body],
		doc.Words[search.Title], doc.Words[search.Standfirst], doc.Words[search.Preview], doc.Words[search.Body]).Error
	if err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO search_heads (rowid, title, standfirst, title_w, standfirst_w) VALUES (?, ?, ?, ?, ?)`, rowid,
		doc.Stems[search.Title], doc.Stems[search.Standfirst], doc.Words[search.Title], doc.Words[search.Standfirst]).Error
}

// setIndexedStatus keeps the index's copy of an article's status in step,
// in tx, when nothing else of it changes (a scheduled article published
// at its time).
func setIndexedStatus(tx *gorm.DB, id string, status Status) error {
	return tx.Exec(`UPDATE search_docs SET status = ? WHERE article_id = ?`, string(status), id).Error
}

// unindexer returns what removes article id from the search index, in tx,
// once the article is deleted: on PostgreSQL its row goes with the article;
// SQLite's FTS5 has no foreign key, so its rows are found now, while the
// article's search_docs row still names them.
func unindexer(tx *gorm.DB, dialect, id string) (func() error, error) {
	if dialect == store.Postgres {
		return func() error { return nil }, nil
	}
	var rowids []int64
	if err := tx.Raw(`SELECT id FROM search_docs WHERE article_id = ?`, id).Scan(&rowids).Error; err != nil {
		return nil, err
	}
	return func() error {
		if len(rowids) == 0 {
			return nil
		}
		for _, table := range []string{"search_fts", "search_heads"} {
			if err := tx.Exec(`DELETE FROM `+table+` WHERE rowid IN ?`, rowids).Error; err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// match is what a caller searches: the query, and the levels of the
// articles it reads in full (for the others, only their public rendering
// is searched).
type match struct {
	query search.Query
	full  []Access
	all   bool // every level is read in full: the newsroom
}

// whereMatches narrows q (over search_docs, or articles, which it joins to
// search_docs) to the articles that match m in the rendering the caller may
// read.
func (r repo) whereMatches(q *gorm.DB, m match, joinArticles bool) *gorm.DB {
	if joinArticles {
		q = q.Joins("JOIN search_docs ON search_docs.article_id = articles.id")
	}
	if r.db.Dialect == store.Postgres {
		tsq := m.query.TSQuery("")
		if m.all {
			return q.Where("search_docs.full_doc @@ ?::tsquery", tsq)
		}
		// Two index scans, each the only use of its tsvector: an OR of the
		// two would read every hit's whole body again to check it.
		return q.Where(`search_docs.id IN (
			SELECT id FROM search_docs WHERE access IN ? AND full_doc @@ ?::tsquery
			UNION ALL
			SELECT id FROM search_docs WHERE access NOT IN ? AND public_doc @@ ?::tsquery)`, m.full, tsq, m.full, tsq)
	}
	full := m.query.FTS5(search.Title, search.Standfirst, search.Body)
	if m.all {
		return q.Where("search_docs.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)", full)
	}
	public := m.query.FTS5(search.Title, search.Standfirst, search.Preview)
	return q.Where(`CASE WHEN search_docs.access IN ?
		THEN search_docs.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)
		ELSE search_docs.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?) END`, m.full, full, public)
}

// searchBase is the live articles that match sq, with its filters: what a
// search ranks and counts. It reads the index alone (search_docs holds the
// columns it filters on), and on SQLite the full-text index drives it
// (every hit holds the query's positive words somewhere in its whole text).
func (r repo) searchBase(ctx context.Context, sq searchQuery, now time.Time) *gorm.DB {
	q := r.db.Read(ctx).Table("search_docs")
	if r.db.Dialect != store.Postgres {
		q = q.Joins("JOIN search_fts ON search_fts.rowid = search_docs.id").
			Where("search_fts MATCH ?", sq.query.FTS5Positive(search.Title, search.Standfirst, search.Body))
	}
	q = q.Where("search_docs.status IN ('published', 'scheduled') AND search_docs.published_ts <= ?", now.Unix())
	q = sq.whereOn(q, "search_docs", "search_docs.article_id")
	// Whole seconds, as published_ts: "from" includes its second.
	if sq.From != nil {
		q = q.Where("search_docs.published_ts >= ?", sq.From.Unix())
	}
	if sq.To != nil {
		q = q.Where("search_docs.published_ts < ?", sq.To.Unix())
	}
	m := match{query: sq.query, full: sq.full}
	if r.db.Dialect == store.Postgres {
		return r.whereMatches(q, m, false)
	}
	// The driver already holds every hit's positive words in its whole
	// text: without exclusions, that is the match of the articles the
	// caller reads in full, and only the others need their public
	// rendering checked (one scan of the index the fewer).
	driver := sq.query.FTS5Positive(search.Title, search.Standfirst, search.Body)
	if sq.query.FTS5(search.Title, search.Standfirst, search.Body) != driver {
		return r.whereMatches(q, m, false)
	}
	if len(sq.full) == len(allLevels) {
		return q
	}
	return q.Where(`(search_docs.access IN ?
		OR search_docs.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?))`,
		sq.full, sq.query.FTS5(search.Title, search.Standfirst, search.Preview))
}

// allLevels are the access levels an article may have.
var allLevels = []Access{AccessPublic, AccessRegistered, AccessSubscribers}

// scoreColumn is the ranking of search.go's comment: the tier, then the
// publication time in years.
func (r repo) scoreColumn(sq searchQuery) clause.Expr {
	if r.db.Dialect == store.Postgres {
		return gorm.Expr(`(search_docs.head_doc @@ ?::tsquery)::int + (search_docs.head_doc @@ ?::tsquery)::int
			+ search_docs.published_ts::float8 / ?::float8`,
			sq.query.TSQuery("A"), sq.query.TSQuery("AB"), secondsPerYear)
	}
	return gorm.Expr(`(search_docs.id IN (SELECT rowid FROM search_heads WHERE search_heads MATCH ?))
		+ (search_docs.id IN (SELECT rowid FROM search_heads WHERE search_heads MATCH ?))
		+ CAST(search_docs.published_ts AS REAL) / ?`,
		sq.query.FTS5Positive(search.Title), sq.query.FTS5Positive(search.Title, search.Standfirst), secondsPerYear)
}

// rankedRow is a row of search's one statement: a hit of the page (Kind
// "hit": ID and Score) or the count of the hits of one section and language
// (Kind "facet").
type rankedRow struct {
	Kind      string
	ID        *string
	Score     *float64
	SectionID *string
	Lang      *string
	N         int
}

// search returns a page of hits, best first, one more than asked for, with
// the summary columns and the body text the caller may read; and the
// number of hits of the whole search by section and language. The hits are
// found and ranked once, for both.
func (r repo) search(ctx context.Context, sq searchQuery, now time.Time) ([]hitRow, []facetRow, error) {
	hits := r.searchBase(ctx, sq, now).Select(
		"search_docs.article_id AS id, search_docs.section_id AS section_id, search_docs.lang AS lang, ? AS score",
		r.scoreColumn(sq))
	page := "SELECT id, score FROM hits"
	args := []any{hits}
	if sq.after != nil {
		page += " WHERE score < ? OR (score = ? AND id < ?)"
		args = append(args, sq.after.Score, sq.after.Score, sq.after.ID)
	}
	page += " ORDER BY score DESC, id DESC LIMIT ?"
	args = append(args, sq.Limit+1)
	var rows []rankedRow
	run := func(db *gorm.DB) error {
		return db.Raw(`WITH hits AS MATERIALIZED (?)
		SELECT 'hit' AS kind, id, score, CAST(NULL AS TEXT) AS section_id, CAST(NULL AS TEXT) AS lang, 0 AS n
		FROM (`+page+`) AS page
		UNION ALL
		SELECT 'facet', CAST(NULL AS TEXT), CAST(NULL AS DOUBLE PRECISION), section_id, lang, COUNT(*)
		FROM hits GROUP BY section_id, lang`, args...).Scan(&rows).Error
	}
	var err error
	if r.db.Dialect == store.Postgres {
		// The planner prices reading a tsvector as nothing, but the
		// bodies' are stored out of line: for a common word it would read
		// every row's and match it, where the GIN indexes name the hits
		// without reading one (1 s against 0.15 s for a word in a third of
		// 100,000 articles).
		err = r.db.Read(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
			return run(tx)
		})
	} else {
		err = run(r.db.Read(ctx))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	var (
		ranked []rankedRow
		counts []facetRow
	)
	for _, row := range rows {
		switch {
		case row.Kind == "hit" && row.ID != nil && row.Score != nil:
			ranked = append(ranked, row)
		case row.Kind == "facet" && row.Lang != nil:
			counts = append(counts, facetRow{SectionID: row.SectionID, Lang: *row.Lang, N: row.N})
		}
	}
	slices.SortFunc(ranked, func(a, b rankedRow) int {
		return cmp.Or(cmp.Compare(*b.Score, *a.Score), strings.Compare(*b.ID, *a.ID))
	})
	if len(ranked) == 0 {
		return []hitRow{}, counts, nil
	}
	ids := make([]string, len(ranked))
	for i, h := range ranked {
		ids[i] = *h.ID
	}
	var found []hitRow
	err = r.db.Read(ctx).Model(&articleRow{}).
		Select(strings.Join(summaryColumns, ", ")+", CASE WHEN access IN ? THEN body_text ELSE preview_text END AS readable", sq.full).
		Where("id IN ?", ids).Find(&found).Error
	if err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	byID := make(map[string]hitRow, len(found))
	for _, row := range found {
		byID[row.Article.ID] = row
	}
	out := make([]hitRow, 0, len(ranked))
	for _, h := range ranked {
		if row, ok := byID[*h.ID]; ok { // gone since: deleted in between
			row.Score = *h.Score
			out = append(out, row)
		}
	}
	return out, counts, nil
}

// staleRow is what indexing an article reads of it.
type staleRow struct {
	ID          string
	Version     int
	Lang        string
	SectionID   *string
	Access      string
	Status      string
	PublishedAt *time.Time
	Title       string
	Standfirst  string
	PreviewText string
	BodyText    string
}

// stale narrows q (over articles) to the articles whose index rows are
// missing or of another analysis version; all keeps every article.
func stale(q *gorm.DB, all bool) *gorm.DB {
	if all {
		return q
	}
	return q.Where("NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.article_id = articles.id AND d.analyzer = ?)", search.Version)
}

func (r repo) countStale(ctx context.Context, all bool) (int, error) {
	var n int64
	if err := stale(r.db.Read(ctx).Table("articles"), all).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count articles to index: %w", err)
	}
	return int(n), nil
}

// indexComplete tells whether every article has an index row of the
// current analysis version.
func (r repo) indexComplete(ctx context.Context) (bool, error) {
	var n struct{ Articles, Current int64 }
	err := r.db.Read(ctx).Raw(`SELECT (SELECT COUNT(*) FROM articles) AS articles,
		(SELECT COUNT(*) FROM search_docs WHERE analyzer = ?) AS current`, search.Version).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("count indexed articles: %w", err)
	}
	return n.Articles == n.Current, nil
}

// staleBatch reads the next n articles to index, by id, after id after.
func (r repo) staleBatch(ctx context.Context, all bool, after string, n int) ([]staleRow, error) {
	var rows []staleRow
	err := stale(r.db.Read(ctx).Table("articles"), all).
		Select("id", "version", "lang", "section_id", "access", "status", "published_at", "title", "standfirst", "preview_text", "body_text").
		Where("id > ?", after).Order("id").Limit(n).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read articles to index: %w", err)
	}
	return rows, nil
}
