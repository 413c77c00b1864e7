package wordpress

import (
	"encoding/json"
	"strings"
)

// The block editor stores a post as HTML with its blocks delimited by
// comments:
//
//	<!-- wp:paragraph --><p>Text</p><!-- /wp:paragraph -->
//	<!-- wp:image {"id":12,"sizeSlug":"large"} --><figure>…</figure><!-- /wp:image -->
//	<!-- wp:separator /-->   (a block with no content of its own)
//
// The name is "core/…" when written without a namespace. Blocks nest
// (columns, groups, galleries of image blocks, quotes of paragraphs). HTML
// outside any block is "freeform": classic-editor text, shown through
// wpautop.

// gbBlock is one parsed block.
type gbBlock struct {
	name  string         // "core/paragraph", "core-embed/youtube", "jetpack/slideshow"
	attrs map[string]any // nil when absent or not JSON
	parts []gbPart       // inner HTML and inner blocks, in order
	void  bool
}

// gbPart is either HTML or a block.
type gbPart struct {
	html  string
	block *gbBlock
}

// maxBlockDepth bounds nesting; deeper delimiters are read as plain HTML
// comments (and so dropped).
const maxBlockDepth = 32

// hasBlocks reports whether content was written by the block editor.
func hasBlocks(content string) bool { return strings.Contains(content, "<!-- wp:") }

// parseBlocks splits content into freeform HTML and blocks. Unbalanced
// delimiters never fail: a closer that matches no open block is dropped,
// and blocks still open at the end are closed there.
func parseBlocks(s string) []gbPart {
	root := &gbBlock{}
	stack := []*gbBlock{root}
	top := func() *gbBlock { return stack[len(stack)-1] }
	addHTML := func(h string) {
		if h != "" {
			top().parts = append(top().parts, gbPart{html: h})
		}
	}
	i := 0 // start of the HTML not yet added
	for from := 0; ; {
		j := strings.Index(s[from:], "<!--")
		if j < 0 {
			addHTML(s[i:])
			break
		}
		j += from
		d, ok := parseDelimiter(s[j:])
		if !ok {
			from = j + 4 // another comment: part of the HTML
			continue
		}
		addHTML(s[i:j])
		i = j + d.length
		from = i
		switch {
		case d.closer:
			for k := len(stack) - 1; k > 0; k-- {
				if stack[k].name == d.name {
					stack = stack[:k]
					break
				}
			}
		case d.void || len(stack) > maxBlockDepth:
			top().parts = append(top().parts, gbPart{block: &gbBlock{name: d.name, attrs: d.attrs, void: true}})
		default:
			b := &gbBlock{name: d.name, attrs: d.attrs}
			top().parts = append(top().parts, gbPart{block: b})
			stack = append(stack, b)
		}
	}
	return root.parts
}

type delimiter struct {
	name   string
	attrs  map[string]any
	closer bool
	void   bool
	length int
}

// parseDelimiter reads a block delimiter at the start of s ("<!-- wp:…
// -->"), reporting false for any other comment.
func parseDelimiter(s string) (delimiter, bool) {
	var d delimiter
	rest := strings.TrimPrefix(s, "<!--")
	trimmed := strings.TrimLeft(rest, " \t\n\r")
	if len(trimmed) == len(rest) {
		return d, false // WordPress writes a space after <!--
	}
	rest = trimmed
	if r, ok := strings.CutPrefix(rest, "/"); ok {
		d.closer, rest = true, r
	}
	rest, ok := strings.CutPrefix(rest, "wp:")
	if !ok {
		return d, false
	}
	n := 0
	for n < len(rest) && isBlockNameByte(rest[n], n == 0) {
		n++
	}
	name := rest[:n]
	if name == "" || strings.HasSuffix(name, "/") || strings.Count(name, "/") > 1 {
		return d, false
	}
	if !strings.Contains(name, "/") {
		name = "core/" + name
	}
	rest = rest[n:]
	end := strings.Index(rest, "-->")
	if end < 0 {
		return d, false
	}
	body := strings.TrimSpace(rest[:end])
	if end > 0 && !strings.ContainsAny(rest[:1], " \t\n\r") {
		return d, false // the name must end at whitespace
	}
	if b, ok := strings.CutSuffix(body, "/"); ok {
		d.void, body = true, strings.TrimSpace(b)
	}
	if body != "" {
		if d.closer || body[0] != '{' {
			return d, false
		}
		if err := json.Unmarshal([]byte(body), &d.attrs); err != nil {
			d.attrs = nil
		}
	}
	d.name = name
	d.length = len(s) - len(rest) + end + len("-->")
	return d, true
}

func isBlockNameByte(c byte, first bool) bool {
	if 'a' <= c && c <= 'z' {
		return true
	}
	return !first && ('0' <= c && c <= '9' || c == '_' || c == '-' || c == '/')
}

// attrString returns a string attribute, or "".
func (b *gbBlock) attrString(key string) string {
	s, _ := b.attrs[key].(string)
	return s
}

// attrID returns a positive integer attribute, or 0.
func (b *gbBlock) attrID(key string) int64 {
	switch v := b.attrs[key].(type) {
	case float64:
		if v > 0 && v < 1<<53 && v == float64(int64(v)) {
			return int64(v)
		}
	case string:
		return parsePositive(v)
	}
	return 0
}
