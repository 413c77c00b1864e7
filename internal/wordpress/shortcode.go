package wordpress

import (
	"html"
	"slices"
	"sort"
	"strconv"
	"strings"

	"masthead/internal/blocks"
)

// Shortcodes are WordPress's bracketed macros: [name attr="v"] on its own,
// or [name …]content[/name] around content. WordPress expands only the
// names some plugin registered and shows any other bracketed text as it
// is, so [sic] or [Update 14:00] in an article are prose. Without the
// site's plugins, a bracketed name counts as a shortcode when it is one of
// WordPress's own (caption, embed, gallery, video, audio, playlist), or has
// a closing tag, or ends in "/]", or has a key=value attribute, or has a _
// or - in its name (as plugins' names do: contact-form-7, su_box).
// [[name]] is WordPress's escape for a literal [name].

// builtinShortcodes are WordPress's own.
var builtinShortcodes = []string{"caption", "wp_caption", "embed", "gallery", "video", "audio", "playlist"}

// maxShortcodeDepth bounds shortcodes nested in shortcodes.
const maxShortcodeDepth = 8

// scTag is an opening tag [name attrs] or [name attrs /].
type scTag struct {
	name      string
	attrs     map[string]string
	keyed     bool // some attribute is key=value
	selfClose bool
	start     int // index of '['
	end       int // index after ']'
}

// parseOpenTag reads an opening tag at s[at] == '['.
func parseOpenTag(s string, at int) (scTag, bool) {
	t := scTag{start: at}
	i := at + 1
	n := i
	for n < len(s) && (isASCIILetter(s[n]) || n > i && (s[n] >= '0' && s[n] <= '9' || s[n] == '_' || s[n] == '-')) {
		n++
	}
	if n == i || n >= len(s) {
		return t, false
	}
	t.name = s[i:n]
	switch s[n] {
	case ']', '/', ' ', '\t', '\n', '\r':
	default:
		return t, false // "[Editor's note", "[sic." …
	}
	end := strings.IndexAny(s[n:], "[]")
	if end < 0 || s[n+end] != ']' {
		return t, false
	}
	raw := s[n : n+end]
	if r, ok := strings.CutSuffix(strings.TrimRight(raw, " \t\n\r"), "/"); ok {
		t.selfClose, raw = true, r
	}
	t.attrs, t.keyed = parseShortcodeAttrs(raw)
	t.end = n + end + 1
	return t, true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// parseShortcodeAttrs reads name="value", name='value', name=value and
// bare values (stored under "0", "1"…). Names are lowercased; values have
// their HTML entities decoded.
func parseShortcodeAttrs(s string) (map[string]string, bool) {
	attrs := map[string]string{}
	keyed := false
	pos := 0
	i := 0
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	value := func() string {
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			q := s[i]
			j := strings.IndexByte(s[i+1:], q)
			if j < 0 {
				v := s[i+1:]
				i = len(s)
				return v
			}
			v := s[i+1 : i+1+j]
			i += j + 2
			return v
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
			j++
		}
		v := s[i:j]
		i = j
		return v
	}
	for {
		skipSpace()
		if i >= len(s) {
			break
		}
		j := i
		for j < len(s) && (isASCIILetter(s[j]) || s[j] >= '0' && s[j] <= '9' || s[j] == '_' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		if j > i && k < len(s) && s[k] == '=' {
			name := strings.ToLower(s[i:j])
			i = k + 1
			skipSpace()
			attrs[name] = html.UnescapeString(value())
			keyed = true
			continue
		}
		attrs[strconv.Itoa(pos)] = html.UnescapeString(value())
		pos++
	}
	return attrs, keyed
}

// closers indexes the closing tags [/name] of a text by name.
type closers map[string][]int

func indexClosers(s string) closers {
	c := closers{}
	for i := 0; ; {
		j := strings.Index(s[i:], "[/")
		if j < 0 {
			return c
		}
		j += i
		k := j + 2
		for k < len(s) && (isASCIILetter(s[k]) || k > j+2 && (s[k] >= '0' && s[k] <= '9' || s[k] == '_' || s[k] == '-')) {
			k++
		}
		if k > j+2 && k < len(s) && s[k] == ']' {
			name := s[j+2 : k]
			c[name] = append(c[name], j)
		}
		i = j + 2
	}
}

// after returns the first closing tag of name at or after from, or -1.
func (c closers) after(name string, from int) int {
	pos := c[name]
	k := sort.SearchInts(pos, from)
	if k == len(pos) {
		return -1
	}
	return pos[k]
}

// isShortcode decides whether a bracketed tag is a shortcode (see above).
func isShortcode(t scTag, hasCloser bool) bool {
	return slices.Contains(builtinShortcodes, t.name) || hasCloser || t.selfClose || t.keyed ||
		strings.ContainsAny(t.name, "_-")
}

// shortcodes expands the shortcodes of s into HTML the rest of the
// converter understands (figures, marker elements), keeps the content of
// the unknown ones and records what it dropped.
func (c *converter) shortcodes(s string, depth int) string {
	if !strings.Contains(s, "[") {
		return s
	}
	cl := indexClosers(s)
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for i < len(s) {
		j := strings.IndexByte(s[i:], '[')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		b.WriteString(s[i:j])
		// [[name]] and [[name]…[/name]]: the shortcode's text, literally.
		if strings.HasPrefix(s[j:], "[[") {
			if t, ok := parseOpenTag(s, j+1); ok {
				end := t.end
				if k := cl.after(t.name, t.end); k >= 0 && !t.selfClose {
					end = k + len(t.name) + 3
				}
				if end < len(s) && s[end] == ']' && isShortcode(t, end != t.end) {
					b.WriteString(s[j+1 : end])
					i = end + 1
					continue
				}
			}
			b.WriteByte('[')
			i = j + 1
			continue
		}
		// A closing tag left over: dropped when it looks like a shortcode's.
		if strings.HasPrefix(s[j:], "[/") {
			if t, ok := parseOpenTag(s, j+1); ok && t.end == j+len(t.name)+3 && strings.ContainsAny(t.name, "_-") {
				c.unknownShortcode(t.name)
				i = t.end
				continue
			}
			b.WriteByte('[')
			i = j + 1
			continue
		}
		t, ok := parseOpenTag(s, j)
		if !ok {
			b.WriteByte('[')
			i = j + 1
			continue
		}
		closeAt := -1
		if !t.selfClose {
			closeAt = cl.after(t.name, t.end)
		}
		if !isShortcode(t, closeAt >= 0) {
			b.WriteByte('[')
			i = j + 1
			continue
		}
		inner := ""
		i = t.end
		if closeAt >= 0 {
			inner = s[t.end:closeAt]
			i = closeAt + len(t.name) + 3
		}
		b.WriteString(c.expand(t, inner, closeAt >= 0, depth))
	}
	return b.String()
}

// expand returns the HTML of one shortcode.
func (c *converter) expand(t scTag, inner string, enclosing bool, depth int) string {
	if !slices.Contains(builtinShortcodes, t.name) {
		c.unknownShortcode(t.name)
	}
	if enclosing && depth < maxShortcodeDepth {
		inner = c.shortcodes(inner, depth+1)
	}
	switch t.name {
	case "caption", "wp_caption":
		return c.caption(t, inner)
	case "embed":
		u := strings.TrimSpace(inner)
		if u == "" {
			u = t.attrs["src"]
		}
		if u == "" {
			c.drop("[embed] without a URL")
			return ""
		}
		return embedMarker(u)
	case "gallery":
		ids := t.attrs["ids"]
		if ids == "" {
			ids = t.attrs["include"]
		}
		var b strings.Builder
		for f := range strings.SplitSeq(ids, ",") {
			if id := parsePositive(strings.TrimSpace(f)); id > 0 {
				b.WriteString(`<img data-masthead-attachment="` + strconv.FormatInt(id, 10) + `">`)
			}
		}
		if b.Len() == 0 {
			c.drop("[gallery] without ids: it showed the post's attached images, which the body does not name")
			return ""
		}
		return "<div>" + b.String() + "</div>"
	case "video":
		for _, k := range []string{"src", "mp4", "m4v", "webm", "ogv", "flv"} {
			if u := t.attrs[k]; u != "" {
				if _, ok := blocks.EmbedFromURL(u); ok {
					return embedMarker(u)
				}
				c.drop("[video] of " + quoteShort(u) + ": a video file, which bodies cannot hold")
				return ""
			}
		}
		if u := strings.TrimSpace(inner); u != "" {
			if _, ok := blocks.EmbedFromURL(u); ok {
				return embedMarker(u)
			}
		}
		c.drop("[video] without a playable URL")
		return ""
	case "audio", "playlist":
		c.drop("[" + t.name + "]: audio and playlists have no block")
		return ""
	}
	return inner
}

// caption turns [caption id="attachment_N" …]<a><img …></a> Text[/caption]
// (or with caption="Text") into a figure with a figcaption. As WordPress
// does, the image is the first <img> (with the link around it), and the
// caption what follows it, unless the caption attribute gives one.
func (c *converter) caption(t scTag, inner string) string {
	img, rest, ok := splitCaptionImage(inner)
	if !ok {
		c.drop("[caption] without an image: its text is kept")
		return inner
	}
	text := strings.TrimSpace(rest)
	if v, ok := t.attrs["caption"]; ok {
		text = v
	}
	hint := ""
	if id := parsePositive(strings.TrimPrefix(t.attrs["id"], "attachment_")); id > 0 {
		hint = ` data-masthead-attachment="` + strconv.FormatInt(id, 10) + `"`
	}
	return "<figure" + hint + ">" + img + "<figcaption>" + text + "</figcaption></figure>"
}

// splitCaptionImage finds the first <img> of a caption's content, with the
// link around it if there is one, and returns it and what follows.
func splitCaptionImage(s string) (img, rest string, ok bool) {
	lower := strings.ToLower(s)
	at := -1
	for from := 0; ; {
		k := strings.Index(lower[from:], "<img")
		if k < 0 {
			return "", "", false
		}
		k += from
		if k+4 < len(s) && (s[k+4] == ' ' || s[k+4] == '\t' || s[k+4] == '\n' || s[k+4] == '/') {
			at = k
			break
		}
		from = k + 4
	}
	end := strings.IndexByte(s[at:], '>')
	if end < 0 {
		return "", "", false
	}
	end += at + 1
	start := at
	// A link opened just before the image, and closed just after it.
	before := strings.TrimRight(lower[:at], " \t\n\r")
	if strings.HasSuffix(before, ">") {
		if a := strings.LastIndex(before, "<a "); a >= 0 && !strings.Contains(before[a:], "</a") {
			after := strings.TrimLeft(lower[end:], " \t\n\r")
			if strings.HasPrefix(after, "</a>") {
				start = a
				end = len(s) - len(after) + len("</a>")
			}
		}
	}
	return s[start:end], s[end:], true
}

func parsePositive(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
