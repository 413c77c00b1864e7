package blocks

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// bodyFromText builds a multi-block body from arbitrary text: each line
// becomes a block whose type cycles through the block types, so that the
// fuzzer exercises every kind of block and the cut of each cuttable one.
func bodyFromText(text string) []Block {
	var bs []Block
	for i, line := range strings.Split(text, "\n") {
		switch i % 6 {
		case 0:
			n := utf8.RuneCountInString(line)
			bs = append(bs, Block{Type: TypeParagraph, Text: line, Marks: []Mark{
				{Type: MarkBold, Start: 0, End: n / 2},
				{Type: MarkLink, Start: n / 3, End: n, Href: "https://example.org/"},
			}})
		case 1:
			bs = append(bs, Block{Type: TypeHeading, Level: 2 + i%3, Text: line})
		case 2:
			bs = append(bs, Block{Type: TypePhoto, PhotoID: "p"}, Block{Type: TypeQuote, Text: line, Cite: "Auteur"})
		case 3:
			bs = append(bs, Block{Type: TypeList, Ordered: i%4 == 3, Items: strings.Split(line, ";")})
		case 4:
			bs = append(bs, Block{Type: TypeEmbed, URL: "https://example.org/v", Provider: "x"})
			bs = append(bs, Block{Type: TypeParagraph, Text: line})
		case 5:
			bs = append(bs, Block{Type: TypeParagraph, Text: line})
		}
	}
	return bs
}

// checkCutText checks that cut is orig cut at a legitimate place: a prefix
// of orig (once a trailing ellipsis added by the cut is removed) that ends at
// whitespace, or only before punctuation that the word cut trims, or at the
// end of orig. Without an added ellipsis the cut must end a sentence.
func checkCutText(t *testing.T, orig, cut string) {
	t.Helper()
	if CountWords(cut) == 0 {
		t.Errorf("cut %q of %q keeps no word", cut, orig)
	}
	if cut == orig {
		return // a quote whose text fits but whose cite did not
	}
	if base, ok := strings.CutSuffix(cut, ellipsis); ok && strings.HasPrefix(orig, base) && atBoundary(orig, base) {
		return
	}
	if !strings.HasPrefix(orig, cut) || !atBoundary(orig, cut) {
		t.Errorf("cut %q is not a prefix of %q ending at a word boundary", cut, orig)
		return
	}
	if r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(cut, closers)); !isTerminal(r) {
		t.Errorf("cut %q has no ellipsis but does not end a sentence", cut)
	}
}

func atBoundary(orig, prefix string) bool {
	for _, r := range orig[len(prefix):] {
		if unicode.IsSpace(r) {
			return true
		}
		if !strings.ContainsRune(trimmedAtWordCut, r) {
			return false
		}
	}
	return true // the end of the text
}

func checkValidUTF8(t *testing.T, bs []Block) {
	t.Helper()
	for i, b := range bs {
		ok := utf8.ValidString(b.Text) && utf8.ValidString(b.Cite)
		for _, it := range b.Items {
			ok = ok && utf8.ValidString(it)
		}
		if !ok {
			t.Errorf("block %d has invalid UTF-8: %#v", i, b)
		}
	}
}

// checkPreview checks the properties every automatic preview of bs must
// have, whatever the input.
func checkPreview(t *testing.T, bs []Block, budget int, validInput bool) {
	t.Helper()
	orig := cloneBody(bs)
	p := MakePreview(bs, nil, budget)
	if !reflect.DeepEqual(bs, orig) {
		t.Fatal("input body was modified")
	}
	eff := budget
	if eff <= 0 {
		eff = DefaultBudget
	}
	if p.WordsShown > eff {
		t.Errorf("WordsShown %d > budget %d", p.WordsShown, eff)
	}
	if w := Words(p.Blocks); w != p.WordsShown || w != CountWords(Text(p.Blocks)) {
		t.Errorf("WordsShown %d, Words %d, CountWords(Text) %d", p.WordsShown, w, CountWords(Text(p.Blocks)))
	}
	if validInput {
		checkValidUTF8(t, p.Blocks)
	}
	if p.WholeBlocks > len(p.Blocks) || !reflect.DeepEqual(p.Blocks[:p.WholeBlocks], bs[:p.WholeBlocks]) {
		t.Fatalf("the first %d blocks are not the body's", p.WholeBlocks)
	}
	if !p.Truncated {
		if p.WholeBlocks != len(bs) || len(p.Blocks) != len(bs) || Words(bs) > eff {
			t.Errorf("not truncated but %d/%d blocks, %d words", len(p.Blocks), len(bs), Words(bs))
		}
		return
	}
	if p.WholeBlocks >= len(bs) {
		t.Fatalf("truncated but all %d blocks are whole", len(bs))
	}
	// The next block would have overflowed the budget.
	if Words(bs[:p.WholeBlocks+1]) <= eff {
		t.Errorf("stopped before block %d although it fits", p.WholeBlocks)
	}
	if len(p.Blocks) == p.WholeBlocks {
		return
	}
	// One extra block: the cut first block with words.
	if len(p.Blocks) != p.WholeBlocks+1 {
		t.Fatalf("%d blocks after the %d whole ones, want at most 1", len(p.Blocks)-p.WholeBlocks, p.WholeBlocks)
	}
	if Words(bs[:p.WholeBlocks]) != 0 {
		t.Errorf("block %d was cut although it is not the first with words", p.WholeBlocks)
	}
	src, cut := bs[p.WholeBlocks], p.Blocks[p.WholeBlocks]
	if cut.Type != src.Type {
		t.Fatalf("cut block has type %q, want %q", cut.Type, src.Type)
	}
	switch src.Type {
	case TypeParagraph, TypeHeading, TypeQuote:
		checkCutText(t, src.Text, cut.Text)
		n := utf8.RuneCountInString(cut.Text)
		if !strings.HasPrefix(src.Text, cut.Text) {
			n-- // the ellipsis added by the cut is not covered by marks
		}
		for _, m := range cut.Marks {
			if m.Start < 0 || m.Start >= m.End || m.End > n {
				t.Errorf("mark %+v out of the kept %d runes", m, n)
			}
		}
	case TypeList:
		k := len(cut.Items)
		if k == 0 || k > len(src.Items) {
			t.Fatalf("cut list has %d items of %d", k, len(src.Items))
		}
		if !reflect.DeepEqual(cut.Items, src.Items[:k]) {
			if k != 1 {
				t.Fatalf("cut list items %q are not a prefix of %q", cut.Items, src.Items)
			}
			checkCutText(t, src.Items[0], cut.Items[0])
		}
	default:
		t.Errorf("block of type %q was cut", src.Type)
	}
}

// checkPaywallPreview checks what every preview of a non-public article
// must hold: never the whole body; without an editor's break, at most half
// of its words, cut like any automatic preview (checkPreview with half the
// budget); with a break that leaves something out, exactly the break.
func checkPaywallPreview(t *testing.T, bs []Block, breakAt *int, budget int, validInput bool) {
	t.Helper()
	orig := cloneBody(bs)
	p := MakePaywallPreview(bs, breakAt, budget)
	if !reflect.DeepEqual(bs, orig) {
		t.Fatal("input body was modified")
	}
	total := Words(bs)
	if len(bs) > 0 && !p.Truncated {
		t.Fatalf("paywall preview not truncated: %d blocks of %d", len(p.Blocks), len(bs))
	}
	if len(bs) > 0 && reflect.DeepEqual(p.Blocks, bs) {
		t.Fatal("paywall preview is the whole body")
	}
	if total > 0 && p.WordsShown >= total {
		t.Fatalf("paywall preview shows %d words of %d", p.WordsShown, total)
	}
	if breakAt != nil && *breakAt < len(bs) && Words(bs[max(*breakAt, 0):]) > 0 {
		k := max(*breakAt, 0)
		if p.WholeBlocks != k || len(p.Blocks) != k {
			t.Errorf("break %d: %d blocks, %d whole", *breakAt, len(p.Blocks), p.WholeBlocks)
		}
		return
	}
	if p.WordsShown > total/2 {
		t.Errorf("paywall preview shows %d words of %d, more than half", p.WordsShown, total)
	}
	eff := budget
	if eff <= 0 {
		eff = DefaultBudget
	}
	if half := min(eff, total/2); half > 0 {
		// Within half, the same cut as any automatic preview.
		want := MakePreview(bs, nil, half)
		if !reflect.DeepEqual(p, want) {
			t.Errorf("paywall preview differs from the automatic one of %d words", half)
		}
		checkPreview(t, bs, half, validInput)
	} else if Words(p.Blocks) != 0 {
		t.Errorf("%d words shown of a %d-word body", Words(p.Blocks), total)
	}
}

func FuzzPreview(f *testing.F) {
	f.Add("Le maire a parlé. « Nous verrons. » Ensuite il est parti.", 5)
	f.Add("Un deux trois, quatre — cinq ; six : sept (huit « neuf", 4)
	f.Add("Москва — столица России. Это большой город!", 3)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, text string, budget int) {
		budget %= 400 // ≤ 0 selects the default budget
		valid := utf8.ValidString(text)

		n := utf8.RuneCountInString(text)
		single := []Block{{Type: TypeParagraph, Text: text, Marks: []Mark{
			{Type: MarkItalic, Start: 0, End: n},
			{Type: MarkBold, Start: n / 2, End: n},
		}}}
		checkPreview(t, single, budget, valid)
		eff := budget
		if eff <= 0 {
			eff = DefaultBudget
		}
		// A single paragraph with words is never dropped entirely.
		if p := MakePreview(single, nil, budget); CountWords(text) > 0 && len(p.Blocks) != 1 {
			t.Errorf("paragraph of %d words dropped with budget %d", CountWords(text), eff)
		}

		body := bodyFromText(text)
		checkPreview(t, body, budget, valid)

		// The same bodies, paywalled: never whole, at most half the words.
		checkPaywallPreview(t, single, nil, budget, valid)
		checkPaywallPreview(t, body, nil, budget, valid)
		for _, at := range []int{budget % 9, len(body) - 1, len(body), len(body) + 1} {
			checkPaywallPreview(t, body, &at, budget, valid)
		}

		// An editor's break is taken as is.
		at := budget % 9
		p := MakePreview(body, &at, budget)
		k := min(max(at, 0), len(body))
		if len(p.Blocks) != k || p.WholeBlocks != k || p.Truncated != (k < len(body)) ||
			(k > 0 && !reflect.DeepEqual(p.Blocks, body[:k])) {
			t.Errorf("breakAt %d: got %d blocks, whole %d, truncated %v", at, len(p.Blocks), p.WholeBlocks, p.Truncated)
		}
	})
}

// plainOf is what an HTML parser should read back from text rendered by
// writeEscaped: invalid bytes and NUL become U+FFFD. Line breaks are dropped
// on both sides of the comparison: the parser turns CR LF into LF, but a mark
// boundary between CR and LF (legitimately) leaves two line feeds.
func plainOf(text string) string {
	var b strings.Builder
	for _, r := range text {
		switch r {
		case '\r', '\n':
			continue
		case 0:
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzHTML(f *testing.F) {
	f.Add("abcdefgh", []byte{0, 0, 5, 1, 3, 8}, "https://example.org/?a=1&b=2")
	f.Add("<script>alert(1)</script>", []byte{2, 0, 8, 2, 4, 20}, "javascript:alert(1)")
	f.Add("« Élan déjà vu »", []byte{1, 2, 6, 0, 4, 12, 2, 0, 16}, `mailto:x@y.z"><script>`)
	f.Fuzz(func(t *testing.T, text string, spec []byte, href string) {
		var marks []Mark
		for i := 0; i+2 < len(spec); i += 3 {
			m := Mark{Start: int(int8(spec[i+1])), End: int(int8(spec[i+2]))}
			switch spec[i] % 5 {
			case 0:
				m.Type = MarkBold
			case 1:
				m.Type = MarkItalic
			case 2:
				m.Type, m.Href = MarkLink, href
			case 3:
				m.Type, m.Href = MarkLink, "https://example.org/"+href
			default:
				m.Type = "strike"
			}
			marks = append(marks, m)
		}
		bs := []Block{
			{Type: TypeParagraph, Text: text, Marks: marks},
			{Type: TypeHeading, Level: len(spec) % 6, Text: text},
			{Type: TypeQuote, Text: text, Cite: href},
			{Type: TypeList, Ordered: len(text)%2 == 0, Items: []string{text, href}},
			{Type: TypePhoto, PhotoID: href, Caption: text},
			{Type: TypeEmbed, URL: href, Provider: text},
			{Type: TypeEmbed, URL: "https://example.org/" + href, Provider: text},
		}
		paywall := -1
		if len(spec) > 0 {
			paywall = int(spec[0]%10) - 1
		}
		out := HTML(bs, paywall)
		if err := checkBalanced(out); err != nil {
			t.Fatalf("unbalanced HTML: %v\n%s", err, out)
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("raw <script in output:\n%s", out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 in output")
		}
		// Marks only add tags: the paragraph reads back as its text.
		if got, want := plainOf(textContent(HTML(bs[:1], -1))), plainOf(text); got != want {
			t.Fatalf("paragraph text reads back as %q, want %q", got, want)
		}
	})
}

// textContent concatenates the text tokens of s, unescaped.
func textContent(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		if tt == html.TextToken {
			b.Write(z.Text())
		}
	}
}
