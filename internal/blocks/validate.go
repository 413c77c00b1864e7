package blocks

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"masthead/internal/fault"
)

// Validate checks bs against the body schema and returns every problem it
// finds, in block order, or nil when the body is valid.
//
// Rules: the type is known; paragraphs, headings and quotes have non-blank
// text; heading levels are 2 to 4; a list has at least one item and no blank
// item; a photo has a photo_id; an embed has an absolute http(s) url; marks
// appear on paragraphs only, with 0 ≤ start < end ≤ the rune count of the
// text, a known type, an http/https/mailto href on links and no href on other
// marks. Invalid UTF-8 in any string is an error.
func Validate(bs []Block) []fault.FieldError {
	var errs []fault.FieldError
	for i := range bs {
		errs = validateBlock(errs, i, &bs[i])
	}
	return errs
}

func validateBlock(errs []fault.FieldError, i int, b *Block) []fault.FieldError {
	field := func(name string) string { return fmt.Sprintf("blocks[%d].%s", i, name) }
	add := func(name, msg string) { errs = append(errs, fault.FieldError{Field: field(name), Message: msg}) }

	// Encoding first: every string field, whatever the block type, is
	// stored and served, so none may hold invalid UTF-8.
	for _, f := range [...]struct{ name, val string }{
		{"type", b.Type}, {"text", b.Text}, {"cite", b.Cite}, {"photo_id", b.PhotoID},
		{"caption", b.Caption}, {"url", b.URL}, {"provider", b.Provider},
	} {
		if !utf8.ValidString(f.val) {
			add(f.name, "must be valid UTF-8")
		}
	}
	for j, it := range b.Items {
		if !utf8.ValidString(it) {
			add(fmt.Sprintf("items[%d]", j), "must be valid UTF-8")
		}
	}

	switch b.Type {
	case TypeParagraph, TypeQuote:
		if isBlank(b.Text) {
			add("text", "is required")
		}
	case TypeHeading:
		if isBlank(b.Text) {
			add("text", "is required")
		}
		if b.Level < MinHeadingLevel || b.Level > MaxHeadingLevel {
			add("level", fmt.Sprintf("must be between %d and %d", MinHeadingLevel, MaxHeadingLevel))
		}
	case TypeList:
		if len(b.Items) == 0 {
			add("items", "at least one item is required")
		}
		for j, it := range b.Items {
			if isBlank(it) {
				add(fmt.Sprintf("items[%d]", j), "must not be empty")
			}
		}
	case TypePhoto:
		if isBlank(b.PhotoID) {
			add("photo_id", "is required")
		}
	case TypeEmbed:
		switch {
		case b.URL == "":
			add("url", "is required")
		case !safeURL(b.URL, false):
			add("url", "must be an absolute http or https URL")
		}
	default:
		if b.Type == "" {
			add("type", "is required")
		} else {
			add("type", fmt.Sprintf("unknown block type %q", b.Type))
		}
	}

	if len(b.Marks) > 0 && b.Type != TypeParagraph {
		add("marks", "marks are only allowed on paragraphs")
		return errs
	}
	n := utf8.RuneCountInString(b.Text)
	for j, m := range b.Marks {
		mf := func(name string) string { return fmt.Sprintf("marks[%d].%s", j, name) }
		switch m.Type {
		case MarkBold, MarkItalic, MarkLink:
		case "":
			add(mf("type"), "is required")
		default:
			add(mf("type"), fmt.Sprintf("unknown mark type %q (want bold, italic or link)", m.Type))
		}
		if m.Start < 0 || m.Start > n {
			add(mf("start"), fmt.Sprintf("must be between 0 and %d", n))
		}
		if m.End < 0 || m.End > n {
			add(mf("end"), fmt.Sprintf("must be between 0 and %d (the text length in code points)", n))
		} else if m.End <= m.Start && m.Start >= 0 && m.Start <= n {
			add(mf("end"), "must be greater than start")
		}
		switch {
		case !utf8.ValidString(m.Href):
			add(mf("href"), "must be valid UTF-8")
		case m.Type == MarkLink && m.Href == "":
			add(mf("href"), "is required on links")
		case m.Type == MarkLink && !safeURL(m.Href, true):
			add(mf("href"), "must be an absolute http, https or mailto URL")
		case m.Type != MarkLink && m.Href != "":
			add(mf("href"), "is only allowed on links")
		}
	}
	return errs
}

// isBlank reports whether s holds nothing but whitespace.
func isBlank(s string) bool {
	return strings.TrimFunc(s, unicode.IsSpace) == ""
}

// safeURL reports whether raw is an absolute URL whose scheme is http or
// https (with a host) or, when allowMailto is set, mailto (with an address).
// It is the allow-list behind both Validate and the defence-in-depth checks
// of HTML: anything else (javascript:, data:, relative URLs, URLs that do not
// parse) is refused.
func safeURL(raw string, allowMailto bool) bool {
	if !utf8.ValidString(raw) {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto":
		return allowMailto && (u.Opaque != "" || u.Path != "")
	}
	return false
}
