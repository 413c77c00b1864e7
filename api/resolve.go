package api

import (
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/content"
)

// resolveResponse is what an old path of the site is now.
type resolveResponse struct {
	// Kind is what the path leads to.
	Kind string `json:"kind" validate:"required" enums:"article,section,tag,photo" example:"article"`
	ID   string `json:"id" validate:"required" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	// Slug is the article's, section's or tag's slug (absent for a photo).
	Slug string `json:"slug,omitempty" example:"sommet-de-la-vallee"`
	// Lang is the article's language (articles only).
	Lang string `json:"lang,omitempty" example:"fr"`
	// SectionPath is a section's slug after its ancestors', top-level
	// first (sections only).
	SectionPath []string `json:"section_path,omitempty"`
	// CanonicalURL is where the publisher's site shows the article now:
	// where to redirect (articles only).
	CanonicalURL string `json:"canonical_url,omitempty" example:"https://publisher.example/fr/sommet-de-la-vallee"`
	// Location is the API's URL of what the path leads to: the article,
	// the list of the section's or tag's articles, the photo.
	Location string `json:"location" validate:"required" example:"/v1/articles/01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	// Path is the canonical form of the path asked for, the key it was
	// looked up by.
	Path string `json:"path" validate:"required" example:"/2026/03/sommet-de-la-vallee"`
}

// resolvePath godoc
//
//	@Summary		What an old path of the site is now
//	@Description	For a frontend that took over from another site (an import, `masthead import wordpress`): give it the path a reader asked for and that it does not know, and it says what the path leads to now, so that the site answers a `301` to the new address rather than a `404`. `canonical_url` is where the publisher's site shows an article (see the articles' `canonical_url`); `location` is the API's URL of what the path names.
//	@Description
//	@Description	`path` is the path, with its query when there is one, URL-encoded as a query value (`/?p=8` is `path=%2F%3Fp%3D8`). It is read in a canonical form, so that every spelling of a link finds it: percent-escapes decoded (UTF-8), lower case, Unicode NFC, dot segments and repeated or trailing slashes resolved, the fragment dropped, and the query dropped too but for WordPress's plain links `p=N`, `page_id=N`, `attachment_id=N` and `cat=N`. `path` in the answer is that form.
//	@Description
//	@Description	The paths an import recorded (permalinks, `/?p=8`, category and tag archives, attachment pages) come first. Any other path of the form `/<lang>/<slug>` (the site's own article URLs, after the path of its public URL) finds the article with that slug in that language, or the article that had it before a rename.
//	@Description
//	@Description	A path that leads to what the public may not see — a draft, an unpublished or deleted article, a deleted section, tag or photo, or a page the import recorded as gone — is `410` `gone`, with nothing of it; an unknown path is `404`. A missing or empty `path`, one longer than 2,048 bytes, not UTF-8 (before or after decoding), holding control characters or not starting with `/` is `400`.
//	@Tags			articles
//	@Security		BearerAuth
//	@Param			path	query		string	true	"the old path, with its query (URL-encoded)"	example(/2026/03/sommet-de-la-vallee/)
//	@Success		200		{object}	resolveResponse
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		410		{object}	Problem
//	@Router			/v1/resolve [get]
func (s *Server) resolvePath(c echo.Context) error {
	raw, ok := c.QueryParams()["path"]
	if !ok || len(raw) == 0 || raw[0] == "" {
		return badParam("path", "is required")
	}
	if len(raw) > 1 {
		return badParam("path", "must be given once")
	}
	p, err := content.CanonicalPath(raw[0])
	if err != nil {
		return badParam("path", err.Error())
	}
	// Every caller gets the same answer: no class in the key.
	key := "resolve\x00" + p
	gen := s.Content.Generation()
	if rep, ok := s.cache.get(key, gen); ok {
		return sendRep(c, rep, cacheFor(principalOf(c)))
	}
	r, err := s.Content.Resolve(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return s.sendCached(c, key, gen, toResolveResponse(r), time.Time{}, nil)
}

// toResolveResponse converts a resolution.
func toResolveResponse(r content.Resolution) resolveResponse {
	resp := resolveResponse{Kind: r.Kind, ID: r.ID, Slug: r.Slug, Lang: r.Lang, SectionPath: r.SectionPath,
		CanonicalURL: r.CanonicalURL, Path: r.Path}
	switch r.Kind {
	case content.KindArticle:
		resp.Location = "/v1/articles/" + r.ID
	case content.KindSection:
		resp.Location = "/v1/articles?section=" + url.QueryEscape(r.Slug)
	case content.KindTag:
		resp.Location = "/v1/articles?tag=" + url.QueryEscape(r.Slug)
	case content.KindPhoto:
		resp.Location = "/v1/photos/" + r.ID
	}
	return resp
}
