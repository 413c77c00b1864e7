package xmlchar

import (
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, text, line string }{
		{"plain é ü 🙂", "plain é ü 🙂", "plain é ü 🙂"},
		{"tab\tlf\ncr\r", "tab\tlf\ncr\r", "tab\tlf\ncr\r"},
		{"a\vb\fc", "a\nb\nc", "a b c"},
		{"a\x00b\x03c\x1bd\x7f", "abcd\x7f", "abcd\x7f"}, // DEL is allowed by XML 1.0
		{"x\uFFFEy\uFFFFz\uFFFD", "xyz\uFFFD", "xyz\uFFFD"},
		{"bad\xffbyte\xed\xa0\x80", "bad\uFFFDbyte\uFFFD\uFFFD\uFFFD", "bad\uFFFDbyte\uFFFD\uFFFD\uFFFD"}, // a lone surrogate, encoded
		{"", "", ""},
	} {
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		if Valid(tc.in) != (tc.in == tc.text) {
			t.Errorf("Valid(%q) = %v", tc.in, Valid(tc.in))
		}
	}
}

func TestAllowed(t *testing.T) {
	for r := rune(0); r <= 0x10FFFF+1; r++ {
		want := r == 0x9 || r == 0xA || r == 0xD || 0x20 <= r && r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0x10FFFF
		if Allowed(r) != want {
			t.Fatalf("Allowed(%U) = %v", r, !want)
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("a\vb\x03c\x1bd\xff\uFFFE")
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !Valid(out) || !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q is not clean", s, out)
		}
		if Text(out) != out || Line(Line(s)) != Line(s) {
			t.Fatalf("not idempotent on %q", s)
		}
		// A strict XML parser reads the text back.
		var v struct {
			X string `xml:",chardata"`
		}
		doc := "<x>" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(out) + "</x>"
		if err := xml.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
	})
}
