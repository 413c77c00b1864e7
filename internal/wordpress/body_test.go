package wordpress

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"masthead/internal/blocks"
)

const uploads = "https://courrier-du-lac.example/wp-content/uploads/"

// photoID is the made-up stored photo of attachment id.
func photoID(id int64) string { return fmt.Sprintf("01HZZZZZZZZZZZZZZZZZZZ%04d", id) }

// testOptions knows attachments 201 to 203 (and their files), as an
// importer would after reading them.
func testOptions() BodyOptions {
	urls := NewAttachmentURLs()
	urls.Add(201, uploads+"2026/03/regates-2026.jpg")
	urls.Add(202, uploads+"2026/02/conseil-municipal.jpg")
	urls.Add(203, uploads+"2025/11/ponton-scaled.jpg")
	return BodyOptions{URLs: urls, Photo: func(id int64, _ string) (string, bool) {
		if id >= 201 && id <= 203 {
			return photoID(id), true
		}
		return "", false
	}}
}

func para(text string) blocks.Block { return blocks.Block{Type: blocks.TypeParagraph, Text: text} }
func photo(id int64, caption string) blocks.Block {
	return blocks.Block{Type: blocks.TypePhoto, PhotoID: photoID(id), Caption: caption}
}
func youtube(id string) blocks.Block {
	return blocks.Block{Type: blocks.TypeEmbed, URL: "https://www.youtube.com/embed/" + id, Provider: "youtube"}
}

// plain drops marks, to compare structure and text.
func plain(bs []blocks.Block) []blocks.Block {
	out := slices.Clone(bs)
	for i := range out {
		out[i].Marks = nil
	}
	return out
}

func convert(t *testing.T, content string) Body {
	t.Helper()
	b, err := ConvertBody(content, testOptions())
	if err != nil {
		t.Fatalf("ConvertBody: %v", err)
	}
	if errs := blocks.Validate(b.Blocks); errs != nil {
		t.Fatalf("invalid blocks %v: %+v", errs, b.Blocks)
	}
	if b.PreviewBreak != nil && (*b.PreviewBreak < 1 || *b.PreviewBreak > len(b.Blocks)-1) {
		t.Fatalf("preview break %d out of 1..%d", *b.PreviewBreak, len(b.Blocks)-1)
	}
	return b
}

func TestConvertClassic(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []blocks.Block
	}{
		{"paragraphs at blank lines, lines joined", "Un.\nDeux.\n\n\nTrois.\r\n\r\nQuatre.",
			[]blocks.Block{para("Un. Deux."), para("Trois."), para("Quatre.")}},
		{"two br end a paragraph", "Un<br><br />Deux<br/>trois", []blocks.Block{para("Un"), para("Deux trois")}},
		{"block elements stand alone", "Avant\n<h3>Titre</h3>\nAprès\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\nFin",
			[]blocks.Block{para("Avant"), {Type: blocks.TypeHeading, Level: 3, Text: "Titre"}, para("Après"),
				{Type: blocks.TypeList, Items: []string{"a", "b"}}, para("Fin")}},
		{"text in a blockquote", "<blockquote>Une phrase\nsur deux lignes.</blockquote>",
			[]blocks.Block{{Type: blocks.TypeQuote, Text: "Une phrase sur deux lignes."}}},
		{"pre kept", "Code :\n\n<pre>a\n\nb</pre>\n\nFin", []blocks.Block{para("Code :"), para("a b"), para("Fin")}},
		{"newlines inside a tag", "<a\nhref=\"https://x.example/\">lien</a> ici", []blocks.Block{para("lien ici")}},
		{"inline markup", "Le <strong>grand</strong> jour", []blocks.Block{para("Le grand jour")}},
		{"bare provider URL on its line", "Voir :\n\nhttps://youtu.be/abc123\n\nFin.",
			[]blocks.Block{para("Voir :"), youtube("abc123"), para("Fin.")}},
		{"URL inside a sentence stays text", "Voir https://youtu.be/abc123 ici.", []blocks.Block{para("Voir https://youtu.be/abc123 ici.")}},
		{"empty", "  \n\n ", []blocks.Block{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := convert(t, tc.in)
			if got := plain(b.Blocks); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("blocks\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestConvertShortcodes(t *testing.T) {
	img201 := `<img class="size-medium wp-image-201" src="` + uploads + `2026/03/regates-2026-300x200.jpg" alt="" width="300" height="200" />`
	for _, tc := range []struct {
		name    string
		in      string
		want    []blocks.Block
		unknown []string
		dropped int
	}{
		{"caption around a linked image", `[caption id="attachment_201" align="alignnone" width="300"]<a href="` + uploads +
			`2026/03/regates-2026.jpg">` + img201 + `</a> Les <em>voiliers</em>.[/caption]`,
			[]blocks.Block{photo(201, "Les voiliers.")}, nil, 0},
		{"caption attribute", `[caption id="attachment_201" caption="Légende &amp; crédit"]` + img201 + `[/caption]`,
			[]blocks.Block{photo(201, "Légende & crédit")}, nil, 0},
		{"caption id without an image class", `[caption id="attachment_202"]<img src="https://elsewhere.example/x.jpg"> Élus[/caption]`,
			[]blocks.Block{photo(202, "Élus")}, nil, 0},
		{"caption of an image that is not ours", `Avant [caption id="attachment_9"]<img src="https://other.example/x.jpg"> Ailleurs[/caption] après`,
			[]blocks.Block{para("Avant"), para("après")}, nil, 1},
		{"caption without image", `[caption id="attachment_201"]Rien que du texte[/caption]`,
			[]blocks.Block{para("Rien que du texte")}, nil, 1},
		{"embed", "[embed width=\"640\"]https://vimeo.com/12345[/embed]",
			[]blocks.Block{{Type: blocks.TypeEmbed, URL: "https://player.vimeo.com/video/12345", Provider: "vimeo"}}, nil, 0},
		{"gallery", `[gallery columns="2" ids="202, 203,x,0"]`, []blocks.Block{photo(202, ""), photo(203, "")}, nil, 0},
		{"gallery of unknown ids", `[gallery ids="5,6"]`, []blocks.Block{}, nil, 2},
		{"gallery without ids", `[gallery]`, []blocks.Block{}, nil, 1},
		{"video of a YouTube page", `[video src="https://www.youtube.com/watch?v=zz9"]`, []blocks.Block{youtube("zz9")}, nil, 0},
		{"video file and audio", `[video mp4="https://x.example/v.mp4"][/video] [audio src="a.mp3"] Texte`,
			[]blocks.Block{para("Texte")}, nil, 2},
		{"unknown self-closing and enclosing", `Avant [contact-form-7 id="1" title="Contact"] [su_box title="x"]Dans la boîte[/su_box] après`,
			[]blocks.Block{para("Avant Dans la boîte après")}, []string{"contact-form-7", "su_box"}, 0},
		{"nested unknown shortcodes", `[su_row][su_column size="1/2"]Gauche[/su_column][su_column]Droite[/su_column][/su_row]`,
			[]blocks.Block{para("GaucheDroite")}, []string{"su_row", "su_column"}, 0},
		{"unknown closed shortcode without attributes", `[note]Attention[/note]`, []blocks.Block{para("Attention")}, []string{"note"}, 0},
		{"escaped shortcodes are text", `Tapez [[caption]] ou [[su_box]x[/su_box]] ici`,
			[]blocks.Block{para("Tapez [caption] ou [su_box]x[/su_box] ici")}, nil, 0},
		{"brackets in prose are text", `Il a dit [sic] et [Mise à jour 14 h] puis [1] et [ ] et [a-b`,
			[]blocks.Block{para("Il a dit [sic] et [Mise à jour 14 h] puis [1] et [ ] et [a-b")}, nil, 0},
		{"stray closing tag of a plugin", `Texte[/su_box] fin [/sic]`, []blocks.Block{para("Texte fin [/sic]")}, []string{"su_box"}, 0},
		{"shortcode spanning paragraphs", "[su_box]Un\n\nDeux[/su_box]", []blocks.Block{para("Un"), para("Deux")}, []string{"su_box"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := convert(t, tc.in)
			if got := plain(b.Blocks); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("blocks\n got %+v\nwant %+v", got, tc.want)
			}
			if !slices.Equal(b.UnknownShortcodes, tc.unknown) {
				t.Errorf("unknown shortcodes %q, want %q", b.UnknownShortcodes, tc.unknown)
			}
			if len(b.Dropped) != tc.dropped {
				t.Errorf("dropped %q, want %d entries", b.Dropped, tc.dropped)
			}
		})
	}
}

func TestConvertImages(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          string
		want        []blocks.Block
		attachments []int64
	}{
		{"by class", `<img class="alignleft wp-image-202" src="https://cdn.example/whatever.jpg">`, []blocks.Block{photo(202, "")}, []int64{202}},
		{"by size variant of the file", `<p>Texte <img src="` + uploads + `2026/02/conseil-municipal-768x512.jpg"> suite</p>`,
			[]blocks.Block{para("Texte"), photo(202, ""), para("suite")}, []int64{202}},
		{"by the scaled original's sizes, over http", `<img src="http://courrier-du-lac.example/wp-content/uploads/2025/11/ponton-300x200.jpg">`,
			[]blocks.Block{photo(203, "")}, []int64{203}},
		{"lazy-loaded", `<img src="data:image/gif;base64,R0lGOD" data-lazy-src="` + uploads + `2026/03/regates-2026.jpg">`,
			[]blocks.Block{photo(201, "")}, []int64{201}},
		{"in a list item, the list splits", `<ul><li>a</li><li>b <img class="wp-image-201" src="x.jpg"></li><li>c</li></ul>`,
			[]blocks.Block{{Type: blocks.TypeList, Items: []string{"a", "b"}}, photo(201, ""), {Type: blocks.TypeList, Items: []string{"c"}}}, []int64{201}},
		{"inside a link", `<a href="https://x.example/"><img class="wp-image-201" src="x.jpg"></a>`, []blocks.Block{photo(201, "")}, []int64{201}},
		{"figure with caption", `<figure class="wp-caption"><img class="wp-image-201" src="x.jpg"><figcaption>Légende</figcaption></figure>`,
			[]blocks.Block{photo(201, "Légende")}, []int64{201}},
		{"same image twice", `<img class="wp-image-201" src="a.jpg"><img class="wp-image-201" src="a.jpg">`,
			[]blocks.Block{photo(201, ""), photo(201, "")}, []int64{201}},
		{"not ours", `<p>Un <img src="https://other.example/x.png"> deux</p>`, []blocks.Block{para("Un deux")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := convert(t, tc.in)
			if got := plain(b.Blocks); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("blocks\n got %+v\nwant %+v", got, tc.want)
			}
			if !slices.Equal(b.Attachments, tc.attachments) {
				t.Errorf("attachments %v, want %v", b.Attachments, tc.attachments)
			}
		})
	}
}

func TestConvertPhotoCallback(t *testing.T) {
	var calls []string
	opt := BodyOptions{Photo: func(id int64, src string) (string, bool) {
		calls = append(calls, fmt.Sprintf("%d %s", id, src))
		if id == 7 {
			return "not-a-ulid", true
		}
		return photoID(id), id > 0
	}}
	b, err := ConvertBody(`<img class="wp-image-5" src="a.jpg"><img src="b.jpg">[gallery ids="6"]<img class="wp-image-7" src="c.jpg">`, opt)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"5 a.jpg", "0 b.jpg", "6 ", "7 c.jpg"}; !slices.Equal(calls, want) {
		t.Errorf("Photo calls %q, want %q", calls, want)
	}
	if got := plain(b.Blocks); !reflect.DeepEqual(got, []blocks.Block{photo(5, ""), photo(6, "")}) {
		t.Errorf("blocks %+v", got)
	}
	if len(b.Dropped) != 2 || !strings.Contains(b.Dropped[1], "not a stored photo") {
		t.Errorf("dropped %q", b.Dropped)
	}
	// Without a Photo function every image goes, reported.
	b, err = ConvertBody(`<img class="wp-image-5" src="a.jpg">Texte`, BodyOptions{})
	if err != nil || len(b.Blocks) != 1 || len(b.Dropped) != 1 {
		t.Errorf("nil Photo: %+v %q %v", b.Blocks, b.Dropped, err)
	}
}

func TestConvertPreviewBreak(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // -1: none
	}{
		{"Un\n\n<!--more-->\n\nDeux\n\nTrois", 1},
		{"Un\n\nDeux<!--more Lire la suite-->Trois", 2},
		{"Un\n\n<!--more-->\n\nDeux\n\n<!--more-->\n\nTrois", 1}, // the first counts
		{"<!--more-->\n\nUn\n\nDeux", -1},                        // before the first block
		{"Un\n\nDeux\n\n<!--more-->", -1},                        // after the last
		{"Un\n\nDeux", -1},
		{"<!-- wp:paragraph --><p>Un</p><!-- /wp:paragraph --><!-- wp:more {\"customText\":\"Suite\"} --><!--more Suite--><!-- /wp:more --><!-- wp:paragraph --><p>Deux</p><!-- /wp:paragraph -->", 1},
		{"<!-- wp:paragraph --><p>Un <!--more--> deux</p><!-- /wp:paragraph -->", 1},
		{"Un &lt;!--more--&gt; deux\n\nTrois", -1},
	} {
		b := convert(t, tc.in)
		got := -1
		if b.PreviewBreak != nil {
			got = *b.PreviewBreak
		}
		if got != tc.want {
			t.Errorf("%q: preview break %d, want %d (blocks %+v)", tc.in, got, tc.want, plain(b.Blocks))
		}
	}
}

func TestConvertBlockEditor(t *testing.T) {
	in := `<!-- wp:heading {"level":3} -->
<h3 class="wp-block-heading">Titre</h3>
<!-- /wp:heading -->

<!-- wp:image {"id":201} -->
<figure class="wp-block-image"><img src="https://cdn.example/resized.jpg" alt=""/><figcaption>Légende</figcaption></figure>
<!-- /wp:image -->

<!-- wp:gallery {"ids":[202,203],"linkTo":"none"} -->
<figure class="wp-block-gallery columns-2"><ul class="blocks-gallery-grid"><li class="blocks-gallery-item"><figure><img src="a.jpg" data-id="202" class="wp-image-202"/><figcaption class="blocks-gallery-item__caption">Un</figcaption></figure></li><li class="blocks-gallery-item"><figure><img src="b.jpg" data-id="203"/></figure></li></ul></figure>
<!-- /wp:gallery -->

<!-- wp:core-embed/youtube {"url":"https://www.youtube.com/watch?v=old1"} -->
<figure class="wp-block-embed-youtube wp-block-embed"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=old1
</div></figure>
<!-- /wp:core-embed/youtube -->

<!-- wp:embed -->
<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">
https://youtu.be/fromtext
</div></figure>
<!-- /wp:embed -->

<!-- wp:spacer {"height":"40px"} -->
<div style="height:40px" aria-hidden="true" class="wp-block-spacer"></div>
<!-- /wp:spacer -->

<!-- wp:nextpage -->
<!--nextpage-->
<!-- /wp:nextpage -->

<!-- wp:video {"id":9} -->
<figure class="wp-block-video"><video controls src="` + uploads + `clip.mp4"></video></figure>
<!-- /wp:video -->

<!-- wp:block {"ref":77} /-->

<!-- wp:columns -->
<div class="wp-block-columns"><!-- wp:column -->
<div class="wp-block-column"><!-- wp:paragraph -->
<p>Colonne un</p>
<!-- /wp:paragraph --></div>
<!-- /wp:column -->

<!-- wp:column -->
<div class="wp-block-column"><!-- wp:paragraph -->
<p>Colonne deux</p>
<!-- /wp:paragraph --></div>
<!-- /wp:column --></div>
<!-- /wp:columns -->

<!-- wp:acme/fancy-box {"color":"red"} -->
<div class="fancy"><p>Inconnu mais gardé</p></div>
<!-- /wp:acme/fancy-box -->

<!-- wp:preformatted -->
<pre class="wp-block-preformatted">ligne 1
ligne 2</pre>
<!-- /wp:preformatted -->

Texte libre hors bloc.

<!-- /wp:paragraph -->
<!-- wp:paragraph --><p>Non fermé</p>`
	b := convert(t, in)
	want := []blocks.Block{
		{Type: blocks.TypeHeading, Level: 3, Text: "Titre"},
		photo(201, "Légende"),
		photo(202, "Un"),
		photo(203, ""),
		youtube("old1"),
		youtube("fromtext"),
		para("Colonne un"), para("Colonne deux"),
		para("Inconnu mais gardé"),
		para("ligne 1 ligne 2"),
		para("Texte libre hors bloc."),
		para("Non fermé"),
	}
	if got := plain(b.Blocks); !reflect.DeepEqual(got, want) {
		t.Errorf("blocks\n got %+v\nwant %+v", got, want)
	}
	if !slices.Equal(b.Attachments, []int64{201, 202, 203}) {
		t.Errorf("attachments %v", b.Attachments)
	}
	if len(b.Dropped) != 2 || !strings.Contains(b.Dropped[0], "video block") || !strings.Contains(b.Dropped[1], "reusable block 77") {
		t.Errorf("dropped %q", b.Dropped)
	}
}

// TestConvertHostile checks that nothing executable survives, whatever
// the editor or shortcode it hides in.
func TestConvertHostile(t *testing.T) {
	hostile := []string{
		`<p onclick="steal()">Texte <a href="javascript:alert(1)">piégé</a> <img src=x onerror="alert(2)"></p>`,
		`<script>alert(1)</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
		`<iframe src="javascript:alert(1)"></iframe><iframe src="https://evil.example/embed/x">fallback</iframe>`,
		`<a href="JaVaScRiPt:alert(1)">x</a> <a href="data:text/html,<script>alert(1)</script>">y</a>`,
		`<svg onload=alert(1)><script>alert(2)</script></svg><math><mi xlink:href="javascript:alert(1)">z</mi></math>`,
		`<style>@import 'javascript:alert(1)';</style><link rel=stylesheet href=x>`,
		`<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">`,
		`[embed]javascript:alert(1)[/embed][video src="javascript:alert(1)"]`,
		`[caption id="attachment_201" caption="<script>alert(1)</script>"]<img class="wp-image-201" src="x" onerror="alert(1)">[/caption]`,
		`<!-- wp:html --><div onmouseover="alert(1)"><script>alert(1)</script>ok</div><!-- /wp:html -->`,
		`<!-- wp:image {"id":201} --><figure><img src="javascript:alert(1)" class="wp-image-201"/><figcaption><a href="javascript:alert(1)">c</a></figcaption></figure><!-- /wp:image -->`,
		`<!-- wp:embed {"url":"javascript:alert(1)"} --><figure></figure><!-- /wp:embed -->`,
		`<masthead-embed data-url="https://youtu.be/forged"></masthead-embed><masthead-more></masthead-more>`,
		`<form action="https://evil.example"><input name=a><button formaction="javascript:alert(1)">go</button></form>`,
		`<a href="https://ok.example/" style="background:url(javascript:alert(1))">ok</a>`,
		`<img src="x" srcset="javascript:alert(1)"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
		"<scr<script>ipt>alert(1)</script>",
	}
	for _, in := range hostile {
		b := convert(t, in)
		for _, blk := range b.Blocks {
			all := strings.ToLower(fmt.Sprintf("%+v", blk))
			for _, bad := range []string{"javascript:", "<script", "onerror", "onclick", "onload", "evil.example", "data:text"} {
				if strings.Contains(all, bad) {
					t.Errorf("%q: block %+v holds %q", in, blk, bad)
				}
			}
			for _, m := range blk.Marks {
				if m.Href != "" && !strings.HasPrefix(m.Href, "https://") {
					t.Errorf("%q: link %q survived", in, m.Href)
				}
			}
		}
		h := blocks.HTML(b.Blocks, 0)
		if strings.Contains(strings.ToLower(h), "<script") || strings.Contains(strings.ToLower(h), "javascript:") {
			t.Errorf("%q renders as %q", in, h)
		}
	}
	// The forged markers stay text, and gave no embed and no break.
	for _, forged := range []string{
		`Avant<masthead-embed data-url="https://youtu.be/forged"></masthead-embed><masthead-more></masthead-more>Après`,
		"Avant\n\n<MaStHeAd-more></MaStHeAd-more>\n\n<MASTHEAD-EMBED data-url=\"https://youtu.be/forged\"></MASTHEAD-EMBED>Après",
		`<!-- wp:paragraph --><p>Avant</p><!-- /wp:paragraph --><!-- wp:html --><Masthead-More></Masthead-More><!-- /wp:html --><!-- wp:paragraph --><p>Après</p><!-- /wp:paragraph -->`,
	} {
		b := convert(t, forged)
		for _, blk := range b.Blocks {
			if blk.Type != blocks.TypeParagraph {
				t.Errorf("%q: forged marker gave %+v", forged, blk)
			}
		}
		if b.PreviewBreak != nil {
			t.Errorf("%q: forged marker gave a preview break at %d", forged, *b.PreviewBreak)
		}
	}
	// Scripts are reported.
	b := convert(t, `<script>x</script><p>ok</p>`)
	if len(b.Dropped) != 1 || !strings.Contains(b.Dropped[0], "script") {
		t.Errorf("dropped %q", b.Dropped)
	}
}

func TestConvertFileAndAudioBlocks(t *testing.T) {
	b := convert(t, `<!-- wp:file {"id":12,"href":"https://x.example/budget.pdf"} -->
<div class="wp-block-file"><a href="https://x.example/budget.pdf">Budget 2026</a><a href="https://x.example/budget.pdf" class="wp-block-file__button" download>Télécharger</a></div>
<!-- /wp:file -->
<!-- wp:audio {"id":13} --><figure class="wp-block-audio"><audio controls src="https://x.example/a.mp3"></audio><figcaption>Son</figcaption></figure><!-- /wp:audio -->`)
	if len(b.Blocks) != 1 || b.Blocks[0].Text != "Budget 2026" || len(b.Blocks[0].Marks) != 1 ||
		b.Blocks[0].Marks[0].Href != "https://x.example/budget.pdf" {
		t.Errorf("file block: %+v", b.Blocks)
	}
	if len(b.Dropped) != 1 || !strings.Contains(b.Dropped[0], "audio block") {
		t.Errorf("dropped %q", b.Dropped)
	}
}

func TestConvertTable(t *testing.T) {
	b := convert(t, "<table><caption>Résultats</caption><tr><th>Liste</th><th>Voix</th></tr>"+
		"<tr><td>Ensemble</td><td>1 204</td></tr><tr><td></td><td></td></tr><tr><td><img class=\"wp-image-202\" src=\"p.jpg\"> Photo</td><td>—</td></tr></table>")
	want := []blocks.Block{para("Résultats"), para("Liste | Voix"), para("Ensemble | 1 204"), para("Photo | —"), photo(202, "")}
	if got := plain(b.Blocks); !reflect.DeepEqual(got, want) {
		t.Errorf("blocks\n got %+v\nwant %+v", got, want)
	}
	if len(b.Notes) != 1 || !strings.Contains(b.Notes[0], "3 rows") {
		t.Errorf("notes %q", b.Notes)
	}
}

func TestConvertEmbedsOfOtherProviders(t *testing.T) {
	b := convert(t, "[embed]https://twitter.com/x/status/1[/embed]\n\nhttps://soundcloud.example/track\n\n<iframe src=\"https://maps.example/embed\"></iframe>")
	want := []blocks.Block{para("https://twitter.com/x/status/1"), para("https://soundcloud.example/track")}
	if got := plain(b.Blocks); !reflect.DeepEqual(got, want) {
		t.Errorf("blocks %+v", got)
	}
	if len(b.Notes) != 2 || len(b.Dropped) != 1 || !strings.Contains(b.Dropped[0], "maps.example") {
		t.Errorf("notes %q dropped %q", b.Notes, b.Dropped)
	}
	if b.Blocks[0].Marks[0].Href != "https://twitter.com/x/status/1" {
		t.Errorf("the embed kept as a link lost its link: %+v", b.Blocks[0])
	}
}

func TestConvertReportsBounded(t *testing.T) {
	b := convert(t, strings.Repeat(`<img src="https://other.example/x.png"><script></script>[x-y]`, 500))
	if len(b.Dropped) != maxReports+1 || len(b.UnknownShortcodes) != 1 {
		t.Errorf("%d dropped, %d unknown", len(b.Dropped), len(b.UnknownShortcodes))
	}
}

func TestConvertLargeBody(t *testing.T) {
	// 3 MB of classic text: more than FromHTML takes at once, converted in
	// segments.
	para := strings.Repeat("Le conseil municipal s’est réuni hier soir. ", 40)
	in := strings.Repeat(para+"\n\n", 1800)
	b, err := ConvertBody(in, BodyOptions{})
	if err != nil || len(b.Blocks) != 1800 {
		t.Fatalf("%d blocks, %v", len(b.Blocks), err)
	}
	// One element bigger than FromHTML takes cannot be split: an error.
	if _, err := ConvertBody("<div>"+strings.Repeat("mot ", 300_000)+"</div>", BodyOptions{}); err == nil {
		t.Error("a 1.2 MB element converted without error")
	}
}

func TestConvertLakesideBodies(t *testing.T) {
	_, byID, items := lakeside(t)
	opt := testOptions()
	for _, it := range items {
		if it.Content == "" {
			continue
		}
		if _, err := ConvertBody(it.Content, opt); err != nil {
			t.Errorf("item %d: %v", it.ID, err)
		}
	}
	fr := convert(t, byID[101].Content)
	if fr.PreviewBreak == nil || *fr.PreviewBreak != 3 || !slices.Equal(fr.Attachments, []int64{201}) ||
		!slices.Equal(fr.UnknownShortcodes, []string{"contact-form-7", "su_box"}) || len(fr.Dropped) != 1 {
		t.Errorf("post 101: break %v, attachments %v, unknown %q, dropped %q", fr.PreviewBreak, fr.Attachments, fr.UnknownShortcodes, fr.Dropped)
	}
	if !reflect.DeepEqual(fr.Blocks[1], photo(201, "Les voiliers au départ de la première manche.")) || !reflect.DeepEqual(fr.Blocks[5], youtube("Xy12_ab-Cd")) {
		t.Errorf("post 101 blocks %+v", fr.Blocks)
	}
	en := convert(t, byID[102].Content)
	var types []string
	for _, b := range en.Blocks {
		types = append(types, b.Type)
	}
	want := []string{"paragraph", "photo", "heading", "list", "quote", "quote", "photo", "photo", "embed", "paragraph",
		"embed", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph", "photo", "photo", "paragraph"}
	if !slices.Equal(types, want) || en.PreviewBreak == nil || *en.PreviewBreak != 2 {
		t.Errorf("post 102: types %q, break %v", types, en.PreviewBreak)
	}
	if en.Blocks[4].Cite != "Club president" || en.Blocks[5].Text != "The lake belongs to everyone." {
		t.Errorf("post 102 quotes %+v %+v", en.Blocks[4], en.Blocks[5])
	}
}

func TestAutop(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Un\nDeux\n\nTrois", "<p>Un<br>\nDeux</p>\n<p>Trois</p>\n"},
		{"Un<br />\nDeux", "<p>Un<br />\nDeux</p>\n"},
		{"<div>Texte</div>", "<div><p>Texte</p></div>\n"},
		{"<ul>\n<li>a\nb</li>\n</ul>", "<ul>\n<li>a<br>\nb</li>\n</ul>\n"},
		{"<pre>a\n\nb</pre>", "<pre>a\n\nb</pre>\n"},
		{"Texte <!-- a\n\nb --> suite", "<p>Texte <!-- a\n\nb --> suite</p>\n"},
		{"a\n<hr>\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"},
		{"<script>x\n\ny</script>", "<p><script>x\n\ny</script></p>\n"},
		{"<PRE>x\n\ny", "<PRE>x\n\ny\n"},
		{"   ", ""},
	} {
		if got := autop(tc.in); got != tc.want {
			t.Errorf("autop(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestParseBlocks(t *testing.T) {
	parts := parseBlocks(`a<!-- wp:x {"k":[1,2]} --><!-- wp:y /--><!-- not a block --><!--more--><!-- /wp:x -->b<!-- wp:ns/z {bad json} -->c<!-- /wp:other -->`)
	if len(parts) != 4 || parts[0].html != "a" || parts[1].block == nil || parts[2].html != "b" || parts[3].block == nil {
		t.Fatalf("parts %+v", parts)
	}
	x := parts[1].block
	if x.name != "core/x" || len(x.parts) != 2 || !x.parts[0].block.void || x.parts[0].block.name != "core/y" ||
		x.parts[1].html != "<!-- not a block --><!--more-->" || !reflect.DeepEqual(x.attrs, map[string]any{"k": []any{1.0, 2.0}}) {
		t.Errorf("block x %+v", x)
	}
	z := parts[3].block
	if z.name != "ns/z" || z.attrs != nil || len(z.parts) != 1 || z.parts[0].html != "c" {
		t.Errorf("block z %+v (an unclosed block ends with the content, a stray closer goes)", z)
	}
	for _, in := range []string{"<!--wp:x -->", "<!-- wp:X -->", "<!-- wp:x/ -->", "<!-- wp:a/b/c -->", "<!-- wp:x", "<!-- /wp:x {} -->", "<!-- wp:x[] -->"} {
		if _, ok := parseDelimiter(in); ok {
			t.Errorf("parseDelimiter(%q) accepted", in)
		}
	}
}

func TestAttachmentURLs(t *testing.T) {
	u := NewAttachmentURLs()
	u.Add(1, uploads+"2026/03/photo.jpg")
	u.Add(2, uploads+"2026/03/big-scaled.jpeg")
	u.Add(3, "https://courrier-du-lac.example/files/doc-800x600.png")
	u.Add(4, uploads+"2026/03/photo.jpg") // the first keeps it
	u.Add(0, uploads+"2026/03/zero.jpg")
	for src, want := range map[string]int64{
		uploads + "2026/03/photo.jpg":                                         1,
		"http://courrier-du-lac.example/wp-content/uploads/2026/03/photo.jpg": 1,
		"https://cdn.example/wp-content/uploads/2026/03/Photo-300x200.JPG":    1,
		"/wp-content/uploads/2026/03/photo-1024x683.jpg?ver=2":                1,
		uploads + "2026/03/photo-e1712345678901-300x200.jpg":                  1,
		uploads + "2026/03/big-1536x1024.jpeg":                                2,
		uploads + "2026/03/big.jpeg":                                          2,
		"https://courrier-du-lac.example/files/doc-800x600.png":               3,
		"https://courrier-du-lac.example/files/doc.png":                       3,
		uploads + "2026/03/other.jpg":                                         0,
		uploads + "2026/04/photo.jpg":                                         0,
		uploads + "2026/03/zero.jpg":                                          0,
		"data:image/png;base64,AAAA":                                          0,
		"":                                                                    0,
	} {
		if got, ok := u.Find(src); got != want || ok != (want != 0) {
			t.Errorf("Find(%q) = %d %v, want %d", src, got, ok, want)
		}
	}
	if u.Len() != 3 {
		t.Errorf("Len = %d", u.Len())
	}
}
