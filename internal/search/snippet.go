package search

import (
	"html"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultSnippetWords is the length of a snippet when Snippet is given
// no positive length.
const DefaultSnippetWords = 30

// Snippet returns a passage of about words words of text (in language
// lang) around the query's best matches, HTML-escaped, each matched word
// in <mark>…</mark>, with "…" where the passage cuts the text; ok is false
// when nothing in text matches (the passage is then the start of text).
//
// A word of text matches when its stem is one of the query's stems, its
// folded form one of the query's words, or it starts with a prefix of the
// query; exclusions are not marked. The passage is the one with the most
// different terms of the query, then the most matches, then the earliest,
// shifted to put its matches in the middle; runs of spaces and line breaks
// are one space.
func (q Query) Snippet(text, lang string, words int) (snippet string, ok bool) {
	if words < 1 {
		words = DefaultSnippetWords
	}
	m := q.matcher()
	stem := stemmers[baseLang(lang)]
	seen := map[string]uint64{} // a text repeats many words
	spans := make([]span, 0, len(text)/6)
	masks := make([]uint64, 0, len(text)/6)
	eachWord(text, func(sp span) bool {
		spans = append(spans, sp)
		w := text[sp.start:sp.end]
		if !m.mayMatch(w) {
			masks = append(masks, 0)
			return true
		}
		mask, ok := seen[w]
		if !ok {
			mask = m.match(w, stem)
			seen[w] = mask
		}
		masks = append(masks, mask)
		return true
	})
	n := len(spans)
	if n == 0 {
		return "", false
	}
	k := min(words, n)

	// Slide a window of k words, counting the matches of each term in it.
	var counts [64]int
	distinct, matched := 0, 0
	add := func(i, d int) {
		if masks[i] == 0 {
			return
		}
		matched += d
		for b := masks[i]; b != 0; b &= b - 1 {
			t := bits.TrailingZeros64(b)
			if d > 0 && counts[t] == 0 {
				distinct++
			}
			counts[t] += d
			if d < 0 && counts[t] == 0 {
				distinct--
			}
		}
	}
	for i := range k {
		add(i, 1)
	}
	best, bestDistinct, bestMatched := 0, distinct, matched
	for s := 1; s+k <= n; s++ {
		add(s-1, -1)
		add(s+k-1, 1)
		if distinct > bestDistinct || distinct == bestDistinct && matched > bestMatched {
			best, bestDistinct, bestMatched = s, distinct, matched
		}
	}
	start := best
	if bestDistinct > 0 {
		// Centre the window's matches, keeping all of them.
		first, last := -1, -1
		for i := best; i < best+k; i++ {
			if masks[i] != 0 {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		start = (first+last)/2 - k/2
		start = max(start, last-k+1, 0)
		start = min(start, first, n-k)
	}
	end := start + k

	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	from := 0
	if start > 0 {
		from = spans[start].start
	}
	var body strings.Builder
	for i := start; i < end; i++ {
		writeBetween(&body, text[from:spans[i].start])
		w := html.EscapeString(text[spans[i].start:spans[i].end])
		if masks[i] != 0 {
			body.WriteString("<mark>")
			body.WriteString(w)
			body.WriteString("</mark>")
		} else {
			body.WriteString(w)
		}
		from = spans[i].end
	}
	if end == n {
		writeBetween(&body, text[from:])
	}
	b.WriteString(strings.TrimSpace(body.String()))
	if end < n {
		b.WriteString("…")
	}
	return b.String(), bestDistinct > 0
}

// writeBetween writes the text between two words, escaped, each run of
// spaces and control characters as one space, invalid UTF-8 as U+FFFD.
func writeBetween(b *strings.Builder, s string) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	space := false
	start := 0
	flush := func(i int) {
		b.WriteString(html.EscapeString(s[start:i]))
	}
	for i, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			if !space {
				flush(i)
				b.WriteByte(' ')
				space = true
			}
			start = i + len(string(r))
			continue
		}
		space = false
	}
	flush(len(s))
}

// matcher is what Snippet looks for: for each stem, folded word and
// prefix, the positive terms (as bits) it belongs to.
type matcher struct {
	stems, words map[string]uint64
	prefixes     []string
	prefixTerms  []uint64
	// firsts holds the first letter of every stem, word and prefix: a word
	// of the text whose folded first letter is none of them matches
	// nothing, and is not stemmed (most words of a long body). Stemmers
	// change endings only, so a word and its stem start alike, folded.
	firsts map[rune]bool
	folded map[rune]rune // first letters already folded
}

func (q Query) matcher() matcher {
	m := matcher{stems: map[string]uint64{}, words: map[string]uint64{}, firsts: map[rune]bool{}, folded: map[rune]rune{}}
	defer func() {
		for _, set := range []map[string]uint64{m.stems, m.words} {
			for k := range set {
				m.firsts[firstRune(k)] = true
			}
		}
		for _, p := range m.prefixes {
			m.firsts[firstRune(p)] = true
		}
	}()
	bit := 0
	for _, t := range q.terms {
		if t.negated || bit >= 64 {
			continue
		}
		b := uint64(1) << bit
		bit++
		for _, seq := range t.stems {
			for _, s := range seq {
				m.stems[s] |= b
			}
		}
		for i, w := range t.surface {
			if t.prefix && i == len(t.surface)-1 {
				m.prefixes = append(m.prefixes, w)
				m.prefixTerms = append(m.prefixTerms, b)
				continue
			}
			m.words[w] |= b
		}
	}
	return m
}

// firstRune is the first character of s.
func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return utf8.RuneError
}

// mayMatch reports whether the word w of a text may match: whether its
// first letter, folded, starts a stem, word or prefix of the query.
func (m matcher) mayMatch(w string) bool {
	r := rune(w[0])
	if r >= utf8.RuneSelf {
		r = firstRune(w)
	} else if 'A' <= r && r <= 'Z' {
		r += 'a' - 'A'
	}
	f0, ok := m.folded[r]
	if !ok {
		f0 = firstRune(fold(lower(string(r))))
		m.folded[r] = f0
	}
	return m.firsts[f0]
}

// match returns the terms the word w of a text matches.
func (m matcher) match(w string, stem stemmer) uint64 {
	s, f, ok := analyzeWord(w, stem)
	if !ok {
		return 0
	}
	bits := m.stems[s] | m.words[f]
	for i, p := range m.prefixes {
		if strings.HasPrefix(f, p) {
			bits |= m.prefixTerms[i]
		}
	}
	return bits
}
