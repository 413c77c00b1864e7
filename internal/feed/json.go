package feed

import (
	"encoding/json"
	"io"

	"github.com/gorilla/feeds"
)

// gorilla's JSON Feed already says version 1.1 and has the 1.1 "authors"
// and feed "language"; it drops enclosures (only an image URL is kept) and
// has no per-item language. The wrappers add them; as with XML, an outer
// field wins over the embedded one of the same name.

type jsonDoc struct {
	*feeds.JSONFeed
	Items []jsonItem `json:"items"` // required, even when empty
}

type jsonItem struct {
	*feeds.JSONItem
	Language string `json:"language,omitempty"`
	// Ext is an extension object (JSON Feed allows keys that start with
	// an underscore): the photo's caption, credit and alt text, which an
	// attachment has no field for.
	Ext *jsonExt `json:"_masthead,omitempty"`
}

type jsonExt struct {
	Photo *jsonPhoto `json:"photo,omitempty"`
}

type jsonPhoto struct {
	URL     string `json:"url"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	Alt     string `json:"alt,omitempty"`
}

func writeJSON(w io.Writer, f Feed) error {
	jf := (&feeds.JSON{Feed: f.generic()}).JSONFeed()
	jf.Author = nil // deprecated in 1.1; "authors" says the same
	jf.Language = f.Language
	jf.FeedUrl = f.SelfURL
	doc := jsonDoc{JSONFeed: jf, Items: make([]jsonItem, 0, len(jf.Items))}
	for i, it := range jf.Items {
		src := f.Items[i]
		it.Author, it.Authors = nil, nil
		for _, name := range src.Authors {
			it.Authors = append(it.Authors, &feeds.JSONAuthor{Name: name})
		}
		for _, c := range src.Categories {
			it.Tags = append(it.Tags, c.Label)
		}
		ji := jsonItem{JSONItem: it, Language: src.Language}
		if im := src.Image; im != nil {
			it.Image = im.URL
			it.Attachments = []feeds.JSONAttachment{{Url: im.URL, MIMEType: im.Type, Title: im.Caption}}
			ji.Ext = &jsonExt{Photo: &jsonPhoto{
				URL: im.URL, Width: im.Width, Height: im.Height, Caption: im.Caption, Credit: im.Credit, Alt: im.Alt,
			}}
		}
		doc.Items = append(doc.Items, ji)
	}
	enc := json.NewEncoder(w)
	// Served as application/feed+json, never inlined in a page: HTML needs
	// no \u003c escapes, which would bloat every content_html.
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
