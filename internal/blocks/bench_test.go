package blocks

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// benchArticle builds a realistic article of about 2,000 words: 25
// paragraphs of 60 to 100 words with a few marks, three headings, a photo, a
// quote and a list. It is deterministic (a fixed linear congruential
// generator picks the words) so that runs are comparable.
func benchArticle(ledeWords int) []Block {
	vocab := strings.Fields(`le la les un une des conseil municipal maire ville habitants projet
		budget travaux été hiver rénovation école marché élus opposition vote séance
		déclaré expliqué prévu millions euros quartier centre gare tramway ligne
		rapport enquête préfecture région département semaine prochaine dernier année`)
	seed := uint32(42)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	sentence := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocab[next(len(vocab))]
			if i == n/2 && n > 8 {
				ws[i] += ","
			}
		}
		r, size := utf8.DecodeRuneInString(ws[0])
		ws[0] = string(unicode.ToUpper(r)) + ws[0][size:]
		return strings.Join(ws, " ") + "."
	}
	paragraph := func(words int) Block {
		var parts []string
		for words > 0 {
			n := min(words, 8+next(18))
			parts = append(parts, sentence(n))
			words -= n
		}
		text := strings.Join(parts, " ")
		n := len([]rune(text))
		return Block{Type: TypeParagraph, Text: text, Marks: []Mark{
			{Type: MarkBold, Start: 0, End: min(12, n)},
			{Type: MarkItalic, Start: n / 3, End: n/3 + min(25, n/3)},
			{Type: MarkLink, Start: n/3 + 10, End: n / 2, Href: "https://example.org/dossier?id=42&src=masthead"},
		}}
	}

	bs := []Block{paragraph(ledeWords)}
	for i := 1; i < 25; i++ {
		switch i {
		case 3:
			bs = append(bs, Block{Type: TypePhoto, PhotoID: "01J9Z8W7V6", Caption: "La séance du conseil, jeudi."})
		case 8, 14, 20:
			bs = append(bs, Block{Type: TypeHeading, Level: 2, Text: sentence(5)})
		case 11:
			bs = append(bs, Block{Type: TypeQuote, Text: sentence(20), Cite: "La maire"})
		case 17:
			bs = append(bs, Block{Type: TypeList, Items: []string{sentence(8), sentence(10), sentence(6)}})
		}
		bs = append(bs, paragraph(60+next(41)))
	}
	return bs
}

func TestBenchArticleIsRealistic(t *testing.T) {
	bs := benchArticle(70)
	if w := Words(bs); w < 1800 || w > 2300 {
		t.Errorf("bench article has %d words, want about 2,000", w)
	}
	if errs := Validate(bs); errs != nil {
		t.Errorf("bench article is invalid: %v", errs)
	}
}

func BenchmarkPreview2000Words(b *testing.B) {
	bs := benchArticle(70) // a usual lede: the preview stops after whole blocks
	b.ReportAllocs()
	for b.Loop() {
		MakePreview(bs, nil, DefaultBudget)
	}
}

func BenchmarkPreview2000WordsLongLede(b *testing.B) {
	bs := benchArticle(180) // an over-budget lede: the preview cuts it
	b.ReportAllocs()
	for b.Loop() {
		MakePreview(bs, nil, DefaultBudget)
	}
}

func BenchmarkHTML2000Words(b *testing.B) {
	bs := benchArticle(70)
	b.ReportAllocs()
	for b.Loop() {
		HTML(bs, 3)
	}
}

func BenchmarkText2000Words(b *testing.B) {
	bs := benchArticle(70)
	b.ReportAllocs()
	for b.Loop() {
		Text(bs)
	}
}

func BenchmarkWords2000Words(b *testing.B) {
	bs := benchArticle(70)
	b.ReportAllocs()
	for b.Loop() {
		Words(bs)
	}
}
