package blocks

import (
	"strconv"
	"strings"
	"unicode"
)

// WordsPerMinute is the reading speed behind ReadingMinutes.
const WordsPerMinute = 230

// Text returns the plain text of the prose blocks of bs, blocks separated by
// a blank line ("\n\n"). Paragraphs and headings contribute their text; a
// quote its text followed by " — cite" when Cite is set; a list one line per
// item, prefixed "- " or, when ordered, "1. ", "2. "…. Photo and embed blocks
// (and blocks without text) contribute nothing, not even a separator.
func Text(bs []Block) string {
	var w strings.Builder
	w.Grow(textSizeHint(bs))
	for i := range bs {
		b := &bs[i]
		if !hasText(b) {
			continue
		}
		if w.Len() > 0 {
			w.WriteString("\n\n")
		}
		writeBlockText(&w, b)
	}
	return w.String()
}

// textSizeHint is an upper bound of len(Text(bs)), close enough to exact.
func textSizeHint(bs []Block) int {
	n := 0
	for i := range bs {
		b := &bs[i]
		n += len(b.Text) + len(b.Cite) + 2 + 5
		for _, it := range b.Items {
			n += len(it) + 8
		}
	}
	return n
}

// hasText reports whether writeBlockText would write anything for b.
func hasText(b *Block) bool {
	switch b.Type {
	case TypeParagraph, TypeHeading:
		return b.Text != ""
	case TypeQuote:
		return b.Text != "" || b.Cite != ""
	case TypeList:
		return len(b.Items) > 0
	}
	return false
}

func writeBlockText(w *strings.Builder, b *Block) {
	switch b.Type {
	case TypeParagraph, TypeHeading:
		w.WriteString(b.Text)
	case TypeQuote:
		w.WriteString(b.Text)
		if b.Cite != "" {
			w.WriteString(" — ")
			w.WriteString(b.Cite)
		}
	case TypeList:
		for i, it := range b.Items {
			if i > 0 {
				w.WriteByte('\n')
			}
			if b.Ordered {
				w.WriteString(strconv.Itoa(i + 1))
				w.WriteString(". ")
			} else {
				w.WriteString("- ")
			}
			w.WriteString(it)
		}
	}
}

// CountWords counts the words of s. A word is a maximal run of non-space
// runes (in the sense of unicode.IsSpace, which includes the no-break spaces
// U+00A0 and U+202F of French typography) containing at least one letter or
// digit: "l’homme", "peut-être" and "2024" are one word each, while a lone
// "—", "«" or "!" is not a word at all.
func CountWords(s string) int {
	words := 0
	inTok, alnum := false, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if inTok && alnum {
				words++
			}
			inTok, alnum = false, false
			continue
		}
		inTok = true
		if !alnum && isAlnum(r) {
			alnum = true
		}
	}
	if inTok && alnum {
		words++
	}
	return words
}

func isAlnum(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Words counts the words of the prose of bs; it always equals
// CountWords(Text(bs)), without building the text. Note that the numbers
// of an ordered list ("1.", "2." …) count as words there, as they do in
// Text.
func Words(bs []Block) int {
	n := 0
	for i := range bs {
		n += blockWords(&bs[i])
	}
	return n
}

// blockWords is the word count of the text b contributes to Text. Text puts
// whitespace between blocks, items, prefixes and the cite dash, so the words
// of the parts simply add up.
func blockWords(b *Block) int {
	switch b.Type {
	case TypeParagraph, TypeHeading:
		return CountWords(b.Text)
	case TypeQuote:
		return CountWords(b.Text) + CountWords(b.Cite) // the " — " is no word
	case TypeList:
		n := 0
		for _, it := range b.Items {
			n += CountWords(it)
		}
		if b.Ordered {
			n += len(b.Items) // each "N." holds a digit
		}
		return n
	}
	return 0
}

// ReadingMinutes is the reading time of words words at WordsPerMinute,
// rounded up: 0 for no words, at least 1 otherwise.
func ReadingMinutes(words int) int {
	if words <= 0 {
		return 0
	}
	return (words + WordsPerMinute - 1) / WordsPerMinute
}
