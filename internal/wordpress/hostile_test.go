package wordpress

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
)

// readErr reads an export to its end and returns the first error that is
// not io.EOF (nil when there is none), checking that it sticks.
func readErr(t *testing.T, r io.Reader, lim Limits) (int, error) {
	t.Helper()
	rd := NewReader(r, lim)
	n := 0
	var err error
	for {
		_, err = rd.Next()
		if err != nil {
			break
		}
		n++
	}
	if errors.Is(err, io.EOF) {
		return n, nil
	}
	if _, again := rd.Next(); again != err { //nolint:errorlint // the very same error value is returned again
		t.Errorf("error did not stick: %v, then %v", err, again)
	}
	if _, again := rd.Site(); again != err { //nolint:errorlint // the very same error value
		t.Errorf("Site after the error = %v", again)
	}
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("error %v (%T) is not a *FormatError", err, err)
	}
	return n, err
}

func formatError(t *testing.T, err error) *FormatError {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FormatError", err)
	}
	return fe
}

func TestReaderMalformed(t *testing.T) {
	doc := wxr("<item><wp:post_id>1</wp:post_id></item>\n<item>\n<title>ok</title>\n<wp:post_id>2</wp:post_id></titel>\n</item>")
	n, err := readErr(t, strings.NewReader(doc), Limits{})
	if n != 1 || err == nil {
		t.Fatalf("read %d items, err %v; want 1 item then an error", n, err)
	}
	fe := formatError(t, err)
	var se *xml.SyntaxError
	if !errors.As(err, &se) || fe.Line != 9 || fe.Offset == 0 || !strings.Contains(err.Error(), "line 9") {
		t.Errorf("error %v: line %d offset %d, want the syntax error on line 9", err, fe.Line, fe.Offset)
	}
}

func TestReaderTruncated(t *testing.T) {
	data, err := os.ReadFile("testdata/lakeside.xml")
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Index(string(data), "<wp:post_id>102</wp:post_id>")
	n, err := readErr(t, strings.NewReader(string(data[:cut])), Limits{})
	if n != 4 || err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("truncated file: %d items, %v; want 4 items then unexpected EOF", n, err)
	}
}

func TestReaderNotWXR(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":           "",
		"whitespace":      "  \n ",
		"html":            "<!doctype html><html><body>Not found</body></html>",
		"html without dt": "<html><body>Not found</body></html>",
		"rss feed":        `<rss version="2.0"><channel><title>A feed</title><item><title>x</title></item></channel></rss>`,
		"no channel":      `<rss version="2.0"><other/></rss>`,
	} {
		_, err := NewReader(strings.NewReader(doc), Limits{}).Site()
		if !errors.Is(err, ErrNotWXR) && !errors.Is(err, ErrDirective) {
			t.Errorf("%s: error %v, want ErrNotWXR", name, err)
		}
		_ = formatError(t, err)
	}
	_, err := NewReader(strings.NewReader("just some text"), Limits{}).Site()
	if err == nil {
		t.Error("plain text read as an export")
	}
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>&lol9;</title><wp:post_id>1</wp:post_id></item></channel></rss>`

func TestReaderEntityExpansion(t *testing.T) {
	// The reader refuses the DOCTYPE outright, at its line.
	_, err := NewReader(strings.NewReader(billionLaughs), Limits{}).Site()
	if !errors.Is(err, ErrDirective) {
		t.Fatalf("billion laughs: %v, want ErrDirective", err)
	}
	if fe := formatError(t, err); fe.Line != 13 {
		t.Errorf("DOCTYPE error on line %d, want 13 (where the directive ends)", fe.Line)
	}

	// And encoding/xml would not have expanded the entities anyway: the
	// directive is an opaque token, and a reference to an entity it
	// defines is an unknown entity (an error when strict, the literal text
	// otherwise), never 10⁹ "lol"s.
	for _, strict := range []bool{true, false} {
		d := xml.NewDecoder(strings.NewReader(billionLaughs))
		d.Strict = strict
		var title string
		var derr error
		inTitle := false
		for {
			tok, err := d.Token()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					derr = err
				}
				break
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inTitle = tok.Name.Local == "title"
			case xml.CharData:
				if inTitle {
					title += string(tok)
				}
			case xml.EndElement:
				inTitle = false
			}
		}
		switch {
		case strict && (derr == nil || !strings.Contains(derr.Error(), "lol9")):
			t.Errorf("strict decoder: error %v, want an invalid entity &lol9;", derr)
		case !strict && (derr != nil || title != "&lol9;"):
			t.Errorf("lenient decoder: title %q, error %v; want the literal &lol9;", title, derr)
		}
	}

	// An entity used without any DOCTYPE is a syntax error too.
	_, err = readErr(t, strings.NewReader(wxr(`<item><title>&lol;</title></item>`)), Limits{})
	if err == nil || !strings.Contains(err.Error(), "lol") {
		t.Errorf("undefined entity: %v", err)
	}
}

// repeatReader yields n copies of one byte without holding them.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// countingReader counts what the reader under test pulled.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestReaderHugeTokens streams 64 MiB tokens (never held by the test) at
// a reader limited to 1 MiB values: it must fail once past the limit,
// having read and allocated a small multiple of the limit, not the token.
func TestReaderHugeTokens(t *testing.T) {
	const huge = 64 << 20
	const limit = 1 << 20
	head := strings.TrimSuffix(wxr(""), "\n</channel>\n</rss>\n")
	for name, parts := range map[string][2]string{
		"text node":   {`<item><content:encoded>`, `</content:encoded></item>`},
		"CDATA":       {`<item><content:encoded><![CDATA[`, `]]></content:encoded></item>`},
		"attribute":   {`<item><category domain="`, `">x</category></item>`},
		"tag name":    {`<item><a`, ` /></item>`},
		"comment":     {`<!-- `, ` -->`},
		"header text": {`<title>`, `</title>`},
	} {
		t.Run(name, func(t *testing.T) {
			src := &countingReader{r: io.MultiReader(strings.NewReader(head+parts[0]),
				&repeatReader{b: 'a', n: huge}, strings.NewReader(parts[1]+"</channel></rss>"))}
			var err error
			alloc := allocated(func() { _, err = readErr(t, src, Limits{MaxField: limit}) })
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
			if src.n > 4*limit {
				t.Errorf("read %d bytes of the stream before failing, want about %d", src.n, limit)
			}
			if alloc > 16*limit {
				t.Errorf("allocated %d bytes for a %d-byte limit", alloc, limit)
			}
		})
	}
}

func TestReaderLimits(t *testing.T) {
	t.Run("value made of many sections", func(t *testing.T) {
		sections := strings.Repeat("<![CDATA["+strings.Repeat("b", 1000)+"]]>", 2000) // 2 MB in 2,000 tokens
		_, err := readErr(t, strings.NewReader(wxr("<item><content:encoded>"+sections+"</content:encoded></item>")), Limits{MaxField: 1 << 20})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("error %v, want ErrTooLarge", err)
		}
	})
	t.Run("item", func(t *testing.T) {
		comments := strings.Repeat("<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>hello</wp:comment_content></wp:comment>\n", 5000)
		doc := wxr("<item><wp:post_id>1</wp:post_id></item><item><wp:post_id>2</wp:post_id>" + comments + "</item>")
		n, err := readErr(t, strings.NewReader(doc), Limits{MaxItem: 64 << 10})
		if n != 1 || !errors.Is(err, ErrTooLarge) {
			t.Errorf("%d items, error %v; want 1 item then ErrTooLarge", n, err)
		}
		if n, err := readErr(t, strings.NewReader(doc), Limits{}); n != 2 || err != nil {
			t.Errorf("with default limits: %d items, %v", n, err)
		}
	})
	t.Run("depth", func(t *testing.T) {
		deep := strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100)
		_, err := readErr(t, strings.NewReader(wxr("<item>"+deep+"</item>")), Limits{})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "nested") {
			t.Errorf("error %v, want ErrTooLarge for nesting", err)
		}
		shallow := strings.Repeat("<x>", 40) + strings.Repeat("</x>", 40)
		if _, err := readErr(t, strings.NewReader(wxr("<item>"+shallow+"</item>")), Limits{}); err != nil {
			t.Errorf("40 levels: %v", err)
		}
	})
}

// TestReaderDirtyText feeds what WordPress exports verbatim and XML
// forbids: control characters, invalid UTF-8, U+FFFE, in text, CDATA and
// attributes. They are cleaned, never an error.
func TestReaderDirtyText(t *testing.T) {
	doc := wxr("<item><title>Ti\x00t\x01le\x0b2</title><wp:post_id>4</wp:post_id>" +
		"<category domain=\"post_tag\" nicename=\"caf\xe9\x02\">n\xef\xbf\xbe</category>" +
		"<content:encoded><![CDATA[a\x0cb\x1bc \xed\xa0\x80 \xf0\x9f\x99\x82 \xc3]]></content:encoded>" +
		"<wp:postmeta><wp:meta_key>k\x7f</wp:meta_key><wp:meta_value>\x10v</wp:meta_value></wp:postmeta></item>")
	_, items := readAll(t, strings.NewReader(doc), Limits{})
	it := items[0]
	if it.Title != "Title 2" {
		t.Errorf("title %q", it.Title)
	}
	if it.Terms[0].Slug != "caf\uFFFD" || it.Terms[0].Name != "n" {
		t.Errorf("term %+v", it.Terms[0])
	}
	if it.Content != "a bc \uFFFD\uFFFD\uFFFD 🙂 \uFFFD" {
		t.Errorf("content %q", it.Content)
	}
	if it.Meta[0] != (MetaEntry{"k\x7f", "v"}) {
		t.Errorf("meta %q", it.Meta)
	}
}

func TestInputLineNumbersSurviveCleaning(t *testing.T) {
	// Removed control characters and replaced bytes do not shift lines.
	doc := wxr("<item><title>\x01\x02\xff\xfe\x0b</title>\n\n<wp:post_id>1</wp:post_id></titel></item>")
	_, err := readErr(t, strings.NewReader(doc), Limits{})
	if fe := formatError(t, err); fe.Line != 8 {
		t.Errorf("error on line %d, want 8: %v", fe.Line, err)
	}
}
