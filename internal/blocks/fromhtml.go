package blocks

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxHTMLBytes is the largest input FromHTML accepts, in bytes.
const MaxHTMLBytes = 1 << 20

// ErrInvalidHTML is returned (wrapped) by FromHTML for input it refuses to
// read: longer than MaxHTMLBytes, not valid UTF-8, or with elements nested
// more than 512 deep. Otherwise malformed markup is not an error: it is
// parsed the way a browser would parse it.
var ErrInvalidHTML = errors.New("invalid HTML body")

// Embed providers accepted by FromHTML: an <iframe> whose src matches none of
// these patterns is dropped. Each pattern is anchored and allows only the
// characters a player URL needs, so no scheme trick or stray host gets in.
var embedProviders = []struct {
	name string
	re   *regexp.Regexp
}{
	{"youtube", regexp.MustCompile(`^https://www\.youtube(?:-nocookie)?\.com/embed/[A-Za-z0-9_-]{1,64}(?:\?[A-Za-z0-9_=&%.-]*)?$`)},
	{"vimeo", regexp.MustCompile(`^https://player\.vimeo\.com/video/[0-9]{1,20}(?:\?[A-Za-z0-9_=&%.-]*)?$`)},
	{"video", regexp.MustCompile(`^https://video\.example/[A-Za-z0-9_/.-]{1,200}(?:\?[A-Za-z0-9_=&%.-]*)?$`)},
}

// embedSrc matches the src of any accepted provider (the union of
// embedProviders), for the sanitizer's policy.
var embedSrc = func() *regexp.Regexp {
	parts := make([]string, len(embedProviders))
	for i, p := range embedProviders {
		parts[i] = "(?:" + p.re.String() + ")"
	}
	return regexp.MustCompile(strings.Join(parts, "|"))
}()

// photoID matches a canonical ULID, the shape of a stored photo's ID.
var photoID = regexp.MustCompile(`^[0-7][0-9A-HJKMNP-TV-Z]{25}$`)

// Elements that only group content. They are kept by the sanitizer (without
// any attribute) so that their boundaries survive, and each one ends the
// paragraph being built before it and after it.
var wrapperElements = []string{
	"div", "section", "article", "header", "footer", "main", "aside", "nav",
	"address", "hgroup", "details", "summary", "center", "pre", "dl", "dt", "dd",
	"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "hr",
}

// newPolicy builds the allow-list that editor HTML goes through before it is
// parsed. Anything not named here is removed: unknown elements lose their
// tags but keep their text, except for those whose content is never prose
// (scripts, styles, frames, form controls…), which go away entirely. No
// attribute survives but a[href] (http, https, mailto), blockquote[cite]
// (http, https), figure[data-photo-id] (a ULID) and iframe[src] (an accepted
// provider). Comments are dropped.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "cite",
		"ul", "ol", "li", "strong", "b", "em", "i", "a", "br", "figure", "figcaption",
		"iframe")
	p.AllowElements(wrapperElements...)
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("cite").Matching(regexp.MustCompile(`^(?i:https?)://`)).OnElements("blockquote")
	p.AllowAttrs("data-photo-id").Matching(photoID).OnElements("figure")
	p.AllowAttrs("src").Matching(embedSrc).OnElements("iframe")
	// An iframe whose src was refused stays as a bare <iframe>: its content
	// (fallback text, or whatever an attacker hid there) is then still
	// raw text of the iframe, which the converter ignores, instead of
	// leaking into the body as prose.
	p.AllowNoAttrs().OnElements("iframe")
	p.SkipElementsContent("textarea", "select", "option", "template", "xmp",
		"plaintext", "noembed", "noframes", "noscript", "object", "applet", "math", "svg",
		"canvas", "audio", "video", "button", "datalist", "head", "title", "frameset")
	return p
}

var policy = newPolicy()

// FromHTML sanitizes an editor's HTML and parses it into blocks.
//
// The input goes first through an allow-list sanitizer (see newPolicy), then
// through an HTML5 parser, and the tree is read as follows:
//
//   - <p> and text outside any block element (at the top level or inside
//     div, section, span and other wrappers) become paragraphs, with <strong>
//     and <b> as bold marks, <em> and <i> as italic marks and <a href> (http,
//     https, mailto) as link marks, over rune offsets of the text. Nested and
//     overlapping inline elements give marks over the runes they cover; marks
//     of the same kind that overlap or touch are merged.
//   - One <br> is a space; two or more in a row (whitespace between them
//     aside) end the paragraph.
//   - <h1>…<h6> become headings: h1 and h2 level 2, h3 level 3, h4 to h6
//     level 4.
//   - <blockquote> becomes a quote: the text is everything but its <cite>
//     and <footer> elements; the cite is the text of its <footer> (leading
//     dashes removed) or, failing that, of its <cite> elements or, failing
//     that, its cite attribute.
//   - <ul> and <ol> become lists of plain-text items; the items of nested
//     lists follow their parent item in the same list.
//   - <figure data-photo-id="ULID"> becomes a photo block whose caption is
//     the text of its <figcaption>; other figures are wrappers. Images are
//     dropped (an <img> names no stored photo).
//   - <iframe src> from an accepted provider (YouTube, Vimeo, video.example)
//     becomes an embed block; any other iframe, <object> or <embed> is
//     dropped.
//
// Inside headings, quotes and list items, only the text counts: marks,
// photos and embeds there are dropped. Whitespace runs collapse to one space
// and are trimmed at both ends of every text (no-break spaces are kept as
// they are); control characters are removed. Blocks left without text are
// dropped, so that the result always passes Validate.
//
// Input longer than MaxHTMLBytes, not valid UTF-8 or nested more than 512
// elements deep is an error wrapping ErrInvalidHTML. Input that yields no block gives an empty, non-nil slice
// and no error.
func FromHTML(s string) ([]Block, error) {
	if len(s) > MaxHTMLBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidHTML, MaxHTMLBytes)
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalidHTML)
	}
	clean := policy.Sanitize(s)
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(clean), body)
	if err != nil {
		// The parser's only failure on a string is an open-element stack
		// deeper than 512: markup no editor produces.
		return nil, fmt.Errorf("%w: %w", ErrInvalidHTML, err)
	}
	c := converter{out: []Block{}}
	for _, n := range nodes {
		c.node(n, 0)
	}
	c.flush()
	return c.out, nil
}

// maxDepth bounds the recursion of the converter: below it, a subtree only
// contributes its text to the current paragraph.
const maxDepth = 64

// converter turns a parsed tree into blocks.
type converter struct {
	out  []Block
	para textBuf // the paragraph being built
	seq  int     // numbers marks in opening order
}

func (c *converter) children(n *html.Node, depth int) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.node(ch, depth+1)
	}
}

func (c *converter) node(n *html.Node, depth int) {
	switch n.Type {
	case html.TextNode:
		c.para.write(n.Data)
		return
	case html.ElementNode:
	default:
		return // comments and doctypes (the sanitizer removed them anyway)
	}
	if depth > maxDepth {
		c.para.write(flatText(n, nil))
		return
	}
	switch n.DataAtom {
	case atom.P, atom.Li, atom.Figcaption:
		c.flush()
		c.children(n, depth)
		c.flush()
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		c.flush()
		c.heading(n)
	case atom.Blockquote:
		c.flush()
		c.quote(n)
	case atom.Ul, atom.Ol:
		c.flush()
		c.list(n)
	case atom.Figure:
		c.flush()
		if id := attr(n, "data-photo-id"); photoID.MatchString(id) {
			c.photo(n, id)
			return
		}
		c.children(n, depth)
		c.flush()
	case atom.Iframe:
		if b, ok := embed(attr(n, "src")); ok {
			c.flush()
			c.out = append(c.out, b)
		}
	case atom.Br:
		if c.para.lineBreak() {
			c.flush()
		}
	case atom.Strong, atom.B:
		c.marked(n, depth, MarkBold, "")
	case atom.Em, atom.I:
		c.marked(n, depth, MarkItalic, "")
	case atom.A:
		href := strings.TrimSpace(attr(n, "href"))
		if !safeURL(href, true) {
			c.children(n, depth) // the text stays, the link goes
			return
		}
		c.marked(n, depth, MarkLink, href)
	default:
		if skipContent(n) {
			return
		}
		if isWrapper(n) {
			c.flush()
			c.children(n, depth)
			c.flush()
			return
		}
		c.children(n, depth) // span, cite and other inline elements
	}
}

// marked converts the children of n under an open mark.
func (c *converter) marked(n *html.Node, depth int, typ, href string) {
	c.seq++
	c.para.open = append(c.para.open, openMark{typ: typ, href: href, start: -1, seq: c.seq})
	c.children(n, depth)
	last := len(c.para.open) - 1
	c.para.closeMark(c.para.open[last])
	c.para.open = c.para.open[:last]
}

// flush ends the paragraph being built, emitting it unless it is blank.
// Marks still open carry over to the next paragraph.
func (c *converter) flush() {
	p := &c.para
	for i := range p.open {
		p.closeMark(p.open[i])
		p.open[i].start = -1
	}
	text := p.String()
	if !isBlank(text) {
		c.out = append(c.out, Block{Type: TypeParagraph, Text: text, Marks: mergeMarks(p.marks)})
	}
	p.reset()
}

func (c *converter) heading(n *html.Node) {
	text := flatText(n, nil)
	if isBlank(text) {
		return
	}
	level := MaxHeadingLevel
	switch n.DataAtom {
	case atom.H1, atom.H2:
		level = 2
	case atom.H3:
		level = 3
	}
	c.out = append(c.out, Block{Type: TypeHeading, Level: level, Text: text})
}

func (c *converter) quote(n *html.Node) {
	isCite := func(m *html.Node) bool { return m.DataAtom == atom.Cite || m.DataAtom == atom.Footer }
	text := flatText(n, isCite)
	var cite string
	if f := find(n, atom.Footer); f != nil {
		cite = strings.TrimLeftFunc(flatText(f, nil), func(r rune) bool {
			return r == '—' || r == '–' || r == '-' || r == '―' || r == ' '
		})
	}
	if isBlank(cite) {
		var parts []string
		for m := range n.Descendants() {
			if m.Type == html.ElementNode && m.DataAtom == atom.Cite {
				if t := flatText(m, nil); !isBlank(t) {
					parts = append(parts, t)
				}
			}
		}
		cite = strings.Join(parts, " ")
	}
	if isBlank(cite) {
		if u := strings.TrimSpace(attr(n, "cite")); safeURL(u, false) {
			cite = u
		} else {
			cite = ""
		}
	}
	switch {
	case !isBlank(text):
		c.out = append(c.out, Block{Type: TypeQuote, Text: text, Cite: cite})
	case cite != "":
		c.out = append(c.out, Block{Type: TypeParagraph, Text: cite})
	}
}

func (c *converter) list(n *html.Node) {
	var items []string
	listItems(n, 0, &items)
	if len(items) > 0 {
		c.out = append(c.out, Block{Type: TypeList, Ordered: n.DataAtom == atom.Ol, Items: items})
	}
}

func isList(n *html.Node) bool {
	return n.Type == html.ElementNode && (n.DataAtom == atom.Ul || n.DataAtom == atom.Ol)
}

// listItems appends the items of list l to items: each child (normally an
// <li>) is one item, its text without the lists nested in it, whose items
// follow it.
func listItems(l *html.Node, depth int, items *[]string) {
	for ch := l.FirstChild; ch != nil; ch = ch.NextSibling {
		if !isList(ch) {
			if t := flatText(ch, isList); !isBlank(t) {
				*items = append(*items, t)
			}
		}
		if ch.Type != html.ElementNode || skipContent(ch) {
			continue
		}
		for _, sub := range outerLists(ch) {
			if depth >= maxDepth {
				if t := flatText(sub, nil); !isBlank(t) {
					*items = append(*items, t)
				}
				continue
			}
			listItems(sub, depth+1, items)
		}
	}
}

// outerLists returns n itself when it is a list, or else the lists inside n
// that are not inside another list in n, in document order.
func outerLists(n *html.Node) []*html.Node {
	if isList(n) {
		return []*html.Node{n}
	}
	var out []*html.Node
	stack := []*html.Node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if m != n && isList(m) {
			out = append(out, m)
			continue
		}
		if m.Type != html.ElementNode || m != n && skipContent(m) {
			continue
		}
		for ch := m.LastChild; ch != nil; ch = ch.PrevSibling {
			stack = append(stack, ch)
		}
	}
	return out
}

func (c *converter) photo(n *html.Node, id string) {
	var parts []string
	for m := range n.Descendants() {
		if m.Type == html.ElementNode && m.DataAtom == atom.Figcaption {
			if t := flatText(m, nil); !isBlank(t) {
				parts = append(parts, t)
			}
		}
	}
	c.out = append(c.out, Block{Type: TypePhoto, PhotoID: id, Caption: strings.Join(parts, " ")})
}

// embed makes an embed block of an iframe's src, when it comes from an
// accepted provider.
func embed(src string) (Block, bool) {
	src = strings.TrimSpace(src)
	if !safeURL(src, false) {
		return Block{}, false
	}
	for _, p := range embedProviders {
		if p.re.MatchString(src) {
			return Block{Type: TypeEmbed, URL: src, Provider: p.name}, true
		}
	}
	return Block{}, false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// find returns the first descendant of n that is an a element, or nil.
func find(n *html.Node, a atom.Atom) *html.Node {
	for m := range n.Descendants() {
		if m.Type == html.ElementNode && m.DataAtom == a {
			return m
		}
	}
	return nil
}

// skipContent reports whether n's content is never prose. The sanitizer
// removes these already; this is defence in depth.
func skipContent(n *html.Node) bool {
	if n.Namespace != "" { // svg, math
		return true
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Template, atom.Textarea, atom.Select, atom.Option,
		atom.Iframe, atom.Object, atom.Embed, atom.Noscript, atom.Noembed, atom.Noframes,
		atom.Title, atom.Head, atom.Xmp, atom.Plaintext, atom.Img, atom.Svg, atom.Math:
		return true
	}
	return false
}

func isWrapper(n *html.Node) bool {
	return slices.Contains(wrapperElements, n.Data)
}

// flatText returns the normalized text of n's subtree, skipping the
// subtrees for which skip (when not nil) is true and those whose content is
// never prose. <br> counts as a space. It does not recurse, so any depth is
// fine.
func flatText(n *html.Node, skip func(*html.Node) bool) string {
	var b textBuf
	stack := []*html.Node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch m.Type {
		case html.TextNode:
			b.write(m.Data)
			continue
		case html.ElementNode:
		default:
			continue
		}
		if m != n && (skipContent(m) || skip != nil && skip(m)) {
			continue
		}
		if m.DataAtom == atom.Br || isWrapper(m) || m.DataAtom == atom.P || m.DataAtom == atom.Li {
			b.write(" ") // keep words of adjacent blocks apart
		}
		for ch := m.LastChild; ch != nil; ch = ch.PrevSibling {
			stack = append(stack, ch)
		}
	}
	return b.String()
}

// openMark is an inline element being converted; start is -1 until its
// first visible rune is written.
type openMark struct {
	typ, href string
	start     int
	seq       int
}

type seqMark struct {
	Mark
	seq int
}

// textBuf accumulates normalized text: runs of HTML whitespace become one
// space, dropped at the start and left pending at the end (so trailing
// whitespace is never written); control characters are removed. It tracks
// the rune length and the marks over it.
type textBuf struct {
	b      strings.Builder
	n      int // runes written
	space  bool
	breaks int // <br> seen since the last visible rune
	open   []openMark
	marks  []seqMark
}

func (t *textBuf) write(s string) {
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f':
			t.space = true
			continue
		case r < 0x20 || r >= 0x7f && r < 0xa0:
			continue // control characters carry nothing
		}
		if t.space && t.n > 0 {
			t.b.WriteByte(' ')
			t.n++
		}
		t.space, t.breaks = false, 0
		for i := range t.open {
			if t.open[i].start < 0 {
				t.open[i].start = t.n
			}
		}
		t.b.WriteRune(r)
		t.n++
	}
}

// lineBreak records a <br> and reports whether it ends the paragraph (the
// second one in a row).
func (t *textBuf) lineBreak() bool {
	t.space = true
	t.breaks++
	return t.breaks >= 2
}

func (t *textBuf) closeMark(m openMark) {
	if m.start >= 0 && t.n > m.start {
		t.marks = append(t.marks, seqMark{Mark{Type: m.typ, Start: m.start, End: t.n, Href: m.href}, m.seq})
	}
}

func (t *textBuf) String() string { return t.b.String() }

func (t *textBuf) reset() {
	t.b.Reset()
	t.n, t.space, t.breaks = 0, false, 0
	t.marks = t.marks[:0]
}

// mergeMarks merges marks of the same type (and href) that overlap or touch,
// and orders them by start, longer first, then in opening order.
func mergeMarks(ms []seqMark) []Mark {
	if len(ms) == 0 {
		return nil
	}
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b seqMark) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Href, b.Href),
			cmp.Compare(a.Start, b.Start), cmp.Compare(a.seq, b.seq))
	})
	merged := ms[:1]
	for _, m := range ms[1:] {
		last := &merged[len(merged)-1]
		if m.Type == last.Type && m.Href == last.Href && m.Start <= last.End {
			last.End = max(last.End, m.End)
			continue
		}
		merged = append(merged, m)
	}
	slices.SortFunc(merged, func(a, b seqMark) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End), cmp.Compare(a.seq, b.seq))
	})
	out := make([]Mark, len(merged))
	for i, m := range merged {
		out[i] = m.Mark
	}
	return out
}
