package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"masthead/internal/content"
)

// The IPTC ninjs rendering of an article: the news industry's JSON for
// syndication, version 2.1 (lower-case property names, associations and
// renditions as arrays), so that a partner's ingest can take our stories
// like any agency's. Served by GET /v1/articles/{id_or_slug} to
// `Accept: application/ninjs+json` or `?format=ninjs`.

const (
	mimeNinjs     = "application/ninjs+json"
	ninjsVersion  = "2.1"
	ninjsSchema   = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"
	ninjsURNScope = "urn:masthead:"
)

// ninjsItem is an article as a ninjs 2.1 news item.
type ninjsItem struct {
	// URI identifies the story for good: a URN on its ID, which no edit of
	// the title or slug changes.
	URI  string `json:"uri" validate:"required" example:"urn:masthead:article:01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Type string `json:"type" validate:"required" enums:"text"`
	// RepresentationType is partial when bodies hold the preview only.
	RepresentationType string `json:"representationtype" validate:"required" enums:"full,partial"`
	// Version is the article's version, as in the sync API's changes.
	Version        string      `json:"version" validate:"required" example:"3"`
	FirstCreated   string      `json:"firstcreated" validate:"required" format:"date-time" example:"2026-09-19T14:00:00Z"`
	VersionCreated string      `json:"versioncreated" validate:"required" format:"date-time" example:"2026-09-19T16:20:00Z"`
	PubStatus      string      `json:"pubstatus" validate:"required" enums:"usable"`
	Language       string      `json:"language" validate:"required" example:"fr"`
	Slugline       string      `json:"slugline" validate:"required" example:"sommet-de-la-vallee"`
	Headlines      []ninjsText `json:"headlines" validate:"required"`
	// Descriptions holds the standfirst (role summary).
	Descriptions []ninjsText `json:"descriptions,omitempty"`
	// Bodies: the whole body as HTML (role main) and plain text for
	// full_text partners and staff; for everybody else the preview's HTML
	// alone (role preview), whatever the article's access level.
	Bodies []ninjsBody `json:"bodies" validate:"required"`
	// By is the byline; People names the authors (rel author).
	By     string         `json:"by,omitempty" example:"A. Dupont"`
	People []ninjsConcept `json:"people,omitempty"`
	// Subjects: the section (rel section) and the topic tags (rel about);
	// Places: the country tags.
	Subjects    []ninjsConcept    `json:"subjects,omitempty"`
	Places      []ninjsConcept    `json:"places,omitempty"`
	Infosources []ninjsInfosource `json:"infosources,omitempty"`
	// Associations holds the featured photo (name featured).
	Associations []ninjsAssociation `json:"associations,omitempty"`
	// Renditions holds the story's page on the publisher's site (name web).
	Renditions      []ninjsRendition `json:"renditions" validate:"required"`
	CopyrightHolder string           `json:"copyrightholder" validate:"required" example:"publisher.example"`
	CopyrightNotice string           `json:"copyrightnotice" validate:"required" example:"© 2026 publisher.example"`
	// UsageTerms says, on a partial item, where the rest of the story is.
	UsageTerms string        `json:"usageterms,omitempty"`
	Standard   ninjsStandard `json:"standard" validate:"required"`
}

type ninjsText struct {
	Role        string `json:"role" validate:"required" example:"main"`
	ContentType string `json:"contenttype" validate:"required" example:"text/plain"`
	Value       string `json:"value" validate:"required"`
}

type ninjsBody struct {
	Role        string `json:"role" validate:"required" enums:"main,preview"`
	ContentType string `json:"contenttype" validate:"required" enums:"text/html,text/plain"`
	Value       string `json:"value" validate:"required"`
	WordCount   int    `json:"wordcount" validate:"required"`
	CharCount   int    `json:"charcount" validate:"required"`
}

type ninjsConcept struct {
	Name    string `json:"name" validate:"required" example:"Diplomatie"`
	Rel     string `json:"rel" validate:"required" example:"section"`
	Literal string `json:"literal" validate:"required" example:"diplomatie"`
	URI     string `json:"uri" validate:"required" example:"urn:masthead:section:diplomatie"`
}

type ninjsInfosource struct {
	Name string `json:"name" validate:"required" example:"Le Journal de la Vallée"`
	URI  string `json:"uri,omitempty" example:"https://journal.example/article"`
}

type ninjsAssociation struct {
	Name string `json:"name" validate:"required" example:"featured"`
	URI  string `json:"uri" validate:"required" example:"urn:masthead:photo:01JD3Q8V6K2M7T4X9R5B1N0C8F"`
	Type string `json:"type" validate:"required" enums:"picture"`
	// Descriptions: the caption (role caption) and the alt text (role alt).
	Descriptions []ninjsText `json:"descriptions,omitempty"`
	// By is the photo's credit line.
	By         string           `json:"by,omitempty" example:"Photo : Agence Vallée"`
	Renditions []ninjsRendition `json:"renditions" validate:"required"`
}

type ninjsRendition struct {
	Name        string `json:"name" validate:"required" example:"w640"`
	Href        string `json:"href" validate:"required" example:"https://api.publisher.example/media/ab/abcd-640.jpg"`
	ContentType string `json:"contenttype" validate:"required" example:"image/jpeg"`
	Width       int    `json:"width,omitempty" example:"640"`
	Height      int    `json:"height,omitempty" example:"427"`
}

type ninjsStandard struct {
	Name    string `json:"name" validate:"required" example:"ninjs"`
	Version string `json:"version" validate:"required" example:"2.1"`
	Schema  string `json:"schema" validate:"required" example:"http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"`
}

// getArticleNinjs godoc
//
// Documentation only: this is the application/ninjs+json answer of GET
// /v1/articles/{id_or_slug}. Swagger 2.0 has one schema per status, so
// internal/cmd/openapi3 merges this operation's 200 into that one's as a
// second media type and drops this path.
//
//	@Summary		Get one article as IPTC ninjs 2.1
//	@Tags			articles
//	@Security		BearerAuth
//	@Produce		application/ninjs+json
//	@Param			id_or_slug	path		string	true	"article ID (ULID) or slug"
//	@Success		200			{object}	ninjsItem
//	@x-merge-into	"/v1/articles/{id_or_slug}"
//	@Router			/v1/articles/{id_or_slug}/ninjs [get]
func (s *Server) getArticleNinjs(c echo.Context) error {
	ref := c.Param("id_or_slug")
	lang, err := parseLang(c)
	if err != nil {
		return err
	}
	if c.QueryParam("fields") != "" {
		return badParam("fields", "does not apply to the ninjs rendering, which is a standard document; leave it out")
	}
	switch c.QueryParam("preview") {
	case "", "false":
	default:
		return badParam("preview", "is for the JSON rendering; ninjs shows published articles only")
	}
	if !content.IsID(ref) && !validSlug(ref) {
		return notFound("no article has this id or slug")
	}
	p := principalOf(c)
	full := p.SyndicatesFullText()
	class := "preview"
	if full {
		class = "full"
	}
	// Its own key space: a ninjs representation is never served as JSON,
	// and the full one never to a preview class. Photo links are absolute,
	// on the address the request reached (requestBase), which is part of
	// the key.
	base := requestBase(c)
	key := "ninjs\x00" + ref + "\x00" + lang + "\x00" + class + "\x00" + base
	gen := s.Content.Generation()
	if rep, ok := s.cache.get(key, gen); ok {
		return sendNinjs(c, rep, cacheFor(p))
	}
	a, answered, err := s.findLive(c, ref, lang)
	if answered || err != nil {
		return err
	}
	b, err := json.Marshal(toNinjs(a, full, s.absMediaURL(base), copyrightHolder(s.PublicURL)))
	if err != nil {
		return fmt.Errorf("encode ninjs: %w", err)
	}
	rep := newRep(b, a.UpdatedAt)
	rep.gen = gen
	s.cache.put(key, rep)
	return sendNinjs(c, rep, cacheFor(p))
}

// sendNinjs sends a ninjs representation (or 304). Echo keeps a
// Content-Type already set, so sendRep's bytes go out as ninjs.
func sendNinjs(c echo.Context, rep cachedRep, cacheControl string) error {
	c.Response().Header().Set(echo.HeaderContentType, mimeNinjs)
	return sendRep(c, rep, cacheControl)
}

// wantsNinjs says whether a GET of an article asks for ninjs: format=ninjs,
// or, without format, an Accept header that prefers it to JSON.
func wantsNinjs(c echo.Context) (bool, error) {
	if f := c.QueryParam("format"); f != "" {
		if strings.TrimSpace(f) == "ninjs" {
			return true, nil
		}
		for _, v := range strings.Split(f, ",") {
			if strings.TrimSpace(v) == "ninjs" {
				return false, badParam("format", "takes ninjs alone: it is a whole rendering, not a body form")
			}
		}
		return false, nil
	}
	return acceptsNinjs(c.Request().Header.Values(echo.HeaderAccept)), nil
}

// acceptsNinjs reads Accept: ninjs when it names application/ninjs+json
// with a q above zero, no lower than application/json's when that is named
// too. Wildcards choose JSON, the default rendering.
func acceptsNinjs(header []string) bool {
	qNinjs, qJSON := -1.0, -1.0
	for _, h := range header {
		for _, r := range strings.Split(h, ",") {
			mt, params, _ := strings.Cut(r, ";")
			q := 1.0
			for _, prm := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(prm, "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			switch strings.ToLower(strings.TrimSpace(mt)) {
			case mimeNinjs:
				qNinjs = max(qNinjs, q)
			case echo.MIMEApplicationJSON:
				qJSON = max(qJSON, q)
			}
		}
	}
	return qNinjs > 0 && qNinjs >= qJSON
}

// copyrightHolder is the publisher named in ninjs items: the host of its
// site.
func copyrightHolder(publicURL string) string {
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		return u.Host
	}
	return publicURL
}

// toNinjs renders a live article with its read model
// (content.Service.LiveArticle); full says whether the caller may have the
// whole body (access.Principal.SyndicatesFullText), otherwise it gets the
// stored preview. Photo links are absolute: media is what their keys follow.
func toNinjs(a content.Article, full bool, media, holder string) ninjsItem {
	versioned := a.UpdatedAt
	if a.PublishedAt.After(versioned) {
		versioned = *a.PublishedAt // saved before its scheduled time
	}
	it := ninjsItem{
		URI: ninjsURNScope + "article:" + a.ID, Type: "text", RepresentationType: "full",
		Version:        strconv.Itoa(a.Version),
		FirstCreated:   a.PublishedAt.UTC().Format(time.RFC3339),
		VersionCreated: versioned.UTC().Format(time.RFC3339),
		PubStatus:      "usable", Language: a.Lang, Slugline: a.Slug,
		Headlines:       []ninjsText{{Role: "main", ContentType: "text/plain", Value: a.Title}},
		Renditions:      []ninjsRendition{{Name: "web", Href: a.CanonicalURL, ContentType: "text/html"}},
		CopyrightHolder: holder,
		CopyrightNotice: fmt.Sprintf("© %d %s", a.PublishedAt.Year(), holder),
		Standard:        ninjsStandard{Name: "ninjs", Version: ninjsVersion, Schema: ninjsSchema},
	}
	if a.Standfirst != "" {
		it.Descriptions = []ninjsText{{Role: "summary", ContentType: "text/plain", Value: a.Standfirst}}
	}
	if full {
		it.Bodies = []ninjsBody{
			{Role: "main", ContentType: "text/html", Value: a.Body.HTML, WordCount: a.WordCount, CharCount: utf8.RuneCountInString(a.Body.Text)},
			{Role: "main", ContentType: "text/plain", Value: a.Body.Text, WordCount: a.WordCount, CharCount: utf8.RuneCountInString(a.Body.Text)},
		}
	} else {
		it.Bodies = []ninjsBody{{
			Role: "preview", ContentType: "text/html", Value: a.Preview.HTML,
			WordCount: a.Preview.Words, CharCount: utf8.RuneCountInString(a.Preview.Text),
		}}
		if a.Truncated || a.Access != content.AccessPublic {
			it.RepresentationType = "partial"
			it.UsageTerms = "Preview only: the whole story is for partners licensed for full text."
		}
	}
	names := make([]string, 0, len(a.Authors))
	for _, au := range a.Authors {
		names = append(names, au.Name)
		it.People = append(it.People, ninjsConcept{Name: au.Name, Rel: "author", Literal: au.Slug, URI: ninjsURNScope + "author:" + au.Slug})
	}
	it.By = strings.Join(names, ", ")
	if sec, ok := a.Section(); ok {
		it.Subjects = append(it.Subjects, ninjsConcept{Name: sec.Name(a.Lang), Rel: "section", Literal: sec.Slug, URI: ninjsURNScope + "section:" + sec.Slug})
	}
	for _, t := range a.Tags {
		cn := ninjsConcept{Name: t.Name, Rel: "about", Literal: t.Slug, URI: ninjsURNScope + "tag:" + t.Slug}
		if t.Kind == "country" {
			it.Places = append(it.Places, cn)
		} else {
			it.Subjects = append(it.Subjects, cn)
		}
	}
	if a.Source.Name != "" {
		it.Infosources = []ninjsInfosource{{Name: a.Source.Name, URI: a.Source.URL}}
	}
	if a.Photo != nil {
		it.Associations = []ninjsAssociation{toNinjsPicture(*a.Photo, media)}
	}
	return it
}

func toNinjsPicture(ph content.Photo, media string) ninjsAssociation {
	as := ninjsAssociation{
		Name: "featured", URI: ninjsURNScope + "photo:" + ph.ID, Type: "picture", By: ph.Credit,
		Renditions: make([]ninjsRendition, 0, len(ph.Renditions)),
	}
	if ph.Caption != "" {
		as.Descriptions = append(as.Descriptions, ninjsText{Role: "caption", ContentType: "text/plain", Value: ph.Caption})
	}
	if ph.Alt != "" {
		as.Descriptions = append(as.Descriptions, ninjsText{Role: "alt", ContentType: "text/plain", Value: ph.Alt})
	}
	for _, r := range ph.Renditions {
		as.Renditions = append(as.Renditions, ninjsRendition{
			Name: "w" + strconv.Itoa(r.Width), Href: media + r.Path, ContentType: ph.Mime, Width: r.Width, Height: r.Height,
		})
	}
	return as
}
