package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/mmcdole/gofeed"
)

// FuzzFeedXML puts an arbitrary string in every text field of an item (a
// row stored before text was cleaned may hold anything): every format must
// still be a well-formed document that a strict XML parser (or a JSON
// parser) and gofeed read.
func FuzzFeedXML(f *testing.F) {
	f.Add("Le\vpuits\x03 a\x1b sec", "<p>]]>\x00\uFFFE</p>")
	f.Add("\xff\xfe bad bytes \xed\xa0\x80", "]]]]><![CDATA[")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, s, html string) {
		in := sample(2)
		it := &in.Items[0]
		it.Title, it.Summary, it.HTML, it.Link = s, s, html, "https://publisher.example/"+s
		it.Authors = []string{s, html}
		it.Categories = append(it.Categories, Category{Term: s, Label: s, Scheme: s})
		it.Image.Caption, it.Image.Credit, it.Image.Alt = s, html, s
		in.Title, in.Description = s, html
		for _, format := range []Format{RSS, Atom, JSON} {
			b, err := Encode(in, format)
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if format == JSON {
				if !json.Valid(b) {
					t.Fatalf("invalid JSON:\n%s", b)
				}
			} else if err := strictXML(b); err != nil {
				t.Fatalf("%s is not well-formed: %v\n%q", format, err, b)
			}
			if _, err := gofeed.NewParser().Parse(bytes.NewReader(b)); err != nil {
				t.Fatalf("%s: gofeed: %v\n%q", format, err, b)
			}
		}
	})
}

func strictXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
