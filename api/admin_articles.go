package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/blocks"
	"masthead/internal/content"
	"masthead/internal/fault"
)

// cacheNewsroom is the policy of every newsroom response: never stored.
const cacheNewsroom = "private, no-store"

// Cursor list names of the newsroom's lists.
const (
	listAdminArticles = "admin-articles"
	listRevisions     = "revisions/"
)

type sourceRequest struct {
	Name string `json:"name" validate:"required" example:"Le Journal de la Vallée"`
	URL  string `json:"url" example:"https://journal.example/article"`
}

// createArticleRequest is a new article. The body comes as `blocks` or as
// `body_html`, never both.
type createArticleRequest struct {
	Title           string         `json:"title" validate:"required" example:"Un sommet régional sous le signe de l’eau"`
	Standfirst      string         `json:"standfirst"`
	Lang            string         `json:"lang" validate:"required" example:"fr"`
	Slug            string         `json:"slug" example:"sommet-de-la-vallee"`
	TranslationOf   string         `json:"translation_of" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Section         string         `json:"section" example:"diplomatie"`
	Tags            []string       `json:"tags"`
	Authors         []string       `json:"authors"`
	Source          *sourceRequest `json:"source"`
	Access          string         `json:"access" validate:"required" enums:"public,registered,subscribers"`
	PreviewBreak    *int           `json:"preview_break" example:"3"`
	PhotoID         string         `json:"photo_id"`
	CommentsEnabled *bool          `json:"comments_enabled"`
	Featured        bool           `json:"featured"`
	Status          string         `json:"status" enums:"draft,scheduled,published"`
	PublishAt       *time.Time     `json:"publish_at"`
	Blocks          []blocks.Block `json:"blocks"`
	BodyHTML        *string        `json:"body_html"`
}

// updateArticleRequest changes an article: absent fields stay as they are;
// `preview_break`, `section` and `photo_id` are removed with null (or "" for
// the last two), the source with `{"name": ""}`.
type updateArticleRequest struct {
	Title           *string        `json:"title"`
	Standfirst      *string        `json:"standfirst"`
	Slug            *string        `json:"slug"`
	Section         nullableString `json:"section" swaggertype:"string" extensions:"x-nullable"`
	Tags            *[]string      `json:"tags"`
	Authors         *[]string      `json:"authors"`
	Source          *sourceRequest `json:"source"`
	Access          *string        `json:"access" enums:"public,registered,subscribers"`
	PreviewBreak    nullableInt    `json:"preview_break" swaggertype:"integer" extensions:"x-nullable"`
	PhotoID         nullableString `json:"photo_id" swaggertype:"string" extensions:"x-nullable"`
	CommentsEnabled *bool          `json:"comments_enabled"`
	Featured        *bool          `json:"featured"`
	Status          *string        `json:"status" enums:"draft,scheduled,published,unpublished"`
	PublishAt       *time.Time     `json:"publish_at"`
	Blocks          []blocks.Block `json:"blocks"`
	BodyHTML        *string        `json:"body_html"`
	// Correction marks this save of a published article as a correction:
	// partners get a "corrected" change with this note instead of
	// "updated".
	Correction *string `json:"correction" example:"An earlier version gave the wrong altitude for the pass."`
}

// nullableInt tells an absent field (Set false) from null (Set, Value nil).
type nullableInt struct {
	Set   bool
	Value *int
}

// UnmarshalJSON is called only when the field is present, null included.
func (n *nullableInt) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var v int
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// nullableString tells an absent field (Set false) from null (Set, Value nil).
type nullableString struct {
	Set   bool
	Value *string
}

// UnmarshalJSON is called only when the field is present, null included.
func (n *nullableString) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// orEmpty is the set value, "" for null, nil when absent.
func (n nullableString) orEmpty() *string {
	if !n.Set {
		return nil
	}
	s := ""
	if n.Value != nil {
		s = *n.Value
	}
	return &s
}

// adminArticleResponse is the newsroom's view of an article: every field,
// whatever the status, and the whole body.
type adminArticleResponse struct {
	ID              string          `json:"id" validate:"required" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Slug            string          `json:"slug" validate:"required" example:"sommet-de-la-vallee"`
	Lang            string          `json:"lang" validate:"required" example:"fr"`
	TranslationKey  string          `json:"translation_key" validate:"required"`
	Title           string          `json:"title" validate:"required"`
	Standfirst      string          `json:"standfirst" validate:"required"`
	Status          string          `json:"status" validate:"required" enums:"draft,scheduled,published,unpublished"`
	Access          string          `json:"access" validate:"required" enums:"public,registered,subscribers"`
	PreviewBreak    *int            `json:"preview_break" validate:"required" extensions:"x-nullable"`
	Section         *sectionRef     `json:"section,omitempty"`
	Tags            []tagResponse   `json:"tags" validate:"required"`
	Authors         []authorRef     `json:"authors" validate:"required"`
	Source          *sourceResponse `json:"source,omitempty"`
	Photo           *photoResponse  `json:"photo,omitempty"`
	PublishAt       *time.Time      `json:"publish_at" validate:"required" extensions:"x-nullable"`
	PublishedAt     *time.Time      `json:"published_at" validate:"required" extensions:"x-nullable"`
	CommentsEnabled bool            `json:"comments_enabled" validate:"required"`
	Featured        bool            `json:"featured" validate:"required"`
	CommentCount    int             `json:"comment_count" validate:"required"`
	WordCount       int             `json:"word_count" validate:"required"`
	ReadingMinutes  int             `json:"reading_minutes" validate:"required"`
	CanonicalURL    string          `json:"canonical_url" validate:"required"`
	Version         int             `json:"version" validate:"required" example:"3"`
	CreatedAt       time.Time       `json:"created_at" validate:"required"`
	UpdatedAt       time.Time       `json:"updated_at" validate:"required"`
	Body            bodyResponse    `json:"body" validate:"required"`
	Preview         previewInfo     `json:"preview" validate:"required"`
}

// previewInfo says what readers without access get.
type previewInfo struct {
	Words     int  `json:"words" validate:"required"`
	Truncated bool `json:"truncated" validate:"required"`
}

type adminArticleSummary struct {
	ID           string        `json:"id" validate:"required"`
	Slug         string        `json:"slug" validate:"required"`
	Lang         string        `json:"lang" validate:"required"`
	Title        string        `json:"title" validate:"required"`
	Standfirst   string        `json:"standfirst" validate:"required"`
	Status       string        `json:"status" validate:"required" enums:"draft,scheduled,published,unpublished"`
	Access       string        `json:"access" validate:"required" enums:"public,registered,subscribers"`
	Section      *sectionRef   `json:"section,omitempty"`
	Tags         []tagResponse `json:"tags" validate:"required"`
	Authors      []authorRef   `json:"authors" validate:"required"`
	PublishAt    *time.Time    `json:"publish_at" validate:"required" extensions:"x-nullable"`
	PublishedAt  *time.Time    `json:"published_at" validate:"required" extensions:"x-nullable"`
	Featured     bool          `json:"featured" validate:"required"`
	WordCount    int           `json:"word_count" validate:"required"`
	CommentCount int           `json:"comment_count" validate:"required"`
	Version      int           `json:"version" validate:"required"`
	CreatedAt    time.Time     `json:"created_at" validate:"required"`
	UpdatedAt    time.Time     `json:"updated_at" validate:"required"`
}

type adminArticleList struct {
	Data       []adminArticleSummary `json:"data" validate:"required"`
	NextCursor *string               `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

// revisionResponse is one save of an article. The snapshot holds the
// editable fields after the save (section, photo, tags and authors by id)
// and the body blocks.
type revisionResponse struct {
	ID        string          `json:"id" validate:"required"`
	Version   int             `json:"version" validate:"required" example:"4"`
	Editor    string          `json:"editor" validate:"required" example:"user-01JD3Q8V6K"`
	Action    string          `json:"action" validate:"required" enums:"create,update,publish,unpublish"`
	CreatedAt time.Time       `json:"created_at" validate:"required"`
	Snapshot  json.RawMessage `json:"snapshot" validate:"required" swaggertype:"object"`
}

type revisionList struct {
	Data       []revisionResponse `json:"data" validate:"required"`
	NextCursor *string            `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

// createArticle godoc
//
//	@Summary		Create an article
//	@Description	The body is `blocks`, or `body_html` (sanitized, then parsed into blocks): exactly one of them. `section`, `tags` and `authors` are slugs; `photo_id` a photo's id; `translation_of` the id of an article (in another language) whose translation group the new one joins.
//	@Description
//	@Description	`status` is `draft` (default), `scheduled` (with `publish_at` in the future: the article appears by itself then) or `published` (now, or at a past `publish_at`). Without `slug`, one is made from the title, transliterated for the language and unique in it (`-2`, `-3`… on a collision); a `slug` that is taken in the language, even as an old slug of another article, is a `409`. `access` is required; `comments_enabled` defaults to true; `featured` (default false) puts the article forward: `GET /v1/articles?featured=true` lists the live featured articles. `preview_break`, the editor's paywall point, is a block index from 1 to the number of blocks minus one: a preview always leaves something out. Text is cleaned of the characters XML 1.0 forbids (U+000B and U+000C become line breaks, other control characters are removed).
//	@Description
//	@Description	A reference that names nothing is a `422` naming the field. The answer carries `Location` and the `ETag` to send as `If-Match` with the next `PATCH`.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			article	body		createArticleRequest	true	"the article"
//	@Success		201		{object}	adminArticleResponse
//	@Header			201		{string}	Location	"/v1/admin/articles/{id}"
//	@Header			201		{string}	ETag		"the version's ETag, for If-Match"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/admin/articles [post]
func (s *Server) createArticle(c echo.Context) error {
	ctx := c.Request().Context()
	var req createArticleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var issues []fault.FieldError
	body, bodyIssues, err := bodyOf(req.Blocks, req.BodyHTML, true)
	if err != nil {
		return err
	}
	issues = append(issues, bodyIssues...)
	if req.Lang != "" && !validLangCode(req.Lang) {
		issues = append(issues, fault.FieldError{Field: "lang", Message: "must be a two-letter, lower-case language code"})
	}
	if req.TranslationOf != "" && !content.IsID(req.TranslationOf) {
		issues = append(issues, fault.FieldError{Field: "translation_of", Message: "must be an article id"})
	}
	tags, authors := nonNilSlice(req.Tags), nonNilSlice(req.Authors)
	refs, err := s.Content.ResolveRefs(ctx, content.Refs{Section: &req.Section, Tags: &tags, Authors: &authors, PhotoID: &req.PhotoID})
	if issues, err = fault.Collect(issues, err); err != nil {
		return err
	}
	if len(issues) > 0 {
		return fault.Invalid(issues...)
	}
	if req.Status == "" {
		req.Status = string(content.StatusDraft)
	}
	in := content.ArticleInput{
		Lang: req.Lang, Slug: req.Slug, TranslationKey: req.TranslationOf,
		Title: req.Title, Standfirst: req.Standfirst,
		SectionID: *refs.SectionID, PhotoID: *refs.PhotoID,
		Access: content.Access(req.Access), PreviewBreak: req.PreviewBreak,
		Status: content.Status(req.Status), PublishAt: req.PublishAt,
		CommentsEnabled: req.CommentsEnabled == nil || *req.CommentsEnabled, Featured: req.Featured,
		Body: body, TagIDs: *refs.TagIDs, AuthorIDs: *refs.AuthorIDs,
	}
	if req.Source != nil {
		in.Source = content.Source{Name: strings.TrimSpace(req.Source.Name), URL: strings.TrimSpace(req.Source.URL)}
	}
	a, err := s.Content.CreateArticleBy(ctx, in, principalOf(c).Subject)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/admin/articles/"+a.ID)
	return s.sendAdminArticle(c, a, http.StatusCreated)
}

// bodyOf picks the body a write sent: blocks or HTML, exactly one when
// required (create), at most one otherwise (patch; nil when none).
func bodyOf(bs []blocks.Block, html *string, required bool) ([]blocks.Block, []fault.FieldError, error) {
	switch {
	case bs != nil && html != nil:
		return nil, []fault.FieldError{{Field: "body_html", Message: "send the body as blocks or as body_html, not both"}}, nil
	case bs != nil:
		return bs, nil, nil
	case html != nil:
		out, err := blocks.FromHTML(*html)
		if errors.Is(err, blocks.ErrInvalidHTML) {
			return nil, []fault.FieldError{{Field: "body_html", Message: "could not be turned into blocks: " +
				strings.TrimPrefix(err.Error(), blocks.ErrInvalidHTML.Error()+": ")}}, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if out == nil {
			out = []blocks.Block{}
		}
		return out, nil, nil
	case required:
		return nil, []fault.FieldError{{Field: "blocks", Message: "send the body as blocks or as body_html"}}, nil
	}
	return nil, nil, nil
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func validLangCode(l string) bool {
	return len(l) == 2 && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z'
}

// listAdminArticles godoc
//
//	@Summary		List articles in every status
//	@Description	Summaries, newest created first (editing does not move an article, so pages stay stable). `q` searches the whole text of every article, whatever its status, with the engine and syntax of `/v1/search`; the list keeps its order.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			status	query		string	false	"only this status"	Enums(draft, scheduled, published, unpublished)
//	@Param			lang	query		string	false	"two-letter language"
//	@Param			section	query		string	false	"section slug; includes its subsections"
//	@Param			q		query		string	false	"full-text query over the whole text of every article, whatever its status (the syntax of /v1/search); the list keeps its order"
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	adminArticleList
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Router			/v1/admin/articles [get]
func (s *Server) listAdminArticles(c echo.Context) error {
	ctx := c.Request().Context()
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	lang, err := parseLang(c)
	if err != nil {
		return err
	}
	cur, err := s.parseCursor(c, listAdminArticles)
	if err != nil {
		return err
	}
	q, err := parseQuery(c, lang, false)
	if err != nil {
		return err
	}
	f := content.AdminFilter{Lang: lang, Limit: limit, Query: q, Section: c.QueryParam("section")}
	if st := content.Status(c.QueryParam("status")); st != "" {
		if !st.Valid() {
			return badParam("status", "must be draft, scheduled, published or unpublished")
		}
		f.Status = st
	}
	if f.Section != "" && !validSlug(f.Section) {
		return badParam("section", "must be a section slug")
	}
	if cur != nil {
		f.After = &content.AdminCursor{CreatedAt: cur.Time, ID: cur.ID}
	}
	list, next, err := s.Content.ListArticles(ctx, f)
	if err != nil {
		return err
	}
	resp := adminArticleList{Data: make([]adminArticleSummary, 0, len(list))}
	for _, a := range list {
		resp.Data = append(resp.Data, toAdminArticleSummary(a))
	}
	if next != nil {
		nc := s.cursors.encode(position{List: listAdminArticles, Time: next.CreatedAt, ID: next.ID})
		resp.NextCursor = &nc
	}
	return sendJSON(c, resp, time.Time{}, cacheNewsroom, nil)
}

// getAdminArticle godoc
//
//	@Summary		Get an article in any status
//	@Description	The newsroom's view: every field and the whole body. The `ETag` is the version's: send it as `If-Match` to change the article.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id	path		string	true	"article ID"
//	@Success		200	{object}	adminArticleResponse
//	@Success		304	"Not Modified"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Router			/v1/admin/articles/{id} [get]
func (s *Server) getAdminArticle(c echo.Context) error {
	a, err := s.adminArticle(c)
	if err != nil {
		return err
	}
	return s.sendAdminArticle(c, a, http.StatusOK)
}

// adminArticle loads the article named by the path, whatever its status.
func (s *Server) adminArticle(c echo.Context) (content.Article, error) {
	id := c.Param("id")
	if !content.IsID(id) {
		return content.Article{}, notFound("no article has this id")
	}
	return s.Content.AnyArticle(c.Request().Context(), content.Lookup{IDOrSlug: id})
}

// sendAdminArticle answers with the newsroom's view and the version's ETag.
func (s *Server) sendAdminArticle(c echo.Context, a content.Article, status int) error {
	return sendVersioned(c, status, a.ID, a.Version, a.UpdatedAt, toAdminArticleResponse(a, s.MediaURL))
}

// updateArticle godoc
//
//	@Summary		Change an article
//	@Description	A merge: fields left out stay as they are (the language cannot change). `If-Match` with the ETag last read is required: without it `428`, with a stale one `412`, and nothing is written either way. Of two editors who saved from the same version, one wins and the other gets `412`.
//	@Description
//	@Description	`preview_break`, `section` and `photo_id` are removed with `null`; the source with `{"name": ""}`. A new `slug` must be free in the language (`409` otherwise); the old one keeps answering with a `301` to the new one. `status` may move to any status: `scheduled` needs a future `publish_at`. Every save stores a revision.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string					true	"article ID"
//	@Param			If-Match	header		string					true	"the ETag last read"
//	@Param			article		body		updateArticleRequest	true	"the fields to change"
//	@Success		200			{object}	adminArticleResponse
//	@Header			200			{string}	ETag	"the new version's ETag"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Failure		428			{object}	Problem
//	@Router			/v1/admin/articles/{id} [patch]
func (s *Server) updateArticle(c echo.Context) error {
	ctx := c.Request().Context()
	var req updateArticleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, version, err := versionedPath(c, "article", true)
	if err != nil {
		return err
	}
	var issues []fault.FieldError
	body, bodyIssues, err := bodyOf(req.Blocks, req.BodyHTML, false)
	if err != nil {
		return err
	}
	issues = append(issues, bodyIssues...)
	refs, err := s.Content.ResolveRefs(ctx, content.Refs{
		Section: req.Section.orEmpty(), Tags: req.Tags, Authors: req.Authors, PhotoID: req.PhotoID.orEmpty(),
	})
	if issues, err = fault.Collect(issues, err); err != nil {
		return err
	}
	if len(issues) > 0 {
		return fault.Invalid(issues...)
	}
	p := content.ArticlePatch{
		Title: req.Title, Standfirst: req.Standfirst, Slug: req.Slug,
		SectionID: refs.SectionID, PhotoID: refs.PhotoID, TagIDs: refs.TagIDs, AuthorIDs: refs.AuthorIDs,
		CommentsEnabled: req.CommentsEnabled, Featured: req.Featured, PublishAt: req.PublishAt, Correction: req.Correction,
	}
	if req.Source != nil {
		p.Source = &content.Source{Name: strings.TrimSpace(req.Source.Name), URL: strings.TrimSpace(req.Source.URL)}
		if p.Source.Name == "" {
			p.Source.URL = ""
		}
	}
	if req.Access != nil {
		acc := content.Access(*req.Access)
		p.Access = &acc
	}
	if req.Status != nil {
		st := content.Status(*req.Status)
		p.Status = &st
	}
	if req.PreviewBreak.Set {
		p.PreviewBreak, p.ClearPreviewBreak = req.PreviewBreak.Value, req.PreviewBreak.Value == nil
	}
	if body != nil {
		p.Body = &body
	}
	a, err := s.Content.UpdateArticle(ctx, id, p, version, principalOf(c).Subject)
	if err != nil {
		return err
	}
	return s.sendAdminArticle(c, a, http.StatusOK)
}

// publishArticle godoc
//
//	@Summary		Publish an article
//	@Description	Makes the article public now; `published_at` stays when it was published before. `If-Match` is optional here: when sent, a stale one is a `412`; without it the article is published whatever its version. The save stores a revision.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string	true	"article ID"
//	@Param			If-Match	header		string	false	"the ETag last read"
//	@Success		200			{object}	adminArticleResponse
//	@Header			200			{string}	ETag	"the new version's ETag"
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/articles/{id}/publish [post]
func (s *Server) publishArticle(c echo.Context) error {
	return s.changeStatus(c, s.Content.PublishArticle)
}

// unpublishArticle godoc
//
//	@Summary		Unpublish an article
//	@Description	Withdraws the article from the public at once (its URL answers `404`). `If-Match` is optional, as for publish. The save stores a revision.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string	true	"article ID"
//	@Param			If-Match	header		string	false	"the ETag last read"
//	@Success		200			{object}	adminArticleResponse
//	@Header			200			{string}	ETag	"the new version's ETag"
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/articles/{id}/unpublish [post]
func (s *Server) unpublishArticle(c echo.Context) error {
	return s.changeStatus(c, s.Content.UnpublishArticle)
}

// changeStatus runs publish or unpublish. With If-Match, the version it
// names must be current; without, the action applies to whatever version
// is current.
func (s *Server) changeStatus(c echo.Context, do func(ctx context.Context, id string, version int, editor string) (content.Article, error)) error {
	id, version, err := versionedPath(c, "article", false)
	if err != nil {
		return err
	}
	a, err := do(c.Request().Context(), id, version, principalOf(c).Subject)
	if err != nil {
		return err
	}
	return s.sendAdminArticle(c, a, http.StatusOK)
}

// deleteArticle godoc
//
//	@Summary		Delete an article
//	@Description	For good, with its comments and revisions (admins only; to withdraw an article, unpublish it). `If-Match` is optional: when sent, a stale one is a `412`.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path	string	true	"article ID"
//	@Param			If-Match	header	string	false	"the ETag last read"
//	@Success		204			"No Content"
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Router			/v1/admin/articles/{id} [delete]
func (s *Server) deleteArticle(c echo.Context) error {
	id, version, err := versionedPath(c, "article", false)
	if err != nil {
		return err
	}
	if err := s.Content.DeleteArticle(c.Request().Context(), id, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listRevisions godoc
//
//	@Summary		List an article's revisions
//	@Description	One per save (create, update, publish, unpublish), newest first, each with who saved it and the article's editable fields and body after the save.
//	@Tags			admin
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id		path		string	true	"article ID"
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	revisionList
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/v1/admin/articles/{id}/revisions [get]
func (s *Server) listRevisions(c echo.Context) error {
	id := c.Param("id")
	if !content.IsID(id) {
		return notFound("no article has this id")
	}
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	cur, err := s.parseCursor(c, listRevisions+id)
	if err != nil {
		return err
	}
	before := 0
	if cur != nil {
		if before, err = strconv.Atoi(cur.ID); err != nil || before < 1 {
			return badParam("cursor", "is not a cursor this list issued; start again without it")
		}
	}
	revs, err := s.Content.Revisions(c.Request().Context(), id, limit+1, before)
	if err != nil {
		return err
	}
	resp := revisionList{Data: make([]revisionResponse, 0, len(revs))}
	if len(revs) > limit {
		revs = revs[:limit]
		last := revs[len(revs)-1]
		nc := s.cursors.encode(position{List: listRevisions + id, Time: last.CreatedAt, ID: strconv.Itoa(last.Version)})
		resp.NextCursor = &nc
	}
	for _, r := range revs {
		resp.Data = append(resp.Data, revisionResponse{
			ID: r.ID, Version: r.Version, Editor: r.Editor, Action: r.Action, CreatedAt: r.CreatedAt,
			Snapshot: json.RawMessage(bytes.Clone(r.Snapshot)),
		})
	}
	return sendJSON(c, resp, time.Time{}, cacheNewsroom, nil)
}

// toAdminArticleResponse converts an article the newsroom read or wrote,
// with its read model.
func toAdminArticleResponse(a content.Article, media string) adminArticleResponse {
	return adminArticleResponse{
		ID: a.ID, Slug: a.Slug, Lang: a.Lang, TranslationKey: a.TranslationKey,
		Title: a.Title, Standfirst: a.Standfirst,
		Status: string(a.Status), Access: string(a.Access), PreviewBreak: a.PreviewBreak,
		Section: toSectionRef(a.SectionPath, a.Lang, true), Photo: toPhotoRef(a.Photo, media),
		Tags: toTagResponses(a.Tags), Authors: toAuthorRefs(a.Authors), Source: toSourceResponse(a.Source),
		PublishAt: a.PublishAt, PublishedAt: a.PublishedAt,
		CommentsEnabled: a.CommentsEnabled, Featured: a.Featured, CommentCount: a.CommentCount,
		WordCount: a.WordCount, ReadingMinutes: a.ReadingMinutes,
		CanonicalURL: a.CanonicalURL, Version: a.Version,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		Body:    bodyResponse{Blocks: blockList(a.Body.Blocks), HTML: a.Body.HTML, Text: a.Body.Text},
		Preview: previewInfo{Words: a.Preview.Words, Truncated: a.Truncated},
	}
}

func toAdminArticleSummary(a content.Article) adminArticleSummary {
	return adminArticleSummary{
		ID: a.ID, Slug: a.Slug, Lang: a.Lang, Title: a.Title, Standfirst: a.Standfirst,
		Status: string(a.Status), Access: string(a.Access), Section: toSectionRef(a.SectionPath, a.Lang, false),
		Tags: toTagResponses(a.Tags), Authors: toAuthorRefs(a.Authors),
		PublishAt: a.PublishAt, PublishedAt: a.PublishedAt, Featured: a.Featured,
		WordCount: a.WordCount, CommentCount: a.CommentCount, Version: a.Version,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}
