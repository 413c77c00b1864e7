package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/content"
	"masthead/internal/feed"
)

// Feeds: /v1/feeds/latest.{ext}, /v1/feeds/section/{slug}.{ext},
// /v1/feeds/tag/{slug}.{ext} and /v1/feeds/lang/{lang}.{ext}, where ext is
// rss (RSS 2.0), atom (Atom 1.0) or json (JSON Feed 1.1). Each names one
// path segment, split here, because Echo's parameters cannot end in a fixed
// suffix.

// feedScope is which articles a feed carries.
type feedScope struct {
	kind string // latest, section, tag or lang
	slug string // section or tag slug, or the language of a lang feed
}

// The item id, stable when the slug (and so the link) changes, and the IRIs
// naming our taxonomies in categories (RSS domain, Atom scheme).
const (
	feedGUIDPrefix    = "urn:masthead:article:"
	feedSectionScheme = "urn:masthead:section"
	feedTagScheme     = "urn:masthead:tag:" // + the tag's kind: country or topic
)

// getLatestFeed godoc
//
//	@Summary		Feed of the latest articles
//	@Description	The newest live articles in RSS 2.0, Atom 1.0 or JSON Feed 1.1, picked by the extension. Each item has the headline, the canonical link, the standfirst as summary, the publication and update times, the authors, the section and tags as categories, and the featured photo (RSS enclosure and Media RSS `media:content` with caption and credit; Atom enclosure link and `media:content`; JSON Feed `image`, an attachment and `_masthead.photo` with caption, credit and alt). The item id (RSS guid, not a permalink) is `urn:masthead:article:{id}` and never changes.
//	@Description
//	@Description	The content (RSS `content:encoded`, Atom `content`, JSON `content_html`) is the whole body only for a partner token with the `full_text` scope, and for staff. Everyone else — anonymous, readers, subscribers, `headlines` partners — gets the stored preview, even of public articles: republishing full text is what the syndication licence sells.
//	@Description
//	@Description	Feed readers that cannot send headers pass a partner's feed key as `key`. Answers carry ETag and Last-Modified (the latest change to an item); If-None-Match and If-Modified-Since answer 304.
//	@Tags			feeds
//	@Security		BearerAuth
//	@Produce		application/rss+xml,application/atom+xml,application/feed+json
//	@Param			file	path		string	true	"latest with the format's extension"	Enums(latest.rss, latest.atom, latest.json)
//	@Param			limit	query		int		false	"items, 1–100"							default(20)
//	@Param			lang	query		string	false	"two-letter language: only articles in it"
//	@Param			key		query		string	false	"partner feed key, instead of an Authorization header"
//	@Success		200		{file}		file	"the feed"
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/v1/feeds/{file} [get]
func (s *Server) getLatestFeed(c echo.Context) error {
	name, format, err := splitFeedFile(c.Param("file"))
	if err != nil {
		return err
	}
	if name != "latest" {
		return notFound("no feed is called " + strconv.Quote(name) + "; try latest, section/{slug}, tag/{slug} or lang/{lang}")
	}
	return s.serveFeed(c, feedScope{kind: "latest"}, format)
}

// getSectionFeed godoc
//
//	@Summary		Feed of a section
//	@Description	As /v1/feeds/latest, limited to a section and its subsections. An unknown section is a 404.
//	@Tags			feeds
//	@Security		BearerAuth
//	@Produce		application/rss+xml,application/atom+xml,application/feed+json
//	@Param			file	path		string	true	"section slug with the format's extension: politique.rss, politique.atom or politique.json"
//	@Param			limit	query		int		false	"items, 1–100"	default(20)
//	@Param			lang	query		string	false	"two-letter language: only articles in it"
//	@Param			key		query		string	false	"partner feed key, instead of an Authorization header"
//	@Success		200		{file}		file	"the feed"
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/v1/feeds/section/{file} [get]
func (s *Server) getSectionFeed(c echo.Context) error {
	return s.serveSlugFeed(c, "section")
}

// getTagFeed godoc
//
//	@Summary		Feed of a tag
//	@Description	As /v1/feeds/latest, limited to articles with a tag (a country or a topic). An unknown tag is a 404.
//	@Tags			feeds
//	@Security		BearerAuth
//	@Produce		application/rss+xml,application/atom+xml,application/feed+json
//	@Param			file	path		string	true	"tag slug with the format's extension: equimont.rss, equimont.atom or equimont.json"
//	@Param			limit	query		int		false	"items, 1–100"	default(20)
//	@Param			lang	query		string	false	"two-letter language: only articles in it"
//	@Param			key		query		string	false	"partner feed key, instead of an Authorization header"
//	@Success		200		{file}		file	"the feed"
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/v1/feeds/tag/{file} [get]
func (s *Server) getTagFeed(c echo.Context) error {
	return s.serveSlugFeed(c, "tag")
}

// getLangFeed godoc
//
//	@Summary		Feed of a language
//	@Description	As /v1/feeds/latest, limited to articles in one language. A language that is not two lower-case letters is a 400; one with no articles gives an empty feed.
//	@Tags			feeds
//	@Security		BearerAuth
//	@Produce		application/rss+xml,application/atom+xml,application/feed+json
//	@Param			file	path		string	true	"two-letter language with the format's extension: fr.rss, fr.atom or fr.json"
//	@Param			limit	query		int		false	"items, 1–100"	default(20)
//	@Param			key		query		string	false	"partner feed key, instead of an Authorization header"
//	@Success		200		{file}		file	"the feed"
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/v1/feeds/lang/{file} [get]
func (s *Server) getLangFeed(c echo.Context) error {
	lang, format, err := splitFeedFile(c.Param("file"))
	if err != nil {
		return err
	}
	if !validLangCode(lang) {
		return badRequest("the language in a feed's path must be two lower-case letters, such as fr.rss",
			FieldIssue{Field: "lang", Message: "must be a two-letter, lower-case language code"})
	}
	if c.QueryParam("lang") != "" {
		return badParam("lang", "is already in the path of a language feed")
	}
	return s.serveFeed(c, feedScope{kind: "lang", slug: lang}, format)
}

func (s *Server) serveSlugFeed(c echo.Context, kind string) error {
	slug, format, err := splitFeedFile(c.Param("file"))
	if err != nil {
		return err
	}
	if !validSlug(slug) {
		return notFound("no " + kind + " has this slug")
	}
	return s.serveFeed(c, feedScope{kind: kind, slug: slug}, format)
}

// splitFeedFile splits "name.ext"; an extension that is not a feed format
// is a 404, as for any file that does not exist.
func splitFeedFile(file string) (string, feed.Format, error) {
	i := strings.LastIndexByte(file, '.')
	if i <= 0 {
		return "", "", notFound("a feed's name ends in .rss, .atom or .json")
	}
	format, ok := feed.ParseFormat(file[i+1:])
	if !ok {
		return "", "", notFound("no feed format ." + file[i+1:] + "; use .rss, .atom or .json")
	}
	return file[:i], format, nil
}

func (s *Server) serveFeed(c echo.Context, scope feedScope, format feed.Format) error {
	ctx := c.Request().Context()
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	lang := scope.slug
	if scope.kind != "lang" {
		if lang, err = parseLang(c); err != nil {
			return err
		}
	}
	p := principalOf(c)
	full := p.SyndicatesFullText()
	base := requestBase(c)
	// The bytes depend on the scope, the format, the limit, the base URL
	// and whether the caller gets full text — never on who the caller is,
	// nor on ?key=, so every caller of a class shares one entry.
	class := "preview"
	if full {
		class = "full_text"
	}
	key := strings.Join([]string{"feed", class, scope.kind, scope.slug, lang, string(format), strconv.Itoa(limit), base}, "\x00")
	gen := s.Content.Generation()
	if rep, ok := s.cache.get(key, gen); ok {
		return sendFeed(c, rep, format, p)
	}

	title, err := s.feedTitle(c, scope, lang)
	if err != nil {
		return err
	}
	f := content.FeedFilter{Lang: lang, Limit: limit, FullText: full}
	switch scope.kind {
	case "section":
		f.Section = scope.slug
	case "tag":
		f.Tag = scope.slug
	}
	list, err := s.Content.FeedArticles(ctx, f)
	if err != nil {
		return err
	}

	site := siteName(s.PublicURL)
	self := feedSelfURL(base, scope, format, limit, lang)
	out := feed.Feed{
		ID: self, Title: site + " — " + title.name, Description: title.description,
		Link: s.PublicURL, SelfURL: self, Language: lang, Author: site, Generator: "Masthead",
		Items: make([]feed.Item, 0, len(list)),
	}
	var lastMod time.Time
	for _, a := range list {
		it, changed := toFeedItem(a, s.absMediaURL(base), full)
		out.Items = append(out.Items, it)
		if changed.After(lastMod) {
			lastMod = changed
		}
	}
	out.Updated = lastMod // zero for an empty feed: no Last-Modified either
	b, err := feed.Encode(out, format)
	if err != nil {
		return err
	}
	rep := newRep(b, lastMod)
	rep.gen = gen
	s.cache.put(key, rep)
	return sendFeed(c, rep, format, p)
}

// sendFeed sends a feed with its media type. Anything answered to a token
// or a feed key is private: a full-text feed is licensed to its holder, and
// a shared cache must not hand it on. Anonymous feeds carry previews only
// and may be shared.
func sendFeed(c echo.Context, rep cachedRep, format feed.Format, p access.Principal) error {
	// sendRep's Blob keeps a Content-Type already set.
	c.Response().Header().Set(echo.HeaderContentType, format.ContentType())
	return sendRep(c, rep, cacheFor(p))
}

type feedHeading struct{ name, description string }

// feedTitle names the feed, and checks that its section or tag exists.
func (s *Server) feedTitle(c echo.Context, scope feedScope, lang string) (feedHeading, error) {
	ctx := c.Request().Context()
	switch scope.kind {
	case "section":
		secs, err := s.Content.Sections(ctx)
		if err != nil {
			return feedHeading{}, err
		}
		for _, sec := range secs {
			if sec.Slug == scope.slug {
				name := sec.Name(lang)
				return feedHeading{name, "Articles in " + name + " and its sub-sections"}, nil
			}
		}
		return feedHeading{}, notFound("no section has this slug")
	case "tag":
		t, err := s.Content.TagBySlug(ctx, scope.slug)
		if err != nil {
			return feedHeading{}, err
		}
		return feedHeading{t.Name, "Articles tagged " + t.Name}, nil
	case "lang":
		return feedHeading{scope.slug, "Articles in the language " + scope.slug}, nil
	}
	return feedHeading{"Latest", "The latest articles"}, nil
}

// toFeedItem converts a live article with its read model
// (content.Service.FeedArticles). changed is when the item last changed:
// its update, its publication (a scheduled article appears later than it
// was written) or its photo's update.
func toFeedItem(a content.Article, media string, full bool) (it feed.Item, changed time.Time) {
	published := *a.PublishedAt
	updated := a.UpdatedAt
	if published.After(updated) {
		updated = published
	}
	it = feed.Item{
		ID: feedGUIDPrefix + a.ID, Title: a.Title, Link: a.CanonicalURL, Summary: a.Standfirst,
		Published: published, Updated: updated, Language: a.Lang,
		// The stored preview, or for a licensed caller the stored body: no
		// other text of the article ever reaches a feed.
		HTML: a.Preview.HTML,
	}
	if full {
		it.HTML = a.Body.HTML
	}
	for _, au := range a.Authors {
		it.Authors = append(it.Authors, au.Name)
	}
	if sec, ok := a.Section(); ok {
		it.Categories = append(it.Categories, feed.Category{Term: sec.Slug, Label: sec.Name(a.Lang), Scheme: feedSectionScheme})
	}
	for _, t := range a.Tags {
		it.Categories = append(it.Categories, feed.Category{Term: t.Slug, Label: t.Name, Scheme: feedTagScheme + t.Kind})
	}
	changed = updated
	if ph := a.Photo; ph != nil {
		it.Image = feedImage(*ph, media)
		if ph.UpdatedAt.After(changed) {
			changed = ph.UpdatedAt
		}
	}
	return it, changed
}

// feedImage is the largest rendition (or the original when the photo was
// too small for any), as an absolute URL: feed readers fetch it from
// elsewhere.
func feedImage(ph content.Photo, media string) *feed.Image {
	path, w, h := ph.Original, ph.Width, ph.Height
	if n := len(ph.Renditions); n > 0 {
		r := ph.Renditions[n-1] // ascending width
		path, w, h = r.Path, r.Width, r.Height
	}
	if path == "" {
		return nil
	}
	return &feed.Image{
		URL: media + path, Type: ph.Mime, Width: w, Height: h,
		Caption: ph.Caption, Credit: ph.Credit, Alt: ph.Alt,
	}
}

// requestBase is the scheme and host this API was reached at, for the
// absolute URLs a feed needs (its own, and the photos'). It is part of the
// cache key, so a forged Host only ever shapes its own answer. Only http
// and https are taken from X-Forwarded-Proto.
func requestBase(c echo.Context) string {
	scheme := "http"
	if c.IsTLS() || strings.EqualFold(c.Request().Header.Get(echo.HeaderXForwardedProto), "https") {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host
}

// feedSelfURL is the feed's own URL, rebuilt from what was parsed (so an
// oddly escaped request cannot shape the cached copy), with the parameters
// that shape it and never the caller's feed key.
func feedSelfURL(base string, scope feedScope, format feed.Format, limit int, lang string) string {
	u := base + "/v1/feeds/latest"
	if scope.kind != "latest" {
		u = base + "/v1/feeds/" + scope.kind + "/" + scope.slug
	}
	u += "." + string(format)
	q := url.Values{}
	if limit != defaultLimit {
		q.Set("limit", strconv.Itoa(limit))
	}
	if lang != "" && scope.kind != "lang" {
		q.Set("lang", lang)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// siteName is the publisher's host, to title feeds.
func siteName(publicURL string) string {
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		return u.Host
	}
	return publicURL
}
