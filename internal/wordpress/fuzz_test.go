package wordpress

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"masthead/internal/blocks"
	"masthead/internal/xmlchar"
)

// FuzzReader reads arbitrary bytes as an export: never a panic, only
// *FormatError or io.EOF, and every string handed out clean.
func FuzzReader(f *testing.F) {
	if data, err := os.ReadFile("testdata/lakeside.xml"); err == nil {
		f.Add(data)
	}
	f.Add(synthetic(f, SyntheticOptions{Posts: 3, CommentsPerPost: 2, Attachments: 1, Polylang: true}))
	f.Add([]byte(billionLaughs))
	f.Add([]byte(wxr("<item><title>\x01\xff</title><wp:post_id>1</wp:post_id><category domain=\"a\" nicename=\"%c3\">x</category></item>")))
	f.Add([]byte(wxr("<item><wp:comment><wp:comment_id>1</wp:comment_id></wp:comment><wp:postmeta/></item><item></item>")))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><rss><channel><wp:wxr_version>1</wp:wxr_version></channel></rss>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data), Limits{MaxField: 1 << 16, MaxItem: 1 << 20, MaxDepth: 32})
		site, err := rd.Site()
		for _, s := range []string{site.Title, site.Link, site.Language} {
			checkClean(t, s)
		}
		for _, tm := range append(append(site.Categories, site.Tags...), site.Terms...) {
			checkClean(t, tm.Slug)
			checkClean(t, tm.Name)
		}
		for i := 0; err == nil && i < 10_000; i++ {
			var it Item
			it, err = rd.Next()
			for _, s := range []string{it.Title, it.Content, it.Excerpt, it.Name, it.Link, it.Status} {
				checkClean(t, s)
			}
			for _, c := range it.Comments {
				checkClean(t, c.Content)
				checkClean(t, c.Author)
			}
			_ = Permalinks(site, it, "/%category%/%postname%/")
		}
		var fe *FormatError
		if err != nil && !errors.Is(err, io.EOF) && !errors.As(err, &fe) {
			t.Fatalf("error %v (%T) is neither io.EOF nor a *FormatError", err, err)
		}
	})
}

func checkClean(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) || !xmlchar.Valid(s) {
		t.Fatalf("unclean text %q", s)
	}
}

// FuzzConvertBody converts arbitrary post content: no panic, valid
// blocks, a preview break in range, nothing executable.
func FuzzConvertBody(f *testing.F) {
	for _, s := range []string{
		"Un\n\nDeux\n<!--more-->\nTrois",
		`[caption id="attachment_201"]<a href="x"><img class="wp-image-201" src="y"></a> Légende[/caption]`,
		`[su_box]a[su_row]b[/su_box][/su_row][[embed]]x[/embed]] [gallery ids="201,x"] [embed]https://youtu.be/a[/embed]`,
		`<!-- wp:image {"id":201} --><figure><img src="a"/><figcaption>c</figcaption></figure><!-- /wp:image --><!-- wp:more /-->`,
		`<!-- wp:embed {"url":"https://vimeo.com/1"} --><!-- wp:x --><!-- /wp:embed --><table><tr><td><img class="wp-image-202"></td></tr></table>`,
		`<p onclick=x><a href="javascript:alert(1)">a</a><script>x</script><iframe src="https://www.youtube.com/embed/a"></iframe>`,
		"<pre>a\n\nb</pre><!-- c\n\nd --><masthead-more>",
	} {
		f.Add(s)
	}
	opt := testOptions()
	f.Fuzz(func(t *testing.T, content string) {
		b, err := ConvertBody(content, opt)
		if err != nil {
			if !errors.Is(err, blocks.ErrInvalidHTML) {
				t.Fatalf("error %v does not wrap ErrInvalidHTML", err)
			}
			return
		}
		if errs := blocks.Validate(b.Blocks); errs != nil {
			t.Fatalf("invalid blocks %v", errs)
		}
		if b.PreviewBreak != nil && (*b.PreviewBreak < 1 || *b.PreviewBreak >= len(b.Blocks)) {
			t.Fatalf("preview break %d of %d blocks", *b.PreviewBreak, len(b.Blocks))
		}
		for _, blk := range b.Blocks {
			for _, m := range blk.Marks {
				if m.Href != "" && !strings.HasPrefix(m.Href, "http://") && !strings.HasPrefix(m.Href, "https://") && !strings.HasPrefix(m.Href, "mailto:") {
					t.Fatalf("link %q", m.Href)
				}
			}
			if blk.Type == blocks.TypeEmbed {
				if _, ok := blocks.EmbedFromURL(blk.URL); !ok {
					t.Fatalf("embed %q not accepted", blk.URL)
				}
			}
		}
	})
}

// FuzzCanonicalPath: any input gives a rooted, clean, idempotent key.
func FuzzCanonicalPath(f *testing.F) {
	for _, s := range []string{"/2026/03/slug/", "/?p=1&page_id=2", "https://x.example/%D0%BF/?tag=a%26b#c", "/a%2F..%2fb/../c", "%", "/%ff%c3/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c := CanonicalPath(p)
		if !strings.HasPrefix(c, "/") || !utf8.ValidString(c) {
			t.Fatalf("CanonicalPath(%q) = %q", p, c)
		}
		if again := CanonicalPath(c); again != c {
			t.Fatalf("CanonicalPath(%q) = %q, then %q", p, c, again)
		}
		if d := DecodeSlug(p); !utf8.ValidString(d) && utf8.ValidString(p) {
			t.Fatalf("DecodeSlug(%q) = %q", p, d)
		}
	})
}
