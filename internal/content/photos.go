package content

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"masthead/internal/fault"
	"masthead/internal/xmlchar"
)

// photoInUse is the conflict of deleting a photo that an article or an
// author still shows; it names them.
func photoInUse(u PhotoUse) error {
	return fault.Conflict(fmt.Sprintf("the photo is in use by %d article(s) %s and %d author(s) %s; remove it from them first",
		len(u.Articles), strings.Join(u.Articles, ", "), len(u.Authors), strings.Join(u.Authors, ", ")))
}

// Bounds of a photo's texts, in characters.
const (
	maxCaption = 2000
	maxCredit  = 300
	maxAlt     = 1000
	maxURL     = 2000
)

// PhotoPatch is a change to a photo's metadata; nil fields stay as they are.
// The pixels of a photo never change: upload another one.
type PhotoPatch struct {
	Caption   *string
	Credit    *string
	Alt       *string
	SourceURL *string
}

// PhotoUse says what shows a photo.
type PhotoUse struct {
	Articles []string // ids of articles with it as featured photo or in a photo block
	Authors  []string // ids of authors with it as portrait
}

// InUse reports whether anything shows the photo.
func (u PhotoUse) InUse() bool { return len(u.Articles) > 0 || len(u.Authors) > 0 }

// ValidatePhoto checks the metadata a writer supplies for a photo: texts of
// bounded length in valid UTF-8, and a source URL, when given, that is an
// absolute http or https URL.
func ValidatePhoto(p Photo) error {
	var errs []fault.FieldError
	text := func(field, v string, max int) {
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
			errs = append(errs, fault.FieldError{Field: field, Message: fmt.Sprintf("must be valid text of at most %d characters", max)})
		}
	}
	text("caption", p.Caption, maxCaption)
	text("credit", p.Credit, maxCredit)
	text("alt", p.Alt, maxAlt)
	if p.SourceURL != "" {
		u, err := url.Parse(p.SourceURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(p.SourceURL) > maxURL {
			errs = append(errs, fault.FieldError{Field: "source_url", Message: "must be an absolute http or https URL"})
		}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// UpdatePhoto applies patch to the photo's metadata and returns the result.
// With a non-zero expect, a photo no longer at that version is stale and
// nothing is written.
func (s *Service) UpdatePhoto(ctx context.Context, id string, patch PhotoPatch, expect int) (Photo, error) {
	var out Photo
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var row photoRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err)
		}
		p, err := row.toPhoto()
		if err != nil {
			return err
		}
		if err := checkExpect("photo", expect, p.Version); err != nil {
			return err
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(xmlchar.Text(*v))
			}
		}
		set(&p.Caption, patch.Caption)
		set(&p.Credit, patch.Credit)
		set(&p.Alt, patch.Alt)
		set(&p.SourceURL, patch.SourceURL)
		if err := ValidatePhoto(p); err != nil {
			return err
		}
		p.UpdatedAt = s.Now()
		p.Version++
		err = updateVersioned(tx, &photoRow{}, "photo", id, p.Version, map[string]any{
			"caption": p.Caption, "credit": p.Credit, "alt": p.Alt, "source_url": p.SourceURL,
			"updated_at": p.UpdatedAt,
		})
		if err != nil {
			return err
		}
		out = p
		return nil
	})
	s.changed()
	if err != nil {
		return Photo{}, fmt.Errorf("update photo %s: %w", id, missing(err, "no photo has this id"))
	}
	return out, nil
}

// PhotoInUse lists what shows the photo: articles (any status) that have it
// as featured photo or in a photo block of their body, and authors.
func (s *Service) PhotoInUse(ctx context.Context, id string) (PhotoUse, error) {
	u, err := photoUse(s.db.Read(ctx), id)
	if err != nil {
		return PhotoUse{}, fmt.Errorf("photo %s in use: %w", id, err)
	}
	return u, nil
}

// PhotoFilesInUse reports whether a photo made from the bytes of hash
// remains: the files of a hash are shared by every photo made from the
// same bytes, and go only with the last of them.
func (s *Service) PhotoFilesInUse(ctx context.Context, hash string) (bool, error) {
	var n int64
	if err := s.db.Read(ctx).Model(&photoRow{}).Where("hash = ?", hash).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("photos of %s: %w", hash, err)
	}
	return n > 0, nil
}

// photoUse runs the usage queries on db (a transaction or a pool).
//
// Photo blocks are found in the stored body JSON with LIKE: bodies are
// written by encoding/json, so a reference reads exactly "photo_id":"<ID>",
// and an ID is a 26-character ULID, which never occurs by chance in text
// nor contains a LIKE wildcard. The underscore of photo_id is escaped. This
// is the same SQL on SQLite and PostgreSQL (body_blocks is TEXT in both).
func photoUse(db *gorm.DB, id string) (PhotoUse, error) {
	var u PhotoUse
	pattern := `%"photo\_id":"` + id + `"%`
	err := db.Model(&articleRow{}).
		Where(`photo_id = ? OR body_blocks LIKE ? ESCAPE '\'`, id, pattern).
		Order("id").Pluck("id", &u.Articles).Error
	if err != nil {
		return PhotoUse{}, err
	}
	if err := db.Model(&authorRow{}).Where("photo_id = ?", id).Order("id").Pluck("id", &u.Authors).Error; err != nil {
		return PhotoUse{}, err
	}
	return u, nil
}

// DeletePhoto removes a photo's metadata, unless something shows it
// (a conflict naming what shows it, with nothing deleted); with a non-zero expect, a photo
// no longer at that version is stale. The check and the delete run in one
// transaction on the writer; the foreign keys of articles.photo_id and
// authors.photo_id back it up for featured photos and portraits.
//
// The files are the caller's to remove (media.Store.Remove): they are named
// by content hash and may be shared by another photo row made from the
// same bytes (PhotoFilesInUse).
func (s *Service) DeletePhoto(ctx context.Context, id string, expect int) error {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var row photoRow
		if err := tx.Select("id", "version").Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		if err := checkExpect("photo", expect, row.Version); err != nil {
			return err
		}
		u, err := photoUse(tx, id)
		if err != nil {
			return err
		}
		if u.InUse() {
			return photoInUse(u)
		}
		return tx.Where("id = ?", id).Delete(&photoRow{}).Error
	})
	s.changed()
	if err != nil {
		var fe *fault.Error
		if !errors.As(err, &fe) {
			err = missing(notFound(err), "no photo has this id")
		}
		return fmt.Errorf("delete photo %s: %w", id, err)
	}
	return nil
}
