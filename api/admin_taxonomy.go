package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/content"
)

// Sections, tags and authors for the newsroom.
//
// Concurrency: every section, tag and author has a version, moved by one on
// each write; its ETag names it ("<id>.v<version>"). If-Match is optional
// here (taxonomy edits are rare and small): without it the write goes
// through; with it, a stale or unknown ETag is a 412 and nothing is written.

var mapStringType = reflect.TypeFor[map[string]string]()

// langNames is a JSON object of names by language that remembers the order
// of its keys: the slug of a new section is made from the first name.
type langNames []content.LangName

// UnmarshalJSON reads an object of strings in document order; null leaves
// the names unset (nil).
func (n *langNames) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*n = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &json.UnmarshalTypeError{Value: "non-object", Type: mapStringType, Field: "names"}
	}
	out := langNames{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		var name string
		if err := dec.Decode(&name); err != nil {
			return &json.UnmarshalTypeError{Value: "non-string", Type: mapStringType, Field: "names"}
		}
		out = append(out, content.LangName{Lang: key.(string), Name: name})
	}
	*n = out
	return nil
}

type createSectionRequest struct {
	// Generated from the first name when absent.
	Slug  string    `json:"slug,omitempty" example:"diplomatie"`
	Names langNames `json:"names" validate:"required" swaggertype:"object,string" example:"fr:Diplomatie,en:Diplomacy"`
	// Slug of the parent section; absent for a top-level section.
	Parent   string `json:"parent,omitempty" example:"politique"`
	Position int    `json:"position,omitempty" example:"2"`
}

type updateSectionRequest struct {
	Slug *string `json:"slug,omitempty" example:"diplomatie"`
	// Replaces every name when present.
	Names langNames `json:"names,omitempty" swaggertype:"object,string" example:"fr:Diplomatie,en:Diplomacy"`
	// Slug of the new parent; "" makes the section top-level.
	Parent   *string `json:"parent,omitempty" example:"politique"`
	Position *int    `json:"position,omitempty" example:"2"`
}

type adminSectionResponse struct {
	ID        string            `json:"id" validate:"required"`
	Slug      string            `json:"slug" validate:"required" example:"diplomatie"`
	Names     map[string]string `json:"names" validate:"required"`
	Parent    *string           `json:"parent" validate:"required" extensions:"x-nullable" example:"politique"`
	Position  int               `json:"position" validate:"required"`
	CreatedAt time.Time         `json:"created_at" validate:"required"`
	UpdatedAt time.Time         `json:"updated_at" validate:"required"`
	// Moved by one on every write; the ETag names it.
	Version int `json:"version" validate:"required" example:"1"`
}

type createTagRequest struct {
	// Generated from the name when absent.
	Slug string `json:"slug,omitempty" example:"equimont"`
	Name string `json:"name" validate:"required" example:"Équimont"`
	Kind string `json:"kind" validate:"required" enums:"country,topic"`
}

type updateTagRequest struct {
	Slug *string `json:"slug,omitempty" example:"equimont"`
	Name *string `json:"name,omitempty" example:"Équimont"`
	Kind *string `json:"kind,omitempty" enums:"country,topic"`
}

type adminTagResponse struct {
	ID        string    `json:"id" validate:"required"`
	Slug      string    `json:"slug" validate:"required" example:"equimont"`
	Name      string    `json:"name" validate:"required" example:"Équimont"`
	Kind      string    `json:"kind" validate:"required" enums:"country,topic"`
	CreatedAt time.Time `json:"created_at" validate:"required"`
	UpdatedAt time.Time `json:"updated_at" validate:"required"`
	// Moved by one on every write; the ETag names it.
	Version int `json:"version" validate:"required" example:"1"`
}

type createAuthorRequest struct {
	// Generated from the name when absent.
	Slug string `json:"slug,omitempty" example:"a-dupont"`
	Name string `json:"name" validate:"required" example:"A. Dupont"`
	Bio  string `json:"bio,omitempty" example:"Correspondante à Varenne."`
	// ID of a stored photo, for the portrait.
	PhotoID string `json:"photo_id,omitempty"`
}

type updateAuthorRequest struct {
	Slug *string `json:"slug,omitempty" example:"a-dupont"`
	Name *string `json:"name,omitempty" example:"A. Dupont"`
	Bio  *string `json:"bio,omitempty"`
	// "" removes the portrait.
	PhotoID *string `json:"photo_id,omitempty"`
}

type adminAuthorResponse struct {
	ID        string    `json:"id" validate:"required"`
	Slug      string    `json:"slug" validate:"required" example:"a-dupont"`
	Name      string    `json:"name" validate:"required" example:"A. Dupont"`
	Bio       string    `json:"bio" validate:"required"`
	PhotoID   *string   `json:"photo_id" validate:"required" extensions:"x-nullable"`
	CreatedAt time.Time `json:"created_at" validate:"required"`
	UpdatedAt time.Time `json:"updated_at" validate:"required"`
	// Moved by one on every write; the ETag names it.
	Version int `json:"version" validate:"required" example:"1"`
}

// pathID reads the :id parameter; anything but an ID names nothing.
func pathID(c echo.Context, kind string) (string, error) {
	id := c.Param("id")
	if !content.IsID(id) {
		return "", notFound("no " + kind + " has this id")
	}
	return id, nil
}

// toAdminSectionResponse converts a section the newsroom wrote, with its
// parent's slug.
func toAdminSectionResponse(sec content.Section) adminSectionResponse {
	r := adminSectionResponse{ID: sec.ID, Slug: sec.Slug, Names: sec.Names, Position: sec.Position,
		Version: sec.Version, CreatedAt: sec.CreatedAt.UTC(), UpdatedAt: sec.UpdatedAt.UTC()}
	if r.Names == nil {
		r.Names = map[string]string{}
	}
	if sec.ParentSlug != "" {
		slug := sec.ParentSlug
		r.Parent = &slug
	}
	return r
}

// createSection godoc
//
//	@Summary		Create a section
//	@Description	`names` maps two-letter languages to names (at least one). Without `slug`, the slug is made from the first name, transliterated for its language. `parent` is the slug of an existing section.
//	@Description
//	@Description	A slug already in use is a `409`.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			body	body		createSectionRequest	true	"the section"
//	@Success		201		{object}	adminSectionResponse
//	@Header			201		{string}	Location	"/v1/admin/sections/{id}"
//	@Header			201		{string}	ETag		"the version's ETag, for If-Match"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/admin/sections [post]
func (s *Server) createSection(c echo.Context) error {
	var req createSectionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sec, err := s.Content.AddSection(c.Request().Context(), content.SectionInput{
		Slug: req.Slug, Names: req.Names, Parent: req.Parent, Position: req.Position,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/admin/sections/"+sec.ID)
	return sendVersioned(c, http.StatusCreated, sec.ID, sec.Version, sec.UpdatedAt, toAdminSectionResponse(sec))
}

// updateSection godoc
//
//	@Summary		Change a section
//	@Description	Absent fields stay as they are; `names` replaces every name; `parent: ""` makes the section top-level. A parent that would make the section its own ancestor is a `422`.
//	@Description
//	@Description	`If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is written.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string					true	"section ID"
//	@Param			If-Match	header		string					false	"ETag from the last read or write"
//	@Param			body		body		updateSectionRequest	true	"fields to change"
//	@Success		200			{object}	adminSectionResponse
//	@Header			200			{string}	ETag	"the version's ETag, for If-Match"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/sections/{id} [patch]
func (s *Server) updateSection(c echo.Context) error {
	id, err := pathID(c, "section")
	if err != nil {
		return err
	}
	var req updateSectionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	expect, err := ifMatch(c, id, false)
	if err != nil {
		return err
	}
	sec, err := s.Content.UpdateSection(c.Request().Context(), id, content.SectionPatch{
		Slug: req.Slug, Names: req.Names, Parent: req.Parent, Position: req.Position,
	}, expect)
	if err != nil {
		return err
	}
	return sendVersioned(c, http.StatusOK, sec.ID, sec.Version, sec.UpdatedAt, toAdminSectionResponse(sec))
}

// deleteSection godoc
//
//	@Summary		Delete a section
//	@Description	Refused with `409` while an article (any status) is filed under it or it has child sections. `If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is deleted.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path	string	true	"section ID"
//	@Param			If-Match	header	string	false	"ETag from the last read or write"
//	@Success		204	"No Content"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Failure		412	{object}	Problem
//	@Router			/v1/admin/sections/{id} [delete]
func (s *Server) deleteSection(c echo.Context) error {
	id, expect, err := versionedPath(c, "section", false)
	if err != nil {
		return err
	}
	if err := s.Content.DeleteSection(c.Request().Context(), id, expect); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func toAdminTagResponse(t content.Tag) adminTagResponse {
	return adminTagResponse{ID: t.ID, Slug: t.Slug, Name: t.Name, Kind: t.Kind, Version: t.Version,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
}

// createTag godoc
//
//	@Summary		Create a tag
//	@Description	Without `slug`, the slug is made from the name. A slug already in use is a `409`.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			body	body		createTagRequest	true	"the tag"
//	@Success		201		{object}	adminTagResponse
//	@Header			201		{string}	Location	"/v1/admin/tags/{id}"
//	@Header			201		{string}	ETag		"the version's ETag, for If-Match"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/admin/tags [post]
func (s *Server) createTag(c echo.Context) error {
	var req createTagRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.Content.AddTag(c.Request().Context(), content.TagInput{Slug: req.Slug, Name: req.Name, Kind: req.Kind})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/admin/tags/"+t.ID)
	return sendVersioned(c, http.StatusCreated, t.ID, t.Version, t.UpdatedAt, toAdminTagResponse(t))
}

// updateTag godoc
//
//	@Summary		Change a tag
//	@Description	Absent fields stay as they are. `If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is written.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string				true	"tag ID"
//	@Param			If-Match	header		string				false	"ETag from the last read or write"
//	@Param			body		body		updateTagRequest	true	"fields to change"
//	@Success		200			{object}	adminTagResponse
//	@Header			200			{string}	ETag	"the version's ETag, for If-Match"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/tags/{id} [patch]
func (s *Server) updateTag(c echo.Context) error {
	id, err := pathID(c, "tag")
	if err != nil {
		return err
	}
	var req updateTagRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	expect, err := ifMatch(c, id, false)
	if err != nil {
		return err
	}
	t, err := s.Content.UpdateTag(c.Request().Context(), id, content.TagPatch{Slug: req.Slug, Name: req.Name, Kind: req.Kind}, expect)
	if err != nil {
		return err
	}
	return sendVersioned(c, http.StatusOK, t.ID, t.Version, t.UpdatedAt, toAdminTagResponse(t))
}

// deleteTag godoc
//
//	@Summary		Delete a tag
//	@Description	Refused with `409` while an article (any status) carries it. `If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is deleted.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path	string	true	"tag ID"
//	@Param			If-Match	header	string	false	"ETag from the last read or write"
//	@Success		204	"No Content"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Failure		412	{object}	Problem
//	@Router			/v1/admin/tags/{id} [delete]
func (s *Server) deleteTag(c echo.Context) error {
	id, expect, err := versionedPath(c, "tag", false)
	if err != nil {
		return err
	}
	if err := s.Content.DeleteTag(c.Request().Context(), id, expect); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func toAdminAuthorResponse(a content.Author) adminAuthorResponse {
	r := adminAuthorResponse{ID: a.ID, Slug: a.Slug, Name: a.Name, Bio: a.Bio, Version: a.Version,
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
	if a.PhotoID != "" {
		id := a.PhotoID
		r.PhotoID = &id
	}
	return r
}

// createAuthor godoc
//
//	@Summary		Create an author
//	@Description	Without `slug`, the slug is made from the name. `photo_id` must name a stored photo. A slug already in use is a `409`.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			body	body		createAuthorRequest	true	"the author"
//	@Success		201		{object}	adminAuthorResponse
//	@Header			201		{string}	Location	"/v1/admin/authors/{id}"
//	@Header			201		{string}	ETag		"the version's ETag, for If-Match"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/admin/authors [post]
func (s *Server) createAuthor(c echo.Context) error {
	var req createAuthorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.Content.AddAuthor(c.Request().Context(), content.AuthorInput{
		Slug: req.Slug, Name: req.Name, Bio: req.Bio, PhotoID: req.PhotoID,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/admin/authors/"+a.ID)
	return sendVersioned(c, http.StatusCreated, a.ID, a.Version, a.UpdatedAt, toAdminAuthorResponse(a))
}

// updateAuthor godoc
//
//	@Summary		Change an author
//	@Description	Absent fields stay as they are; `photo_id: ""` removes the portrait. `If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is written.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string				true	"author ID"
//	@Param			If-Match	header		string				false	"ETag from the last read or write"
//	@Param			body		body		updateAuthorRequest	true	"fields to change"
//	@Success		200			{object}	adminAuthorResponse
//	@Header			200			{string}	ETag	"the version's ETag, for If-Match"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/authors/{id} [patch]
func (s *Server) updateAuthor(c echo.Context) error {
	id, err := pathID(c, "author")
	if err != nil {
		return err
	}
	var req updateAuthorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	expect, err := ifMatch(c, id, false)
	if err != nil {
		return err
	}
	a, err := s.Content.UpdateAuthor(c.Request().Context(), id, content.AuthorPatch{
		Slug: req.Slug, Name: req.Name, Bio: req.Bio, PhotoID: req.PhotoID,
	}, expect)
	if err != nil {
		return err
	}
	return sendVersioned(c, http.StatusOK, a.ID, a.Version, a.UpdatedAt, toAdminAuthorResponse(a))
}

// deleteAuthor godoc
//
//	@Summary		Delete an author
//	@Description	Refused with `409` while an article (any status) has them in its byline. `If-Match` is optional: when sent, an ETag other than the current one is a `412` and nothing is deleted.
//	@Tags			taxonomy
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path	string	true	"author ID"
//	@Param			If-Match	header	string	false	"ETag from the last read or write"
//	@Success		204	"No Content"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Failure		412	{object}	Problem
//	@Router			/v1/admin/authors/{id} [delete]
func (s *Server) deleteAuthor(c echo.Context) error {
	id, expect, err := versionedPath(c, "author", false)
	if err != nil {
		return err
	}
	if err := s.Content.DeleteAuthor(c.Request().Context(), id, expect); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
