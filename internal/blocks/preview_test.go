package blocks

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// wordsText returns n distinct words "prefix1 prefix2 … prefixN".
func wordsText(prefix string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return strings.Join(ws, " ")
}

func para(s string) Block   { return Block{Type: TypeParagraph, Text: s} }
func paraN(n int) Block     { return para(wordsText("w", n)) }
func photo(id string) Block { return Block{Type: TypePhoto, PhotoID: id} }

// cloneBody deep-copies bs, so that tests can detect mutation.
func cloneBody(bs []Block) []Block {
	if bs == nil {
		return nil
	}
	out := make([]Block, len(bs))
	for i, b := range bs {
		b.Marks = slices.Clone(b.Marks)
		b.Items = slices.Clone(b.Items)
		out[i] = b
	}
	return out
}

func intp(i int) *int { return &i }

func TestPreviewBreakAt(t *testing.T) {
	bs := []Block{paraN(300), photo("p"), paraN(10), paraN(10)}
	tests := []struct {
		at        int
		wantLen   int
		truncated bool
	}{
		{2, 2, true},
		{0, 0, true},
		{-3, 0, true},
		{4, 4, false},
		{99, 4, false},
	}
	for _, tt := range tests {
		// The budget is ignored when the editor placed the break.
		p := MakePreview(bs, intp(tt.at), 5)
		if len(p.Blocks) != tt.wantLen || p.Truncated != tt.truncated || p.WholeBlocks != tt.wantLen {
			t.Errorf("breakAt %d: got %d blocks, truncated %v, whole %d; want %d, %v, %d",
				tt.at, len(p.Blocks), p.Truncated, p.WholeBlocks, tt.wantLen, tt.truncated, tt.wantLen)
		}
		if !reflect.DeepEqual(p.Blocks, bs[:tt.wantLen]) && tt.wantLen > 0 {
			t.Errorf("breakAt %d: blocks are not the leading blocks of the body", tt.at)
		}
		if p.WordsShown != Words(bs[:tt.wantLen]) {
			t.Errorf("breakAt %d: WordsShown %d, want %d", tt.at, p.WordsShown, Words(bs[:tt.wantLen]))
		}
	}
}

func TestPreviewWholeBlocks(t *testing.T) {
	tests := []struct {
		name      string
		bs        []Block
		budget    int
		wantWhole int
		wantWords int
		truncated bool
	}{
		{"two of three fit", []Block{paraN(50), paraN(50), paraN(50)}, 120, 2, 100, true},
		{"exactly the budget fits", []Block{paraN(60), paraN(60), paraN(1)}, 120, 2, 120, true},
		{"photo before the stop is kept", []Block{paraN(50), photo("a"), paraN(100)}, 120, 2, 50, true},
		{"photo after the stop is not", []Block{paraN(50), paraN(100), photo("a")}, 120, 1, 50, true},
		{"later long block is not cut", []Block{paraN(10), paraN(500)}, 120, 1, 10, true},
		{"short body is whole", []Block{{Type: TypeHeading, Level: 2, Text: "Titre court"}, paraN(30), photo("x"), paraN(30)}, 120, 4, 62, false},
		{"empty body", nil, 120, 0, 0, false},
		{"zero budget means default", []Block{paraN(100), paraN(30)}, 0, 1, 100, true},
		{"negative budget means default", []Block{paraN(100), paraN(20)}, -7, 2, 120, false},
		{"small budget", []Block{paraN(3), paraN(3), paraN(3)}, 7, 2, 6, true},
		{"embed and photo only", []Block{photo("a"), {Type: TypeEmbed, URL: "https://e.x/"}}, 120, 2, 0, false},
		{"lists count their numbers", []Block{paraN(100), {Type: TypeList, Ordered: true, Items: []string{wordsText("i", 9), "x"}}}, 110, 1, 100, true},
		{"unordered list fits", []Block{paraN(100), {Type: TypeList, Items: []string{wordsText("i", 9), "x"}}}, 110, 2, 110, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MakePreview(tt.bs, nil, tt.budget)
			if p.WholeBlocks != tt.wantWhole || p.WordsShown != tt.wantWords || p.Truncated != tt.truncated {
				t.Fatalf("got whole %d, words %d, truncated %v; want %d, %d, %v",
					p.WholeBlocks, p.WordsShown, p.Truncated, tt.wantWhole, tt.wantWords, tt.truncated)
			}
			if len(p.Blocks) != tt.wantWhole || (tt.wantWhole > 0 && !reflect.DeepEqual(p.Blocks, tt.bs[:tt.wantWhole])) {
				t.Errorf("blocks differ from the first %d blocks of the body", tt.wantWhole)
			}
		})
	}
}

func TestPreviewCutFirstBlock(t *testing.T) {
	const nbsp = "\u00a0"
	s1 := wordsText("a", 50) + "."
	s2 := wordsText("b", 50) + "!"
	s3 := wordsText("c", 50) + "."
	long := wordsText("z", 200)

	tests := []struct {
		name   string
		bs     []Block
		budget int
		want   []Block // expected preview blocks
	}{
		{
			"sentence end inside the budget",
			[]Block{para(s1 + " " + s2 + " " + s3)}, 120,
			[]Block{para(s1 + " " + s2)},
		},
		{
			"sentence end with closing quote and parenthesis",
			[]Block{para(wordsText("a", 60) + ` (fin.") ` + long)}, 120,
			[]Block{para(wordsText("a", 60) + ` (fin.")`)},
		},
		{
			// 10 words < 120/3: the lone short sentence is not enough.
			"sentence too short falls back to words",
			[]Block{para("Court et net, en dix mots comptés ici même, voilà. " + long)}, 120,
			[]Block{para("Court et net, en dix mots comptés ici même, voilà. " + wordsText("z", 110) + "…")},
		},
		{
			"no sentence end: word boundary and ellipsis",
			[]Block{para(long)}, 120,
			[]Block{para(wordsText("z", 120) + "…")},
		},
		{
			"trailing punctuation trimmed before the ellipsis",
			[]Block{para(wordsText("z", 119) + " mot, — (« " + long)}, 120,
			[]Block{para(wordsText("z", 119) + " mot…")},
		},
		{
			"French guillemets and no-break spaces",
			[]Block{para("Le maire a parlé. «" + nbsp + "Nous verrons." + nbsp + "» Ensuite il est parti sans rien dire de plus.")}, 8,
			[]Block{para("Le maire a parlé. «" + nbsp + "Nous verrons." + nbsp + "»")},
		},
		{
			"French question with no-break space",
			[]Block{para("Que faire" + nbsp + "? Il hésite, puis il signe le texte sans le lire.")}, 4,
			[]Block{para("Que faire" + nbsp + "?")},
		},
		{
			"initial is not a sentence end",
			[]Block{para("M. Dupont est arrivé hier soir à la mairie.")}, 3,
			[]Block{para("M. Dupont est…")},
		},
		{
			"ellipsis in the text ends a sentence",
			[]Block{para("Il hésite… Puis il signe le texte sans le lire.")}, 3,
			[]Block{para("Il hésite…")},
		},
		{
			"photos before the long lede are kept",
			[]Block{photo("top"), para(long), paraN(5)}, 120,
			[]Block{photo("top"), para(wordsText("z", 120) + "…")},
		},
		{
			"heading is cut like a paragraph",
			[]Block{{Type: TypeHeading, Level: 2, Text: long}}, 10,
			[]Block{{Type: TypeHeading, Level: 2, Text: wordsText("z", 10) + "…"}},
		},
		{
			"quote is cut and loses its cite",
			[]Block{{Type: TypeQuote, Text: s1 + " " + s2, Cite: "Quelqu’un"}}, 60,
			[]Block{{Type: TypeQuote, Text: s1}},
		},
		{
			"quote text that fits keeps it whole without the cite",
			[]Block{{Type: TypeQuote, Text: "Nous verrons bien demain", Cite: "La maire de la ville"}}, 6,
			[]Block{{Type: TypeQuote, Text: "Nous verrons bien demain"}},
		},
		{
			"list keeps whole items that fit",
			[]Block{{Type: TypeList, Items: []string{wordsText("a", 50), wordsText("b", 50), wordsText("c", 50)}}}, 120,
			[]Block{{Type: TypeList, Items: []string{wordsText("a", 50), wordsText("b", 50)}}},
		},
		{
			"ordered list numbers count",
			[]Block{{Type: TypeList, Ordered: true, Items: []string{wordsText("a", 59), wordsText("b", 59), "c"}}}, 119,
			[]Block{{Type: TypeList, Ordered: true, Items: []string{wordsText("a", 59)}}},
		},
		{
			"list whose first item is too long",
			[]Block{{Type: TypeList, Ordered: true, Items: []string{long, "b"}}}, 10,
			[]Block{{Type: TypeList, Ordered: true, Items: []string{wordsText("z", 9) + "…"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := cloneBody(tt.bs)
			p := MakePreview(tt.bs, nil, tt.budget)
			want := tt.want
			if !reflect.DeepEqual(p.Blocks, want) {
				t.Errorf("blocks:\n got %#v\nwant %#v", p.Blocks, want)
			}
			if !p.Truncated {
				t.Error("Truncated = false, want true")
			}
			if p.WholeBlocks != len(want)-1 {
				t.Errorf("WholeBlocks = %d, want %d (the cut block is not whole)", p.WholeBlocks, len(want)-1)
			}
			if p.WordsShown != Words(want) || p.WordsShown > tt.budget {
				t.Errorf("WordsShown = %d, want %d (≤ %d)", p.WordsShown, Words(want), tt.budget)
			}
			if !reflect.DeepEqual(tt.bs, orig) {
				t.Error("input body was modified")
			}
		})
	}
}

func TestPreviewClipsMarks(t *testing.T) {
	text := wordsText("w", 200)
	cut := wordsText("w", 120) // the kept text, before the ellipsis
	n := utf8.RuneCountInString(cut)
	bs := []Block{{Type: TypeParagraph, Text: text, Marks: []Mark{
		{Type: MarkBold, Start: 0, End: 5},                                 // before the cut: kept as is
		{Type: MarkItalic, Start: n - 4, End: n + 20},                      // across the cut: clipped
		{Type: MarkLink, Start: n, End: n + 3, Href: "https://e.x/"},       // starts at the cut: dropped
		{Type: MarkLink, Start: n + 10, End: n + 30, Href: "https://e.x/"}, // after the cut: dropped
	}}}
	orig := cloneBody(bs)
	p := MakePreview(bs, nil, 120)
	if len(p.Blocks) != 1 || p.Blocks[0].Text != cut+"…" {
		t.Fatalf("unexpected preview %#v", p.Blocks)
	}
	want := []Mark{{Type: MarkBold, Start: 0, End: 5}, {Type: MarkItalic, Start: n - 4, End: n}}
	if got := p.Blocks[0].Marks; !reflect.DeepEqual(got, want) {
		t.Errorf("marks = %v, want %v", got, want)
	}
	if errs := Validate(p.Blocks); errs != nil {
		t.Errorf("cut block does not validate: %v", errs)
	}
	// Editing the preview must not reach the stored body.
	p.Blocks[0].Marks[0].End = 1
	if !reflect.DeepEqual(bs, orig) {
		t.Error("input body was modified")
	}
}

func TestPreviewDoesNotAlias(t *testing.T) {
	bs := []Block{paraN(10), photo("p"), paraN(10), paraN(200)}
	orig := cloneBody(bs)
	for _, breakAt := range []*int{nil, intp(2), intp(1)} {
		p := MakePreview(bs[:3], breakAt, 120)
		p.Blocks = append(p.Blocks, para("appended"))
		p.Blocks[0].Text = "changed"
		if !reflect.DeepEqual(bs, orig) {
			t.Fatalf("breakAt %v: input body was modified", breakAt)
		}
	}
}

func TestPreviewMethods(t *testing.T) {
	bs := []Block{{Type: TypeParagraph, Text: "Un <b>", Marks: []Mark{{Type: MarkBold, Start: 0, End: 2}}}, paraN(500)}
	p := MakePreview(bs, nil, 0)
	if got, want := p.HTML(), "<p><strong>Un</strong> &lt;b&gt;</p>"; got != want {
		t.Errorf("HTML() = %q, want %q", got, want)
	}
	if got, want := p.Text(), "Un <b>"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

func TestPreviewDropsTrailingHeading(t *testing.T) {
	long := strings.Repeat("word ", 100)
	bs := []Block{
		{Type: TypeParagraph, Text: "A short opening paragraph of nine words in all."},
		{Type: TypeHeading, Level: 2, Text: "A section the reader will not see"},
		{Type: TypeParagraph, Text: long},
	}
	p := MakePreview(bs, nil, 30)
	if len(p.Blocks) != 1 || p.Blocks[0].Type != TypeParagraph {
		t.Fatalf("preview blocks = %+v, want only the opening paragraph", p.Blocks)
	}
	if p.WholeBlocks != 1 || !p.Truncated || p.WordsShown != Words(bs[:1]) {
		t.Fatalf("preview = %+v", p)
	}
	// A heading in the middle of the preview stays.
	bs2 := []Block{bs[0], bs[1], {Type: TypeParagraph, Text: "Short."}, bs[2]}
	if p2 := MakePreview(bs2, nil, 30); len(p2.Blocks) != 3 {
		t.Fatalf("preview kept %d blocks, want 3", len(p2.Blocks))
	}
}

func TestPaywallPreview(t *testing.T) {
	sentence := "Le puits du village est à sec depuis le mois dernier. "
	para := func(n int) Block {
		return Block{Type: TypeParagraph, Text: strings.TrimSpace(strings.Repeat(sentence, n))}
	}
	// 103 words: under the budget, but paywalled.
	body := []Block{para(4), para(4), para(1), {Type: TypeParagraph, Text: "Fin du texte réservé."}}
	if w := Words(body); w != 103 {
		t.Fatalf("body of %d words", w)
	}
	if p := MakePreview(body, nil, DefaultBudget); p.Truncated {
		t.Fatal("the public preview of a short body should be whole")
	}
	p := MakePaywallPreview(body, nil, DefaultBudget)
	if !p.Truncated || p.WordsShown > 51 || p.WordsShown == 0 || p.WholeBlocks != 1 {
		t.Errorf("paywalled: truncated %v, %d words, %d whole blocks", p.Truncated, p.WordsShown, p.WholeBlocks)
	}
	// One long paragraph: cut at a sentence end within half its words.
	one := []Block{para(5)}
	p = MakePaywallPreview(one, nil, DefaultBudget)
	if !p.Truncated || p.WordsShown > 27 || !strings.HasSuffix(p.Blocks[0].Text, "dernier.") {
		t.Errorf("one paragraph: %d words, %q", p.WordsShown, p.Blocks[0].Text)
	}
	// A break after the last block is ignored; one before it is kept.
	end, two := len(body), 2
	if p := MakePaywallPreview(body, &end, DefaultBudget); !p.Truncated || p.WordsShown > 51 {
		t.Errorf("break at the end: truncated %v, %d words", p.Truncated, p.WordsShown)
	}
	if p := MakePaywallPreview(body, &two, DefaultBudget); p.WholeBlocks != 2 || len(p.Blocks) != 2 {
		t.Errorf("break 2: %d blocks", len(p.Blocks))
	}
	// A break that leaves out only a closing photo hides no word: it is
	// ignored too (found by FuzzPreview).
	withPhoto := append(slices.Clone(body), Block{Type: TypePhoto, PhotoID: "p"})
	last := len(body)
	if p := MakePaywallPreview(withPhoto, &last, DefaultBudget); !p.Truncated || p.WordsShown > 51 {
		t.Errorf("break before a closing photo: truncated %v, %d words", p.Truncated, p.WordsShown)
	}
	// A body without words shows nothing; one word, nothing either.
	if p := MakePaywallPreview([]Block{{Type: TypePhoto, PhotoID: "p"}}, nil, 0); !p.Truncated || len(p.Blocks) != 0 {
		t.Errorf("wordless body: %+v", p)
	}
	if p := MakePaywallPreview([]Block{{Type: TypePhoto, PhotoID: "p"}, {Type: TypeParagraph, Text: "Seul."}}, nil, 0); !p.Truncated || p.WordsShown != 0 {
		t.Errorf("one-word body: %+v", p)
	}
}
