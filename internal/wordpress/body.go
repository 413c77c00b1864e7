package wordpress

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"masthead/internal/blocks"
	"masthead/internal/xmlchar"
)

// BodyOptions tell ConvertBody about the site's attachments.
type BodyOptions struct {
	// Photo tells whether an image of the body is one of the site's
	// attachments, imported as a stored photo, and gives that photo's ID
	// (a ULID: blocks accepts no other). attachmentID is what the markup
	// says (the wp-image-N class, an image block's "id", a caption's
	// attachment_N, a gallery's ids) or, failing that, what URLs finds for
	// src; 0 when neither knows. src is the image's address, empty for a
	// [gallery] entry. An image for which Photo reports false is dropped
	// and reported, never fetched. A nil Photo drops every image.
	Photo func(attachmentID int64, src string) (photoID string, ok bool)
	// URLs, when set, maps the address of an image whose markup names no
	// attachment to one (see AttachmentURLs).
	URLs *AttachmentURLs
}

// Body is a converted post body.
type Body struct {
	Blocks []blocks.Block
	// PreviewBreak is the block index of <!--more-->: the blocks before it
	// are the preview. Nil when the post has no <!--more-->, or has it
	// before the first block or after the last (the editorial API accepts
	// 1 to len(Blocks)-1 only).
	PreviewBreak *int
	// Attachments are the ids of the attachments the body shows as photo
	// blocks, in order of first appearance.
	Attachments []int64
	// UnknownShortcodes are the names of shortcodes the converter does not
	// know (their tags are dropped, the text they enclosed is kept), each
	// once, in order of appearance.
	UnknownShortcodes []string
	// Dropped says what was left out and why: images that are not the
	// site's attachments, embeds of providers the API does not accept,
	// scripts, dynamic blocks.
	Dropped []string
	// Notes say what was kept in another shape: a table made paragraphs,
	// an embed kept as a link.
	Notes []string
}

// maxReports bounds Dropped and Notes: a hostile body cannot make the
// report bigger than the body.
const maxReports = 50

// Marker elements the converter puts in the HTML it builds. Editors' HTML
// cannot forge them: ConvertBody escapes "<masthead-" in its input first.
const (
	moreMarker  = "<masthead-more></masthead-more>"
	markerEmbed = "masthead-embed"
	markerMore  = "masthead-more"
	// attrAttachment carries an attachment id from a block's attributes,
	// a caption or a gallery to the images it concerns.
	attrAttachment = "data-masthead-attachment"
)

func embedMarker(u string) string {
	return `<masthead-embed data-url="` + html.EscapeString(strings.TrimSpace(u)) + `"></masthead-embed>`
}

var (
	moreComment  = regexp.MustCompile(`<!--more(?:\s.*?)?-->`)
	forgedMarker = regexp.MustCompile(`(?i)<(/?)masthead-`)
	bareURLLine  = regexp.MustCompile(`(?m)^[ \t]*(https?://[^\s<>"]+)[ \t]*$`)
)

// segmentTarget is the size past which the converter ends an HTML segment
// at the next top-level element: FromHTML takes 1 MiB at most.
const segmentTarget = 256 << 10

// ConvertBody converts the content of a WordPress post (an Item's Content)
// into blocks, the way WordPress would show it, through the editorial
// API's sanitizer and converter (blocks.FromHTML):
//
//   - Block-editor content (<!-- wp:… --> delimiters): paragraphs,
//     headings, lists, quotes and pullquotes are read from their HTML;
//     image blocks and each image of a gallery become photo blocks (with
//     their caption) when Photo knows them; embed blocks (core/embed and
//     the older core-embed/youtube…) become embed blocks from their "url"
//     attribute when the provider is accepted (see blocks.EmbedFromURL);
//     separators, spacers and page breaks give nothing; the more block is
//     the preview break; a table becomes one paragraph per row, cells
//     joined by " | " (blocks have no table), with a note; video and audio
//     blocks are dropped with a note (a file block keeps its link); custom
//     HTML blocks and unknown blocks give what their HTML holds; blocks
//     with no HTML of their own (latest posts, a reusable block) are
//     dropped with a note.
//   - Classic-editor content, and HTML outside blocks: paragraphs as
//     wpautop makes them (see autop), and a URL alone on its line is an
//     embed, as WordPress auto-embeds it.
//   - Shortcodes: [caption] around an image is a photo block with that
//     caption; [embed]URL[/embed] an embed; [gallery ids="…"] photo blocks;
//     [video] of a YouTube or Vimeo address an embed; [audio], [playlist]
//     and [video] of a file are dropped with a note; other shortcodes lose
//     their tags and keep the text they enclose, and are named in
//     UnknownShortcodes; [[name]] is the literal text [name].
//   - Images: an <img> is a photo block when Photo says it is an imported
//     attachment; any other image is dropped and reported. A photo or
//     embed inside a paragraph, a list or a link splits it: blocks do not
//     nest. <iframe> players of accepted providers are embeds.
//   - <!--more--> is the preview break.
//
// Scripts, styles, event handlers, javascript: URLs and the like never
// survive (FromHTML's allow-list); the converter drops scripts and other
// executable elements before it and says so in Dropped.
//
// The error is non-nil only when the body cannot be converted at all (a
// part of it that FromHTML refuses: over blocks.MaxHTMLBytes without a
// place to split, or nested beyond what an HTML parser takes).
func ConvertBody(content string, opt BodyOptions) (Body, error) {
	c := &converter{opt: opt, body: Body{Blocks: []blocks.Block{}}}
	s := xmlchar.Text(content)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = forgedMarker.ReplaceAllString(s, "&lt;${1}masthead-")
	var h string
	if hasBlocks(s) {
		var b strings.Builder
		for _, p := range parseBlocks(s) {
			if p.block != nil {
				c.block(&b, p.block)
			} else {
				b.WriteString(c.classic(p.html))
			}
		}
		h = b.String()
	} else {
		h = c.classic(s)
	}
	if err := c.convert(h); err != nil {
		return Body{}, fmt.Errorf("convert body: %w", err)
	}
	return c.body, nil
}

type converter struct {
	opt  BodyOptions
	body Body

	captions map[*html.Node]*html.Node // an image's figcaption
	consumed map[*html.Node]bool       // figcaptions read as captions
	more     bool                      // a preview break was placed
}

func (c *converter) report(list *[]string, msg string) {
	switch {
	case len(*list) < maxReports:
		*list = append(*list, msg)
	case len(*list) == maxReports:
		*list = append(*list, "… and more")
	}
}

func (c *converter) drop(msg string) { c.report(&c.body.Dropped, msg) }
func (c *converter) note(msg string) { c.report(&c.body.Notes, msg) }

func (c *converter) unknownShortcode(name string) {
	if !slices.Contains(c.body.UnknownShortcodes, name) && len(c.body.UnknownShortcodes) < maxReports {
		c.body.UnknownShortcodes = append(c.body.UnknownShortcodes, name)
	}
}

// classic turns classic-editor text into HTML: shortcodes, <!--more-->,
// auto-embeds, then paragraphs.
func (c *converter) classic(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	s = c.html(s)
	if !strings.Contains(s, "http") {
		return autop(s)
	}
	s = bareURLLine.ReplaceAllStringFunc(s, func(line string) string {
		u := strings.TrimSpace(line)
		if _, ok := blocks.EmbedFromURL(u); ok {
			return embedMarker(u)
		}
		c.note("URL alone on a line kept as text (no accepted embed provider): " + quoteShort(u))
		return line
	})
	return autop(s)
}

// html reads the shortcodes and <!--more--> of HTML: block-editor markup
// inside a block (whose paragraphs are already there), or classic text
// before classic adds them.
func (c *converter) html(s string) string {
	if strings.Contains(s, "<!--more") {
		s = moreComment.ReplaceAllString(s, moreMarker)
	}
	return c.shortcodes(s, 0)
}

// silentBlocks stand for nothing in a body: separators, spacers, page
// breaks.
var silentBlocks = []string{"core/separator", "core/spacer", "core/nextpage"}

// block writes the HTML a block stands for.
func (c *converter) block(b *strings.Builder, blk *gbBlock) {
	inner := func() {
		for _, p := range blk.parts {
			if p.block != nil {
				c.block(b, p.block)
			} else {
				b.WriteString(c.html(p.html))
			}
		}
	}
	switch {
	case slices.Contains(silentBlocks, blk.name):
		return
	case blk.name == "core/more":
		b.WriteString(moreMarker)
		return
	case blk.name == "core/freeform":
		for _, p := range blk.parts {
			if p.html != "" {
				b.WriteString(c.classic(p.html))
			}
		}
		return
	case blk.name == "core/image":
		if id := blk.attrID("id"); id > 0 {
			b.WriteString(`<div ` + attrAttachment + `="` + strconv.FormatInt(id, 10) + `">`)
			inner()
			b.WriteString("</div>")
			return
		}
	case blk.name == "core/embed" || strings.HasPrefix(blk.name, "core-embed/"):
		c.embedBlock(b, blk)
		return
	case blk.name == "core/video" || blk.name == "core/audio":
		c.drop(strings.TrimPrefix(blk.name, "core/") + " block: media files have no block")
		return
	case blk.name == "core/block":
		c.drop(fmt.Sprintf("reusable block %d: its content lives in another post", blk.attrID("ref")))
		return
	case blk.void && len(blk.parts) == 0:
		c.drop("dynamic block " + blk.name + ": WordPress renders it when showing the page, the post holds nothing of it")
		return
	}
	inner()
}

// embedBlock writes an embed block: the URL of its attributes (or of its
// content), then its caption as a paragraph.
func (c *converter) embedBlock(b *strings.Builder, blk *gbBlock) {
	var raw strings.Builder
	for _, p := range blk.parts {
		if p.html != "" {
			raw.WriteString(p.html)
		}
	}
	u := blk.attrString("url")
	var caption string
	if nodes, err := html.ParseFragment(strings.NewReader(raw.String()), bodyContext()); err == nil {
		for _, n := range nodes {
			for m := range n.Descendants() {
				switch {
				case m.Type == html.ElementNode && m.DataAtom == atom.Figcaption && caption == "":
					caption = renderChildren(m)
				case m.Type == html.TextNode && u == "" && strings.HasPrefix(strings.TrimSpace(m.Data), "http"):
					u = strings.TrimSpace(m.Data)
				}
			}
		}
	}
	if u == "" {
		c.drop("embed block without a URL")
		return
	}
	b.WriteString(embedMarker(u))
	if strings.TrimSpace(caption) != "" {
		b.WriteString("<p>" + caption + "</p>")
	}
}

func bodyContext() *html.Node {
	return &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
}

// renderChildren returns the HTML of n's children.
func renderChildren(n *html.Node) string {
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		_ = html.Render(&b, ch) // writing to a strings.Builder does not fail
	}
	return b.String()
}

// piece is a part of the body in order: HTML for FromHTML, a block built
// here (an embed), or the preview break.
type piece struct {
	html  string
	block *blocks.Block
	photo bool // html is one photo figure
	more  bool
	what  string // the image a photo piece stands for, for reports
}

// convert parses the HTML built from the post, splits it at the photos,
// embeds and the preview break (which FromHTML would drop inside lists
// and quotes, or cannot see), and converts each part.
func (c *converter) convert(s string) error {
	nodes, err := html.ParseFragment(strings.NewReader(s), bodyContext())
	if err != nil {
		return fmt.Errorf("%w: %w", blocks.ErrInvalidHTML, err)
	}
	c.captions, c.consumed = map[*html.Node]*html.Node{}, map[*html.Node]bool{}
	for _, n := range nodes {
		c.findCaptions(n)
	}
	e := &emitter{c: c}
	for _, n := range nodes {
		e.node(n)
		if len(e.stack) == 0 && e.sb.Len() > segmentTarget {
			e.flush()
		}
	}
	e.flush()
	for _, p := range e.pieces {
		switch {
		case p.more:
			if !c.more {
				c.more = true
				if i := len(c.body.Blocks); i >= 1 {
					c.body.PreviewBreak = &i
				}
			}
		case p.block != nil:
			c.body.Blocks = append(c.body.Blocks, *p.block)
		default:
			bs, err := blocks.FromHTML(p.html)
			if err != nil {
				return err
			}
			if p.photo && (len(bs) != 1 || bs[0].Type != blocks.TypePhoto) {
				c.drop(p.what + ": the photo ID given for it is not a stored photo's")
				continue
			}
			c.body.Blocks = append(c.body.Blocks, bs...)
		}
	}
	if pb := c.body.PreviewBreak; pb != nil && *pb >= len(c.body.Blocks) {
		c.body.PreviewBreak = nil
	}
	return nil
}

// findCaptions pairs each figure's only image with its figcaption.
func (c *converter) findCaptions(n *html.Node) {
	if n.Type == html.ElementNode && n.DataAtom == atom.Figure {
		var imgs, caps []*html.Node
		var walk func(m *html.Node)
		walk = func(m *html.Node) {
			for ch := m.FirstChild; ch != nil; ch = ch.NextSibling {
				if ch.Type != html.ElementNode {
					continue
				}
				switch ch.DataAtom {
				case atom.Figure:
					continue // its own images and caption
				case atom.Img:
					imgs = append(imgs, ch)
				case atom.Figcaption:
					caps = append(caps, ch)
				}
				walk(ch)
			}
		}
		walk(n)
		if len(imgs) == 1 && len(caps) > 0 {
			c.captions[imgs[0]] = caps[0]
			c.consumed[caps[0]] = true
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.findCaptions(ch)
	}
}

// droppedElements never reach FromHTML (whose sanitizer would remove them
// anyway), and are reported.
var droppedElements = map[atom.Atom]string{
	atom.Script: "script", atom.Style: "style", atom.Noscript: "noscript", atom.Template: "template",
	atom.Object: "object", atom.Embed: "embed", atom.Applet: "applet", atom.Video: "video",
	atom.Audio: "audio", atom.Textarea: "form field", atom.Select: "form field", atom.Input: "form field",
	atom.Button: "form field", atom.Title: "title", atom.Xmp: "xmp", atom.Noembed: "noembed",
	atom.Noframes: "noframes", atom.Plaintext: "plaintext", atom.Frameset: "frameset", atom.Frame: "frame",
	atom.Canvas: "canvas",
}

var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true, atom.Hr: true,
	atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true, atom.Source: true,
	atom.Track: true, atom.Wbr: true, atom.Param: true,
}

// emitter writes the tree back to HTML, cutting it where a photo, an
// embed or the preview break stands: the open elements are closed, the
// piece is put between, and they are opened again, so that <p>a<img>b</p>
// gives a paragraph, a photo, a paragraph.
type emitter struct {
	c      *converter
	sb     strings.Builder
	stack  []*html.Node
	pieces []piece
}

func (e *emitter) flush() {
	if strings.TrimSpace(e.sb.String()) != "" {
		e.pieces = append(e.pieces, piece{html: e.sb.String()})
	}
	e.sb.Reset()
}

// cut puts p between the HTML written so far and what follows.
func (e *emitter) cut(p piece) {
	for i := len(e.stack) - 1; i >= 0; i-- {
		e.sb.WriteString("</" + e.stack[i].Data + ">")
	}
	e.flush()
	e.pieces = append(e.pieces, p)
	for _, n := range e.stack {
		e.startTag(n)
	}
}

func (e *emitter) startTag(n *html.Node) {
	e.sb.WriteString("<" + n.Data)
	for _, a := range n.Attr {
		if a.Namespace != "" || !validAttrName(a.Key) {
			continue
		}
		e.sb.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
	}
	e.sb.WriteString(">")
}

func validAttrName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c == '"' || c == '\'' || c == '>' || c == '/' || c == '=' || c == '<' {
			return false
		}
	}
	return true
}

func (e *emitter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		e.sb.WriteString(html.EscapeString(n.Data))
		return
	case html.ElementNode:
	default:
		return // comments, doctypes
	}
	c := e.c
	if n.Namespace != "" { // svg, math
		c.drop(n.Data + " element")
		return
	}
	if what, ok := droppedElements[n.DataAtom]; ok {
		c.drop(what + " element")
		return
	}
	switch {
	case n.DataAtom == atom.Img:
		c.image(e, n)
		return
	case n.DataAtom == atom.Iframe:
		src := strings.TrimSpace(attr(n, "src"))
		if b, ok := blocks.EmbedFromURL(src); ok {
			e.cut(piece{block: &b})
		} else {
			c.drop("iframe of " + quoteShort(src) + ": not an accepted embed provider")
		}
		return
	case n.Data == markerEmbed:
		u := attr(n, "data-url")
		if b, ok := blocks.EmbedFromURL(u); ok {
			e.cut(piece{block: &b})
			return
		}
		if !isWebURL(u) {
			c.drop("embed of " + quoteShort(u) + ": not an http(s) address")
			return
		}
		c.note("embed of " + quoteShort(u) + " kept as a link: not an accepted embed provider")
		e.cut(piece{html: `<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + `</a></p>`})
		return
	case n.Data == markerMore:
		e.cut(piece{more: true})
		return
	case n.DataAtom == atom.Table:
		c.table(e, n)
		return
	case n.DataAtom == atom.Figcaption && c.consumed[n]:
		return // read as its image's caption
	case n.DataAtom == atom.A && slices.Contains(strings.Fields(attr(n, "class")), "wp-block-file__button"):
		return // a file block's download button repeats its link
	}
	e.startTag(n)
	if voidElements[n.DataAtom] {
		return
	}
	e.stack = append(e.stack, n)
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		e.node(ch)
	}
	e.stack = e.stack[:len(e.stack)-1]
	e.sb.WriteString("</" + n.Data + ">")
}

// image makes a photo piece of an <img> the site knows, or drops it.
func (c *converter) image(e *emitter, n *html.Node) {
	src := strings.TrimSpace(attr(n, "src"))
	if src == "" || strings.HasPrefix(src, "data:") {
		if lazy := strings.TrimSpace(cmpOr(attr(n, "data-src"), attr(n, "data-lazy-src"))); lazy != "" {
			src = lazy
		}
	}
	id := imageAttachment(n)
	if id == 0 && c.opt.URLs != nil {
		id, _ = c.opt.URLs.Find(src)
	}
	what := "image " + quoteShort(src)
	if src == "" {
		what = fmt.Sprintf("image of attachment %d", id)
	}
	var photoID string
	ok := false
	if c.opt.Photo != nil {
		photoID, ok = c.opt.Photo(id, src)
	}
	capNode := c.captions[n]
	if !ok {
		msg := what + ": not an imported attachment of the site"
		if capNode != nil {
			if t := strings.TrimSpace(textOf(capNode)); t != "" {
				msg += ", dropped with its caption " + quoteShort(t)
			}
		}
		c.drop(msg)
		return
	}
	var fig strings.Builder
	fig.WriteString(`<figure data-photo-id="` + html.EscapeString(photoID) + `">`)
	if capNode != nil {
		fig.WriteString("<figcaption>" + renderChildren(capNode) + "</figcaption>")
	}
	fig.WriteString("</figure>")
	if id > 0 && !slices.Contains(c.body.Attachments, id) {
		c.body.Attachments = append(c.body.Attachments, id)
	}
	e.cut(piece{html: fig.String(), photo: true, what: what})
}

// isWebURL reports whether u is an absolute http or https address.
func isWebURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// imageAttachment returns the attachment id an <img>'s markup names: a
// hint left by the converter on it (a gallery entry), its wp-image-N
// class, its data-id (older galleries), or a hint on an ancestor (an
// image block, a caption).
func imageAttachment(n *html.Node) int64 {
	if id := parsePositive(attr(n, attrAttachment)); id > 0 {
		return id
	}
	for f := range strings.FieldsSeq(attr(n, "class")) {
		if v, ok := strings.CutPrefix(f, "wp-image-"); ok {
			if id := parsePositive(v); id > 0 {
				return id
			}
		}
	}
	if id := parsePositive(attr(n, "data-id")); id > 0 {
		return id
	}
	for m := n.Parent; m != nil; m = m.Parent {
		if id := parsePositive(attr(m, attrAttachment)); id > 0 {
			return id
		}
	}
	return 0
}

// table writes a table as one paragraph per row, its cells joined by " |
// ", its caption first; images in it follow as photos.
func (c *converter) table(e *emitter, n *html.Node) {
	var rows []string
	var imgs []*html.Node
	var caption string
	var walk func(m *html.Node)
	walk = func(m *html.Node) {
		for ch := m.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			switch ch.DataAtom {
			case atom.Caption:
				caption = textOf(ch)
			case atom.Tr:
				var cells []string
				for cell := ch.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type == html.ElementNode && (cell.DataAtom == atom.Td || cell.DataAtom == atom.Th) {
						if t := strings.TrimSpace(textOf(cell)); t != "" {
							cells = append(cells, t)
						}
						for d := range cell.Descendants() {
							if d.Type == html.ElementNode && d.DataAtom == atom.Img {
								imgs = append(imgs, d)
							}
						}
					}
				}
				if len(cells) > 0 {
					rows = append(rows, strings.Join(cells, " | "))
				}
			case atom.Table:
				continue // a nested table outside any cell: browsers would not show it there
			default:
				walk(ch)
			}
		}
	}
	walk(n)
	e.sb.WriteString("<div>")
	if strings.TrimSpace(caption) != "" {
		e.sb.WriteString("<p>" + html.EscapeString(caption) + "</p>")
	}
	for _, r := range rows {
		e.sb.WriteString("<p>" + html.EscapeString(r) + "</p>")
	}
	e.sb.WriteString("</div>")
	if len(rows) > 0 {
		c.note(fmt.Sprintf("table of %d rows made paragraphs, one per row (bodies have no tables)", len(rows)))
	}
	for _, img := range imgs {
		c.image(e, img)
	}
}

// textOf returns the text of n's subtree, whitespace collapsed, with a
// space between block-level children.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(m *html.Node)
	walk = func(m *html.Node) {
		switch m.Type {
		case html.TextNode:
			b.WriteString(m.Data)
			return
		case html.ElementNode:
			if _, drop := droppedElements[m.DataAtom]; drop || m.Namespace != "" {
				return
			}
			if m.DataAtom == atom.Br || autopBlocks[m.Data] {
				b.WriteByte(' ')
			}
		}
		for ch := m.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
		if m.Type == html.ElementNode && autopBlocks[m.Data] {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// quoteShort quotes s for a report, cut to 120 characters.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 120 {
		r := []rune(s)
		s = string(r[:119]) + "…"
	}
	return strconv.Quote(s)
}
