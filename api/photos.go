package api

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"masthead/internal/content"
)

type photoResponse struct {
	ID            string              `json:"id" validate:"required"`
	Width         int                 `json:"width" validate:"required" example:"2048"`
	Height        int                 `json:"height" validate:"required" example:"1365"`
	Mime          string              `json:"mime" validate:"required" example:"image/jpeg"`
	Blurhash      string              `json:"blurhash" validate:"required" example:"LEHV6nWB2yk8pyo0adR*.7kCMdnj"`
	DominantColor string              `json:"dominant_color" validate:"required" example:"#6b7b8c"`
	Caption       string              `json:"caption" validate:"required"`
	Credit        string              `json:"credit" validate:"required" example:"Photo : Agence Vallée"`
	Alt           string              `json:"alt" validate:"required"`
	SourceURL     string              `json:"source_url,omitempty"`
	Renditions    []renditionResponse `json:"renditions" validate:"required"`
}

type renditionResponse struct {
	Width  int    `json:"width" validate:"required" example:"640"`
	Height int    `json:"height" validate:"required" example:"427"`
	URL    string `json:"url" validate:"required" example:"/media/ab/abcd-640.jpg"`
}

// getPhoto godoc
//
//	@Summary	Get a photo's metadata and renditions
//	@Tags		photos
//	@Security	BearerAuth
//	@Param		id	path		string	true	"photo ID"
//	@Success	200	{object}	photoResponse
//	@Success	304	"Not Modified"
//	@Failure	401	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Router		/v1/photos/{id} [get]
func (s *Server) getPhoto(c echo.Context) error {
	id := c.Param("id")
	if !content.IsID(id) {
		return notFound("no photo has this id")
	}
	ph, err := s.Content.Photo(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendJSON(c, toPhotoResponse(ph, s.MediaURL), ph.UpdatedAt, cacheFor(principalOf(c)), nil)
}

// toPhotoResponse converts a photo; media is what the keys of its files
// follow in their URLs (app.Services.MediaURL).
func toPhotoResponse(p content.Photo, media string) photoResponse {
	r := photoResponse{
		ID: p.ID, Width: p.Width, Height: p.Height, Mime: p.Mime, Blurhash: p.Blurhash,
		DominantColor: p.DominantColor, Caption: p.Caption, Credit: p.Credit, Alt: p.Alt,
		SourceURL: p.SourceURL, Renditions: make([]renditionResponse, 0, len(p.Renditions)),
	}
	for _, rd := range p.Renditions {
		r.Renditions = append(r.Renditions, renditionResponse{Width: rd.Width, Height: rd.Height, URL: media + rd.Path})
	}
	return r
}

// mediaCSP is the policy of every stored file: a photo needs none (a
// browser shows an image it is sent without any), and a file that could
// carry script (SVG, HTML) must not run it, nor load anything: the sandbox
// also gives it an origin of its own.
const mediaCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// serveMedia serves stored files, from the folder or streamed from the
// bucket. Their names are content hashes, so they never change: they are
// cached for a year, immutable, and their ETag is their name. A store that
// fails is a 503 (media.ErrStorage).
func (s *Server) serveMedia(c echo.Context) error {
	rel := c.Param("*")
	clean := path.Clean("/" + rel)[1:]
	if clean == "" || strings.Contains(clean, "..") || strings.HasPrefix(path.Base(clean), ".") ||
		strings.HasPrefix(clean, ".") || strings.HasSuffix(clean, ".json") || strings.Contains(clean, "\\") {
		return notFound("no such file")
	}
	f, err := s.Media.Open(c.Request().Context(), clean)
	if errors.Is(err, fs.ErrNotExist) {
		return notFound("no such file")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+strings.TrimSuffix(path.Base(clean), path.Ext(clean))+`"`)
	// ServeContent sets the type from the extension, answers
	// If-None-Match and If-Modified-Since with 304, and ranges.
	http.ServeContent(c.Response(), c.Request(), clean, f.ModTime, f)
	return nil
}

// absMediaURL is what file keys follow in the absolute URLs of a feed or
// a ninjs document: media-public-url, or /media/ on base, where this API
// was reached.
func (s *Server) absMediaURL(base string) string {
	if strings.HasPrefix(s.MediaURL, "/") {
		return base + s.MediaURL
	}
	return s.MediaURL
}

// toPhotoRef converts the photo an article or author shows; none (nil) is
// nil.
func toPhotoRef(ph *content.Photo, media string) *photoResponse {
	if ph == nil {
		return nil
	}
	pr := toPhotoResponse(*ph, media)
	return &pr
}
