package content

import (
	"strconv"
	"strings"

	"github.com/gosimple/slug"
)

// MaxSlugLen is the longest slug the service generates from a title,
// suffix included. Slugs an editor sets may be longer (up to 200).
const MaxSlugLen = 80

// FallbackSlug is what a title with nothing transliterable (only punctuation
// or symbols) becomes; uniqueness then adds a suffix (-2, -3…).
const FallbackSlug = "article"

// Slugify turns a title into a slug in lang: transliterated the way that
// language writes it ("Grüße" is "gruesse" in German, Cyrillic becomes Latin
// letters), lower-case ASCII letters and digits separated by single dashes,
// at most MaxSlugLen bytes, cut at a dash when it must be shortened. It is
// never empty: a title with nothing to keep gives FallbackSlug.
//
// It reads no package-level settings of the slug library except their
// defaults, and changes none, so it is safe to call concurrently.
func Slugify(title, lang string) string {
	s := slug.MakeLang(title, lang)
	// The library keeps underscores; our slugs are letters, digits, dashes.
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r + ('a' - 'A'))
		default:
			dash = true
		}
	}
	out := truncateSlug(b.String(), MaxSlugLen)
	if out == "" {
		return FallbackSlug
	}
	return out
}

// truncateSlug shortens a valid slug to at most max bytes, at the last dash
// that fits when there is one (a word is not cut in two), else at max.
func truncateSlug(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := s[:max]
	if s[max] == '-' {
		return cut
	}
	if i := strings.LastIndexByte(cut, '-'); i > 0 {
		return cut[:i]
	}
	return cut
}

// withSuffix returns base with "-n" appended (n ≥ 2), shortened so that the
// whole stays within MaxSlugLen.
func withSuffix(base string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	return truncateSlug(base, MaxSlugLen-len(suffix)) + suffix
}
