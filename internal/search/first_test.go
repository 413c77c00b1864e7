package search

import (
	"os"
	"testing"
)

// TestStemKeepsFirstLetter checks what Snippet's prefilter relies on: a
// word and its stem start with the same folded letter, in every language
// with a stemmer. The words are those of the demo content and of the seed
// generator's vocabulary, in French, English, German and Russian.
func TestStemKeepsFirstLetter(t *testing.T) {
	t.Parallel()
	words := 0
	for _, f := range []string{"../seed/text.go", "../demo/content.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		eachWord(text, func(sp span) bool {
			w := text[sp.start:sp.end]
			words++
			for lang, st := range stemmers {
				if st == nil {
					continue
				}
				if s, wf, ok := analyzeWord(w, st); ok && firstRune(s) != firstRune(wf) {
					t.Errorf("%s %q: stem %q, folded word %q", lang, w, s, wf)
				}
			}
			return true
		})
	}
	if words < 5000 {
		t.Fatalf("only %d words read", words)
	}
}
