package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func sample(n int) Feed {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f := Feed{
		ID: "https://api.example/v1/feeds/latest.rss", Title: "publisher.example — Latest", Description: "The latest articles",
		Link: "https://publisher.example", SelfURL: "https://api.example/v1/feeds/latest.rss",
		Language: "fr", Author: "publisher.example", Generator: "Masthead", Updated: base,
	}
	for i := range n {
		pub := base.Add(-time.Duration(i) * time.Hour)
		f.Items = append(f.Items, Item{
			ID:    fmt.Sprintf("urn:masthead:article:%026d", i),
			Title: fmt.Sprintf("Headline %d: R&D <costs> rise", i), Link: fmt.Sprintf("https://publisher.example/fr/story-%d", i),
			Summary:   "Five governments met at one table & agreed on water.",
			HTML:      `<p>First paragraph with <em>marks</em> and a <a href="https://x.example/">link</a>; ]]&gt; and ]]> too.</p><p>Second paragraph.</p>`,
			Published: pub, Updated: pub.Add(30 * time.Minute), Language: "fr",
			Authors: []string{"Léa Morvand", "Jonas Ekdahl"},
			Categories: []Category{
				{Term: "diplomatie", Label: "Diplomatie", Scheme: "urn:masthead:section"},
				{Term: "equimont", Label: "Équimont", Scheme: "urn:masthead:tag:country"},
			},
			Image: &Image{
				URL: fmt.Sprintf("https://api.example/media/ab/abc%d-1280.jpg", i), Type: "image/jpeg", Width: 1280, Height: 853,
				Caption: "Heads of delegation.", Credit: "Photo: Valley Press Agency", Alt: "Five people at a table",
			},
		})
	}
	return f
}

// TestEncodeParses reads every format back with gofeed and checks what
// gorilla/feeds alone would have dropped.
func TestEncodeParses(t *testing.T) {
	in := sample(3)
	for _, format := range []Format{RSS, Atom, JSON} {
		t.Run(string(format), func(t *testing.T) {
			b, err := Encode(in, format)
			if err != nil {
				t.Fatal(err)
			}
			f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("gofeed: %v\n%s", err, b)
			}
			if f.Title != in.Title || f.Link != in.Link || f.FeedLink != in.SelfURL || len(f.Items) != len(in.Items) {
				t.Fatalf("feed %q %q %q with %d items", f.Title, f.Link, f.FeedLink, len(f.Items))
			}
			for i, it := range f.Items {
				want := in.Items[i]
				if it.GUID != want.ID || it.Title != want.Title || it.Link != want.Link || it.Content != want.HTML {
					t.Errorf("item %d: %q %q %q\n%q", i, it.GUID, it.Title, it.Link, it.Content)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(want.Published) {
					t.Errorf("item %d published %v, want %v", i, it.PublishedParsed, want.Published)
				}
				if it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(want.Updated) {
					t.Errorf("item %d updated %v, want %v", i, it.UpdatedParsed, want.Updated)
				}
				var authors []string
				if format == RSS {
					authors = it.DublinCoreExt.Creator
				} else {
					for _, p := range it.Authors {
						authors = append(authors, p.Name)
					}
				}
				if !slices.Equal(authors, want.Authors) {
					t.Errorf("item %d authors %q", i, authors)
				}
				if !slices.Equal(it.Categories, []string{"Diplomatie", "Équimont"}) {
					t.Errorf("item %d categories %q", i, it.Categories)
				}
				if len(it.Enclosures) != 1 || it.Enclosures[0].URL != want.Image.URL || it.Enclosures[0].Type != "image/jpeg" {
					t.Errorf("item %d enclosures %+v", i, it.Enclosures)
				}
				if format != JSON {
					m := it.Extensions["media"]["content"]
					if len(m) != 1 || m[0].Children["credit"][0].Value != want.Image.Credit ||
						m[0].Children["description"][0].Value != want.Image.Caption {
						t.Errorf("item %d media:content %+v", i, m)
					}
				}
			}
		})
	}
}

func TestJSONFeed11(t *testing.T) {
	b, err := Encode(sample(1), JSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != "https://jsonfeed.org/version/1.1" || doc["language"] != "fr" || doc["author"] != nil {
		t.Errorf("version %v, language %v, deprecated author %v", doc["version"], doc["language"], doc["author"])
	}
	item := doc["items"].([]any)[0].(map[string]any)
	if item["language"] != "fr" || item["author"] != nil || len(item["authors"].([]any)) != 2 {
		t.Errorf("item language %v, author %v, authors %v", item["language"], item["author"], item["authors"])
	}
	photo := item["_masthead"].(map[string]any)["photo"].(map[string]any)
	if photo["credit"] != "Photo: Valley Press Agency" || photo["alt"] != "Five people at a table" {
		t.Errorf("photo extension %v", photo)
	}
	if bytes.Contains(b, []byte(`\u003c`)) {
		t.Errorf("HTML is escaped for a page it is never inlined in")
	}
	// JSON Feed requires items, even none.
	b, err = Encode(Feed{Title: "empty"}, JSON)
	if err != nil || !bytes.Contains(b, []byte(`"items":[]`)) {
		t.Errorf("empty feed: %v %s", err, b)
	}
}

func TestEmptyXMLFeedsParse(t *testing.T) {
	for _, format := range []Format{RSS, Atom} {
		b, err := Encode(Feed{Title: "empty", Link: "https://publisher.example"}, format)
		if err != nil {
			t.Fatal(err)
		}
		if f, err := gofeed.NewParser().Parse(bytes.NewReader(b)); err != nil || len(f.Items) != 0 {
			t.Errorf("%s: %v\n%s", format, err, b)
		}
	}
}

func TestFormats(t *testing.T) {
	for ext, want := range map[string]string{"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"} {
		f, ok := ParseFormat(ext)
		if !ok || !strings.HasPrefix(f.ContentType(), want+"; charset=utf-8") {
			t.Errorf("%s: %v %q", ext, ok, f.ContentType())
		}
	}
	for _, ext := range []string{"", "xml", "RSS", "rss2"} {
		if _, ok := ParseFormat(ext); ok {
			t.Errorf("%q accepted", ext)
		}
	}
	if _, err := Encode(sample(1), Format("xml")); err == nil {
		t.Error("an unknown format encoded")
	}
}

// BenchmarkFeedEncode measures generating a 50-item feed in each format
// against a same-run baseline: json.Marshal of the same 50 items, the
// cheapest way to put them on the wire.
func BenchmarkFeedEncode(b *testing.B) {
	f := sample(50)
	b.Run("baseline-json.Marshal-items", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := json.Marshal(f.Items)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
		}
	})
	for _, format := range []Format{RSS, Atom, JSON} {
		b.Run(string(format), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := Encode(f, format)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}
