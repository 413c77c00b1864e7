package feed

import (
	"encoding/xml"
	"html"
	"io"
	"time"

	"github.com/gorilla/feeds"
)

// The wrappers below embed gorilla's structures and add elements beside
// them. encoding/xml lets a field of the outer struct win over an embedded
// field of the same name, which is how gorilla's single author and single
// text category give way to lists.

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	*feeds.RssFeed
	Self  *xmlLink  `xml:"atom:link"`
	Items []rssItem `xml:"item"`
}

type xmlLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type rssItem struct {
	*feeds.RssItem
	// RSS 2.0 has no update time; Atom's element is what readers (and
	// gofeed) look for in an RSS item.
	Updated    string        `xml:"atom:updated,omitempty"`
	Language   string        `xml:"dc:language,omitempty"`
	Creators   []string      `xml:"dc:creator"`
	Categories []rssCategory `xml:"category"`
	Media      *mediaContent `xml:"media:content"`
}

type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Value  string `xml:",chardata"`
}

func writeRSS(w io.Writer, f Feed) error {
	ch := (&feeds.Rss{Feed: f.generic()}).RssFeed()
	// gorilla writes "email (name)" even without an email; RSS wants an
	// address there, and the publisher has none to give.
	ch.ManagingEditor = ""
	ch.Language = f.Language
	ch.Generator = f.Generator
	doc := rssDoc{
		Version: "2.0", NSContent: nsContent, NSAtom: nsAtom, NSDC: nsDC, NSMedia: nsMedia,
		Channel: rssChannel{RssFeed: ch, Items: make([]rssItem, 0, len(ch.Items))},
	}
	if f.SelfURL != "" {
		doc.Channel.Self = &xmlLink{Href: f.SelfURL, Rel: "self", Type: "application/rss+xml"}
	}
	for i, it := range ch.Items {
		src := f.Items[i]
		// The description is HTML in RSS: the plain-text summary is escaped
		// once here, and once more by XML.
		it.Description = html.EscapeString(src.Summary)
		ri := rssItem{
			RssItem: it, Updated: rfc3339(src.Updated), Language: src.Language,
			Creators: src.Authors, Media: toMedia(src.Image),
		}
		for _, c := range src.Categories {
			ri.Categories = append(ri.Categories, rssCategory{Domain: c.Scheme, Value: c.Label})
		}
		doc.Channel.Items = append(doc.Channel.Items, ri)
	}
	return writeXML(w, doc)
}

type atomDoc struct {
	*feeds.AtomFeed
	NSMedia   string           `xml:"xmlns:media,attr"`
	Lang      string           `xml:"xml:lang,attr,omitempty"`
	Links     []feeds.AtomLink `xml:"link"`
	Generator string           `xml:"generator,omitempty"`
	Entries   []atomEntry      `xml:"entry"`
}

type atomEntry struct {
	*feeds.AtomEntry
	Lang       string             `xml:"xml:lang,attr,omitempty"`
	Authors    []feeds.AtomAuthor `xml:"author"`
	Categories []atomCategory     `xml:"category"`
	Media      *mediaContent      `xml:"media:content"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

func writeAtom(w io.Writer, f Feed) error {
	af := (&feeds.Atom{Feed: f.generic()}).AtomFeed()
	af.Id = f.ID // gorilla uses the site's link, shared by every feed of the site
	if af.Updated == "" {
		// Atom requires one even for an empty feed; a fixed time keeps
		// the bytes, and so the ETag, stable.
		af.Updated = time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	doc := atomDoc{
		AtomFeed: af, NSMedia: nsMedia, Lang: f.Language, Generator: f.Generator,
		Links:   []feeds.AtomLink{{Href: f.Link, Rel: "alternate", Type: "text/html"}},
		Entries: make([]atomEntry, 0, len(af.Entries)),
	}
	if f.SelfURL != "" {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: f.SelfURL, Rel: "self", Type: "application/atom+xml"})
	}
	for i, e := range af.Entries {
		src := f.Items[i]
		e.Published = rfc3339(src.Published)
		if e.Summary != nil {
			e.Summary.Type = "text" // gorilla says html; a summary is plain text
		}
		for j := range e.Links {
			if e.Links[j].Rel == "enclosure" {
				e.Links[j].Length = "" // optional in Atom, and unknown
			}
		}
		ae := atomEntry{AtomEntry: e, Lang: src.Language, Media: toMedia(src.Image)}
		for _, name := range src.Authors {
			ae.Authors = append(ae.Authors, feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: name}})
		}
		for _, c := range src.Categories {
			ae.Categories = append(ae.Categories, atomCategory{Term: c.Term, Scheme: c.Scheme, Label: c.Label})
		}
		doc.Entries = append(doc.Entries, ae)
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}
