// Package feed writes syndication feeds — RSS 2.0, Atom 1.0 and JSON Feed
// 1.1 — from one format-neutral description.
//
// It builds on gorilla/feeds' structures and fills in what partners need and
// gorilla leaves out: the update time of RSS items, Atom's <published>,
// several authors and categories per item, the language of each item, and
// the photo with its caption and credit (Media RSS in both XML formats; an
// attachment plus an extension object in JSON Feed). It knows nothing of
// articles or of who may read what: the caller decides which text an item
// carries.
package feed

import (
	"bytes"
	"fmt"
	"time"

	"github.com/gorilla/feeds"

	"masthead/internal/xmlchar"
)

// Format is one of the three feed formats, named by its file extension.
type Format string

// Formats.
const (
	RSS  Format = "rss"
	Atom Format = "atom"
	JSON Format = "json"
)

// ParseFormat maps a file extension (without the dot) to a format.
func ParseFormat(ext string) (Format, bool) {
	switch f := Format(ext); f {
	case RSS, Atom, JSON:
		return f, true
	}
	return "", false
}

// ContentType is the media type a format is served as.
func (f Format) ContentType() string {
	switch f {
	case RSS:
		return "application/rss+xml; charset=utf-8"
	case Atom:
		return "application/atom+xml; charset=utf-8"
	}
	return "application/feed+json; charset=utf-8"
}

// Feed describes a feed whatever its format.
type Feed struct {
	ID          string // permanent identifier (Atom id)
	Title       string
	Description string
	Link        string // the site the feed is about
	SelfURL     string // where the feed itself is fetched
	Language    string // set when every item is in this language
	Author      string // the publisher: the feed's author when an item has no byline
	Generator   string
	Updated     time.Time // the latest change to any item
	Items       []Item
}

// Item is one entry of a feed.
type Item struct {
	ID         string // stable: it must not change when the link does
	Title      string
	Link       string
	Summary    string // plain text
	HTML       string // the content as HTML; empty for none
	Published  time.Time
	Updated    time.Time
	Language   string
	Authors    []string
	Categories []Category
	Image      *Image
}

// Category files an item in a taxonomy.
type Category struct {
	Term   string // machine name, such as a slug
	Label  string // human name
	Scheme string // IRI naming the taxonomy
}

// Image is an item's featured picture.
type Image struct {
	URL           string
	Type          string // MIME type
	Width, Height int
	Caption       string
	Credit        string
	Alt           string
}

// Encode writes f in format. Whatever the strings of f hold, the document
// holds only characters XML 1.0 allows (see package xmlchar): a row stored
// with a control character cannot make a feed unreadable.
func Encode(f Feed, format Format) ([]byte, error) {
	f = f.clean()
	var buf bytes.Buffer
	buf.Grow(2048 + 2048*len(f.Items))
	var err error
	switch format {
	case RSS:
		err = writeRSS(&buf, f)
	case Atom:
		err = writeAtom(&buf, f)
	case JSON:
		err = writeJSON(&buf, f)
	default:
		err = fmt.Errorf("unknown format %q", format)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s feed: %w", format, err)
	}
	return buf.Bytes(), nil
}

// clean returns f with every string cleaned by xmlchar; f itself and its
// items are not modified.
func (f Feed) clean() Feed {
	line, text := xmlchar.Line, xmlchar.Text
	f.ID, f.Title, f.Description, f.Link = line(f.ID), line(f.Title), text(f.Description), line(f.Link)
	f.SelfURL, f.Language, f.Author, f.Generator = line(f.SelfURL), line(f.Language), line(f.Author), line(f.Generator)
	items := make([]Item, len(f.Items))
	for i, it := range f.Items {
		it.ID, it.Title, it.Link, it.Language = line(it.ID), line(it.Title), line(it.Link), line(it.Language)
		it.Summary, it.HTML = text(it.Summary), text(it.HTML)
		if len(it.Authors) > 0 {
			authors := make([]string, len(it.Authors))
			for j, a := range it.Authors {
				authors[j] = line(a)
			}
			it.Authors = authors
		}
		if len(it.Categories) > 0 {
			cats := make([]Category, len(it.Categories))
			for j, c := range it.Categories {
				cats[j] = Category{Term: line(c.Term), Label: line(c.Label), Scheme: line(c.Scheme)}
			}
			it.Categories = cats
		}
		if im := it.Image; im != nil {
			c := *im
			c.URL, c.Type, c.Caption, c.Credit, c.Alt = line(c.URL), line(c.Type), text(c.Caption), line(c.Credit), text(c.Alt)
			it.Image = &c
		}
		items[i] = it
	}
	f.Items = items
	return f
}

// enclosureLength is the RSS enclosure length when the size is not known:
// RSS requires the attribute, and the RSS Advisory Board's profile says to
// send 0 then.
const enclosureLength = "0"

// generic is f in gorilla's format-neutral form, from which gorilla builds
// the structures of each format; items keep their order.
func (f Feed) generic() *feeds.Feed {
	g := &feeds.Feed{
		Title:       f.Title,
		Link:        &feeds.Link{Href: f.Link},
		Description: f.Description,
		Id:          f.ID,
		Updated:     f.Updated.UTC(),
		Items:       make([]*feeds.Item, 0, len(f.Items)),
	}
	if f.Author != "" {
		g.Author = &feeds.Author{Name: f.Author}
	}
	for _, it := range f.Items {
		gi := &feeds.Item{
			Title:       it.Title,
			Link:        &feeds.Link{Href: it.Link},
			Description: it.Summary,
			Id:          it.ID,
			IsPermaLink: "false",
			Created:     it.Published.UTC(),
			Updated:     it.Updated.UTC(),
			Content:     it.HTML,
		}
		if it.Image != nil {
			gi.Enclosure = &feeds.Enclosure{Url: it.Image.URL, Type: it.Image.Type, Length: enclosureLength}
		}
		g.Items = append(g.Items, gi)
	}
	return g
}

// Namespaces of the XML extensions used.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
)

// mediaContent is a Media RSS <media:content>: the picture with its
// caption and credit, which an enclosure cannot carry.
type mediaContent struct {
	URL         string       `xml:"url,attr"`
	Type        string       `xml:"type,attr,omitempty"`
	Medium      string       `xml:"medium,attr"`
	Width       int          `xml:"width,attr,omitempty"`
	Height      int          `xml:"height,attr,omitempty"`
	Description *mediaText   `xml:"media:description"`
	Credit      *mediaCredit `xml:"media:credit"`
}

type mediaText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type mediaCredit struct {
	Value string `xml:",chardata"`
}

func toMedia(im *Image) *mediaContent {
	if im == nil {
		return nil
	}
	m := &mediaContent{URL: im.URL, Type: im.Type, Medium: "image", Width: im.Width, Height: im.Height}
	if im.Caption != "" {
		m.Description = &mediaText{Type: "plain", Value: im.Caption}
	}
	if im.Credit != "" {
		m.Credit = &mediaCredit{Value: im.Credit}
	}
	return m
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
