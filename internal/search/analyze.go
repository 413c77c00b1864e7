package search

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/russian"
	"golang.org/x/text/unicode/norm"
)

// maxTermBytes bounds a folded word (and its stem): longer ones are not
// words anyone searches for, and are not indexed.
const maxTermBytes = 60

// span is a word of a text: its byte offsets.
type span struct{ start, end int }

// isWordRune says whether r belongs to a word: letters, digits and
// combining marks. Everything else (spaces, punctuation, apostrophes,
// hyphens, symbols) separates words.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// eachWord calls each with the words of s, in order, until it returns
// false. A run of marks with no letter or digit (a combining accent after a
// space) is not a word. Invalid UTF-8 separates words.
func eachWord(s string, each func(sp span) bool) {
	start, hasBase := -1, false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// ASCII, most of the text of most languages: no decoding.
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				if start < 0 {
					start = i
				}
				hasBase = true
			} else {
				if start >= 0 && hasBase {
					if !each(span{start, i}) {
						return
					}
				}
				start, hasBase = -1, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) { // invalid UTF-8 is U+FFFD, not a letter
			if start >= 0 && hasBase {
				if !each(span{start, i}) {
					return
				}
			}
			start, hasBase = -1, false
			i += size
			continue
		}
		if start < 0 {
			start = i
		}
		if !unicode.IsMark(r) {
			hasBase = true
		}
		i += size
	}
	if start >= 0 && hasBase {
		each(span{start, len(s)})
	}
}

// lower is the form of a word the stemmers take: composed (NFC),
// lower-cased, ё as е, without the stress marks of Cyrillic words
// (вы́боры as выборы).
func lower(w string) string {
	w = strings.ToLower(norm.NFC.String(w))
	if strings.ContainsRune(w, 'ё') {
		w = strings.ReplaceAll(w, "ё", "е")
	}
	if strings.ContainsAny(w, "\u0300\u0301") {
		var b strings.Builder
		cyrillic := false
		for _, r := range w {
			if (r == '\u0300' || r == '\u0301') && cyrillic {
				continue
			}
			if !unicode.IsMark(r) {
				cyrillic = unicode.Is(unicode.Cyrillic, r)
			}
			b.WriteRune(r)
		}
		w = b.String()
	}
	return w
}

// fold removes what the index ignores from a lower-cased word: the
// diacritics of Latin letters (é as e, ü as u), and writes ß as ss, æ as
// ae, œ as oe, ø as o, ł as l, đ and ð as d, þ as th. Other scripts keep
// their marks (й stays й; ё is already е).
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	if f, ok := foldLatin(w); ok {
		return f
	}
	return foldSlow(w)
}

// foldSlow is fold by decomposing w.
func foldSlow(w string) string {
	var b strings.Builder
	b.Grow(len(w))
	latin := false // the last base letter is Latin
	d := norm.NFD.String(w)
	for _, r := range d {
		if unicode.IsMark(r) {
			if !latin {
				b.WriteRune(r)
			}
			continue
		}
		latin = unicode.Is(unicode.Latin, r)
		switch r {
		case 'ß':
			b.WriteString("ss")
		case 'æ':
			b.WriteString("ae")
		case 'œ':
			b.WriteString("oe")
		case 'ø':
			b.WriteByte('o')
		case 'ł':
			b.WriteByte('l')
		case 'đ', 'ð':
			b.WriteByte('d')
		case 'þ':
			b.WriteString("th")
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// latinFolds are the folded forms of the letters U+00C0 to U+017F (the
// Latin letters of French, German and their neighbours), for foldLatin.
var latinFolds = func() (t [0x180 - 0xC0]string) {
	for r := rune(0xC0); r < 0x180; r++ {
		t[r-0xC0] = foldSlow(string(r))
	}
	return t
}()

// foldLatin folds w quickly when its letters are all below U+0180 (no
// combining marks); ok is false otherwise.
func foldLatin(w string) (string, bool) {
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r >= 0xC0 && r < 0x180:
			b.WriteString(latinFolds[r-0xC0])
		default:
			return "", false
		}
	}
	return b.String(), true
}

// stemmer stems a lower-cased word; nil for languages without one.
type stemmer func(string) string

func snowball(stem func(*snowballstem.Env) bool) stemmer {
	return func(w string) string {
		env := snowballstem.NewEnv(w)
		stem(env)
		if s := env.Current(); s != "" {
			return s
		}
		return w
	}
}

// The languages with a stemmer and stop words, in the order a query
// without a language tries them.
var (
	stemLangs = []string{"fr", "en", "de", "ru"}
	stemmers  = map[string]stemmer{
		"fr": snowball(french.Stem),
		"en": snowball(english.Stem),
		"de": snowball(german.Stem),
		"ru": snowball(russian.Stem),
	}
)

// baseLang is the primary language subtag of lang, lower-cased: "fr" for
// "fr-CA".
func baseLang(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return strings.ToLower(strings.TrimSpace(lang))
}

// hasLetter says whether w has a letter (digits need no stemming).
func hasLetter(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// analyzeWord returns the folded stem and the folded form of the word w
// (as it is in the text), by stem (nil: no stemming); ok is false for a
// word too long to index.
func analyzeWord(w string, stem stemmer) (stemmed, word string, ok bool) {
	l := lower(w)
	word = fold(l)
	if len(word) > maxTermBytes || word == "" {
		return "", "", false
	}
	stemmed = word
	if stem != nil && hasLetter(l) {
		stemmed = fold(stem(l))
		if len(stemmed) > maxTermBytes || stemmed == "" {
			stemmed = word
		}
	}
	return stemmed, word, true
}

// maxVectorBytes bounds what a document's tsvector may take (PostgreSQL
// refuses one over 1 MiB): terms past it are not indexed, on either
// database. Only a pathological text reaches it (16,000 distinct words of
// 60 letters); a real article uses a tenth of it.
const maxVectorBytes = 768 << 10

// limits is what is left of a document's index budget: positions and
// (an estimate of PostgreSQL's) bytes, with the lexemes already counted.
type limits struct {
	positions int
	bytes     int
	seen      map[string]bool
}

// clone returns an independent copy of l (the preview and the body are
// alternatives: each is indexed after the same title and standfirst).
func (l *limits) clone() *limits {
	seen := make(map[string]bool, len(l.seen))
	for k := range l.seen {
		seen[k] = true
	}
	return &limits{positions: l.positions, bytes: l.bytes, seen: seen}
}

// take reports whether the token (stem, word) fits, and counts it: each
// new lexeme costs its bytes and its entry, each position two bytes per
// lexeme.
func (l *limits) take(stem, word string) bool {
	cost := 2
	if !l.seen[stem] {
		cost += len(stem) + 8
	}
	if word != stem {
		cost += 2
		if !l.seen[word] {
			cost += len(word) + 8
		}
	}
	if l.positions <= 0 || l.bytes < cost {
		return false
	}
	l.positions--
	l.bytes -= cost
	l.seen[stem], l.seen[word] = true, true
	return true
}

// analyzer analyses the words of one language, remembering the words
// it has seen (a text repeats many).
type analyzer struct {
	stem  stemmer
	stops map[string]bool
	seen  map[string]token // by the word as written; stem "" for a word left out
}

func newAnalyzer(lang string) *analyzer {
	lang = baseLang(lang)
	return &analyzer{stem: stemmers[lang], stops: stopWords[lang], seen: map[string]token{}}
}

// word returns the terms of the word w; ok is false for a word left out.
func (z *analyzer) word(w string) (token, bool) {
	t, done := z.seen[w]
	if !done {
		s, f, ok := analyzeWord(w, z.stem)
		if ok && !z.stops[f] {
			t = token{stem: s, word: f}
		}
		z.seen[w] = t
	}
	return t, t.stem != ""
}

// field returns the index terms of text, within l, common words left out.
func (z *analyzer) field(text string, l *limits) []token {
	var toks []token
	if l.positions <= 0 {
		return nil
	}
	eachWord(text, func(sp span) bool {
		t, ok := z.word(text[sp.start:sp.end])
		if !ok {
			return true
		}
		if !l.take(t.stem, t.word) {
			return false
		}
		toks = append(toks, t)
		return true
	})
	return toks
}

// Analyze turns d into index terms, by d.Lang's stemmer.
func Analyze(d Doc) Analyzed {
	z := newAnalyzer(d.Lang)
	var a Analyzed
	// Two gaps between the three weighted parts of the tsvector; the
	// preview and the body are alternatives, each after the title and
	// standfirst.
	l := &limits{positions: MaxPositions - 2, bytes: maxVectorBytes, seen: map[string]bool{}}
	a.tokens[Title] = z.field(d.Title, l)
	a.tokens[Standfirst] = z.field(d.Standfirst, l)
	a.tokens[Preview] = z.field(d.Preview, l.clone())
	a.tokens[Body] = z.field(d.Body, l)
	for f, toks := range a.tokens {
		var s, w strings.Builder
		for i, t := range toks {
			if i > 0 {
				s.WriteByte(' ')
				w.WriteByte(' ')
			}
			s.WriteString(t.stem)
			w.WriteString(t.word)
		}
		a.Stems[f], a.Words[f] = s.String(), w.String()
	}
	return a
}

// maxLexemePositions is PostgreSQL's limit of positions per lexeme.
const maxLexemePositions = 256

// TSVector renders a for PostgreSQL as a tsvector literal: the title with
// weight A, the standfirst B, and the preview (public) or the whole body
// (!public) C; each word's stem and folded form at the same position, a gap
// between fields so that no phrase spans two.
func (a Analyzed) TSVector(public bool) string {
	last := a.tokens[Body]
	if public {
		last = a.tokens[Preview]
	}
	return tsvector(a.tokens[Title], a.tokens[Standfirst], last)
}

// TSVectorHeads renders the title (weight A) and standfirst (B) alone, as
// TSVector places them: what the ranking asks about, in a value small
// enough to stay in the row.
func (a Analyzed) TSVectorHeads() string {
	return tsvector(a.tokens[Title], a.tokens[Standfirst])
}

// tsvector renders parts with the weights A, B, C in turn, a position
// apart.
func tsvector(parts ...[]token) string {
	type pos struct {
		n      int
		weight byte
	}
	lexemes := map[string][]pos{}
	add := func(lexeme string, p pos) {
		ps := lexemes[lexeme]
		if len(ps) < maxLexemePositions {
			lexemes[lexeme] = append(ps, p)
		}
	}
	n := 0
	for i, part := range parts {
		if i > 0 {
			n++ // the gap
		}
		weight := "ABC"[i]
		for _, t := range part {
			n++
			if n > MaxPositions {
				break
			}
			add(t.stem, pos{n, weight})
			if t.word != t.stem {
				add(t.word, pos{n, weight})
			}
		}
	}
	keys := make([]string, 0, len(lexemes))
	for k := range lexemes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(k))
		b.WriteByte(':')
		for j, p := range lexemes[k] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p.n))
			b.WriteByte(p.weight)
		}
	}
	return b.String()
}

// quoteLexeme quotes a lexeme for tsvector and tsquery input.
func quoteLexeme(s string) string {
	if strings.ContainsAny(s, `'\`) {
		s = strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(s)
	}
	return "'" + s + "'"
}
