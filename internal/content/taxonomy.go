package content

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/slug"
	"gorm.io/gorm"

	"masthead/internal/fault"
	"masthead/internal/xmlchar"
)

// Newsroom writes of sections, tags and authors.
//
// Each row has a version, moved by one on every write. Callers pass the
// version they read to refuse a write over a newer one (ErrStale), or 0 to
// write regardless.

// Bounds of taxonomy fields, in characters.
const (
	MaxTaxonomyName = 200
	MaxAuthorBio    = 10_000
)

// inUse is the conflict of deleting a section, tag or author that articles
// (or child sections) still use.
func inUse(kind string, articles, children int64) error {
	msg := fmt.Sprintf("the %s is used by %d article(s)", kind, articles)
	if kind == "section" {
		msg += fmt.Sprintf(" and has %d child section(s)", children)
	}
	return fault.Conflict(msg + "; move or remove them first")
}

// slugTakenBy is the conflict of a write whose slug another section, tag or
// author already has.
func slugTakenBy(kind, slug string) error {
	return fault.Conflict(fmt.Sprintf("another %s already has the slug %q", kind, slug))
}

// LangName is a section's name in one language.
type LangName struct {
	Lang, Name string
}

// SectionInput describes a new section.
type SectionInput struct {
	// Slug is generated from the first name when empty.
	Slug string
	// Names in the order the caller gave them; at least one.
	Names []LangName
	// Parent is the parent section's slug; empty for a top-level section.
	Parent   string
	Position int
}

// SectionPatch changes a section; nil fields stay as they are.
type SectionPatch struct {
	Slug *string
	// Names, when not nil, replace every name.
	Names []LangName
	// Parent is the new parent's slug; "" makes the section top-level.
	Parent   *string
	Position *int
}

// TagInput describes a new tag; Slug is generated from Name when empty.
type TagInput struct {
	Slug, Name, Kind string
}

// TagPatch changes a tag; nil fields stay as they are.
type TagPatch struct {
	Slug, Name, Kind *string
}

// AuthorInput describes a new author; Slug is generated from Name when
// empty; PhotoID, when set, names a stored photo.
type AuthorInput struct {
	Slug, Name, Bio, PhotoID string
}

// AuthorPatch changes an author; nil fields stay as they are, and an empty
// PhotoID removes the portrait.
type AuthorPatch struct {
	Slug, Name, Bio, PhotoID *string
}

// fieldErrors collects the invalid fields of one write.
type fieldErrors []fault.FieldError

func (fe *fieldErrors) add(field, msg string) {
	*fe = append(*fe, fault.FieldError{Field: field, Message: msg})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return fault.Invalid(fe...)
}

// checkName validates a required display name; it returns the trimmed name.
func (fe *fieldErrors) checkName(field, name string, max int) string {
	name = strings.TrimSpace(xmlchar.Line(name))
	switch {
	case !utf8.ValidString(name):
		fe.add(field, "must be valid UTF-8")
	case name == "":
		fe.add(field, "is required")
	case utf8.RuneCountInString(name) > max:
		fe.add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.ContainsFunc(name, unicode.IsControl):
		fe.add(field, "must not contain control characters")
	}
	return name
}

// checkSlug validates a slug the caller sent.
func (fe *fieldErrors) checkSlug(s string) {
	if !validSlug(s) {
		fe.add("slug", "must be 1 to 200 lower-case letters, digits and dashes, not starting or ending with a dash")
	}
}

// slugFrom generates a slug from a name, transliterated for lang. A name
// with nothing to keep (only punctuation or symbols) is a validation error
// asking for an explicit slug.
func (fe *fieldErrors) slugFrom(field, name, lang string) string {
	if name == "" {
		return "" // the name's own error says enough
	}
	s := Slugify(name, lang)
	if s == FallbackSlug && !strings.Contains(slug.MakeLang(name, lang), FallbackSlug) {
		fe.add(field, "cannot be made into a slug; send a slug")
		return ""
	}
	return s
}

// nextUpdatedAt is the updated_at of a write over a row last written at
// prev: now, or just after prev when the clock has not moved past it, so
// that the concurrency token always changes.
func (s *Service) nextUpdatedAt(prev time.Time) time.Time {
	now := s.Now()
	if !now.After(prev) {
		now = prev.Add(time.Microsecond)
	}
	return now.UTC()
}

// checkExpect refuses a write when the caller read another version.
func checkExpect(kind string, expect, current int) error {
	if expect != 0 && expect != current {
		return fault.Stale("someone changed this " + kind + " since you read it; read it again")
	}
	return nil
}

// rowSlugTaken reports whether another row of model's table (not id) has slug.
func rowSlugTaken(tx *gorm.DB, model any, slug, id string) (bool, error) {
	var n int64
	err := tx.Model(model).Where("slug = ? AND id <> ?", slug, id).Count(&n).Error
	return n > 0, err
}

// taxonomyErr wraps a failed write, mapping database errors to the
// service's sentinels (a unique violation lost to a concurrent write is an
// ErrConflict).
func taxonomyErr(verb, what string, err error) error {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		err = missing(notFound(err), "no "+strings.Fields(verb)[1]+" has this id")
	}
	return fmt.Errorf("%s %s: %w", verb, what, err)
}

// --- sections ---

// checkNames validates section names; it returns them as a map, trimmed.
func (fe *fieldErrors) checkNames(names []LangName) map[string]string {
	out := make(map[string]string, len(names))
	if len(names) == 0 {
		fe.add("names", "at least one name is required")
		return out
	}
	for _, n := range names {
		field := "names." + n.Lang
		if !validLang(n.Lang) {
			fe.add(field, "the key must be a two-letter, lower-case language code")
			continue
		}
		if _, dup := out[n.Lang]; dup {
			fe.add(field, "is given twice")
			continue
		}
		out[n.Lang] = fe.checkName(field, n.Name, MaxTaxonomyName)
	}
	return out
}

// lockSections serializes section writes on PostgreSQL, so that two
// concurrent re-parentings cannot build a cycle that neither saw. (SQLite
// transactions already take the single write lock.)
func (s *Service) lockSections(tx *gorm.DB) error {
	if s.db.Dialect != "postgres" {
		return nil
	}
	return tx.Exec("LOCK TABLE sections IN SHARE ROW EXCLUSIVE MODE").Error
}

// resolveParent finds the id of the section slug for section id (empty for
// a new one), refusing unknown slugs and cycles.
func resolveParent(tx *gorm.DB, fe *fieldErrors, parentSlug, id string) (string, error) {
	if parentSlug == "" {
		return "", nil
	}
	var parent sectionRow
	err := tx.Where("slug = ?", parentSlug).Take(&parent).Error
	if errors.Is(notFound(err), ErrNotFound) {
		fe.add("parent", "no section has this slug")
		return "", nil
	}
	if err != nil {
		return "", err
	}
	// Walk up from the new parent: meeting the section itself is a cycle.
	var rows []sectionRow
	if err := tx.Select("id", "parent_id").Find(&rows).Error; err != nil {
		return "", err
	}
	parents := make(map[string]string, len(rows))
	for _, r := range rows {
		if r.ParentID != nil {
			parents[r.ID] = *r.ParentID
		}
	}
	for cur, n := parent.ID, 0; cur != "" && n <= len(rows); cur, n = parents[cur], n+1 {
		if cur == id {
			fe.add("parent", "would make the section its own ancestor")
			return "", nil
		}
	}
	return parent.ID, nil
}

// AddSection validates and stores a new section. The slug, when absent, is
// made from the first name given, transliterated for its language. An
// unknown parent is an invalid fault; a slug in use a conflict. The section
// is returned with its parent's slug.
func (s *Service) AddSection(ctx context.Context, in SectionInput) (Section, error) {
	var fe fieldErrors
	names := fe.checkNames(in.Names)
	sl := strings.TrimSpace(in.Slug)
	if sl != "" {
		fe.checkSlug(sl)
	} else if len(in.Names) > 0 && len(fe) == 0 {
		sl = fe.slugFrom("names."+in.Names[0].Lang, names[in.Names[0].Lang], in.Names[0].Lang)
	}
	if in.Parent != "" && !validSlug(in.Parent) {
		fe.add("parent", "no section has this slug")
	}
	if err := fe.err(); err != nil {
		return Section{}, err
	}
	now := s.Now()
	sec := Section{ID: NewID(), Slug: sl, Names: names, Position: in.Position, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockSections(tx); err != nil {
			return err
		}
		parentID, err := resolveParent(tx, &fe, in.Parent, sec.ID)
		if err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		sec.ParentID = parentID
		if parentID != "" {
			sec.ParentSlug = in.Parent
		}
		if taken, err := rowSlugTaken(tx, &sectionRow{}, sl, sec.ID); err != nil || taken {
			return orTaken(err, slugTakenBy("section", sl))
		}
		enc, err := json.Marshal(names)
		if err != nil {
			return err
		}
		return tx.Create(&sectionRow{ID: sec.ID, Slug: sl, ParentID: strPtr(parentID), Names: string(enc),
			Position: sec.Position, Version: 1, CreatedAt: now, UpdatedAt: now}).Error
	})
	s.invalidateSections()
	if err != nil {
		return Section{}, taxonomyErr("create section", sl, err)
	}
	return sec, nil
}

// updateVersioned writes fields to row id of model, provided that it is still
// at the version before version (which it then gets): a concurrent write
// that got there first makes this one stale.
func updateVersioned(tx *gorm.DB, model any, kind, id string, version int, fields map[string]any) error {
	fields["version"] = version
	res := tx.Model(model).Where("id = ? AND version = ?", id, version-1).Updates(fields)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return checkExpect(kind, version-1, -1)
	}
	return nil
}

// orTaken returns err when set, else taken.
func orTaken(err error, taken error) error {
	if err != nil {
		return err
	}
	return taken
}

// UpdateSection applies patch to section id. With a non-zero expect, the
// write is refused (ErrStale) unless the section's updated_at is
// still expect. The section is returned with its parent's slug.
func (s *Service) UpdateSection(ctx context.Context, id string, p SectionPatch, expect int) (Section, error) {
	var fe fieldErrors
	var names map[string]string
	if p.Names != nil {
		names = fe.checkNames(p.Names)
	}
	if p.Slug != nil {
		fe.checkSlug(*p.Slug)
	}
	if p.Parent != nil && *p.Parent != "" && !validSlug(*p.Parent) {
		fe.add("parent", "no section has this slug")
	}
	if err := fe.err(); err != nil {
		return Section{}, err
	}
	var out Section
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockSections(tx); err != nil {
			return err
		}
		var row sectionRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err)
		}
		sec, err := row.toSection()
		if err != nil {
			return err
		}
		if err := checkExpect("section", expect, sec.Version); err != nil {
			return err
		}
		if p.Parent != nil {
			if sec.ParentID, err = resolveParent(tx, &fe, *p.Parent, id); err != nil {
				return err
			}
			sec.ParentSlug = *p.Parent
		} else if sec.ParentID != "" {
			var parent sectionRow
			if err := tx.Select("slug").Where("id = ?", sec.ParentID).Take(&parent).Error; err != nil {
				return fmt.Errorf("parent of section %s: %w", id, err)
			}
			sec.ParentSlug = parent.Slug
		}
		if err := fe.err(); err != nil {
			return err
		}
		if p.Slug != nil {
			sec.Slug = *p.Slug
			if taken, err := rowSlugTaken(tx, &sectionRow{}, sec.Slug, id); err != nil || taken {
				return orTaken(err, slugTakenBy("section", sec.Slug))
			}
		}
		if names != nil {
			sec.Names = names
		}
		if p.Position != nil {
			sec.Position = *p.Position
		}
		sec.UpdatedAt = s.nextUpdatedAt(sec.UpdatedAt)
		sec.Version++
		enc, err := json.Marshal(sec.Names)
		if err != nil {
			return err
		}
		out = sec
		return updateVersioned(tx, &sectionRow{}, "section", id, sec.Version, map[string]any{
			"slug": sec.Slug, "names": string(enc), "parent_id": strPtr(sec.ParentID),
			"position": sec.Position, "updated_at": sec.UpdatedAt,
		})
	})
	s.invalidateSections()
	if err != nil {
		return Section{}, taxonomyErr("update section", id, err)
	}
	return out, nil
}

// DeleteSection removes section id, unless an article (any status) or a
// child section still uses it: then a conflict, and nothing is deleted.
func (s *Service) DeleteSection(ctx context.Context, id string, expect int) error {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockSections(tx); err != nil {
			return err
		}
		if err := exists(tx, &sectionRow{}, "section", id, expect); err != nil {
			return err
		}
		var articles, children int64
		if err := tx.Model(&articleRow{}).Where("section_id = ?", id).Count(&articles).Error; err != nil {
			return err
		}
		if err := tx.Model(&sectionRow{}).Where("parent_id = ?", id).Count(&children).Error; err != nil {
			return err
		}
		if articles > 0 || children > 0 {
			return inUse("section", articles, children)
		}
		return tx.Where("id = ?", id).Delete(&sectionRow{}).Error
	})
	s.invalidateSections()
	if err != nil {
		return taxonomyErr("delete section", id, err)
	}
	return nil
}

// exists returns ErrNotFound unless model's table has a row id, and a stale
// fault when expect is not 0 and not its version.
func exists(tx *gorm.DB, model any, kind, id string, expect int) error {
	var versions []int
	if err := tx.Model(model).Where("id = ?", id).Pluck("version", &versions).Error; err != nil {
		return err
	}
	if len(versions) == 0 {
		return ErrNotFound
	}
	return checkExpect(kind, expect, versions[0])
}

// --- tags ---

func (fe *fieldErrors) checkKind(kind string) {
	if kind != TagCountry && kind != TagTopic {
		fe.add("kind", "must be country or topic")
	}
}

// AddTag validates and stores a new tag; the slug, when absent, is made
// from the name.
func (s *Service) AddTag(ctx context.Context, in TagInput) (Tag, error) {
	var fe fieldErrors
	name := fe.checkName("name", in.Name, MaxTaxonomyName)
	fe.checkKind(in.Kind)
	sl := strings.TrimSpace(in.Slug)
	if sl != "" {
		fe.checkSlug(sl)
	} else if len(fe) == 0 {
		sl = fe.slugFrom("name", name, "")
	}
	if err := fe.err(); err != nil {
		return Tag{}, err
	}
	now := s.Now()
	t := Tag{ID: NewID(), Slug: sl, Name: name, Kind: in.Kind, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if taken, err := rowSlugTaken(tx, &tagRow{}, sl, t.ID); err != nil || taken {
			return orTaken(err, slugTakenBy("tag", sl))
		}
		return tx.Create(&tagRow{ID: t.ID, Slug: sl, Name: name, Kind: t.Kind, Version: 1, CreatedAt: now, UpdatedAt: now}).Error
	})
	s.changed()
	if err != nil {
		return Tag{}, taxonomyErr("create tag", sl, err)
	}
	return t, nil
}

// UpdateTag applies patch to tag id; expect works as in UpdateSection.
func (s *Service) UpdateTag(ctx context.Context, id string, p TagPatch, expect int) (Tag, error) {
	var fe fieldErrors
	var name string
	if p.Name != nil {
		name = fe.checkName("name", *p.Name, MaxTaxonomyName)
	}
	if p.Kind != nil {
		fe.checkKind(*p.Kind)
	}
	if p.Slug != nil {
		fe.checkSlug(*p.Slug)
	}
	if err := fe.err(); err != nil {
		return Tag{}, err
	}
	var out Tag
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var row tagRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err)
		}
		t := row.toTag()
		if err := checkExpect("tag", expect, t.Version); err != nil {
			return err
		}
		if p.Slug != nil {
			t.Slug = *p.Slug
			if taken, err := rowSlugTaken(tx, &tagRow{}, t.Slug, id); err != nil || taken {
				return orTaken(err, slugTakenBy("tag", t.Slug))
			}
		}
		if p.Name != nil {
			t.Name = name
		}
		if p.Kind != nil {
			t.Kind = *p.Kind
		}
		t.UpdatedAt = s.nextUpdatedAt(t.UpdatedAt)
		t.Version++
		out = t
		return updateVersioned(tx, &tagRow{}, "tag", id, t.Version, map[string]any{
			"slug": t.Slug, "name": t.Name, "kind": t.Kind, "updated_at": t.UpdatedAt,
		})
	})
	s.changed()
	if err != nil {
		return Tag{}, taxonomyErr("update tag", id, err)
	}
	return out, nil
}

// DeleteTag removes tag id, unless an article (any status) carries it: then
// a conflict, and nothing is deleted.
func (s *Service) DeleteTag(ctx context.Context, id string, expect int) error {
	return s.deleteUnlinked(ctx, "tag", &tagRow{}, &articleTagRow{}, "tag_id", id, expect)
}

// deleteUnlinked removes the row id of model unless some row of link names
// it in column: then a conflict naming kind, and nothing is deleted.
func (s *Service) deleteUnlinked(ctx context.Context, kind string, model, link any, column, id string, expect int) error {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := exists(tx, model, kind, id, expect); err != nil {
			return err
		}
		var articles int64
		if err := tx.Model(link).Where(column+" = ?", id).Count(&articles).Error; err != nil {
			return err
		}
		if articles > 0 {
			return inUse(kind, articles, 0)
		}
		return tx.Where("id = ?", id).Delete(model).Error
	})
	s.changed()
	if err != nil {
		return taxonomyErr("delete "+kind, id, err)
	}
	return nil
}

// --- authors ---

func (fe *fieldErrors) checkBio(bio string) string {
	bio = strings.TrimSpace(xmlchar.Text(bio))
	switch {
	case !utf8.ValidString(bio):
		fe.add("bio", "must be valid UTF-8")
	case utf8.RuneCountInString(bio) > MaxAuthorBio:
		fe.add("bio", fmt.Sprintf("must be at most %d characters", MaxAuthorBio))
	}
	return bio
}

// checkPhoto refuses a photo id that names no stored photo.
func checkPhoto(tx *gorm.DB, fe *fieldErrors, id string) error {
	if id == "" {
		return nil
	}
	if !IsID(id) {
		fe.add("photo_id", "no photo has this id")
		return nil
	}
	err := exists(tx, &photoRow{}, "photo", id, 0)
	if errors.Is(err, ErrNotFound) {
		fe.add("photo_id", "no photo has this id")
		return nil
	}
	return err
}

// AddAuthor validates and stores a new author; the slug, when absent, is
// made from the name.
func (s *Service) AddAuthor(ctx context.Context, in AuthorInput) (Author, error) {
	var fe fieldErrors
	name := fe.checkName("name", in.Name, MaxTaxonomyName)
	bio := fe.checkBio(in.Bio)
	sl := strings.TrimSpace(in.Slug)
	if sl != "" {
		fe.checkSlug(sl)
	} else if len(fe) == 0 {
		sl = fe.slugFrom("name", name, "")
	}
	if err := fe.err(); err != nil {
		return Author{}, err
	}
	now := s.Now()
	a := Author{ID: NewID(), Slug: sl, Name: name, Bio: bio, PhotoID: in.PhotoID, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := checkPhoto(tx, &fe, a.PhotoID); err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		if taken, err := rowSlugTaken(tx, &authorRow{}, sl, a.ID); err != nil || taken {
			return orTaken(err, slugTakenBy("author", sl))
		}
		return tx.Create(&authorRow{ID: a.ID, Slug: sl, Name: name, Bio: bio, PhotoID: strPtr(a.PhotoID),
			Version: 1, CreatedAt: now, UpdatedAt: now}).Error
	})
	s.changed()
	if err != nil {
		return Author{}, taxonomyErr("create author", sl, err)
	}
	return a, nil
}

// UpdateAuthor applies patch to author id; expect works as in
// UpdateSection.
func (s *Service) UpdateAuthor(ctx context.Context, id string, p AuthorPatch, expect int) (Author, error) {
	var fe fieldErrors
	var name, bio string
	if p.Name != nil {
		name = fe.checkName("name", *p.Name, MaxTaxonomyName)
	}
	if p.Bio != nil {
		bio = fe.checkBio(*p.Bio)
	}
	if p.Slug != nil {
		fe.checkSlug(*p.Slug)
	}
	if err := fe.err(); err != nil {
		return Author{}, err
	}
	var out Author
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var row authorRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err)
		}
		a := row.toAuthor()
		if err := checkExpect("author", expect, a.Version); err != nil {
			return err
		}
		if p.PhotoID != nil {
			if err := checkPhoto(tx, &fe, *p.PhotoID); err != nil {
				return err
			}
			a.PhotoID = *p.PhotoID
		}
		if err := fe.err(); err != nil {
			return err
		}
		if p.Slug != nil {
			a.Slug = *p.Slug
			if taken, err := rowSlugTaken(tx, &authorRow{}, a.Slug, id); err != nil || taken {
				return orTaken(err, slugTakenBy("author", a.Slug))
			}
		}
		if p.Name != nil {
			a.Name = name
		}
		if p.Bio != nil {
			a.Bio = bio
		}
		a.UpdatedAt = s.nextUpdatedAt(a.UpdatedAt)
		a.Version++
		out = a
		return updateVersioned(tx, &authorRow{}, "author", id, a.Version, map[string]any{
			"slug": a.Slug, "name": a.Name, "bio": a.Bio, "photo_id": strPtr(a.PhotoID), "updated_at": a.UpdatedAt,
		})
	})
	s.changed()
	if err != nil {
		return Author{}, taxonomyErr("update author", id, err)
	}
	return out, nil
}

// DeleteAuthor removes author id, unless an article (any status) has them
// in its byline: then a conflict, and nothing is deleted.
func (s *Service) DeleteAuthor(ctx context.Context, id string, expect int) error {
	return s.deleteUnlinked(ctx, "author", &authorRow{}, &articleAuthorRow{}, "author_id", id, expect)
}
