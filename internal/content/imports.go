package content

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"masthead/internal/fault"
)

// Imports: what another system published (masthead import wordpress)
// brought in through the same writes as the newsroom's, so that the change
// log, webhooks, the search index and caches see imported articles like
// any other. Each record remembers where it came from (external_refs:
// source, kind, external id → the row it became, and the importer's digest
// of what it wrote), so that a second run skips what did not change,
// updates what did, and recreates what was deleted since.

// ExternalRef is where a record of another system went here.
type ExternalRef struct {
	// Source names the system and the site ("wordpress:https://courrier.example").
	Source string
	// Kind is KindArticle, KindPhoto, KindComment, KindSection, KindTag,
	// KindAuthor or KindTranslation.
	Kind       string
	ExternalID string // the record's id there ("8")
	TargetID   string // the row it became here
	Digest     string // the importer's hash of what it wrote last
}

// externalRefRow mirrors migrations/*/00013_imports.sql.
type externalRefRow struct {
	Source     string `gorm:"primaryKey"`
	Kind       string `gorm:"primaryKey"`
	ExternalID string `gorm:"primaryKey"`
	TargetID   string
	Digest     string
	UpdatedAt  time.Time
}

func (externalRefRow) TableName() string { return "external_refs" }

func validRefKind(k string) bool {
	switch k {
	case KindArticle, KindPhoto, KindComment, KindSection, KindTag, KindAuthor, KindTranslation:
		return true
	}
	return false
}

// errNoRef is the not-found of ExternalRef.
var errNoRef = fault.NotFound("no record of this source has been imported under this id")

// ExternalRef returns the id of the row a record of another system became,
// and the digest stored with it; a not-found fault when none was recorded.
// The row itself may have been deleted since.
func (s *Service) ExternalRef(ctx context.Context, source, kind, externalID string) (targetID, digest string, err error) {
	row, err := externalRef(s.db.Read(ctx), source, kind, externalID)
	if err != nil {
		return "", "", err
	}
	return row.TargetID, row.Digest, nil
}

func externalRef(q *gorm.DB, source, kind, externalID string) (externalRefRow, error) {
	var row externalRefRow
	err := q.Where("source = ? AND kind = ? AND external_id = ?", source, kind, externalID).Take(&row).Error
	if err = notFound(err); errors.Is(err, ErrNotFound) {
		return row, errNoRef
	} else if err != nil {
		return row, fmt.Errorf("read reference %s %s %s: %w", source, kind, externalID, err)
	}
	return row, nil
}

// PutExternalRef records (or moves) where a record of another system went:
// the sections, tags, authors and photos an importer creates with
// CreateSection, CreateTag, CreateAuthor and CreatePhoto. ImportArticle
// records its articles itself.
func (s *Service) PutExternalRef(ctx context.Context, ref ExternalRef) error {
	return s.PutExternalRefTx(s.db.Write(ctx), ref)
}

// PutExternalRefTx is PutExternalRef inside the caller's transaction tx
// (an ImportedArticle's Within hook). References change nothing a reader
// sees: no cache needs telling.
func (s *Service) PutExternalRefTx(tx *gorm.DB, ref ExternalRef) error {
	var errs []fault.FieldError
	if ref.Source == "" {
		errs = append(errs, fault.Field("source", "is required"))
	}
	if !validRefKind(ref.Kind) {
		errs = append(errs, fault.Field("kind", "must be article, photo, comment, section, tag, author or translation"))
	}
	if ref.ExternalID == "" {
		errs = append(errs, fault.Field("external_id", "is required"))
	}
	if ref.TargetID == "" {
		errs = append(errs, fault.Field("target_id", "is required"))
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	if err := putRef(tx, ref, s.Now()); err != nil {
		return fmt.Errorf("record reference %s %s %s: %w", ref.Source, ref.Kind, ref.ExternalID, err)
	}
	return nil
}

func putRef(tx *gorm.DB, ref ExternalRef, now time.Time) error {
	row := externalRefRow{Source: ref.Source, Kind: ref.Kind, ExternalID: ref.ExternalID,
		TargetID: ref.TargetID, Digest: ref.Digest, UpdatedAt: now}
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "source"}, {Name: "kind"}, {Name: "external_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"target_id", "digest", "updated_at"}),
	}).Create(&row).Error
}

// ImportEditor is the editor named in the revisions of imported articles
// when ImportedArticle.Editor is empty.
const ImportEditor = "import"

// What ImportArticle did.
const (
	ImportCreated   = "created"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
)

// ImportedArticle is an article of another system, as ImportArticle takes
// it.
type ImportedArticle struct {
	Source     string // see ExternalRef
	ExternalID string
	// Digest is the importer's hash of everything it writes for this
	// article, Within's writes and Paths included: with the digest stored,
	// the article is "unchanged" and nothing is written, Within not
	// called. An empty digest never matches.
	Digest string
	// Input is the article, as the newsroom would create it, with these
	// differences:
	//   - Input.Slug may be any text (WordPress's decoded UTF-8 slugs):
	//     a valid slug is kept, anything else goes through Slugify, and
	//     an empty one is made from the title; a slug another article
	//     holds in the language (now or as an old slug) gets -2, -3…;
	//   - Status may be any of the four; a scheduled article whose
	//     PublishAt has passed is stored published at that time, and a
	//     published one whose PublishAt is to come is scheduled; draft
	//     and unpublished articles ignore PublishAt (a draft keeps the
	//     publication time it already had, as in the newsroom);
	//   - Input.TranslationKey is not read: TranslationGroup links
	//     translations;
	//   - references are ids (SectionID, PhotoID, TagIDs, AuthorIDs),
	//     each checked: one that names nothing, or is listed twice, is an
	//     invalid fault naming it ("tag_ids[2]");
	//   - Input.Featured marks WordPress's sticky posts;
	//   - as in the newsroom, the language is fixed when the article is
	//     created: an update keeps it whatever Input.Lang says.
	Input ArticleInput
	// CreatedAt and UpdatedAt are the original dates (zero: now). A
	// created article keeps both. An update takes UpdatedAt when it is
	// later than the stored updated_at (and not in the future), and now
	// otherwise (a change of the mapping alone): updated_at only moves
	// forward, so that clients revalidating with If-Modified-Since see
	// the change.
	CreatedAt, UpdatedAt time.Time
	// Paths are the old site's paths of the article (any spelling, see
	// CanonicalPath), recorded as legacy paths leading to it; paths
	// recorded by earlier runs stay (an old permalink keeps working).
	Paths []string
	// TranslationGroup names the article's group of translations in the
	// source (Polylang's): every article imported with the same source
	// and group shares one translation key, whichever comes first. An
	// article whose language the group already has (another article's)
	// stays out of it: ImportOutcome.Ungrouped. Empty: a new article
	// starts its own group; an updated one keeps its group.
	TranslationGroup string
	// Editor is named in the revisions (empty: ImportEditor).
	Editor string
	// Within, when not nil, runs in the article's transaction once the
	// article row is written (created or updated), with its id: the
	// post's comments (comments.Service.ImportTx), the attachment pages
	// of its photos (PutPathsTx) and other references (PutExternalRefTx)
	// go in the same commit. It must write through tx only: on SQLite a
	// write outside it waits for this transaction, for ever. What the
	// article references (featured photo, photos of the body, section,
	// tags, authors) must exist before: they are checked first. An error
	// rolls everything back: no article, no reference, no path, no
	// change-log entry.
	Within func(tx *gorm.DB, articleID string) error
}

// ImportOutcome is what ImportArticle did.
type ImportOutcome struct {
	ID     string
	Slug   string // the slug the article has now
	Action string // ImportCreated, ImportUpdated or ImportUnchanged
	// SlugChanged: Input.Slug was given and is not the slug stored (it
	// was transliterated, or taken in the language and suffixed).
	SlugChanged bool
	// Recreated: the article imported before had been deleted since; it
	// was created again, under a new id.
	Recreated bool
	// Ungrouped: TranslationGroup already had an article in this
	// language, so this one was left out of the group.
	Ungrouped bool
}

// importAttempts bounds the rounds of an import that a newsroom save of
// the same article keeps overtaking.
const importAttempts = 3

// ImportArticle creates or updates the article a record of another system
// became, keyed by (Source, KindArticle, ExternalID):
//
//   - never imported: created as the newsroom creates an article
//     (validation, slug rules, xmlchar cleaning, rendering, search index,
//     first revision, change log when it is public at once, and so
//     webhooks), "created";
//   - imported with the same Digest: nothing is written, "unchanged";
//   - imported with another digest: saved as a newsroom update (a new
//     version and revision, the old slug kept redirecting, change log),
//     "updated";
//   - imported, but the article was deleted since: created again,
//     "created" with Recreated.
//
// The article, its reference and digest, its Paths, Within's writes and
// the change log's entry are one transaction. Invalid input is an invalid
// fault naming the fields, as the newsroom's writes; nothing is written.
// Caches are told after the commit, as for every write.
func (s *Service) ImportArticle(ctx context.Context, im ImportedArticle) (ImportOutcome, error) {
	var errs []fault.FieldError
	if im.Source == "" {
		errs = append(errs, fault.Field("source", "is required"))
	}
	if im.ExternalID == "" {
		errs = append(errs, fault.Field("external_id", "is required"))
	}
	paths := make([]LegacyPath, len(im.Paths))
	for i, p := range im.Paths {
		paths[i] = LegacyPath{Path: p, Kind: KindArticle, TargetID: "-", Source: im.Source}
	}
	if _, err := s.pathRows(paths); err != nil {
		if errs, err = fault.Collect(errs, err); err != nil {
			return ImportOutcome{}, err
		}
	}
	if len(errs) > 0 {
		return ImportOutcome{}, fault.Invalid(errs...)
	}
	if im.Editor == "" {
		im.Editor = ImportEditor
	}
	for attempt := 1; ; attempt++ {
		out, err := s.importOnce(ctx, im, paths)
		if !errors.Is(err, ErrStale) || attempt == importAttempts {
			if err != nil {
				return ImportOutcome{}, fmt.Errorf("import %s %s: %w", im.Source, im.ExternalID, err)
			}
			return out, nil
		}
	}
}

func (s *Service) importOnce(ctx context.Context, im ImportedArticle, paths []LegacyPath) (ImportOutcome, error) {
	ref, err := externalRef(s.db.Read(ctx), im.Source, KindArticle, im.ExternalID)
	if errors.Is(err, ErrNotFound) {
		return s.importCreate(ctx, im, paths, false)
	}
	if err != nil {
		return ImportOutcome{}, err
	}
	if !IsID(ref.TargetID) {
		return s.importCreate(ctx, im, paths, true)
	}
	cur, err := s.current(ctx, ref.TargetID)
	if errors.Is(err, ErrNotFound) {
		return s.importCreate(ctx, im, paths, true)
	}
	if err != nil {
		return ImportOutcome{}, err
	}
	if im.Digest != "" && ref.Digest == im.Digest {
		return ImportOutcome{ID: cur.ID, Slug: cur.Slug, Action: ImportUnchanged}, nil
	}
	return s.importUpdate(ctx, im, paths, cur)
}

// importInput is im.Input with the import's rules applied (see
// ImportedArticle.Input), for the service's checks.
func importInput(in ArticleInput, now time.Time) ArticleInput {
	in.TranslationKey = ""
	switch in.Status {
	case StatusScheduled:
		if in.PublishAt != nil && !in.PublishAt.After(now) {
			in.Status = StatusPublished
		}
	case StatusPublished:
		if in.PublishAt != nil && in.PublishAt.After(now) {
			in.Status = StatusScheduled
		}
	case StatusDraft, StatusUnpublished:
		in.PublishAt = nil
	}
	switch {
	case in.Slug == "":
		in.Slug = Slugify(in.Title, in.Lang)
	case !validSlug(in.Slug):
		in.Slug = Slugify(in.Slug, in.Lang)
	}
	return in
}

// importCreate creates the article of im (recreate: its earlier one was
// deleted).
func (s *Service) importCreate(ctx context.Context, im ImportedArticle, paths []LegacyPath, recreate bool) (ImportOutcome, error) {
	now := s.Now()
	in := importInput(im.Input, now)
	var errs []fault.FieldError
	if _, _, fe := schedule(nil, in.Status, in.PublishAt, now); fe != nil {
		errs = append(errs, fe...)
	}
	fe, err := s.checkRefIDs(ctx, in)
	if err != nil {
		return ImportOutcome{}, err
	}
	errs = append(errs, fe...)
	if fe, err = s.checkBodyPhotos(ctx, in.Body); err != nil {
		return ImportOutcome{}, err
	}
	errs = append(errs, fe...)
	in.clean()
	if errs, err = fault.Collect(errs, in.validate()); err != nil {
		return ImportOutcome{}, err
	}
	if len(errs) > 0 {
		return ImportOutcome{}, fault.Invalid(errs...)
	}
	a, err := s.newArticle(in)
	if err != nil {
		return ImportOutcome{}, err
	}
	a.CreatedAt = importTime(im.CreatedAt, now)
	a.UpdatedAt = importTime(im.UpdatedAt, a.CreatedAt)
	if a.UpdatedAt.Before(a.CreatedAt) {
		a.UpdatedAt = a.CreatedAt
	}
	out := ImportOutcome{ID: a.ID, Action: ImportCreated, Recreated: recreate}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		key, ungrouped, err := s.groupKey(tx, im, a.ID, a.Lang, a.ID)
		if err != nil {
			return err
		}
		a.TranslationKey, out.Ungrouped = key, ungrouped
		if a.Slug, err = uniqueSlug(tx, a.Lang, in.Slug, a.ID); err != nil {
			return err
		}
		if err := insertArticle(tx, s.db.Dialect, a, in.TagIDs, in.AuthorIDs); err != nil {
			return err
		}
		rev := a
		rev.UpdatedAt = now
		if err := insertRevision(tx, rev, in.TagIDs, in.AuthorIDs, im.Editor, ActionCreate); err != nil {
			return err
		}
		if err := s.importRecords(tx, im, paths, a.ID, now); err != nil {
			return err
		}
		if a.Status != StatusPublished || !visible(a.Status, a.PublishedAt, now) {
			return nil
		}
		// Logged at the time of the import, whatever the original dates:
		// the log's order is the order things happened here.
		return recordChange(tx, s.db.Dialect, Change{
			ArticleID: a.ID, Kind: ChangePublished, Lang: a.Lang, Version: a.Version, At: now,
		})
	})
	s.changed()
	if err != nil {
		return ImportOutcome{}, fmt.Errorf("create article %s: %w", in.Slug, err)
	}
	out.Slug = a.Slug
	out.SlugChanged = im.Input.Slug != "" && im.Input.Slug != a.Slug
	return out, nil
}

// importUpdate saves im over cur, the article an earlier run created.
func (s *Service) importUpdate(ctx context.Context, im ImportedArticle, paths []LegacyPath, cur Article) (ImportOutcome, error) {
	now := s.Now()
	in := importInput(im.Input, now)
	tags, authors, body := nonNilIDs(in.TagIDs), nonNilIDs(in.AuthorIDs), in.Body
	p := ArticlePatch{
		Title: &in.Title, Standfirst: &in.Standfirst, Slug: &in.Slug,
		SectionID: &in.SectionID, PhotoID: &in.PhotoID, Source: &in.Source, Access: &in.Access,
		CommentsEnabled: &in.CommentsEnabled, Featured: &in.Featured,
		TagIDs: &tags, AuthorIDs: &authors, Body: &body, Status: &in.Status, PublishAt: in.PublishAt,
		PreviewBreak: in.PreviewBreak, ClearPreviewBreak: in.PreviewBreak == nil,
	}
	ps, err := s.prepareSave(cur, p, cur.Version)
	if err != nil {
		return ImportOutcome{}, err
	}
	fe, err := s.checkRefIDs(ctx, in)
	if err != nil {
		return ImportOutcome{}, err
	}
	ps.errs = append(ps.errs, fe...)
	if err := s.checkSave(ctx, &ps); err != nil {
		return ImportOutcome{}, err
	}
	if t := importTime(im.UpdatedAt, time.Time{}); t.After(cur.UpdatedAt) && !t.After(now) {
		ps.a.UpdatedAt = t
	}
	out := ImportOutcome{ID: cur.ID, Action: ImportUpdated}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		key, ungrouped, err := s.groupKey(tx, im, cur.ID, cur.Lang, cur.TranslationKey)
		if err != nil {
			return err
		}
		ps.a.TranslationKey, out.Ungrouped = key, ungrouped
		if ps.a.Slug, err = uniqueSlug(tx, cur.Lang, in.Slug, cur.ID); err != nil {
			return err
		}
		return s.writeSave(tx, ps, im.Editor, ActionUpdate, func(tx *gorm.DB) error {
			return s.importRecords(tx, im, paths, cur.ID, now)
		})
	})
	s.changed()
	if err != nil {
		return ImportOutcome{}, fmt.Errorf("update article %s: %w", cur.ID, err)
	}
	out.Slug = ps.a.Slug
	out.SlugChanged = im.Input.Slug != "" && im.Input.Slug != ps.a.Slug
	return out, nil
}

// importRecords writes, in the article's transaction, its reference with
// the new digest, its paths, and then runs Within.
func (s *Service) importRecords(tx *gorm.DB, im ImportedArticle, paths []LegacyPath, id string, now time.Time) error {
	err := putRef(tx, ExternalRef{Source: im.Source, Kind: KindArticle, ExternalID: im.ExternalID, TargetID: id, Digest: im.Digest}, now)
	if err != nil {
		return fmt.Errorf("record reference: %w", err)
	}
	for i := range paths {
		paths[i].TargetID = id
	}
	if err := s.PutPathsTx(tx, paths); err != nil {
		return err
	}
	if im.Within != nil {
		return im.Within(tx, id)
	}
	return nil
}

// groupKey returns the translation key of the article id in lang, in tx:
// its TranslationGroup's (recorded with id's own id as the key when the
// group is new), or own when it has no group or when the group already has
// another article in lang (ungrouped).
func (s *Service) groupKey(tx *gorm.DB, im ImportedArticle, id, lang, own string) (key string, ungrouped bool, err error) {
	if im.TranslationGroup == "" {
		return own, false, nil
	}
	ref, err := externalRef(tx, im.Source, KindTranslation, im.TranslationGroup)
	if errors.Is(err, ErrNotFound) {
		ref := ExternalRef{Source: im.Source, Kind: KindTranslation, ExternalID: im.TranslationGroup, TargetID: id}
		if err := putRef(tx, ref, s.Now()); err != nil {
			return "", false, fmt.Errorf("record translation group: %w", err)
		}
		return id, false, nil
	}
	if err != nil {
		return "", false, err
	}
	// The group's few articles, by the translation index alone: with the
	// language in the condition, SQLite's planner took a language index
	// and counted through every article in that language (the import
	// slowed as the archive grew).
	var members []struct{ ID, Lang string }
	err = tx.Model(&articleRow{}).Select("id", "lang").Where("translation_key = ?", ref.TargetID).Scan(&members).Error
	if err != nil {
		return "", false, fmt.Errorf("check translations: %w", err)
	}
	for _, m := range members {
		if m.Lang == lang && m.ID != id {
			return own, true, nil
		}
	}
	return ref.TargetID, false, nil
}

// checkRefIDs reports the references of in that name nothing, or that are
// listed twice: the importer passes ids, where the newsroom's writes pass
// slugs through ResolveRefs.
func (s *Service) checkRefIDs(ctx context.Context, in ArticleInput) ([]fault.FieldError, error) {
	var errs []fault.FieldError
	if in.SectionID != "" {
		_, by, err := s.sectionCache(ctx)
		if err != nil {
			return nil, err
		}
		if _, ok := by[in.SectionID]; !ok {
			errs = append(errs, fault.Field("section_id", "no section has this id"))
		}
	}
	if in.PhotoID != "" {
		found, err := s.repo.photos(ctx, []string{in.PhotoID})
		if err != nil {
			return nil, err
		}
		if _, ok := found[in.PhotoID]; !ok {
			errs = append(errs, fault.Field("photo_id", "no photo has this id"))
		}
	}
	for _, list := range []struct {
		field, kind string
		ids         []string
		model       any
	}{
		{"tag_ids", "tag", in.TagIDs, &tagRow{}},
		{"author_ids", "author", in.AuthorIDs, &authorRow{}},
	} {
		if len(list.ids) == 0 {
			continue
		}
		var found []string
		if err := s.db.Read(ctx).Model(list.model).Where("id IN ?", list.ids).Pluck("id", &found).Error; err != nil {
			return nil, fmt.Errorf("check %ss: %w", list.kind, err)
		}
		for i, id := range list.ids {
			field := fmt.Sprintf("%s[%d]", list.field, i)
			switch {
			case slices.Contains(list.ids[:i], id):
				errs = append(errs, fault.Field(field, "is listed twice"))
			case !slices.Contains(found, id):
				errs = append(errs, fault.Field(field, "no "+list.kind+" has this id"))
			}
		}
	}
	return errs, nil
}

// importTime is t in UTC at the databases' precision, or def when t is
// zero.
func importTime(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t.UTC().Truncate(time.Microsecond)
}
