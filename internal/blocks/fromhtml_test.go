package blocks

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

const testPhotoID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

func bold(s, e int) Mark   { return Mark{Type: MarkBold, Start: s, End: e} }
func italic(s, e int) Mark { return Mark{Type: MarkItalic, Start: s, End: e} }
func link(s, e int, href string) Mark {
	return Mark{Type: MarkLink, Start: s, End: e, Href: href}
}
func p(text string, marks ...Mark) Block {
	return Block{Type: TypeParagraph, Text: text, Marks: marks}
}
func h(level int, text string) Block { return Block{Type: TypeHeading, Level: level, Text: text} }

func TestFromHTML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Block
	}{
		{"empty", "", []Block{}},
		{"only whitespace and empty elements", " <p> </p>\n<div><br></div><p>&nbsp;</p><b></b>", []Block{}},
		{"plain paragraph", "<p>Bonjour le monde</p>", []Block{p("Bonjour le monde")}},
		{"french typography keeps no-break spaces",
			"<p>« Vraiment\u00a0? » demanda-t-il\u202f; l’été — déjà&nbsp;!</p>",
			[]Block{p("« Vraiment\u00a0? » demanda-t-il\u202f; l’été — déjà\u00a0!")}},
		{"whitespace collapsed and trimmed", "<p>\n\t  Un   texte\n\n sur  deux\r\nlignes  </p>",
			[]Block{p("Un texte sur deux lignes")}},
		{"bold and italic with rune offsets",
			"<p>Élan <strong>déjà</strong> vu, <em>été</em></p>",
			[]Block{p("Élan déjà vu, été", bold(5, 9), italic(14, 17))}},
		{"b and i are bold and italic", "<p><b>a</b> <i>b</i></p>", []Block{p("a b", bold(0, 1), italic(2, 3))}},
		{"nested b i", "<p>Le <b>très <i>grand</i> jour</b>.</p>",
			[]Block{p("Le très grand jour.", bold(3, 18), italic(8, 13))}},
		{"same range: outer first", "<p><b><i>tout</i></b></p>", []Block{p("tout", bold(0, 4), italic(0, 4))}},
		{"overlapping inline elements (misnested)", "<p><b>ab<i>cd</b>ef</i></p>",
			[]Block{p("abcdef", bold(0, 4), italic(2, 6))}},
		{"space at a mark edge stays outside", "<p>un<b> deux </b>trois</p>",
			[]Block{p("un deux trois", bold(3, 7))}},
		{"adjacent marks of a kind merge", "<p><b>ab</b><strong>cd</strong> <b>e</b></p>",
			[]Block{p("abcd e", bold(0, 4), bold(5, 6))}},
		{"link", `<p>Lire <a href="https://example.org/a?b=1&amp;c=2">l’enquête</a>.</p>`,
			[]Block{p("Lire l’enquête.", link(5, 14, "https://example.org/a?b=1&c=2"))}},
		{"mailto link with bold inside", `<p><a href="mailto:desk@example.org">écrire <b>ici</b></a></p>`,
			[]Block{p("écrire ici", link(0, 10, "mailto:desk@example.org"), bold(7, 10))}},
		{"relative link keeps its text only", `<p><a href="/local">texte</a></p>`, []Block{p("texte")}},
		{"headings mapped to 2-4", "<h1>Un</h1><h2>Deux</h2><h3>Trois</h3><h4>Quatre</h4><h5>Cinq</h5><h6>Six</h6>",
			[]Block{h(2, "Un"), h(2, "Deux"), h(3, "Trois"), h(4, "Quatre"), h(4, "Cinq"), h(4, "Six")}},
		{"heading keeps text, drops marks", "<h2>Le <em>grand</em>  <a href='https://x.org/'>soir</a></h2>",
			[]Block{h(2, "Le grand soir")}},
		{"empty heading dropped", "<h2> </h2><p>x</p>", []Block{p("x")}},
		{"quote with footer cite",
			"<blockquote><p>« La liberté commence où l’ignorance finit. »</p><footer>— <cite>Victor Hugo</cite></footer></blockquote>",
			[]Block{{Type: TypeQuote, Text: "« La liberté commence où l’ignorance finit. »", Cite: "Victor Hugo"}}},
		{"quote with cite element only", "<blockquote>Non.<cite>Marie Curie</cite></blockquote>",
			[]Block{{Type: TypeQuote, Text: "Non.", Cite: "Marie Curie"}}},
		{"quote with cite attribute", `<blockquote cite="https://example.org/src"><p>Oui.</p></blockquote>`,
			[]Block{{Type: TypeQuote, Text: "Oui.", Cite: "https://example.org/src"}}},
		{"quote of several paragraphs", "<blockquote><p>Un.</p><p>Deux.</p></blockquote>",
			[]Block{{Type: TypeQuote, Text: "Un. Deux."}}},
		{"unordered list", "<ul>\n<li>Pain</li>\n<li><b>Beurre</b>  doux</li>\n<li> </li></ul>",
			[]Block{{Type: TypeList, Items: []string{"Pain", "Beurre doux"}}}},
		{"ordered list with nested list", "<ol><li>Un<ul><li>un bis</li></ul></li><li>Deux</li></ol>",
			[]Block{{Type: TypeList, Ordered: true, Items: []string{"Un", "un bis", "Deux"}}}},
		{"empty list dropped", "<ul><li></li></ul>", []Block{}},
		{"photo figure with caption",
			`<figure data-photo-id="` + testPhotoID + `"><img src="https://cdn.example/a.jpg" alt="x"><figcaption>Paris,  à l’aube</figcaption></figure>`,
			[]Block{{Type: TypePhoto, PhotoID: testPhotoID, Caption: "Paris, à l’aube"}}},
		{"photo figure without caption", `<figure data-photo-id="` + testPhotoID + `"></figure>`,
			[]Block{{Type: TypePhoto, PhotoID: testPhotoID}}},
		{"figure without a valid photo id keeps its caption as text",
			`<figure data-photo-id="not-a-ulid"><img src="a.jpg"><figcaption>Légende</figcaption></figure>`,
			[]Block{p("Légende")}},
		{"bare img dropped", `<p>avant<img src="https://cdn.example/a.jpg">après</p>`, []Block{p("avantaprès")}},
		{"youtube iframe", `<iframe width="560" src="https://www.youtube.com/embed/dQw4w9WgXcQ" allowfullscreen></iframe>`,
			[]Block{{Type: TypeEmbed, URL: "https://www.youtube.com/embed/dQw4w9WgXcQ", Provider: "youtube"}}},
		{"vimeo iframe inside a paragraph splits it",
			`<p>avant <iframe src="https://player.vimeo.com/video/76979871"></iframe> après</p>`,
			[]Block{p("avant"), {Type: TypeEmbed, URL: "https://player.vimeo.com/video/76979871", Provider: "vimeo"}, p("après")}},
		{"demo video provider", `<figure><iframe src="https://video.example/watch/sommet"></iframe><figcaption>Le sommet</figcaption></figure>`,
			[]Block{{Type: TypeEmbed, URL: "https://video.example/watch/sommet", Provider: "video"}, p("Le sommet")}},
		{"bare text at top level and in wrappers",
			"Chapeau libre <div>Dans un div <span>et un span</span></div><section><p>Dans une section</p>suite</section>",
			[]Block{p("Chapeau libre"), p("Dans un div et un span"), p("Dans une section"), p("suite")}},
		{"one br is a space, two split the paragraph", "<p>ligne un<br>ligne deux<br> <br/>ligne trois</p>",
			[]Block{p("ligne un ligne deux"), p("ligne trois")}},
		{"a mark across a paragraph split continues", "<p><b>gras<br><br>encore</b> fin</p>",
			[]Block{p("gras", bold(0, 4)), p("encore fin", bold(0, 6))}},
		{"control characters removed", "<p>a\x01b\x7fc\u0085d</p>", []Block{p("abcd")}},
		{"table cells are paragraphs", "<table><tr><td>A</td><td>B</td></tr></table>", []Block{p("A"), p("B")}},
		{"a realistic article",
			`<h1>Le sommet de Varenne</h1>
<p>Les ministres se sont retrouvés <strong>mardi</strong> à Varenne, <em>sans</em> accord. Voir <a href="https://example.org/dossier">notre dossier</a>.</p>
<h3>Ce qu’il faut retenir</h3>
<ul><li>Un texte signé</li><li>Deux absents</li></ul>
<blockquote><p>« Nous avons avancé. »</p><footer>— La présidente</footer></blockquote>
<figure data-photo-id="` + testPhotoID + `"><img src="x.jpg"><figcaption>La photo de famille.</figcaption></figure>
<iframe src="https://www.youtube.com/embed/abc_DEF-123?start=30"></iframe>`,
			[]Block{
				h(2, "Le sommet de Varenne"),
				p("Les ministres se sont retrouvés mardi à Varenne, sans accord. Voir notre dossier.",
					bold(32, 37), italic(49, 53), link(67, 80, "https://example.org/dossier")),
				h(3, "Ce qu’il faut retenir"),
				{Type: TypeList, Items: []string{"Un texte signé", "Deux absents"}},
				{Type: TypeQuote, Text: "« Nous avons avancé. »", Cite: "La présidente"},
				{Type: TypePhoto, PhotoID: testPhotoID, Caption: "La photo de famille."},
				{Type: TypeEmbed, URL: "https://www.youtube.com/embed/abc_DEF-123?start=30", Provider: "youtube"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromHTML(tt.in)
			if err != nil {
				t.Fatalf("FromHTML: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromHTML(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			if errs := Validate(got); errs != nil {
				t.Errorf("result does not validate: %v", errs)
			}
		})
	}
}

func TestFromHTMLHostile(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Block // nil: only the safety properties are checked
	}{
		{"script", `<p>avant</p><script>alert("x")</script><p>après</p>`, []Block{p("avant"), p("après")}},
		{"script inside paragraph", `<p>a<script>document.cookie</script>b</p>`, []Block{p("ab")}},
		{"style", `<style>body{background:url(javascript:alert(1))}</style><p>x</p>`, []Block{p("x")}},
		{"img onerror", `<img src=x onerror=alert(1)><p>texte</p>`, []Block{p("texte")}},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, []Block{p("x")}},
		{"mixed case javascript link", `<p><a href="JaVaScRiPt:alert(1)">x</a></p>`, []Block{p("x")}},
		{"entity-encoded javascript link", `<p><a href="&#106;avascript:alert(1)">x</a></p>`, []Block{p("x")}},
		{"javascript link with whitespace", "<p><a href=\" java\tscript:alert(1)\">x</a></p>", []Block{p("x")}},
		{"data link", `<p><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a></p>`, []Block{p("x")}},
		{"vbscript link", `<p><a href="vbscript:msgbox(1)">x</a></p>`, []Block{p("x")}},
		{"unknown iframe", `<iframe src="https://evil.example/"></iframe><p>x</p>`, []Block{p("x")}},
		{"unknown iframe with content", `<iframe src="https://evil.example/"><script>alert(1)</script>fallback</iframe><p>x</p>`,
			[]Block{p("x")}},
		{"javascript iframe", `<iframe src="javascript:alert(1)"></iframe>`, []Block{}},
		{"youtube lookalike host", `<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>`, []Block{}},
		{"youtube over http", `<iframe src="http://www.youtube.com/embed/x"></iframe>`, []Block{}},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`, []Block{}},
		{"svg onload", `<svg onload=alert(1)><script>alert(2)</script></svg><p>x</p>`, []Block{p("x")}},
		{"p onclick", `<p onclick="alert(1)" style="color:red">x</p>`, []Block{p("x")}},
		{"data URL image", `<img src="data:image/svg+xml;base64,PHN2Zz4="><p>x</p>`, []Block{p("x")}},
		{"comments", `<p>a<!-- <script>alert(1)</script> -->b</p><!--[if IE]><script>x</script><![endif]-->`, []Block{p("ab")}},
		{"object and embed", `<object data="https://evil.example/x.swf"><param name=a value=b>fallback</object><embed src="https://evil.example/x.swf"><p>x</p>`,
			[]Block{p("x")}},
		{"css expression", `<p style="width: expression(alert(1))">x</p><div style="background:url('javascript:alert(1)')">y</div>`,
			[]Block{p("x"), p("y")}},
		{"textarea breakout", `<textarea></textarea><script>alert(1)</script></textarea><p>x</p>`, nil},
		{"title breakout", `<title></title><script>alert(1)</script><p>x</p>`, nil},
		{"noscript", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`, nil},
		{"math mXSS", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>`, nil},
		{"form controls", `<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button><input onfocus=alert(1) autofocus></form>`, nil},
		{"base and meta", `<base href="javascript:alert(1)//"><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>x</p>`,
			[]Block{p("x")}},
		{"figure with event handler", `<figure data-photo-id="` + testPhotoID + `" onmouseover="alert(1)"><figcaption onclick="x()">c</figcaption></figure>`,
			[]Block{{Type: TypePhoto, PhotoID: testPhotoID, Caption: "c"}}},
		{"link with event handler keeps the link only",
			`<p><a href="https://example.org/" onclick="alert(1)" target="_blank">x</a></p>`,
			[]Block{p("x", link(0, 1, "https://example.org/"))}},
		{"escaped markup stays text", `<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromHTML(tt.in)
			if err != nil {
				t.Fatalf("FromHTML: %v", err)
			}
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromHTML(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			checkSafeBlocks(t, got, tt.name != "escaped markup stays text")
		})
	}
}

// checkSafeBlocks checks that bs validates and carries nothing executable,
// in its fields (when strict: escaped markup typed as text by an editor is
// legitimate prose) and once rendered.
func checkSafeBlocks(t testing.TB, bs []Block, strict bool) {
	t.Helper()
	if errs := Validate(bs); errs != nil {
		t.Fatalf("result does not validate: %v\n%#v", errs, bs)
	}
	if strict {
		for i, b := range bs {
			fields := append([]string{b.Text, b.Cite, b.Caption, b.URL, b.PhotoID, b.Provider}, b.Items...)
			for _, m := range b.Marks {
				fields = append(fields, m.Href)
			}
			for _, f := range fields {
				l := strings.ToLower(f)
				for _, bad := range []string{"javascript:", "<script", "onerror", "alert(", "data:"} {
					if strings.Contains(l, bad) {
						t.Errorf("block %d carries %q: %#v", i, bad, b)
					}
				}
			}
		}
	}
	out := HTML(bs, -1)
	if l := strings.ToLower(out); strict && (strings.Contains(l, "<script") || strings.Contains(l, "javascript:")) {
		t.Errorf("rendered HTML contains a script: %s", out)
	}
	checkSafeHTML(t, out)
}

// checkSafeHTML checks rendered HTML as a browser would read it: no element
// but those the renderer emits (so no script), no event-handler, style or
// src attribute, no link but http(s) and mailto. Text that merely reads
// "javascript:" is prose, not a script.
func checkSafeHTML(t testing.TB, out string) {
	t.Helper()
	allowed := map[string]bool{"p": true, "h2": true, "h3": true, "h4": true, "blockquote": true, "cite": true,
		"ul": true, "ol": true, "li": true, "strong": true, "em": true, "a": true, "figure": true, "figcaption": true}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if !errors.Is(z.Err(), io.EOF) {
				t.Errorf("rendered HTML does not tokenize: %v", z.Err())
			}
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if !allowed[tok.Data] {
			t.Errorf("rendered HTML has a <%s> element: %s", tok.Data, out)
		}
		for _, a := range tok.Attr {
			switch {
			case strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "src" || a.Key == "srcdoc":
				t.Errorf("rendered HTML has a %s attribute: %s", a.Key, out)
			case a.Key == "href" && !safeURL(a.Val, true):
				t.Errorf("rendered HTML links to %q", a.Val)
			}
		}
	}
}

func TestFromHTMLRefusesBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"invalid UTF-8": "<p>caf\xe9</p>",
		"too long":      "<p>" + strings.Repeat("a", MaxHTMLBytes) + "</p>",
		"too deep":      strings.Repeat("<div>", 600) + "x",
	} {
		t.Run(name, func(t *testing.T) {
			bs, err := FromHTML(in)
			if !errors.Is(err, ErrInvalidHTML) || bs != nil {
				t.Fatalf("FromHTML = %v, %v; want nil, ErrInvalidHTML", bs, err)
			}
		})
	}
	// Exactly the limit is fine.
	in := "<p>" + strings.Repeat("a", MaxHTMLBytes-7) + "</p>"
	if bs, err := FromHTML(in); err != nil || len(bs) != 1 {
		t.Fatalf("FromHTML(1 MiB) = %d blocks, %v", len(bs), err)
	}
}

// pathologicalHTML are deeply nested or repetitive inputs of the largest
// accepted size.
func pathologicalHTML() map[string]string {
	n := MaxHTMLBytes / 16
	return map[string]string{
		"nested divs":       strings.Repeat("<div>x", MaxHTMLBytes/6),
		"nested bold":       strings.Repeat("<b>x", MaxHTMLBytes/4),
		"nested lists":      strings.Repeat("<ul><li>x", MaxHTMLBytes/9),
		"nested quotes":     strings.Repeat("<blockquote>x", MaxHTMLBytes/13),
		"misnested inline":  strings.Repeat("<b><i>x</b></i>", n),
		"many brs":          strings.Repeat("a<br>", MaxHTMLBytes/5),
		"unclosed iframe":   `<iframe src="https://www.youtube.com/embed/x">` + strings.Repeat("<p>x", n),
		"many tables":       strings.Repeat("<table><tr><td>x", MaxHTMLBytes/17),
		"many link formats": strings.Repeat(`<a href="https://e.x/">x`, MaxHTMLBytes/24),
	}
}

// TestFromHTMLPathological checks that pathological input converts (or is
// refused as too deep), and that what converts validates. How long it takes
// is BenchmarkFromHTMLPathological's business.
func TestFromHTMLPathological(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for name, in := range pathologicalHTML() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bs, err := FromHTML(in)
			if err != nil {
				if !errors.Is(err, ErrInvalidHTML) {
					t.Fatalf("unexpected error %v", err)
				}
				return // refused as too deep
			}
			if errs := Validate(bs); errs != nil {
				t.Fatalf("%d errors, first %v", len(errs), errs[0])
			}
		})
	}
}

func FuzzFromHTML(f *testing.F) {
	for _, s := range []string{
		"", "<p>a</p>", "<b><i>x</b>y</i>", `<a href="https://e.x/">l</a>`,
		"<ul><li>a<ol><li>b</li></ol></li></ul>", "<blockquote>q<cite>c</cite></blockquote>",
		`<figure data-photo-id="` + testPhotoID + `"><figcaption>c</figcaption></figure>`,
		`<iframe src="https://www.youtube.com/embed/x"></iframe>`, "a<br><br>b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		bs, err := FromHTML(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidHTML) {
				t.Fatalf("unexpected error %v", err)
			}
			if utf8.ValidString(in) && len(in) <= MaxHTMLBytes && strings.Count(in, "<") < 512 {
				t.Fatalf("refused valid input: %v", err)
			}
			return
		}
		if bs == nil {
			t.Fatal("nil slice without error")
		}
		if errs := Validate(bs); errs != nil {
			t.Fatalf("result does not validate: %v\n%#v", errs, bs)
		}
		for _, b := range bs {
			for _, m := range b.Marks {
				if !safeURL(m.Href, true) && m.Type == MarkLink {
					t.Fatalf("unsafe link %q", m.Href)
				}
			}
			if b.Type == TypeEmbed {
				if _, ok := embed(b.URL); !ok {
					t.Fatalf("embed from an unknown provider: %q", b.URL)
				}
			}
		}
		checkSafeHTML(t, HTML(bs, -1))
		// Converting is deterministic.
		again, _ := FromHTML(in)
		if !reflect.DeepEqual(bs, again) {
			t.Fatalf("second conversion differs")
		}
	})
}

// BenchmarkFromHTMLPathological times the conversion of each pathological
// input.
//
//	go test -tags sqlite_fts5 -run '^$' -bench FromHTMLPathological ./internal/blocks/
func BenchmarkFromHTMLPathological(b *testing.B) {
	for name, in := range pathologicalHTML() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := FromHTML(in); err != nil && !errors.Is(err, ErrInvalidHTML) {
					b.Fatal(err)
				}
			}
		})
	}
}
