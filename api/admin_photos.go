package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/media"
)

// uploadPath is the photo upload route, which has its own body limit.
const uploadPath = "/v1/admin/photos"

// Bounds of the multipart upload besides the file itself.
const (
	// uploadOverhead is what the route's body limit allows beyond
	// UploadLimit: the text fields and the multipart framing.
	uploadOverhead = 64 << 10
	// maxFormField bounds one text field; content.ValidatePhoto applies
	// the real, smaller bounds.
	maxFormField = 16 << 10
)

// photoFields are the text fields of an upload, besides file.
var photoFields = []string{"caption", "credit", "alt", "source_url"}

type updatePhotoRequest struct {
	Caption   *string `json:"caption,omitempty" example:"Le col de la Vallée au petit matin"`
	Credit    *string `json:"credit,omitempty" example:"Photo : Agence Vallée"`
	Alt       *string `json:"alt,omitempty"`
	SourceURL *string `json:"source_url,omitempty" example:"https://agence.example/photos/123"`
}

var errUploadTooLarge = &problemError{status: http.StatusRequestEntityTooLarge, code: "payload_too_large",
	detail: "the upload is larger than the limit"}

// uploadTimeout bounds the processing of one upload: a 24-megapixel JPEG
// takes seconds to decode, resize and encode on a small machine.
const uploadTimeout = 60 * time.Second

// uploadDeadline gives the upload route its own timeout, the longer of
// uploadTimeout and the global one (the global one skips this route).
func (s *Server) uploadDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return middleware.ContextTimeout(max(uploadTimeout, s.Timeout))(next)
}

// uploadLimit bounds the body of the upload route: UploadLimit for the file
// plus a little for the other fields. A declared Content-Length over it is
// refused before anything is read.
func (s *Server) uploadLimit(next echo.HandlerFunc) echo.HandlerFunc {
	limit := s.UploadLimit + uploadOverhead
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > limit {
			return errUploadTooLarge
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

// removeTimeout bounds the removal of a deleted photo's files: it may wait
// for an upload of the same bytes to end (uploadTimeout at most).
const removeTimeout = uploadTimeout + 10*time.Second

// createPhoto godoc
//
//	@Summary		Upload a photo
//	@Description	The type is sniffed from the bytes (JPEG, PNG, GIF or WebP), whatever the file name or part Content-Type say. Size, pixel count and the memory decoding needs are checked from the header before decoding; EXIF orientation is applied and every metadata segment (EXIF, GPS) is dropped by re-encoding. Renditions are never wider than the source.
//	@Description
//	@Description	The memory is width × height × the bytes per pixel of the decoded image (1 for paletted, 4 for 8-bit RGBA, 8 for 16-bit RGBA; JPEG per its sampling, more when progressive), plus the decoder's and resizer's buffers; it must stay within the server's `upload-max-decoded-bytes` (default 256 MiB: a 24-megapixel baseline camera JPEG needs 185–220 MiB, a 7000×7000 16-bit PNG 443 MiB). A few uploads decode at once (`upload-decodes`, default 2); the others wait for a slot, and one still waiting at its deadline gets `503 unavailable` with `Retry-After`.
//	@Description
//	@Description	Each upload makes a new photo (its own caption and credit), even for bytes uploaded before: the files themselves are stored once, by content hash.
//	@Description
//	@Description	The files are written to the media store (a folder, or an S3 bucket) before the photo is recorded; a store that fails or does not answer is `503 unavailable`, and no photo is recorded.
//	@Description
//	@Description	Errors: a type that is not an accepted image is `415 unsupported_media_type`; a file over the upload limit, or an image whose header announces too many pixels or more memory to decode than allowed (a decompression bomb), is `413 payload_too_large`, nothing stored; a truncated or damaged image is `422 validation_failed` on field `file`.
//	@Tags			photos
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Accept			multipart/form-data
//	@Param			file		formData	file	true	"the image"
//	@Param			caption		formData	string	false	"caption"
//	@Param			credit		formData	string	false	"credit"
//	@Param			alt			formData	string	false	"text alternative"
//	@Param			source_url	formData	string	false	"where the picture comes from (http or https)"
//	@Success		201			{object}	photoResponse
//	@Header			201			{string}	Location	"/v1/photos/{id}"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		413			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Failure		503			{object}	Problem
//	@Header			503			{integer}	Retry-After	"seconds to wait"
//	@Router			/v1/admin/photos [post]
func (s *Server) createPhoto(c echo.Context) error {
	ctx := c.Request().Context()
	data, meta, err := s.readUpload(c)
	if err != nil {
		return err
	}
	if err := content.ValidatePhoto(meta); err != nil {
		return err
	}
	// The files first, then the row, under the hash's lock (see
	// media.Store.Remove); a row that cannot be written takes back the
	// files this upload wrote.
	var ph content.Photo
	_, err = s.Media.PutThen(ctx, data, func(img media.Image) error {
		meta.Hash, meta.Width, meta.Height, meta.Mime, meta.Original = img.Hash, img.Width, img.Height, img.Mime, img.Original
		meta.Blurhash, meta.DominantColor = img.Blurhash, img.DominantColor
		meta.Renditions = make([]content.Rendition, 0, len(img.Renditions))
		for _, r := range img.Renditions {
			meta.Renditions = append(meta.Renditions, content.Rendition{Width: r.Width, Height: r.Height, Path: r.Path})
		}
		var err error
		ph, err = s.Content.CreatePhoto(ctx, meta)
		return err
	})
	var tle *media.TooLargeError
	switch {
	case errors.Is(err, media.ErrUnsupported):
		return &problemError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			detail: "the file is not a JPEG, PNG, GIF or WebP image"}
	case errors.As(err, &tle) && tle.Pixels:
		return &problemError{status: http.StatusRequestEntityTooLarge, code: "payload_too_large",
			detail: fmt.Sprintf("the image is %d×%d, %d pixels; at most %d are accepted: send a smaller picture",
				tle.Width, tle.Height, tle.Need, tle.Limit)}
	case errors.As(err, &tle):
		return &problemError{status: http.StatusRequestEntityTooLarge, code: "payload_too_large",
			detail: fmt.Sprintf("the %d×%d image would need %d MiB of memory to decode; at most %d MiB are allowed (upload-max-decoded-bytes): send a smaller picture, or one with fewer bits per pixel",
				tle.Width, tle.Height, ceilMiB(tle.Need), tle.Limit>>20)}
	case errors.Is(err, media.ErrTooLarge):
		return &problemError{status: http.StatusRequestEntityTooLarge, code: "payload_too_large",
			detail: "the image is too large: too many bytes, or too many pixels announced by its header"}
	case errors.Is(err, media.ErrCorrupt):
		return &problemError{status: http.StatusUnprocessableEntity, code: "validation_failed",
			detail: "the request has invalid fields",
			fields: []FieldIssue{{Field: "file", Message: "is a damaged or truncated image"}}}
	case err != nil:
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderLocation, "/v1/photos/"+ph.ID)
	h.Set(echo.HeaderCacheControl, "private, no-store")
	return c.JSON(http.StatusCreated, toPhotoResponse(ph, s.MediaURL))
}

// ceilMiB is n bytes in MiB, rounded up.
func ceilMiB(n int64) int64 { return (n + 1<<20 - 1) >> 20 }

// readUpload streams the multipart body: the file part is read through a
// reader bounded at UploadLimit+1 bytes, the text fields at maxFormField.
// Nothing is written to disk or kept beyond these bounds.
func (s *Server) readUpload(c echo.Context) ([]byte, content.Photo, error) {
	var meta content.Photo
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, meta, badRequest("send the photo as multipart/form-data with a part named file")
	}
	var (
		data    []byte
		hasFile bool
		seen    = map[string]bool{}
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, meta, uploadReadError(err)
		}
		name := part.FormName()
		if seen[name] {
			part.Close()
			return nil, meta, badRequest(fmt.Sprintf("the form field %q appears twice", name))
		}
		seen[name] = true
		switch name {
		case "file":
			b, err := io.ReadAll(io.LimitReader(part, s.UploadLimit+1))
			part.Close()
			if err != nil {
				return nil, meta, uploadReadError(err)
			}
			if int64(len(b)) > s.UploadLimit {
				return nil, meta, errUploadTooLarge
			}
			data, hasFile = b, true
		case "caption", "credit", "alt", "source_url":
			b, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
			part.Close()
			if err != nil {
				return nil, meta, uploadReadError(err)
			}
			if len(b) > maxFormField {
				return nil, meta, fault.Invalid(fault.Field(name, "is too long"))
			}
			v := strings.TrimSpace(string(b))
			switch name {
			case "caption":
				meta.Caption = v
			case "credit":
				meta.Credit = v
			case "alt":
				meta.Alt = v
			case "source_url":
				meta.SourceURL = v
			}
		default:
			part.Close()
			return nil, meta, badRequest(fmt.Sprintf("unknown form field %q; allowed: file, %s", name, strings.Join(photoFields, ", ")))
		}
	}
	if !hasFile {
		return nil, meta, badRequest("the form has no part named file", FieldIssue{Field: "file", Message: "is required"})
	}
	return data, meta, nil
}

// uploadReadError tells a body over the limit (413) from a malformed one (400).
func uploadReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errUploadTooLarge
	}
	return badRequest("the multipart body is malformed")
}

// updatePhoto godoc
//
//	@Summary		Change a photo's metadata
//	@Description	Caption, credit, alt and source URL; absent fields stay as they are. The pixels never change: upload another photo.
//	@Tags			photos
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string				true	"photo ID"
//	@Param			If-Match	header		string				false	"ETag from the last read or write"
//	@Param			body		body		updatePhotoRequest	true	"fields to change"
//	@Success		200			{object}	photoResponse
//	@Header			200			{string}	ETag	"the version's ETag, for If-Match"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		412		{object}	Problem
//	@Failure		413		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/admin/photos/{id} [patch]
func (s *Server) updatePhoto(c echo.Context) error {
	id, err := pathID(c, "photo")
	if err != nil {
		return err
	}
	var req updatePhotoRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	expect, err := ifMatch(c, id, false)
	if err != nil {
		return err
	}
	ph, err := s.Content.UpdatePhoto(c.Request().Context(), id, content.PhotoPatch{
		Caption: req.Caption, Credit: req.Credit, Alt: req.Alt, SourceURL: req.SourceURL,
	}, expect)
	if err != nil {
		return err
	}
	return sendVersioned(c, http.StatusOK, ph.ID, ph.Version, ph.UpdatedAt, toPhotoResponse(ph, s.MediaURL))
}

// deletePhoto godoc
//
//	@Summary		Delete a photo
//	@Description	Refused with 409 while an article (any status) shows it as featured photo or in a photo block, or an author as portrait. The files stay in the media store: they are named by content hash and may be shared with another photo made from the same bytes.
//	@Tags			photos
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path	string	true	"photo ID"
//	@Param			If-Match	header	string	false	"ETag from the last read or write"
//	@Success		204			"No Content"
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Router			/v1/admin/photos/{id} [delete]
func (s *Server) deletePhoto(c echo.Context) error {
	id, expect, err := versionedPath(c, "photo", false)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ph, err := s.Content.Photo(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Content.DeletePhoto(ctx, id, expect); err != nil {
		return err
	}
	img := media.Image{Hash: ph.Hash, Original: ph.Original}
	for _, r := range ph.Renditions {
		img.Renditions = append(img.Renditions, media.Rendition{Width: r.Width, Height: r.Height, Path: r.Path})
	}
	// The row is gone: the files go even if the client does not wait.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
	defer cancel()
	err = s.Media.Remove(rctx, img, func(ctx context.Context) (bool, error) {
		return s.Content.PhotoFilesInUse(ctx, ph.Hash)
	})
	if err != nil {
		s.Logger.LogAttrs(ctx, slog.LevelWarn, "photo deleted, its files not removed", slog.String("photo", id),
			slog.String("hash", ph.Hash), slog.String("error", err.Error()))
	}
	return c.NoContent(http.StatusNoContent)
}
