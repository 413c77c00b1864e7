package api

import (
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/content"
)

type sectionResponse struct {
	ID     string            `json:"id" validate:"required"`
	Slug   string            `json:"slug" validate:"required" example:"diplomatie"`
	Name   string            `json:"name" validate:"required" example:"Diplomatie"`
	Names  map[string]string `json:"names" validate:"required"`
	Parent *string           `json:"parent" validate:"required" extensions:"x-nullable" example:"politique"`
}

type sectionList struct {
	Data []sectionResponse `json:"data" validate:"required"`
}

type tagResponse struct {
	ID   string `json:"id" validate:"required"`
	Slug string `json:"slug" validate:"required" example:"equimont"`
	Name string `json:"name" validate:"required" example:"Équimont"`
	Kind string `json:"kind" validate:"required" enums:"country,topic"`
}

type tagList struct {
	Data []tagResponse `json:"data" validate:"required"`
}

type authorResponse struct {
	ID    string         `json:"id" validate:"required"`
	Slug  string         `json:"slug" validate:"required" example:"a-dupont"`
	Name  string         `json:"name" validate:"required" example:"A. Dupont"`
	Bio   string         `json:"bio" validate:"required"`
	Photo *photoResponse `json:"photo,omitempty"`
}

// listSections godoc
//
//	@Summary		List sections
//	@Description	Every section, with its parent for breadcrumbs; `name` is in `lang` when given.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@Param			lang	query		string	false	"two-letter language for name"
//	@Success		200		{object}	sectionList
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Router			/v1/sections [get]
func (s *Server) listSections(c echo.Context) error {
	lang, err := parseLang(c)
	if err != nil {
		return err
	}
	list, err := s.Content.Sections(c.Request().Context())
	if err != nil {
		return err
	}
	resp := sectionList{Data: make([]sectionResponse, 0, len(list))}
	var lastMod time.Time
	for _, sec := range list {
		resp.Data = append(resp.Data, toSectionResponse(sec, lang))
		if sec.UpdatedAt.After(lastMod) {
			lastMod = sec.UpdatedAt
		}
	}
	return sendJSON(c, resp, lastMod, cacheFor(principalOf(c)), nil)
}

// listTags godoc
//
//	@Summary	List tags
//	@Tags		taxonomy
//	@Security	BearerAuth
//	@Param		kind	query		string	false	"country or topic"	Enums(country, topic)
//	@Success	200		{object}	tagList
//	@Success	304		"Not Modified"
//	@Failure	400		{object}	Problem
//	@Failure	401		{object}	Problem
//	@Router		/v1/tags [get]
func (s *Server) listTags(c echo.Context) error {
	kind := c.QueryParam("kind")
	if kind != "" && kind != content.TagCountry && kind != content.TagTopic {
		return badParam("kind", "must be country or topic")
	}
	list, err := s.Content.Tags(c.Request().Context())
	if err != nil {
		return err
	}
	resp := tagList{Data: make([]tagResponse, 0, len(list))}
	var lastMod time.Time
	for _, t := range list {
		if kind != "" && t.Kind != kind {
			continue
		}
		resp.Data = append(resp.Data, toTagResponse(t))
		if t.UpdatedAt.After(lastMod) {
			lastMod = t.UpdatedAt
		}
	}
	return sendJSON(c, resp, lastMod, cacheFor(principalOf(c)), nil)
}

// getAuthor godoc
//
//	@Summary	Get an author
//	@Tags		taxonomy
//	@Security	BearerAuth
//	@Param		slug	path		string	true	"author slug"
//	@Success	200		{object}	authorResponse
//	@Success	304		"Not Modified"
//	@Failure	401		{object}	Problem
//	@Failure	404		{object}	Problem
//	@Router		/v1/authors/{slug} [get]
func (s *Server) getAuthor(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	if !validSlug(slug) {
		return notFound("no author has this slug")
	}
	a, err := s.Content.AuthorProfile(ctx, slug)
	if err != nil {
		return err
	}
	return sendJSON(c, toAuthorResponse(a, s.MediaURL), a.UpdatedAt, cacheFor(principalOf(c)), nil)
}

func toAuthorResponse(a content.Author, media string) authorResponse {
	return authorResponse{ID: a.ID, Slug: a.Slug, Name: a.Name, Bio: a.Bio, Photo: toPhotoRef(a.Photo, media)}
}

func toSectionResponse(sec content.Section, lang string) sectionResponse {
	r := sectionResponse{ID: sec.ID, Slug: sec.Slug, Name: sec.Name(lang), Names: sec.Names}
	if sec.ParentSlug != "" {
		p := sec.ParentSlug
		r.Parent = &p
	}
	return r
}

func toTagResponse(t content.Tag) tagResponse {
	return tagResponse{ID: t.ID, Slug: t.Slug, Name: t.Name, Kind: t.Kind}
}
