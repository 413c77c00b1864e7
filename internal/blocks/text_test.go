package blocks

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct {
		name string
		bs   []Block
		want string
	}{
		{"empty", nil, ""},
		{"paragraph and heading", []Block{
			{Type: TypeHeading, Level: 2, Text: "Titre"},
			{Type: TypeParagraph, Text: "Corps <b>brut</b>.", Marks: []Mark{{Type: MarkBold, Start: 0, End: 5}}},
		}, "Titre\n\nCorps <b>brut</b>."},
		{"quote with and without cite", []Block{
			{Type: TypeQuote, Text: "« Non. »", Cite: "Marie Curie"},
			{Type: TypeQuote, Text: "Oui."},
		}, "« Non. » — Marie Curie\n\nOui."},
		{"lists", []Block{
			{Type: TypeList, Items: []string{"pain", "vin"}},
			{Type: TypeList, Ordered: true, Items: []string{"un", "deux", "trois"}},
		}, "- pain\n- vin\n\n1. un\n2. deux\n3. trois"},
		{"photo and embed produce nothing", []Block{
			{Type: TypePhoto, PhotoID: "p", Caption: "cap"},
			{Type: TypeParagraph, Text: "a"},
			{Type: TypeEmbed, URL: "https://e.x/"},
			{Type: TypeParagraph, Text: "b"},
			{Type: TypePhoto, PhotoID: "q"},
		}, "a\n\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.bs); got != tt.want {
				t.Errorf("Text:\n got %q\nwant %q", got, tt.want)
			}
			if got, want := Words(tt.bs), CountWords(tt.want); got != want {
				t.Errorf("Words = %d, want CountWords(Text) = %d", got, want)
			}
		})
	}
}

func TestCountWords(t *testing.T) {
	const nbsp, nnbsp = "\u00a0", "\u202f"
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"   \n\t ", 0},
		{"one", 1},
		{"one two  three\n\nfour", 4},
		{"  leading and trailing  ", 3},
		// French typography: guillemets with no-break spaces, typographic
		// apostrophes, no-break spaces before high punctuation.
		{"«" + nbsp + "Bonjour" + nbsp + "!" + nbsp + "»", 1},
		{"« Bonjour ! »", 1},
		{"L’homme qu’on attendait est arrivé" + nnbsp + "; pourquoi" + nnbsp + "?", 6},
		{"Il a dit" + nbsp + ": «" + nbsp + "peut-être" + nbsp + "»", 4},
		{"Ça coûte 12,50" + nnbsp + "€.", 3},
		// Dashes and lone punctuation are not words.
		{"Paris — Berlin – Rome - Madrid", 4},
		{"— ! ? … « » ( )", 0},
		{"—Quoi ?", 1},
		// Other scripts and digits.
		{"Москва — столица России.", 3},
		{"Съешь же ещё этих мягких французских булок", 7},
		{"2024 : l’année 1", 3},
		{"東京 ελληνικά", 2},
	}
	for _, tt := range tests {
		if got := CountWords(tt.s); got != tt.want {
			t.Errorf("CountWords(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestWordsMatchesText(t *testing.T) {
	bs := []Block{
		{Type: TypeHeading, Level: 2, Text: "Un titre"},
		{Type: TypeParagraph, Text: "Trois mots ici"},
		{Type: TypeQuote, Text: "Oui", Cite: "Jean Moulin"},
		{Type: TypeQuote, Cite: "seulement la source"},
		{Type: TypeList, Ordered: true, Items: []string{"a b", "", "c"}},
		{Type: TypeList, Items: []string{"x", "—"}},
		{Type: TypePhoto, PhotoID: "p", Caption: "ignored words"},
		{Type: TypeEmbed, URL: "https://e.x/", Provider: "ignored"},
	}
	got, want := Words(bs), CountWords(Text(bs))
	if got != want {
		t.Fatalf("Words = %d, CountWords(Text) = %d", got, want)
	}
	// Worked out by hand: 2 + 3 + (1+2) + 3 + (3 numbers + 3 words) + 1 = 18.
	if got != 18 {
		t.Errorf("Words = %d, want 18", got)
	}
}

func TestReadingMinutes(t *testing.T) {
	for _, tt := range []struct{ words, want int }{
		{-1, 0}, {0, 0}, {1, 1}, {229, 1}, {230, 1}, {231, 2}, {460, 2}, {461, 3}, {2000, 9},
	} {
		if got := ReadingMinutes(tt.words); got != tt.want {
			t.Errorf("ReadingMinutes(%d) = %d, want %d", tt.words, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	valid := []Block{
		{Type: TypeHeading, Level: 2, Text: "Titre"},
		{Type: TypeParagraph, Text: "Voir le site ou écrire.", Marks: []Mark{
			{Type: MarkLink, Start: 5, End: 12, Href: "https://example.org/a?b=c"},
			{Type: MarkLink, Start: 16, End: 22, Href: "mailto:desk@example.org"},
			{Type: MarkBold, Start: 0, End: 23},
			{Type: MarkItalic, Start: 0, End: 4},
		}},
		{Type: TypeQuote, Text: "Non.", Cite: "X"},
		{Type: TypeList, Items: []string{"a"}},
		{Type: TypePhoto, PhotoID: "01HXYZ"},
		{Type: TypeEmbed, URL: "https://youtu.be/abc", Provider: "youtube"},
	}
	if errs := Validate(valid); errs != nil {
		t.Fatalf("Validate(valid) = %v, want nil", errs)
	}
	if errs := Validate(nil); errs != nil {
		t.Fatalf("Validate(nil) = %v, want nil", errs)
	}

	tests := []struct {
		name string
		b    Block
		want []string // expected Field values, in order
	}{
		{"unknown type", Block{Type: "video"}, []string{"blocks[0].type"}},
		{"missing type", Block{}, []string{"blocks[0].type"}},
		{"empty paragraph", Block{Type: TypeParagraph, Text: " \u00a0\n"}, []string{"blocks[0].text"}},
		{"empty quote", Block{Type: TypeQuote, Cite: "x"}, []string{"blocks[0].text"}},
		{"heading level", Block{Type: TypeHeading, Text: "x", Level: 1}, []string{"blocks[0].level"}},
		{"heading level high", Block{Type: TypeHeading, Text: "x", Level: 5}, []string{"blocks[0].level"}},
		{"heading no text no level", Block{Type: TypeHeading}, []string{"blocks[0].text", "blocks[0].level"}},
		{"list without items", Block{Type: TypeList}, []string{"blocks[0].items"}},
		{"list with blank item", Block{Type: TypeList, Items: []string{"a", " "}}, []string{"blocks[0].items[1]"}},
		{"photo without id", Block{Type: TypePhoto}, []string{"blocks[0].photo_id"}},
		{"embed without url", Block{Type: TypeEmbed}, []string{"blocks[0].url"}},
		{"embed ftp", Block{Type: TypeEmbed, URL: "ftp://e.x/f"}, []string{"blocks[0].url"}},
		{"embed relative", Block{Type: TypeEmbed, URL: "/video"}, []string{"blocks[0].url"}},
		{"invalid utf8 text", Block{Type: TypeParagraph, Text: "a\xffb"}, []string{"blocks[0].text"}},
		{"invalid utf8 cite and item", Block{Type: TypeQuote, Text: "a", Cite: "\xc3"}, []string{"blocks[0].cite"}},
		{"invalid utf8 item", Block{Type: TypeList, Items: []string{"\xe2\x82"}}, []string{"blocks[0].items[0]"}},
		{"invalid utf8 caption", Block{Type: TypePhoto, PhotoID: "p", Caption: "\xff"}, []string{"blocks[0].caption"}},
		{"marks on heading", Block{Type: TypeHeading, Level: 2, Text: "abc", Marks: []Mark{{Type: MarkBold, Start: 0, End: 1}}},
			[]string{"blocks[0].marks"}},
		{"mark type", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{{Type: "underline", Start: 0, End: 1}}},
			[]string{"blocks[0].marks[0].type"}},
		{"mark negative start", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{{Type: MarkBold, Start: -1, End: 1}}},
			[]string{"blocks[0].marks[0].start"}},
		{"mark empty range", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{{Type: MarkBold, Start: 2, End: 2}}},
			[]string{"blocks[0].marks[0].end"}},
		// "été" is 3 runes but 5 bytes: End 4 is out of range.
		{"mark end counts runes", Block{Type: TypeParagraph, Text: "été", Marks: []Mark{{Type: MarkBold, Start: 0, End: 4}}},
			[]string{"blocks[0].marks[0].end"}},
		{"link without href", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{{Type: MarkLink, Start: 0, End: 1}}},
			[]string{"blocks[0].marks[0].href"}},
		{"javascript link", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{{Type: MarkLink, Start: 0, End: 1, Href: "javascript:alert(1)"}}},
			[]string{"blocks[0].marks[0].href"}},
		{"href on bold", Block{Type: TypeParagraph, Text: "abc", Marks: []Mark{{Type: MarkBold, Start: 0, End: 1, Href: "https://e.x/"}}},
			[]string{"blocks[0].marks[0].href"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Validate([]Block{tt.b})
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
				if e.Message == "" {
					t.Errorf("%s: empty message", e.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("fields = %v, want %v (errors: %v)", got, tt.want, errs)
			}
		})
	}

	// The index in Field is the block's position in the body.
	errs := Validate([]Block{valid[0], {Type: TypeHeading, Text: "x", Level: 7}})
	if len(errs) != 1 || errs[0].Field != "blocks[1].level" {
		t.Errorf("Validate = %v, want one error on blocks[1].level", errs)
	}
}
