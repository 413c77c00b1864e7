package search

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"masthead/internal/fault"
)

// minPrefix is the shortest prefix searched as one, in folded characters:
// a shorter one is a whole word.
const minPrefix = 2

// item is one thing of a query as typed: a word or a "phrase".
type item struct {
	text    string
	phrase  bool
	negated bool
	star    bool // word*: a prefix, and only a prefix
	typing  bool // the last word, no space after it: a prefix too
}

// scan splits q into items. Only whitespace, a leading -, a trailing * and
// double quotes mean anything; every other character is part of a word
// (where the tokenizer may take it as a separator).
func scan(q string) []item {
	var items []item
	isSpace := func(i int) bool {
		r, _ := utf8.DecodeRuneInString(q[i:])
		return unicode.IsSpace(r)
	}
	for i := 0; i < len(q); {
		if isSpace(i) {
			_, size := utf8.DecodeRuneInString(q[i:])
			i += size
			continue
		}
		var it item
		if q[i] == '-' {
			it.negated = true
			i++
			if i == len(q) || isSpace(i) {
				continue
			}
		}
		if q[i] == '"' {
			i++
			end := strings.IndexByte(q[i:], '"')
			if end < 0 {
				it.text, i = q[i:], len(q)
			} else {
				it.text, i = q[i:i+end], i+end+1
				for i < len(q) && q[i] == '*' {
					it.star = true
					i++
				}
			}
			it.phrase = true
			items = append(items, it)
			continue
		}
		start := i
		for i < len(q) && q[i] != '"' && !isSpace(i) {
			_, size := utf8.DecodeRuneInString(q[i:])
			i += size
		}
		it.text = strings.TrimRight(q[start:i], "*")
		it.star = len(it.text) < i-start
		it.typing = i == len(q) && !it.negated && !it.star
		items = append(items, it)
	}
	return items
}

// Parse parses q: words (all of them must match), "quoted phrases",
// -word or -"phrase" to exclude, word* for a prefix; the last word is a
// prefix too unless q ends with a space (search as you type). lang, when
// not empty, says which language's stemmer applies; otherwise the query
// matches the stems of every supported language. A query that is empty,
// too long, not UTF-8, has control characters, has only exclusions or only
// very common words is a fault.Invalid on field "q".
//
// Any other character (FTS5 or tsquery syntax included) is part of a word
// or separates words. A word that the tokenizer splits ("États-Unis",
// "l’eau") is a phrase of its parts. Very common words are dropped (those
// of lang, or of every language when lang is empty), except from a word*
// prefix. The terms are kept in a canonical order, duplicates dropped.
func Parse(q, lang string) (Query, error) {
	invalid := func(msg string) (Query, error) {
		return Query{}, fault.Invalid(fault.Field("q", msg))
	}
	if !utf8.ValidString(q) {
		return invalid("must be valid UTF-8")
	}
	n := 0
	for _, r := range q {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return invalid("must not contain control characters")
		}
		n++
	}
	if strings.TrimSpace(q) == "" {
		return invalid("must not be empty")
	}
	if n > MaxQueryLength {
		return invalid("must be at most " + strconv.Itoa(MaxQueryLength) + " characters long")
	}
	lang = baseLang(lang)
	var langs []string
	stops := queryStopWords
	if lang == "" {
		langs = stemLangs
	} else {
		langs = []string{lang}
		stops = stopWords[lang]
	}
	var terms []term
	droppedStop := false
	for _, it := range scan(q) {
		t, ok, stop := makeTerm(it, langs, stops)
		droppedStop = droppedStop || stop
		if ok {
			terms = append(terms, t)
		}
	}
	terms = canonical(terms)
	positive := 0
	for _, t := range terms {
		if !t.negated {
			positive++
		}
	}
	switch {
	case len(terms) > MaxTerms:
		return invalid("must have at most " + strconv.Itoa(MaxTerms) + " words or phrases")
	case positive == 0 && len(terms) > 0:
		return invalid("must have a word to find, not only words to exclude")
	case positive == 0 && droppedStop:
		return invalid("has only very common words: add a more specific one")
	case positive == 0:
		return invalid("has no word to search for")
	}
	return Query{terms: terms}, nil
}

// makeTerm analyses one item; ok is false when nothing of it is left to
// search, and stop says whether a very common word was dropped.
func makeTerm(it item, langs []string, stops map[string]bool) (t term, ok, stop bool) {
	type tok struct{ lowered, word string }
	var toks []tok
	eachWord(it.text, func(sp span) bool {
		w := it.text[sp.start:sp.end]
		l := lower(w)
		f := fold(l)
		if f != "" && len(f) <= maxTermBytes {
			toks = append(toks, tok{l, f})
		}
		return true
	})
	prefix := !it.phrase && (it.star || it.typing)
	if it.phrase && it.star {
		prefix = true
	}
	// While typing, a one-letter part after a hyphen or apostrophe
	// ("etats-u") is not a word yet, and the word before it is complete.
	if it.typing && len(toks) > 1 && utf8.RuneCountInString(toks[len(toks)-1].word) < minPrefix {
		toks = toks[:len(toks)-1]
		prefix = false
	}
	if prefix && (len(toks) == 0 || utf8.RuneCountInString(toks[len(toks)-1].word) < minPrefix) {
		prefix = false
	}
	var kept []tok
	for i, tk := range toks {
		last := i == len(toks)-1
		if stops[tk.word] && !(it.star && prefix && last) {
			stop = true
			if last {
				prefix = false // the prefix was a whole common word
			}
			continue
		}
		kept = append(kept, tk)
	}
	if len(kept) == 0 {
		return term{}, false, stop
	}
	t.negated, t.prefix = it.negated, prefix
	for _, tk := range kept {
		t.surface = append(t.surface, tk.word)
	}
	if it.star && prefix {
		return t, true, stop // only the prefix
	}
	seen := map[string]bool{}
	for _, l := range langs {
		stem := stemmers[l]
		seq := make([]string, len(kept))
		for i, tk := range kept {
			seq[i] = tk.word
			if stem != nil && hasLetter(tk.lowered) {
				if s := fold(stem(tk.lowered)); s != "" && len(s) <= maxTermBytes {
					seq[i] = s
				}
			}
		}
		k := strings.Join(seq, " ")
		if !seen[k] {
			seen[k] = true
			t.stems = append(t.stems, seq)
		}
	}
	sort.Slice(t.stems, func(i, j int) bool {
		return strings.Join(t.stems[i], " ") < strings.Join(t.stems[j], " ")
	})
	return t, true, stop
}

// key is a canonical form of t.
func (t term) key() string {
	var b strings.Builder
	if t.negated {
		b.WriteByte('-')
	}
	for i, s := range t.stems {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(strings.Join(s, " "))
	}
	b.WriteByte('=')
	b.WriteString(strings.Join(t.surface, " "))
	if t.prefix {
		b.WriteByte('*')
	}
	return b.String()
}

// canonical sorts terms and drops duplicates.
func canonical(terms []term) []term {
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].key() < terms[j].key() })
	out := terms[:0]
	for i, t := range terms {
		if i > 0 && t.key() == terms[i-1].key() {
			continue
		}
		out = append(out, t)
	}
	return out
}

// Key is a canonical form of q, for cache keys: two queries with the same
// key find the same articles (the analysis version included).
func (q Query) Key() string {
	keys := make([]string, len(q.terms))
	for i, t := range q.terms {
		keys[i] = t.key()
	}
	return "v" + strconv.Itoa(Version) + ":" + strings.Join(keys, " & ")
}

// allFields are the columns searched when FTS5 is given none.
var allFields = []Field{Title, Standfirst, Preview, Body}

// FTS5 renders q as an FTS5 MATCH expression over fields: each term's
// stems in the fields' stem columns, its folded words in their "_w"
// columns, prefixes in the "_w" columns only. No fields means all four.
func (q Query) FTS5(fields ...Field) string { return q.fts5(fields, true) }

// FTS5Positive is FTS5 without the exclusions: the ranking asks whether the
// query's words are all in the title, or in the title and standfirst.
func (q Query) FTS5Positive(fields ...Field) string { return q.fts5(fields, false) }

func (q Query) fts5(fields []Field, exclusions bool) string {
	if len(fields) == 0 {
		fields = allFields
	}
	stemCols := make([]string, len(fields))
	wordCols := make([]string, len(fields))
	for i, f := range fields {
		stemCols[i] = f.Column()
		wordCols[i] = f.Column() + "_w"
	}
	stemFilter := "{" + strings.Join(stemCols, " ") + "}: "
	wordFilter := "{" + strings.Join(wordCols, " ") + "}: "
	var pos, neg []string
	for _, t := range q.terms {
		var alts []string
		switch len(t.stems) {
		case 0:
		case 1:
			alts = append(alts, stemFilter+ftsPhrase(t.stems[0]))
		default:
			phrases := make([]string, len(t.stems))
			for i, s := range t.stems {
				phrases[i] = ftsPhrase(s)
			}
			alts = append(alts, stemFilter+"("+strings.Join(phrases, " OR ")+")")
		}
		w := wordFilter + ftsPhrase(t.surface)
		if t.prefix {
			w += "*"
		}
		alts = append(alts, w)
		r := "(" + strings.Join(alts, " OR ") + ")"
		if t.negated {
			neg = append(neg, r)
		} else {
			pos = append(pos, r)
		}
	}
	out := strings.Join(pos, " AND ")
	if exclusions && len(neg) > 0 {
		out = "(" + out + ") NOT (" + strings.Join(neg, " OR ") + ")"
	}
	return out
}

// ftsPhrase quotes tokens as one FTS5 phrase.
func ftsPhrase(tokens []string) string {
	return `"` + strings.ReplaceAll(strings.Join(tokens, " "), `"`, `""`) + `"`
}

// TSQuery renders q as a PostgreSQL tsquery literal. weights ("", "A",
// "AB") restricts every positive term to those weights; exclusions are
// left out when weights is not empty (see FTS5Positive). Characters of
// weights other than the letters A to D are ignored.
func (q Query) TSQuery(weights string) string {
	var w strings.Builder
	for _, r := range strings.ToUpper(weights) {
		if r >= 'A' && r <= 'D' {
			w.WriteRune(r)
		}
	}
	weights = w.String()
	var parts []string
	for _, t := range q.terms {
		if t.negated && weights != "" {
			continue
		}
		var alts []string
		seen := map[string]bool{}
		add := func(s string) {
			if !seen[s] {
				seen[s] = true
				alts = append(alts, s)
			}
		}
		for _, s := range t.stems {
			if t.prefix && slices.Equal(s, t.surface) {
				continue // the prefix finds it
			}
			add(tsPhrase(s, weights, false))
		}
		add(tsPhrase(t.surface, weights, t.prefix))
		r := "(" + strings.Join(alts, " | ") + ")"
		if t.negated {
			r = "!" + r
		}
		parts = append(parts, r)
	}
	return strings.Join(parts, " & ")
}

// tsPhrase renders tokens as a tsquery phrase, each lexeme restricted to
// weights, the last one a prefix when prefix is set.
func tsPhrase(tokens []string, weights string, prefix bool) string {
	lexemes := make([]string, len(tokens))
	for i, t := range tokens {
		l := quoteLexeme(t)
		star := ""
		if prefix && i == len(tokens)-1 {
			star = "*"
		}
		if star != "" || weights != "" {
			l += ":" + star + weights
		}
		lexemes[i] = l
	}
	if len(lexemes) == 1 {
		return lexemes[0]
	}
	return "(" + strings.Join(lexemes, " <-> ") + ")"
}
