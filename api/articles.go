package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/blocks"
	"masthead/internal/content"
)

// blockList is the body's blocks as stored JSON, sent as is with no decoding
// on the read path. The spec documents it as blockArray (see .swaggo).
type blockList json.RawMessage

// MarshalJSON sends the stored JSON unchanged.
func (b blockList) MarshalJSON() ([]byte, error) {
	if len(b) == 0 {
		return []byte("null"), nil
	}
	return b, nil
}

// blockArray is blockList's shape, for the spec only (swag reads it from
// the swaggertype tag).
type blockArray []blocks.Block //nolint:unused // named by a swag annotation, not by Go code

type articleResponse struct {
	ID             string          `json:"id" validate:"required" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Slug           string          `json:"slug" example:"sommet-de-la-vallee"`
	Lang           string          `json:"lang" example:"fr"`
	TranslationKey string          `json:"translation_key"`
	Title          string          `json:"title"`
	Standfirst     string          `json:"standfirst"`
	CanonicalURL   string          `json:"canonical_url" example:"https://publisher.example/fr/sommet-de-la-vallee"`
	Section        *sectionRef     `json:"section,omitempty"`
	Tags           []tagResponse   `json:"tags"`
	Authors        []authorRef     `json:"authors"`
	Source         *sourceResponse `json:"source,omitempty"`
	Photo          *photoResponse  `json:"photo,omitempty"`
	PublishedAt    time.Time       `json:"published_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	// Featured: the newsroom puts the article forward (WordPress's sticky
	// posts).
	Featured       bool                  `json:"featured"`
	Translations   []translationResponse `json:"translations"`
	WordCount      int                   `json:"word_count"`
	ReadingMinutes int                   `json:"reading_minutes"`
	CommentCount   int                   `json:"comment_count"`
	Comments       commentsInfo          `json:"comments"`
	Body           bodyResponse          `json:"body"`
	Access         accessResponse        `json:"access"`
	StructuredData structuredData        `json:"structured_data"`
}

type articleSummary struct {
	ID             string          `json:"id" validate:"required" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Slug           string          `json:"slug"`
	Lang           string          `json:"lang"`
	Title          string          `json:"title"`
	Standfirst     string          `json:"standfirst"`
	CanonicalURL   string          `json:"canonical_url"`
	Section        *sectionRef     `json:"section,omitempty"`
	Tags           []tagResponse   `json:"tags"`
	Authors        []authorRef     `json:"authors"`
	Source         *sourceResponse `json:"source,omitempty"`
	Photo          *photoResponse  `json:"photo,omitempty"`
	PublishedAt    time.Time       `json:"published_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	Featured       bool            `json:"featured"`
	WordCount      int             `json:"word_count"`
	ReadingMinutes int             `json:"reading_minutes"`
	CommentCount   int             `json:"comment_count"`
	Access         accessSummary   `json:"access"`
}

type articleList struct {
	Data       []articleSummary `json:"data" validate:"required"`
	NextCursor *string          `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

type sectionRef struct {
	ID         string  `json:"id" validate:"required"`
	Slug       string  `json:"slug" validate:"required" example:"diplomatie"`
	Name       string  `json:"name" validate:"required" example:"Diplomatie"`
	Breadcrumb []crumb `json:"breadcrumb,omitempty"`
}

type crumb struct {
	Slug string `json:"slug" validate:"required" example:"politique"`
	Name string `json:"name" validate:"required" example:"Politique"`
}

type authorRef struct {
	ID   string `json:"id" validate:"required"`
	Slug string `json:"slug" validate:"required" example:"a-dupont"`
	Name string `json:"name" validate:"required" example:"A. Dupont"`
}

type sourceResponse struct {
	Name string `json:"name" validate:"required" example:"Le Journal de la Vallée"`
	URL  string `json:"url,omitempty" example:"https://journal.example/article"`
}

type translationResponse struct {
	ID   string `json:"id" validate:"required"`
	Lang string `json:"lang" validate:"required" example:"en"`
	Slug string `json:"slug" validate:"required" example:"valley-summit"`
}

type commentsInfo struct {
	Enabled    bool   `json:"enabled" validate:"required"`
	Moderation string `json:"moderation" validate:"required" enums:"pre,post,trusted"`
	Count      int    `json:"count" validate:"required"`
}

type bodyResponse struct {
	Blocks blockList `json:"blocks,omitempty"`
	HTML   string    `json:"html,omitempty"`
	Text   string    `json:"text,omitempty"`
}

// accessResponse tells the reader what they got and why.
type accessResponse struct {
	Level        string `json:"level" validate:"required" enums:"public,registered,subscribers"`
	Granted      bool   `json:"granted" validate:"required"`
	Truncated    bool   `json:"truncated" validate:"required"`
	Reason       string `json:"reason" validate:"required" enums:"public,registered,subscriber,licensed,staff,metered,login_required,subscription_required,license_required"`
	WordsTotal   int    `json:"words_total" validate:"required"`
	WordsShown   int    `json:"words_shown" validate:"required"`
	SubscribeURL string `json:"subscribe_url,omitempty"`
	LoginURL     string `json:"login_url,omitempty"`
	// Meter is present when metering is on and a reader asks for a
	// subscribers article: with reason metered when it was granted under
	// the quota, with subscription_required and remaining 0 once spent.
	Meter *meterResponse `json:"meter,omitempty"`
}

// meterResponse is a reader's monthly quota of subscribers articles.
type meterResponse struct {
	Limit     int       `json:"limit" validate:"required" example:"3"`
	Remaining int       `json:"remaining" validate:"required" example:"2"`
	ResetsAt  time.Time `json:"resets_at" validate:"required" example:"2025-07-01T00:00:00Z"`
}

type accessSummary struct {
	Level   string `json:"level" validate:"required" enums:"public,registered,subscribers"`
	Granted bool   `json:"granted" validate:"required"`
}

// structuredData is the schema.org NewsArticle a frontend embeds for search
// engines, with the paywall marked as Google documents it.
type structuredData struct {
	Context             string         `json:"@context" validate:"required" example:"https://schema.org"`
	Type                string         `json:"@type" validate:"required" example:"NewsArticle"`
	Headline            string         `json:"headline" validate:"required"`
	DatePublished       time.Time      `json:"datePublished" validate:"required"`
	DateModified        time.Time      `json:"dateModified" validate:"required"`
	IsAccessibleForFree bool           `json:"isAccessibleForFree" validate:"required"`
	HasPart             *paywalledPart `json:"hasPart,omitempty"`
}

type paywalledPart struct {
	Type                string `json:"@type" validate:"required" example:"WebPageElement"`
	IsAccessibleForFree bool   `json:"isAccessibleForFree" validate:"required"`
	CSSSelector         string `json:"cssSelector" validate:"required" example:".paywalled"`
}

var (
	articleFields = []string{"slug", "lang", "translation_key", "title", "standfirst", "canonical_url", "section", "tags",
		"authors", "source", "photo", "published_at", "updated_at", "featured", "translations", "word_count", "reading_minutes",
		"comment_count", "comments", "body", "access", "structured_data"}
	summaryFields = []string{"slug", "lang", "title", "standfirst", "canonical_url", "section", "tags", "authors", "source",
		"photo", "published_at", "updated_at", "featured", "word_count", "reading_minutes", "comment_count", "access"}
	bodyFormats = []string{"blocks", "html", "text"}
)

// listArticles godoc
//
//	@Summary		List published articles
//	@Description	Summaries (no body) of live articles, newest first. Stable under concurrent publishing: the cursor is a keyset position.
//	@Tags			articles
//	@Security		BearerAuth
//	@Param			section	query		string	false	"section slug; includes its subsections"
//	@Param			tag		query		string	false	"tag slug"
//	@Param			author	query		string	false	"author slug"
//	@Param			lang	query		string	false	"two-letter language"
//	@Param			q		query		string	false	"full-text query (the syntax of /v1/search): only the articles that match, in what the caller may read of each; the list keeps its order"
//	@Param			featured	query		bool	false	"true: only the featured articles (the newsroom's picks, WordPress's sticky posts)"
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Param			fields	query		string	false	"comma-separated top-level fields to keep"
//	@Success		200		{object}	articleList
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Router			/v1/articles [get]
func (s *Server) listArticles(c echo.Context) error {
	ctx := c.Request().Context()
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	fields, err := parseSet(c, "fields", summaryFields)
	if err != nil {
		return err
	}
	lang, err := parseLang(c)
	if err != nil {
		return err
	}
	cur, err := s.parseCursor(c, "articles")
	if err != nil {
		return err
	}
	q, err := parseQuery(c, lang, false)
	if err != nil {
		return err
	}
	featured := false
	switch c.QueryParam("featured") {
	case "":
	case "true":
		featured = true
	default:
		return badParam("featured", "must be true (leave it out for every article)")
	}
	p := principalOf(c)
	key := "list\x00" + classOf(p) + "\x00" + c.Request().URL.Query().Encode()
	gen := s.Content.Generation()
	if rep, ok := s.cache.get(key, gen); ok {
		return sendRep(c, rep, cacheFor(p))
	}
	f := content.ListFilter{
		Section: c.QueryParam("section"), Tag: c.QueryParam("tag"), Author: c.QueryParam("author"),
		Lang: lang, Featured: featured, Limit: limit,
	}
	if q != nil {
		f.Query, f.Full = q, fullLevels(p)
	}
	if cur != nil {
		f.After = &content.Cursor{PublishedAt: cur.Time, ID: cur.ID}
	}
	list, next, err := s.Content.ListLive(ctx, f)
	if err != nil {
		return err
	}
	resp := articleList{Data: make([]articleSummary, 0, len(list))}
	var lastMod time.Time
	for _, a := range list {
		resp.Data = append(resp.Data, toArticleSummary(a, access.Decide(access.Level(a.Access), p), s.MediaURL))
		if a.UpdatedAt.After(lastMod) {
			lastMod = a.UpdatedAt
		}
	}
	if next != nil {
		nc := s.cursors.encode(position{List: "articles", Time: next.PublishedAt, ID: next.ID})
		resp.NextCursor = &nc
	}
	return s.sendCached(c, key, gen, resp, lastMod, fields)
}

// sendCached encodes v, remembers it under key, and sends it.
func (s *Server) sendCached(c echo.Context, key string, gen uint64, v any, lastMod time.Time, fields map[string]bool) error {
	rep, err := s.cacheRep(key, gen, v, lastMod, fields)
	if err != nil {
		return err
	}
	return sendRep(c, rep, cacheFor(principalOf(c)))
}

// cacheRep encodes v and remembers it under key.
func (s *Server) cacheRep(key string, gen uint64, v any, lastMod time.Time, fields map[string]bool) (cachedRep, error) {
	b, err := encode(v, fields)
	if err != nil {
		return cachedRep{}, err
	}
	rep := newRep(b, lastMod)
	rep.gen = gen
	s.cache.put(key, rep)
	return rep, nil
}

// findLive looks up the live article ref (an id, or a slug in lang). When
// there is none it returns the 404; when ref is an old slug it answers the
// redirect to the current one and says so with answered.
func (s *Server) findLive(c echo.Context, ref, lang string) (a content.Article, answered bool, err error) {
	a, moved, err := s.Content.LiveArticle(c.Request().Context(), content.Lookup{IDOrSlug: ref, Lang: lang})
	if err != nil || !moved {
		return a, false, err
	}
	q := c.Request().URL.Query()
	q.Set("lang", a.Lang)
	c.Response().Header().Set(echo.HeaderCacheControl, cachePublic)
	return a, true, c.Redirect(http.StatusMovedPermanently, "/v1/articles/"+url.PathEscape(a.Slug)+"?"+q.Encode())
}

// classOf names what a caller may read, without naming the caller: two
// callers of the same class get the same bytes for every article, so cached
// representations are shared by class and never across classes.
func classOf(p access.Principal) string {
	return access.Decide(access.Registered, p).Reason + "," + access.Decide(access.Subscribers, p).Reason
}

// setKey is a canonical form of a parsed set parameter.
func setKey(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}

// getArticle godoc
//
//	@Summary		Get one article
//	@Description	The whole body or a preview, as the caller's token allows (see `access`). By ID, or by slug (add `lang` when a slug exists in several languages). An old slug answers 301 to the current one. Drafts, unpublished and future articles are 404.
//	@Description
//	@Description	With `Accept: application/ninjs+json` (preferred to `application/json`) or `format=ninjs`, the answer is the article in IPTC ninjs 2.1, served as `application/ninjs+json`. As in every syndication format, its bodies hold the whole story only for `full_text` partners and staff; everybody else gets the stored preview's HTML, even of a public article. `fields` and `preview` do not apply to it (400).
//	@Tags			articles
//	@Security		BearerAuth
//	@Param			id_or_slug	path		string	true	"article ID (ULID) or slug"
//	@Param			lang		query		string	false	"two-letter language, to pick among slugs"
//	@Param			format		query		string	false	"comma-separated body forms: blocks, html, text (default all); or ninjs alone"
//	@Param			fields		query		string	false	"comma-separated top-level fields to keep"
//	@Param			preview		query		bool	false	"editors and admins: show the article whatever its status (drafts, scheduled), in full"
//	@Success		200			{object}	articleResponse
//	@Success		301			"Moved Permanently: the slug changed"
//	@Success		304			"Not Modified"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Router			/v1/articles/{id_or_slug} [get]
func (s *Server) getArticle(c echo.Context) error {
	// The rendering is negotiated (ninjs.go): caches must key on Accept too.
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	if ninjs, err := wantsNinjs(c); err != nil {
		return err
	} else if ninjs {
		return s.getArticleNinjs(c)
	}
	ctx := c.Request().Context()
	ref := c.Param("id_or_slug")
	lang, err := parseLang(c)
	if err != nil {
		return err
	}
	formats, err := parseSet(c, "format", bodyFormats)
	if err != nil {
		return err
	}
	fields, err := parseSet(c, "fields", articleFields)
	if err != nil {
		return err
	}
	if !content.IsID(ref) && !validSlug(ref) {
		return notFound("no article has this id or slug")
	}
	p := principalOf(c)
	switch c.QueryParam("preview") {
	case "", "false":
	case "true":
		return s.previewArticle(c, ref, lang, formats, fields)
	default:
		return badParam("preview", "must be true or false")
	}
	key := "article\x00" + ref + "\x00" + lang + "\x00" + classOf(p) + "\x00" + setKey(formats) + "\x00" + setKey(fields)
	gen := s.Content.Generation()
	// A metered reader's answer is their own (their meter, maybe the full
	// body): it is never taken from the shared cache nor put in it. The
	// level is not known before the article is loaded, so readers skip the
	// cache altogether while metering is on.
	metered := s.Meter.Enabled() && p.Role == access.RoleReader
	if !metered {
		if rep, ok := s.cache.get(key, gen); ok {
			return sendRep(c, rep, cacheFor(p))
		}
	}
	a, answered, err := s.findLive(c, ref, lang)
	if answered || err != nil {
		return err
	}
	d := access.Decide(access.Level(a.Access), p)
	var meter *meterResponse
	if metered && a.Access == content.AccessSubscribers && !d.Granted {
		m, granted, err := s.Meter.Use(ctx, p.Subject, a.ID, s.Now())
		if err != nil {
			return err
		}
		meter = &meterResponse{Limit: m.Limit, Remaining: m.Remaining, ResetsAt: m.ResetsAt}
		if granted {
			d = access.Decision{Granted: true, Reason: reasonMetered}
		}
	}
	resp := toArticleResponse(a, d, meter, formats, s.readerSettings())
	if metered {
		b, err := encode(resp, fields)
		if err != nil {
			return err
		}
		return sendBytes(c, b, a.UpdatedAt, cachePrivate)
	}
	return s.sendCached(c, key, gen, resp, a.UpdatedAt, fields)
}

// reasonMetered is the access reason of a subscribers article a reader
// opened under the monthly meter.
const reasonMetered = "metered"

// previewArticle shows the newsroom an article in any status, in full, never
// cached anywhere.
func (s *Server) previewArticle(c echo.Context, ref, lang string, formats, fields map[string]bool) error {
	p := principalOf(c)
	if p.Anonymous() {
		return errUnauthenticated
	}
	if !p.Staff() {
		return errForbidden
	}
	a, err := s.Content.AnyArticle(c.Request().Context(), content.Lookup{IDOrSlug: ref, Lang: lang})
	if err != nil {
		return err
	}
	if a.PublishedAt == nil {
		// Not published yet: the date it would carry if published now.
		t := s.Content.Now()
		a.PublishedAt = &t
	}
	resp := toArticleResponse(a, access.Decide(access.Level(a.Access), p), nil, formats, s.readerSettings())
	b, err := encode(resp, fields)
	if err != nil {
		return err
	}
	return sendRep(c, newRep(b, a.UpdatedAt), "private, no-store")
}

// cacheFor picks the cache policy: anything answered to a token is private
// (it may be an entitled, full representation); anonymous answers may be
// shared, since they never carry more than the preview.
func cacheFor(p access.Principal) string {
	if p.Anonymous() {
		return cachePublic
	}
	return cachePrivate
}

// readerSettings are the settings an article response shows a reader:
// where to subscribe or log in, and how comments are moderated.
type readerSettings struct {
	SubscribeURL, LoginURL string
	Moderation             string
	MediaURL               string // app.Services.MediaURL
}

func (s *Server) readerSettings() readerSettings {
	return readerSettings{SubscribeURL: s.SubscribeURL, LoginURL: s.LoginURL, Moderation: s.Moderation, MediaURL: s.MediaURL}
}

// toArticleResponse converts an article read with its read model
// (content.Service.LiveArticle or AnyArticle) as decision d allows: the
// whole body when granted, the stored preview otherwise. meter, when not
// nil, goes into the access object.
func toArticleResponse(a content.Article, d access.Decision, meter *meterResponse, formats map[string]bool, rs readerSettings) articleResponse {
	body, shown := a.Preview, a.Preview.Words
	// A caller who may not read a non-public article never gets all of it,
	// whatever the stored preview says (it may predate that rule, until
	// `masthead rerender` recomputes it).
	truncated := a.Truncated || a.Access != content.AccessPublic
	if d.Granted {
		body, shown, truncated = a.Body, a.WordCount, false
	}
	resp := articleResponse{
		ID: a.ID, Slug: a.Slug, Lang: a.Lang, TranslationKey: a.TranslationKey,
		Title: a.Title, Standfirst: a.Standfirst, CanonicalURL: a.CanonicalURL,
		Section: toSectionRef(a.SectionPath, a.Lang, true), Photo: toPhotoRef(a.Photo, rs.MediaURL),
		Tags: toTagResponses(a.Tags), Authors: toAuthorRefs(a.Authors),
		Source: toSourceResponse(a.Source), Translations: toTranslationResponses(a.Translations),
		PublishedAt: *a.PublishedAt, UpdatedAt: a.UpdatedAt, Featured: a.Featured,
		WordCount: a.WordCount, ReadingMinutes: a.ReadingMinutes, CommentCount: a.CommentCount,
		Comments: commentsInfo{Enabled: a.CommentsEnabled, Moderation: rs.Moderation, Count: a.CommentCount},
		Access: accessResponse{
			Level: string(a.Access), Granted: d.Granted, Truncated: truncated, Reason: d.Reason,
			WordsTotal: a.WordCount, WordsShown: shown, Meter: meter,
		},
		StructuredData: structuredData{
			Context: "https://schema.org", Type: "NewsArticle", Headline: a.Title,
			DatePublished: *a.PublishedAt, DateModified: a.UpdatedAt,
			IsAccessibleForFree: a.Access == content.AccessPublic,
		},
	}
	if !d.Granted {
		resp.Access.SubscribeURL, resp.Access.LoginURL = rs.SubscribeURL, rs.LoginURL
	}
	if a.Access != content.AccessPublic {
		resp.StructuredData.HasPart = &paywalledPart{Type: "WebPageElement", IsAccessibleForFree: false, CSSSelector: ".paywalled"}
	}
	if formats == nil || formats["blocks"] {
		resp.Body.Blocks = blockList(body.Blocks)
	}
	if formats == nil || formats["html"] {
		resp.Body.HTML = body.HTML
	}
	if formats == nil || formats["text"] {
		resp.Body.Text = body.Text
	}
	return resp
}

// toArticleSummary converts an article of a page (its read model loaded by
// the list's read), with d the caller's access decision for it.
func toArticleSummary(a content.Article, d access.Decision, media string) articleSummary {
	return articleSummary{
		ID: a.ID, Slug: a.Slug, Lang: a.Lang, Title: a.Title, Standfirst: a.Standfirst,
		CanonicalURL: a.CanonicalURL, Section: toSectionRef(a.SectionPath, a.Lang, false),
		Tags: toTagResponses(a.Tags), Authors: toAuthorRefs(a.Authors),
		Source: toSourceResponse(a.Source), Photo: toPhotoRef(a.Photo, media),
		PublishedAt: *a.PublishedAt, UpdatedAt: a.UpdatedAt, Featured: a.Featured,
		WordCount: a.WordCount, ReadingMinutes: a.ReadingMinutes, CommentCount: a.CommentCount,
		Access: accessSummary{Level: string(a.Access), Granted: d.Granted},
	}
}

// toSectionRef names the last section of path (an article's section path,
// top-level first), with the whole path as breadcrumb when asked; nil for
// an empty path (no section).
func toSectionRef(path []content.Section, lang string, breadcrumb bool) *sectionRef {
	if len(path) == 0 {
		return nil
	}
	last := path[len(path)-1]
	ref := &sectionRef{ID: last.ID, Slug: last.Slug, Name: last.Name(lang)}
	if breadcrumb {
		for _, sec := range path {
			ref.Breadcrumb = append(ref.Breadcrumb, crumb{Slug: sec.Slug, Name: sec.Name(lang)})
		}
	}
	return ref
}

func toTranslationResponses(ts []content.Translation) []translationResponse {
	out := make([]translationResponse, 0, len(ts))
	for _, t := range ts {
		out = append(out, translationResponse{ID: t.ID, Lang: t.Lang, Slug: t.Slug})
	}
	return out
}

func toTagResponses(ts []content.Tag) []tagResponse {
	out := make([]tagResponse, 0, len(ts))
	for _, t := range ts {
		out = append(out, toTagResponse(t))
	}
	return out
}

func toAuthorRefs(as []content.Author) []authorRef {
	out := make([]authorRef, 0, len(as))
	for _, a := range as {
		out = append(out, authorRef{ID: a.ID, Slug: a.Slug, Name: a.Name})
	}
	return out
}

func toSourceResponse(s content.Source) *sourceResponse {
	if s.Name == "" {
		return nil
	}
	return &sourceResponse{Name: s.Name, URL: s.URL}
}
