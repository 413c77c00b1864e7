// Package xmlchar keeps text within the characters XML 1.0 can carry.
//
// XML 1.0 allows TAB, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and
// U+10000–U+10FFFF, nothing else: one U+000B pasted from a word processor
// into an article makes every RSS feed carrying it unreadable. Masthead
// strips the other characters when text is written (articles, photos,
// taxonomy, comments, imports) and again when a feed is written, so that a
// row stored before that rule cannot break a feed either.
//
// The rule, the same everywhere: U+000B (a word processor's manual line
// break) and U+000C (its page break) become a line feed in multi-line text
// (Text) and a space in one-line text (Line); every other forbidden
// character — the remaining C0 controls, U+FFFE and U+FFFF — is removed;
// each byte that is not valid UTF-8 (a lone surrogate among them) becomes
// U+FFFD, one for one, so that code-point offsets into the text (the marks
// of a paragraph) still count the same positions.
package xmlchar

import "unicode/utf8"

// Allowed reports whether XML 1.0 allows r in a document.
func Allowed(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false // surrogates
	case r <= 0xFFFD:
		return true
	case r < 0x10000:
		return false // U+FFFE, U+FFFF
	}
	return r <= utf8.MaxRune
}

// Valid reports whether s is valid UTF-8 holding only characters XML 1.0
// allows, that is whether Text(s) == s.
func Valid(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !Allowed(r) {
			return false
		}
		i += size
	}
	return true
}

// Text returns s cleaned for multi-line text (a body, a bio, a caption, a
// comment): U+000B and U+000C become "\n".
func Text(s string) string { return clean(s, '\n') }

// Line returns s cleaned for one-line text (a title, a name): U+000B and
// U+000C become a space.
func Line(s string) string { return clean(s, ' ') }

// Map is the replacement clean makes for the rune r decoded from the text
// (utf8.RuneError for a byte that is not valid UTF-8), and false when r is
// dropped.
func Map(r rune, breakWith rune) (rune, bool) {
	switch {
	case r == '\v' || r == '\f':
		return breakWith, true
	case r == utf8.RuneError:
		return r, true
	case !Allowed(r):
		return 0, false
	}
	return r, true
}

func clean(s string, breakWith rune) string {
	if Valid(s) {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if m, ok := Map(r, breakWith); ok {
			out = utf8.AppendRune(out, m)
		}
	}
	return string(out)
}
