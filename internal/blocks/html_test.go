package blocks

import (
	"strings"
	"testing"
)

func TestHTMLBlocks(t *testing.T) {
	tests := []struct {
		name string
		b    Block
		want string
	}{
		{"paragraph plain", Block{Type: TypeParagraph, Text: "Hello world"}, "<p>Hello world</p>"},
		{"paragraph escapes script", Block{Type: TypeParagraph, Text: `<script>alert("x")</script> & 'y'`},
			"<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;y&#39;</p>"},
		{"paragraph bold", Block{Type: TypeParagraph, Text: "Hello world", Marks: []Mark{{Type: MarkBold, Start: 6, End: 11}}},
			"<p>Hello <strong>world</strong></p>"},
		{"marks use rune offsets", Block{Type: TypeParagraph, Text: "Élan déjà vu", Marks: []Mark{{Type: MarkItalic, Start: 5, End: 9}}},
			"<p>Élan <em>déjà</em> vu</p>"},
		{"nested marks", Block{Type: TypeParagraph, Text: "abcdefgh", Marks: []Mark{
			{Type: MarkItalic, Start: 2, End: 4}, {Type: MarkBold, Start: 0, End: 8}}},
			"<p><strong>ab<em>cd</em>efgh</strong></p>"},
		{"overlapping marks are split", Block{Type: TypeParagraph, Text: "abcdefgh", Marks: []Mark{
			{Type: MarkBold, Start: 0, End: 5}, {Type: MarkItalic, Start: 3, End: 8}}},
			"<p><strong>abc<em>de</em></strong><em>fgh</em></p>"},
		{"same range, original order", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{
			{Type: MarkItalic, Start: 0, End: 3}, {Type: MarkBold, Start: 0, End: 3}}},
			"<p><em><strong>abc</strong></em></p>"},
		{"three overlapping", Block{Type: TypeParagraph, Text: "abcdef", Marks: []Mark{
			{Type: MarkBold, Start: 0, End: 3}, {Type: MarkItalic, Start: 1, End: 5},
			{Type: MarkLink, Start: 2, End: 6, Href: "https://e.x/"}}},
			`<p><strong>a<em>b<a href="https://e.x/" rel="noopener">c</a></em></strong>` +
				`<em><a href="https://e.x/" rel="noopener">de</a></em><a href="https://e.x/" rel="noopener">f</a></p>`},
		{"link href escaped", Block{Type: TypeParagraph, Text: "go", Marks: []Mark{
			{Type: MarkLink, Start: 0, End: 2, Href: `https://e.x/?a=1&b="><script>`}}},
			`<p><a href="https://e.x/?a=1&amp;b=&#34;&gt;&lt;script&gt;" rel="noopener">go</a></p>`},
		{"mailto link", Block{Type: TypeParagraph, Text: "write", Marks: []Mark{
			{Type: MarkLink, Start: 0, End: 5, Href: "mailto:desk@example.org"}}},
			`<p><a href="mailto:desk@example.org" rel="noopener">write</a></p>`},
		{"javascript link is plain text", Block{Type: TypeParagraph, Text: "click me", Marks: []Mark{
			{Type: MarkLink, Start: 0, End: 5, Href: "javascript:alert(1)"}}},
			"<p>click me</p>"},
		{"obfuscated javascript link is plain text", Block{Type: TypeParagraph, Text: "click", Marks: []Mark{
			{Type: MarkLink, Start: 0, End: 5, Href: " JaVaScRiPt:alert(1)"}}},
			"<p>click</p>"},
		{"out of range marks clamped or dropped", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{
			{Type: MarkBold, Start: -3, End: 1}, {Type: MarkItalic, Start: 2, End: 99}, {Type: MarkBold, Start: 2, End: 2},
			{Type: "underline", Start: 0, End: 3}}},
			"<p><strong>a</strong>b<em>c</em></p>"},
		{"heading", Block{Type: TypeHeading, Level: 3, Text: "A & B"}, "<h3>A &amp; B</h3>"},
		{"heading level clamped", Block{Type: TypeHeading, Level: 1, Text: "x"}, "<h2>x</h2>"},
		{"heading level clamped high", Block{Type: TypeHeading, Level: 9, Text: "x"}, "<h4>x</h4>"},
		{"quote with cite", Block{Type: TypeQuote, Text: "« Non. »", Cite: "Marie <Curie>"},
			"<blockquote><p>« Non. »</p><cite>Marie &lt;Curie&gt;</cite></blockquote>"},
		{"quote without cite", Block{Type: TypeQuote, Text: "Yes."}, "<blockquote><p>Yes.</p></blockquote>"},
		{"unordered list", Block{Type: TypeList, Items: []string{"one", "<two>"}}, "<ul><li>one</li><li>&lt;two&gt;</li></ul>"},
		{"ordered list", Block{Type: TypeList, Ordered: true, Items: []string{"a"}}, "<ol><li>a</li></ol>"},
		{"photo", Block{Type: TypePhoto, PhotoID: `p"1`}, `<figure class="photo" data-photo-id="p&#34;1"></figure>`},
		{"photo with caption", Block{Type: TypePhoto, PhotoID: "p1", Caption: "Paris, <hier>"},
			`<figure class="photo" data-photo-id="p1"><figcaption>Paris, &lt;hier&gt;</figcaption></figure>`},
		{"embed", Block{Type: TypeEmbed, Provider: "youtube", URL: "https://youtu.be/x?a=1&b=2"},
			`<figure class="embed" data-provider="youtube"><a href="https://youtu.be/x?a=1&amp;b=2" rel="noopener">https://youtu.be/x?a=1&amp;b=2</a></figure>`},
		{"embed attribute escaped", Block{Type: TypeEmbed, Provider: `y" onload="x`, URL: "https://e.x/"},
			`<figure class="embed" data-provider="y&#34; onload=&#34;x"><a href="https://e.x/" rel="noopener">https://e.x/</a></figure>`},
		{"unsafe embed is not a link", Block{Type: TypeEmbed, Provider: "x", URL: "javascript:alert(1)"},
			`<figure class="embed" data-provider="x">javascript:alert(1)</figure>`},
		{"invalid UTF-8 replaced", Block{Type: TypeParagraph, Text: "a\xffb\x00"}, "<p>a\uFFFDb\uFFFD</p>"},
		{"unknown type renders nothing", Block{Type: "video", Text: "x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML([]Block{tt.b}, -1)
			if got != tt.want {
				t.Errorf("HTML:\n got %s\nwant %s", got, tt.want)
			}
			if err := checkBalanced(got); err != nil {
				t.Errorf("unbalanced HTML %q: %v", got, err)
			}
		})
	}
}

func TestHTMLJoinAndPaywall(t *testing.T) {
	bs := []Block{
		{Type: TypeParagraph, Text: "one"},
		{Type: TypePhoto, PhotoID: "p"},
		{Type: TypeParagraph, Text: "two"},
	}
	const (
		one   = "<p>one</p>"
		photo = `<figure class="photo" data-photo-id="p"></figure>`
		two   = "<p>two</p>"
		open  = `<div class="paywalled">`
	)
	tests := []struct {
		from int
		want string
	}{
		{-1, one + "\n" + photo + "\n" + two},
		{3, one + "\n" + photo + "\n" + two}, // out of range: no wrapper
		{99, one + "\n" + photo + "\n" + two},
		{-5, one + "\n" + photo + "\n" + two},
		{0, open + "\n" + one + "\n" + photo + "\n" + two + "\n</div>"},
		{1, one + "\n" + open + "\n" + photo + "\n" + two + "\n</div>"},
		{2, one + "\n" + photo + "\n" + open + "\n" + two + "\n</div>"},
	}
	for _, tt := range tests {
		got := HTML(bs, tt.from)
		if got != tt.want {
			t.Errorf("HTML(bs, %d):\n got %q\nwant %q", tt.from, got, tt.want)
		}
		if n := strings.Count(got, open); tt.from >= 0 && tt.from < len(bs) && n != 1 {
			t.Errorf("HTML(bs, %d): %d paywall wrappers, want 1", tt.from, n)
		}
	}
	if got := HTML(nil, -1); got != "" {
		t.Errorf("HTML(nil) = %q, want empty", got)
	}
	// A paywall starting at a block that renders nothing still opens there.
	got := HTML([]Block{{Type: TypeParagraph, Text: "a"}, {Type: "nope"}, {Type: TypeParagraph, Text: "b"}}, 1)
	if want := "<p>a</p>\n" + open + "\n<p>b</p>\n</div>"; got != want {
		t.Errorf("paywall at unknown block:\n got %q\nwant %q", got, want)
	}
}

func TestWriteEscapedMatchesStdlib(t *testing.T) {
	// On valid UTF-8 without NUL our escaper must agree with html.EscapeString.
	for _, s := range []string{"", "plain", `<a href="x">'&'</a>`, "é<ü>€😀&", "&amp;"} {
		var w strings.Builder
		writeEscaped(&w, s)
		if got, want := w.String(), stdEscape(s); got != want {
			t.Errorf("writeEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}
