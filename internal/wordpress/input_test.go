package wordpress

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// TestInputCDATA checks the sections input lifts out of the stream, read
// back through the reader.
func TestInputCDATA(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"plain", "<![CDATA[Bonjour <b>le</b> monde & co]]>", "Bonjour <b>le</b> monde & co"},
		{"empty", "<![CDATA[]]>", ""},
		{"split as WordPress escapes ]]>", "<![CDATA[a]]]]><![CDATA[>b]]>", "a]]>b"},
		{"text around sections", "x <![CDATA[<y>]]> &amp; <![CDATA[z]]>", "x <y> & z"},
		{"CR LF and lone CR", "<![CDATA[a\r\nb\rc\n]]>", "a\nb\nc\n"},
		{"brackets inside", "<![CDATA[[[a]] ]>]] >]]>", "[[a]] ]>]] >"},
		{"control characters and bad bytes", "<![CDATA[a\x00\x0bb\xff\xef\xbf\xbfc]]>", "a b\uFFFDc"},
		{"a comment is not lifted", "<!-- <![CDATA[ no ]]> --><![CDATA[yes]]>", "yes"},
		{"a comment with dashes", "<!-- a - b -><![CDATA[ - c -->" + "<![CDATA[ok]]>", "ok"},
		{"a processing instruction", "<?php echo '<![CDATA['; ?><![CDATA[fine]]>", "fine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := wxr("<item><wp:post_id>1</wp:post_id><content:encoded>" + tc.content + "</content:encoded><title><![CDATA[T]]></title></item>")
			// One byte per Read: every buffer boundary is exercised.
			_, items := readAll(t, iotest.OneByteReader(strings.NewReader(doc)), Limits{})
			if len(items) != 1 || items[0].Content != tc.want || items[0].Title != "T" {
				t.Errorf("content %q, title %q; want %q", items[0].Content, items[0].Title, tc.want)
			}
		})
	}
}

// TestInputCDATABoundaries puts a section's end at every position around
// the input buffer's size.
func TestInputCDATABoundaries(t *testing.T) {
	channel, _, _ := strings.Cut(wxr("<item>"), "<item>")
	head := channel + "<item><content:encoded><![CDATA["
	for pad := 64<<10 - len(head) - 6; pad < 64<<10-len(head)+6; pad++ {
		body := strings.Repeat("é", pad/2) + strings.Repeat("]", pad%2+1)
		doc := head + body + "]]></content:encoded><wp:post_id>2</wp:post_id></item></channel></rss>"
		_, items := readAll(t, strings.NewReader(doc), Limits{})
		if len(items) != 1 || items[0].Content != body || items[0].ID != 2 {
			t.Fatalf("pad %d: %d items, content length %d (want %d)", pad, len(items), len(items[0].Content), len(body))
		}
	}
}

func TestInputCDATAErrors(t *testing.T) {
	doc := wxr("<item><content:encoded><![CDATA[never closed")
	_, err := readErr(t, strings.NewReader(doc[:strings.Index(doc, "never closed")+12]), Limits{})
	if !errors.Is(err, errCDATAEOF) {
		t.Errorf("unclosed section: %v", err)
	}
	// Lines inside lifted sections still count.
	doc = wxr("<item><content:encoded><![CDATA[1\n2\n3\n4]]></content:encoded>\n<wp:post_id>1</wp:post_id></wrong></item>")
	_, err = readErr(t, strings.NewReader(doc), Limits{})
	if fe := formatError(t, err); fe.Line != 10 || !strings.Contains(err.Error(), "on line 10") {
		t.Errorf("error %v: line %d, want 10", err, fe.Line)
	}
}
