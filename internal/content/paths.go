package content

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"masthead/internal/fault"
)

// Old links. An import records the paths of the old site (permalinks,
// `/?p=8`, category and tag archives, attachment pages) and what each is
// now; Resolve tells a frontend what an old path is, so that the
// publisher's site can answer 301 instead of 404.

// Kinds name what an imported record became (external references), what a
// legacy path leads to, and what a path resolves to.
const (
	KindArticle = "article"
	KindSection = "section"
	KindTag     = "tag"
	KindAuthor  = "author"  // external references only
	KindPhoto   = "photo"   // external references, paths, resolutions
	KindComment = "comment" // external references only
	// KindTranslation is an external reference to a group of
	// translations; its target is the group's translation key.
	KindTranslation = "translation"
	// KindGone is a legacy path that leads nowhere any more: it resolves
	// as gone.
	KindGone = "gone"
)

// MaxPathBytes is the longest path CanonicalPath accepts.
const MaxPathBytes = 2048

// pathQueryKeys are the query parameters a canonical path keeps, in the
// order one is chosen when several are given: WordPress's plain links to
// a post, a page, an attachment page and a category archive.
var pathQueryKeys = []string{"p", "page_id", "attachment_id", "cat", "tag"}

// CanonicalPath is the one form under which a path of the old site is
// recorded (PutPaths, ImportedArticle.Paths) and looked up (Resolve), so
// that every spelling of a link finds it:
//
//   - surrounding white space is trimmed, and the path must then start
//     with "/", be at most MaxPathBytes bytes, and be UTF-8;
//   - the fragment (#…) is dropped;
//   - percent-escapes are decoded (%2F too), and the result must be
//     UTF-8 without control characters;
//   - the text is put in Unicode NFC and lower case (WordPress finds its
//     slugs whatever their case);
//   - dot segments and repeated slashes are resolved and a trailing slash
//     removed ("/2026/03/slug/" is "/2026/03/slug"; the root stays "/");
//   - "%", "?", "#" and white space in the decoded text are escaped again
//     (upper-case hex), so that the canonical form is unambiguous and
//     CanonicalPath(CanonicalPath(p)) == CanonicalPath(p);
//   - the query is dropped, but for one of WordPress's plain links:
//     p=N, page_id=N, attachment_id=N or cat=N (N a positive integer, kept
//     without leading zeros) or tag=SLUG (decoded, NFC, lower case, and
//     escaped again); the first of them in that order when there are
//     several, kept as "?p=N"; "/index.php?p=N" is "/?p=N".
//
// The error says what is wrong with the path, in words that follow the
// parameter's name ("must start with /").
func CanonicalPath(raw string) (string, error) {
	if len(raw) > MaxPathBytes {
		return "", fmt.Errorf("must be at most %d bytes", MaxPathBytes)
	}
	if !utf8.ValidString(raw) {
		return "", errors.New("must be UTF-8")
	}
	p := strings.TrimSpace(raw)
	if p == "" {
		return "", errors.New("is required")
	}
	if p[0] != '/' {
		return "", errors.New("must start with /")
	}
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	query := ""
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p, query = p[:i], p[i+1:]
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		return "", errors.New("has a malformed percent-escape")
	}
	if !utf8.ValidString(dec) {
		return "", errors.New("must be UTF-8 once its percent-escapes are decoded")
	}
	for _, r := range dec {
		if unicode.IsControl(r) {
			return "", errors.New("must not hold control characters")
		}
	}
	dec = norm.NFC.String(strings.ToLower(norm.NFC.String(dec)))
	out := escapePathText(path.Clean(dec))
	if q := canonicalQuery(query); q != "" {
		if out == "/index.php" {
			out = "/"
		}
		out += "?" + q
	}
	return out, nil
}

// escapePathText escapes what would make a decoded path ambiguous, or be
// trimmed or cut by CanonicalPath if it read it again.
func escapePathText(s string) string {
	if !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !needsEscape(r) {
			b.WriteRune(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool { return r == '%' || r == '?' || r == '#' || unicode.IsSpace(r) }

// canonicalQuery keeps one of pathQueryKeys with a positive integer value.
func canonicalQuery(q string) string {
	if q == "" {
		return ""
	}
	found := map[string]string{}
	for part := range strings.SplitSeq(q, "&") {
		k, v, _ := strings.Cut(part, "=")
		k, err := url.QueryUnescape(k)
		if err != nil || !slices.Contains(pathQueryKeys, k) || found[k] != "" {
			continue
		}
		v, err = url.QueryUnescape(v)
		if k == "tag" {
			if v = norm.NFC.String(strings.ToLower(norm.NFC.String(strings.TrimSpace(v)))); err == nil && v != "" && len(v) <= 200 &&
				utf8.ValidString(v) && !strings.ContainsFunc(v, unicode.IsControl) {
				found[k] = url.QueryEscape(v)
			}
			continue
		}
		if err != nil || v == "" || len(v) > 19 || strings.Trim(v, "0123456789") != "" {
			continue
		}
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && n > 0 {
			found[k] = strconv.FormatUint(n, 10)
		}
	}
	for _, k := range pathQueryKeys {
		if n := found[k]; n != "" {
			return k + "=" + n
		}
	}
	return ""
}

// LegacyPath is a path of the old site and what it leads to now.
type LegacyPath struct {
	Path     string // any spelling: stored in its CanonicalPath form
	Kind     string // KindArticle, KindSection, KindTag, KindPhoto or KindGone
	TargetID string // the article's, section's, tag's or photo's id; empty for KindGone
	Source   string // where it comes from ("wordpress:https://courrier.example")
}

// legacyPathRow mirrors migrations/*/00013_imports.sql.
type legacyPathRow struct {
	Path      string `gorm:"primaryKey"`
	Kind      string
	TargetID  string
	Source    string
	CreatedAt time.Time
}

func (legacyPathRow) TableName() string { return "legacy_paths" }

// PutPaths records where old paths lead, in one transaction: a path
// recorded before is pointed at its new target (the last write wins), so
// that recording the same paths again changes nothing. A path that
// CanonicalPath refuses, an unknown kind, or a target missing (or given to
// a gone path) is an invalid fault naming the entry ("paths[2]"), and
// nothing is written. Targets are not checked: one deleted since resolves
// as gone.
func (s *Service) PutPaths(ctx context.Context, list []LegacyPath) error {
	rows, err := s.pathRows(list)
	if err != nil || len(rows) == 0 {
		return err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error { return putPathRows(tx, rows) })
	s.changed()
	if err != nil {
		return fmt.Errorf("record %d paths: %w", len(rows), err)
	}
	return nil
}

// PutPathsTx is PutPaths inside the caller's transaction tx (an
// ImportedArticle's Within hook: the photos of a post and their attachment
// pages). Outside ImportArticle, which does it itself, call Changed after
// the commit so that caches forget what they resolved.
func (s *Service) PutPathsTx(tx *gorm.DB, list []LegacyPath) error {
	rows, err := s.pathRows(list)
	if err != nil || len(rows) == 0 {
		return err
	}
	if err := putPathRows(tx, rows); err != nil {
		return fmt.Errorf("record %d paths: %w", len(rows), err)
	}
	return nil
}

// Changed marks everything cached above the service stale, and the
// sections it keeps itself, and tells the other processes, as every write
// through the service does: call it after committing a transaction that
// wrote through one of the *Tx methods outside ImportArticle.
func (s *Service) Changed() { s.invalidateSections() }

// pathRows checks list and turns it into rows, one per canonical path (the
// last entry wins).
func (s *Service) pathRows(list []LegacyPath) ([]legacyPathRow, error) {
	now := s.Now()
	var errs []fault.FieldError
	at := map[string]int{}
	var rows []legacyPathRow
	for i, lp := range list {
		field := fmt.Sprintf("paths[%d]", i)
		p, err := CanonicalPath(lp.Path)
		if err != nil {
			errs = append(errs, fault.Field(field, err.Error()))
			continue
		}
		switch {
		case lp.Kind == KindGone && lp.TargetID != "":
			errs = append(errs, fault.Field(field, "a gone path has no target"))
			continue
		case lp.Kind == KindGone:
		case lp.Kind != KindArticle && lp.Kind != KindSection && lp.Kind != KindTag && lp.Kind != KindPhoto:
			errs = append(errs, fault.Field(field, "kind must be article, section, tag, photo or gone"))
			continue
		case lp.TargetID == "":
			errs = append(errs, fault.Field(field, "needs a target id"))
			continue
		}
		row := legacyPathRow{Path: p, Kind: lp.Kind, TargetID: lp.TargetID, Source: lp.Source, CreatedAt: now}
		if j, ok := at[p]; ok {
			rows[j] = row
			continue
		}
		at[p] = len(rows)
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	return rows, nil
}

// putPathRows upserts rows (distinct paths) in tx; a path keeps the time it
// was first recorded.
func putPathRows(tx *gorm.DB, rows []legacyPathRow) error {
	for chunk := range slices.Chunk(rows, 500) {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "path"}},
			DoUpdates: clause.AssignmentColumns([]string{"kind", "target_id", "source"}),
		}).Create(&chunk).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// Resolution is what an old path is now. Every resolution is public: an
// article is live, and a target that is not (a draft, a deleted article,
// a gone path) is a gone fault instead, which says nothing of it.
type Resolution struct {
	Path string // the canonical path
	Kind string // KindArticle, KindSection, KindTag or KindPhoto
	ID   string
	Slug string // article, section and tag
	Lang string // article
	// SectionPath is a section's slug and its ancestors', the top-level
	// one first (section only).
	SectionPath []string
	// CanonicalURL is where the publisher's site shows the article now
	// (article only).
	CanonicalURL string
}

var (
	errUnknownPath = fault.NotFound("the site had no page at this path, or it was not imported")
	errGonePath    = fault.Gone("the page at this path is no longer published")
)

// Resolve says what path (any spelling, see CanonicalPath) leads to now.
// The recorded legacy paths come first. A path that none names and that
// has the form of the site's own article URLs, "/<lang>/<slug>" after the
// path of the public URL (see CanonicalURL), finds the article with that
// slug in that language, or that had it (the old slugs an editor's rename
// left redirecting). Otherwise the path is a not-found fault. What a path
// leads to that the public may not see (a draft, a scheduled article
// whose time has not come, an unpublished or deleted article, a deleted
// section, tag or photo, a gone path) is a gone fault: the answer never
// tells more of it. An invalid path is an invalid fault on "path".
func (s *Service) Resolve(ctx context.Context, raw string) (Resolution, error) {
	p, err := CanonicalPath(raw)
	if err != nil {
		return Resolution{}, fault.Invalid(fault.Field("path", err.Error()))
	}
	var rows []resolveRow
	err = s.db.Read(ctx).Raw(`SELECT lp.kind, lp.target_id, a.id AS article_id, a.lang, a.slug, a.status, a.published_at
		FROM legacy_paths lp LEFT JOIN articles a ON lp.kind = 'article' AND a.id = lp.target_id
		WHERE lp.path = ?`, p).Scan(&rows).Error
	if err != nil {
		return Resolution{}, fmt.Errorf("resolve %s: %w", p, err)
	}
	if len(rows) == 1 {
		return s.resolveTarget(ctx, p, rows[0])
	}
	lang, slug, ok := s.articlePath(p)
	if !ok {
		return Resolution{}, errUnknownPath
	}
	var found []resolveRow
	err = s.db.Read(ctx).Raw(`SELECT 'article' AS kind, a.id AS target_id, a.id AS article_id, a.lang, a.slug, a.status, a.published_at
		FROM articles a WHERE a.id = COALESCE(
			(SELECT id FROM articles WHERE lang = ? AND slug = ?),
			(SELECT article_id FROM article_slugs WHERE lang = ? AND slug = ?))`, lang, slug, lang, slug).Scan(&found).Error
	if err != nil {
		return Resolution{}, fmt.Errorf("resolve %s: %w", p, err)
	}
	if len(found) != 1 {
		return Resolution{}, errUnknownPath
	}
	return s.resolveTarget(ctx, p, found[0])
}

// resolveRow is a legacy path with the columns of its article, when it
// leads to one that exists.
type resolveRow struct {
	Kind        string
	TargetID    string
	ArticleID   *string
	Lang        *string
	Slug        *string
	Status      *string
	PublishedAt *time.Time
}

// resolveTarget finds what row leads to, as Resolve says.
func (s *Service) resolveTarget(ctx context.Context, p string, row resolveRow) (Resolution, error) {
	r := Resolution{Path: p, Kind: row.Kind, ID: row.TargetID}
	switch row.Kind {
	case KindArticle:
		if row.ArticleID == nil || !visible(Status(*row.Status), row.PublishedAt, s.Now()) {
			return Resolution{}, errGonePath
		}
		r.Lang, r.Slug = *row.Lang, *row.Slug
		r.CanonicalURL = s.CanonicalURL(Article{Lang: r.Lang, Slug: r.Slug})
		return r, nil
	case KindSection:
		_, by, err := s.sectionCache(ctx)
		if err != nil {
			return Resolution{}, err
		}
		sections := sectionPath(by, row.TargetID)
		if len(sections) == 0 {
			return Resolution{}, errGonePath
		}
		for _, sec := range sections {
			r.SectionPath = append(r.SectionPath, sec.Slug)
		}
		r.Slug = sections[len(sections)-1].Slug
		return r, nil
	case KindTag:
		var t tagRow
		err := s.db.Read(ctx).Select("id", "slug").Where("id = ?", row.TargetID).Take(&t).Error
		if err = notFound(err); errors.Is(err, ErrNotFound) {
			return Resolution{}, errGonePath
		} else if err != nil {
			return Resolution{}, fmt.Errorf("resolve %s: %w", p, err)
		}
		r.Slug = t.Slug
		return r, nil
	case KindPhoto:
		var n int64
		if err := s.db.Read(ctx).Model(&photoRow{}).Where("id = ?", row.TargetID).Count(&n).Error; err != nil {
			return Resolution{}, fmt.Errorf("resolve %s: %w", p, err)
		}
		if n == 0 {
			return Resolution{}, errGonePath
		}
		return r, nil
	}
	return Resolution{}, errGonePath
}

// articlePath reads "/<lang>/<slug>" out of a canonical path, under the
// path of the public URL.
func (s *Service) articlePath(p string) (lang, slug string, ok bool) {
	rest, ok := strings.CutPrefix(p, s.sitePath+"/")
	if !ok {
		return "", "", false
	}
	lang, slug, ok = strings.Cut(rest, "/")
	if !ok || !validLang(lang) || !validSlug(slug) {
		return "", "", false
	}
	return lang, slug, true
}

// sitePathOf is the canonical path of the public URL, without its trailing
// slash ("" at the root of its host).
func sitePathOf(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil || u.Path == "" {
		return ""
	}
	p, err := CanonicalPath(u.Path)
	if err != nil || p == "/" || strings.Contains(p, "?") {
		return ""
	}
	return p
}
