package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"masthead/internal/fault"
)

var fuzzLangs = []string{"", "fr", "en", "de", "ru", "es"}

// FuzzParse: Parse never panics, refuses only with an invalid q, and what
// it accepts renders as queries both engines accept.
func FuzzParse(f *testing.F) {
	for _, q := range []string{
		"élections", "etats-unis", "l'eau", "ouzbé", `"union européenne" -france`,
		`NEAR(a b)`, `a:* & !b | c <-> d`, `"unclosed`, `-"x y"*`, `le la les`, "\x00",
		"aujourd'hui ", "выборы МОСКВА", "Häuser*", `\'"`, "a\u0301", "東京 タワー",
		"\u07a9E", "etAt!un", "вы́боры",
	} {
		f.Add(q, uint8(0))
	}
	e := openEngines(f)
	doc := e.add(f, Doc{Lang: "fr", Title: "Les États-Unis", Body: "Élections en Ouzbékistan, l’eau"})
	tsv := doc.a.TSVector(false)
	f.Fuzz(func(t *testing.T, q string, l uint8) {
		lang := fuzzLangs[int(l)%len(fuzzLangs)]
		parsed, err := Parse(q, lang)
		if err != nil {
			if fs, ok := fault.Fields(err); !ok || fs[0].Field != "q" {
				t.Fatalf("Parse(%q): %v, not an invalid q", q, err)
			}
			return
		}
		if len(parsed.terms) == 0 || len(parsed.terms) > MaxTerms {
			t.Fatalf("Parse(%q): %d terms", q, len(parsed.terms))
		}
		again, _ := Parse(q, lang)
		if again.Key() != parsed.Key() {
			t.Fatalf("Key(%q) is not stable", q)
		}
		for _, expr := range []string{parsed.FTS5(), parsed.FTS5(Title, Standfirst, Preview), parsed.FTS5Positive(Title)} {
			e.liteValid(t, expr)
		}
		if e.pg != nil {
			for _, w := range []string{"", "AB"} {
				e.pgMatch(t, tsv, parsed.TSQuery(w))
			}
		}
		parsed.Snippet(q, lang, 5)
	})
}

// FuzzAnalyze: any text analyses into terms the index can hold: the same
// number of stems and words, no term empty or over 60 bytes, a tsvector
// PostgreSQL accepts.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"Les États-Unis et l’eau", "Die Häuser", "МОСКВА ёлка", "a\u0301 \u0301b", "\xff\xfe", "x'y-z"} {
		f.Add(s, uint8(1))
	}
	e := openEngines(f)
	f.Fuzz(func(t *testing.T, text string, l uint8) {
		d := Doc{Lang: fuzzLangs[int(l)%len(fuzzLangs)], Title: text, Body: text + " " + text}
		a := Analyze(d)
		for field := range a.Stems {
			stems, words := strings.Fields(a.Stems[field]), strings.Fields(a.Words[field])
			if len(stems) != len(words) || strings.Count(a.Stems[field], " ") != len(stems)-1 && len(stems) > 0 {
				t.Fatalf("field %d: stems %q, words %q", field, a.Stems[field], a.Words[field])
			}
			for i := range stems {
				if len(stems[i]) > maxTermBytes || len(words[i]) > maxTermBytes || !utf8.ValidString(stems[i]) {
					t.Fatalf("term %q / %q", stems[i], words[i])
				}
			}
		}
		if e.pg != nil {
			q, err := Parse(text, d.Lang)
			if err != nil {
				q, _ = Parse("mot", "")
			}
			e.pgMatch(t, a.TSVector(false), q.TSQuery(""))
		}
	})
}

// FuzzSnippet: a snippet is valid UTF-8 and has no markup but its marks.
func FuzzSnippet(f *testing.F) {
	f.Add("Les <b>élections</b> & la France", "élections", uint8(3))
	f.Add("東京は大きい 東京", "東京", uint8(1))
	f.Add("a\xffb <mark> é\u0301", "b", uint8(0))
	f.Fuzz(func(t *testing.T, text, q string, words uint8) {
		parsed, err := Parse(q, "")
		if err != nil {
			parsed, _ = Parse("mot", "")
		}
		s, ok := parsed.Snippet(text, "fr", int(words))
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8: %q", s)
		}
		opens, closes := strings.Count(s, "<mark>"), strings.Count(s, "</mark>")
		if opens != closes || ok != (opens > 0) {
			t.Fatalf("marks %d/%d, ok %v: %q", opens, closes, ok, s)
		}
		rest := strings.ReplaceAll(strings.ReplaceAll(s, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(rest, "<>\"'") {
			t.Fatalf("markup in %q", s)
		}
		if strings.Contains(s, "</mark><mark>") {
			t.Fatalf("marks touching: %q", s)
		}
	})
}
