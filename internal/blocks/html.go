package blocks

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// HTML renders bs as HTML, one block per line.
//
// Every text and attribute value is escaped. Paragraph marks become <strong>,
// <em> and <a href="…" rel="noopener">, always properly nested even when the
// mark ranges overlap (ranges are split where needed). A link whose href is
// not an http, https or mailto URL renders as plain text, and an embed whose
// url is not http(s) renders without a link, whatever Validate said. Unknown
// block types render nothing.
//
// When 0 ≤ paywallFrom < len(bs), the blocks from index paywallFrom on are
// wrapped in a single <div class="paywalled"> element, the container that the
// page's schema.org isAccessibleForFree markup points at. Pass -1 for none.
func HTML(bs []Block, paywallFrom int) string {
	var w strings.Builder
	w.Grow(htmlSizeHint(bs))
	var sc markScratch // reused by every paragraph, to spare allocations
	first := true
	sep := func() {
		if !first {
			w.WriteByte('\n')
		}
		first = false
	}
	paywalled := paywallFrom >= 0 && paywallFrom < len(bs)
	for i := range bs {
		if paywalled && i == paywallFrom {
			sep()
			w.WriteString(`<div class="paywalled">`)
		}
		b := &bs[i]
		if !knownType(b.Type) {
			continue
		}
		sep()
		writeBlockHTML(&w, b, &sc)
	}
	if paywalled {
		w.WriteString("\n</div>")
	}
	return w.String()
}

func knownType(t string) bool {
	switch t {
	case TypeParagraph, TypeHeading, TypeQuote, TypeList, TypePhoto, TypeEmbed:
		return true
	}
	return false
}

// htmlSizeHint estimates the rendered size so that the builder rarely has to
// grow: the text plus a generous allowance for tags and escapes.
func htmlSizeHint(bs []Block) int {
	n := 32
	for i := range bs {
		b := &bs[i]
		n += len(b.Text) + len(b.Cite) + len(b.Caption) + 2*len(b.URL) + len(b.PhotoID) + len(b.Provider)
		n += 48 + 40*len(b.Marks)
		for _, it := range b.Items {
			n += len(it) + 10
		}
	}
	return n + n/16
}

func writeBlockHTML(w *strings.Builder, b *Block, sc *markScratch) {
	switch b.Type {
	case TypeParagraph:
		w.WriteString("<p>")
		writeMarkedText(w, b.Text, b.Marks, sc)
		w.WriteString("</p>")
	case TypeHeading:
		// Clamp rather than trust Level: a stray value must not produce
		// an <h1> or an unknown element.
		lvl := byte('0' + min(max(b.Level, MinHeadingLevel), MaxHeadingLevel))
		w.WriteString("<h")
		w.WriteByte(lvl)
		w.WriteByte('>')
		writeEscaped(w, b.Text)
		w.WriteString("</h")
		w.WriteByte(lvl)
		w.WriteByte('>')
	case TypeQuote:
		w.WriteString("<blockquote><p>")
		writeEscaped(w, b.Text)
		w.WriteString("</p>")
		if b.Cite != "" {
			w.WriteString("<cite>")
			writeEscaped(w, b.Cite)
			w.WriteString("</cite>")
		}
		w.WriteString("</blockquote>")
	case TypeList:
		tag := "ul"
		if b.Ordered {
			tag = "ol"
		}
		w.WriteByte('<')
		w.WriteString(tag)
		w.WriteByte('>')
		for _, it := range b.Items {
			w.WriteString("<li>")
			writeEscaped(w, it)
			w.WriteString("</li>")
		}
		w.WriteString("</")
		w.WriteString(tag)
		w.WriteByte('>')
	case TypePhoto:
		w.WriteString(`<figure class="photo" data-photo-id="`)
		writeEscaped(w, b.PhotoID)
		w.WriteString(`">`)
		if b.Caption != "" {
			w.WriteString("<figcaption>")
			writeEscaped(w, b.Caption)
			w.WriteString("</figcaption>")
		}
		w.WriteString("</figure>")
	case TypeEmbed:
		w.WriteString(`<figure class="embed" data-provider="`)
		writeEscaped(w, b.Provider)
		w.WriteString(`">`)
		if safeURL(b.URL, false) {
			w.WriteString(`<a href="`)
			writeEscaped(w, b.URL)
			w.WriteString(`" rel="noopener">`)
			writeEscaped(w, b.URL)
			w.WriteString("</a>")
		} else {
			writeEscaped(w, b.URL)
		}
		w.WriteString("</figure>")
	}
}

// span is a renderable mark: a rune range plus what to render.
type span struct {
	start, end int    // rune offsets, start < end
	idx        int    // position in the original Marks, for a stable order
	typ        string // MarkBold, MarkItalic or MarkLink
	href       string // links only, already checked by safeURL
}

func (sp *span) writeOpen(w *strings.Builder) {
	switch sp.typ {
	case MarkBold:
		w.WriteString("<strong>")
	case MarkItalic:
		w.WriteString("<em>")
	case MarkLink:
		w.WriteString(`<a href="`)
		writeEscaped(w, sp.href)
		w.WriteString(`" rel="noopener">`)
	}
}

func (sp *span) writeClose(w *strings.Builder) {
	switch sp.typ {
	case MarkBold:
		w.WriteString("</strong>")
	case MarkItalic:
		w.WriteString("</em>")
	case MarkLink:
		w.WriteString("</a>")
	}
}

// markScratch holds the working slices of writeMarkedText so that one HTML
// call reuses them across paragraphs.
type markScratch struct {
	spans  []span
	bounds []int
	byteAt []int
	stack  []int
	want   []int
}

// writeMarkedText writes text with marks applied as properly nested tags.
//
// The text is cut at every mark boundary into segments; each segment is
// covered by a set of marks. Marks are given a fixed nesting order (earlier
// start outside, then longer outside, then original order), and the open
// tags always form a stack in that order. Moving to the next segment closes
// the open tags down to the longest prefix that stays active and opens the
// missing ones. Tags are therefore always balanced, and an overlapping mark
// is split only where it has to be:
//
//	bold [0,5) + italic [3,8) over "abcdefgh" →
//	<strong>abc<em>de</em></strong><em>fgh</em>
func writeMarkedText(w *strings.Builder, text string, marks []Mark, sc *markScratch) {
	if len(marks) == 0 {
		writeEscaped(w, text)
		return
	}
	n := utf8.RuneCountInString(text)
	spans := sc.spans[:0]
	for i, m := range marks {
		s, e := max(m.Start, 0), min(m.End, n)
		if s >= e {
			continue // empty or out of range: nothing to style
		}
		switch m.Type {
		case MarkBold, MarkItalic:
		case MarkLink:
			if !safeURL(m.Href, true) {
				continue // defence in depth: an unsafe link is plain text
			}
		default:
			continue
		}
		spans = append(spans, span{start: s, end: e, idx: i, typ: m.Type, href: m.Href})
	}
	sc.spans = spans
	if len(spans) == 0 {
		writeEscaped(w, text)
		return
	}
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end), cmp.Compare(a.idx, b.idx))
	})

	// Segment boundaries in runes: 0, n and every mark edge, sorted, unique.
	bounds := append(sc.bounds[:0], 0, n) //nolint:gocritic // reuses the scratch array on purpose
	for _, sp := range spans {
		bounds = append(bounds, sp.start, sp.end)
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	sc.bounds = bounds

	// Walk the text once, converting each rune boundary to a byte offset.
	byteAt := slices.Grow(sc.byteAt[:0], len(bounds))[:len(bounds)]
	sc.byteAt = byteAt
	bi, r := 0, 0
	for off := range text {
		for bi < len(bounds) && bounds[bi] == r {
			byteAt[bi] = off
			bi++
		}
		r++
	}
	for ; bi < len(bounds); bi++ {
		byteAt[bi] = len(text)
	}

	stack := sc.stack[:0] // indexes into spans, outermost first
	want := sc.want[:0]
	for k := 0; k+1 < len(bounds); k++ {
		segStart, segEnd := bounds[k], bounds[k+1]
		want = want[:0]
		for i, sp := range spans { // spans is sorted, so want is too
			if sp.start <= segStart && segEnd <= sp.end {
				want = append(want, i)
			}
		}
		keep := 0
		for keep < len(stack) && keep < len(want) && stack[keep] == want[keep] {
			keep++
		}
		for j := len(stack) - 1; j >= keep; j-- {
			spans[stack[j]].writeClose(w)
		}
		stack = stack[:keep]
		for _, i := range want[keep:] {
			spans[i].writeOpen(w)
			stack = append(stack, i)
		}
		writeEscaped(w, text[byteAt[k]:byteAt[k+1]])
	}
	for j := len(stack) - 1; j >= 0; j-- {
		spans[stack[j]].writeClose(w)
	}
	sc.stack, sc.want = stack, want
}

// writeEscaped writes s to w escaped for HTML text and quoted attribute
// values. It escapes the same characters as html.EscapeString (& < > " ')
// and, in addition, replaces NUL bytes and invalid UTF-8 with U+FFFD so that
// the output is always valid UTF-8. It writes unescaped runs in one go and
// does not allocate.
func writeEscaped(w *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		size := 1
		if c < utf8.RuneSelf {
			switch c {
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case 0:
				esc = "\uFFFD"
			default:
				i++
				continue
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			esc = "\uFFFD"
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		i += size
		last = i
	}
	w.WriteString(s[last:])
}
