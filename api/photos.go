package api

import (
	"errors"
	"net/http"
	"path/filepath"
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
	return sendJSON(c, toPhotoResponse(ph), ph.UpdatedAt, cacheFor(principalOf(c)), nil)
}

func toPhotoResponse(p content.Photo) photoResponse {
	r := photoResponse{
		ID: p.ID, Width: p.Width, Height: p.Height, Mime: p.Mime, Blurhash: p.Blurhash,
		DominantColor: p.DominantColor, Caption: p.Caption, Credit: p.Credit, Alt: p.Alt,
		SourceURL: p.SourceURL, Renditions: make([]renditionResponse, 0, len(p.Renditions)),
	}
	for _, rd := range p.Renditions {
		r.Renditions = append(r.Renditions, renditionResponse{Width: rd.Width, Height: rd.Height, URL: "/media/" + rd.Path})
	}
	return r
}

// mediaCSP is the policy of every stored file: a photo needs none (a
// browser shows an image it is sent without any), and a file that could
// carry script (SVG, HTML) must not run it, nor load anything: the sandbox
// also gives it an origin of its own.
const mediaCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// serveMedia serves stored files. Their names are content hashes, so they
// never change: they are cached for a year, immutable.
func (s *Server) serveMedia(c echo.Context) error {
	rel := c.Param("*")
	clean := filepath.ToSlash(filepath.Clean("/" + rel))[1:]
	if clean == "" || strings.Contains(clean, "..") || strings.HasPrefix(clean, ".") || strings.HasSuffix(clean, ".json") {
		return notFound("no such file")
	}
	path := filepath.Join(s.MediaRoot, filepath.FromSlash(clean))
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	if err := c.File(path); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusNotFound {
			return notFound("no such file")
		}
		return err
	}
	return nil
}

// toPhotoRef converts the photo an article or author shows; none (nil) is
// nil.
func toPhotoRef(ph *content.Photo) *photoResponse {
	if ph == nil {
		return nil
	}
	pr := toPhotoResponse(*ph)
	return &pr
}
