package wordpress

import (
	"regexp"
	"strconv"
	"strings"
)

// The classic editor stores text without <p>: WordPress adds paragraphs
// when it shows a post (wpautop). What matters for the converter, done
// here the same way:
//
//   - a blank line ends a paragraph, and so do two <br> in a row;
//   - a single newline is a line break (<br>);
//   - block-level elements (div, lists, blockquote, headings, tables,
//     figures…) stand on their own and are never wrapped in <p>; text
//     inside a blockquote or a div is;
//   - <pre>, <script>, <style>, <textarea> and comments are left exactly
//     as they are, and newlines inside a tag do not count.

// autopBlocks are the elements autop treats as block-level.
var autopBlocks = map[string]bool{
	"table": true, "thead": true, "tfoot": true, "caption": true, "col": true, "colgroup": true,
	"tbody": true, "tr": true, "td": true, "th": true, "div": true, "dl": true, "dd": true,
	"dt": true, "ul": true, "ol": true, "li": true, "pre": true, "form": true, "map": true,
	"area": true, "blockquote": true, "address": true, "math": true, "style": true, "p": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true,
	"fieldset": true, "legend": true, "section": true, "article": true, "aside": true,
	"hgroup": true, "header": true, "footer": true, "nav": true, "figure": true,
	"figcaption": true, "details": true, "menu": true, "summary": true,
}

// autopNoP are the block elements whose text is not put in a <p> of its
// own: it is their text already.
var autopNoP = map[string]bool{
	"li": true, "dt": true, "dd": true, "td": true, "th": true, "caption": true,
	"figcaption": true, "summary": true, "legend": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "p": true,
}

// autopVerbatim are the elements whose content autop never touches.
var autopVerbatim = map[string]bool{"pre": true, "script": true, "style": true, "textarea": true}

var (
	brRun      = regexp.MustCompile(`(?i)<br\s*/?>(?:\s*<br\s*/?>)+`)
	blankLines = regexp.MustCompile(`\n[ \t]*\n\s*`)
	brBefore   = regexp.MustCompile(`(?i)<br\s*/?>\s*$`)
)

// autop returns classic-editor text as HTML with paragraphs.
func autop(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")

	// Verbatim parts are set aside behind placeholders ("\x00B3\x00" for a
	// block-level one, "\x00I3\x00" inline): the text comes through
	// xmlchar, so it holds no NUL of its own.
	var kept []string
	keep := func(part string, block bool) string {
		kind := "I"
		if block {
			kind = "B"
		}
		kept = append(kept, part)
		return "\x00" + kind + strconv.Itoa(len(kept)-1) + "\x00"
	}

	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				end = len(s) - i - 4
			} else {
				end += 3
			}
			b.WriteString(keep(s[i:i+4+end], false))
			i += 4 + end
			continue
		}
		name, closing, tagEnd, ok := scanTag(s, i)
		if !ok {
			b.WriteByte('<')
			i++
			continue
		}
		tag := strings.ReplaceAll(s[i:tagEnd], "\n", " ")
		if !closing && autopVerbatim[name] {
			end := len(s) // an element never closed runs to the end
			if k := indexFold(s[tagEnd:], "</"+name); k >= 0 {
				if gt := strings.IndexByte(s[tagEnd+k:], '>'); gt >= 0 {
					end = tagEnd + k + gt + 1
				}
			}
			block := autopBlocks[name]
			ph := keep(s[i:end], block)
			if block {
				ph = "\n\n" + ph + "\n\n"
			}
			b.WriteString(ph)
			i = end
			continue
		}
		switch {
		case !autopBlocks[name]:
			b.WriteString(tag)
		case closing:
			b.WriteString(tag + "\n\n")
		case name == "hr":
			b.WriteString("\n\n" + tag + "\n\n")
		default:
			b.WriteString("\n\n" + tag)
		}
		i = tagEnd
	}

	text := brRun.ReplaceAllString(b.String(), "\n\n")
	var out strings.Builder
	out.Grow(len(text) + len(text)/4)
	for _, chunk := range blankLines.Split(text, -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		if len(chunk) > 2 && chunk[0] == 0 && chunk[1] == 'B' && strings.IndexByte(chunk[1:], 0) == len(chunk)-2 {
			out.WriteString(chunk + "\n")
			continue
		}
		lead, mid, trail, last := splitBlockTags(chunk)
		out.WriteString(lead)
		if mid != "" {
			if autopNoP[last] {
				out.WriteString(lineBreaks(mid))
			} else {
				out.WriteString("<p>" + lineBreaks(mid) + "</p>")
			}
		}
		out.WriteString(trail + "\n")
	}
	res := out.String()
	if len(kept) == 0 {
		return res
	}
	// Put the verbatim parts back.
	var r strings.Builder
	r.Grow(len(res))
	for {
		k := strings.IndexByte(res, 0)
		if k < 0 {
			r.WriteString(res)
			break
		}
		end := strings.IndexByte(res[k+1:], 0)
		if end < 0 {
			r.WriteString(res)
			break
		}
		r.WriteString(res[:k])
		if n, err := strconv.Atoi(res[k+2 : k+1+end]); err == nil && n < len(kept) {
			r.WriteString(kept[n])
		}
		res = res[k+2+end:]
	}
	return r.String()
}

// lineBreaks turns the single newlines of a paragraph into <br>, except
// after a <br> already there.
func lineBreaks(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			if brBefore.MatchString(lines[i-1]) {
				b.WriteString("\n")
			} else {
				b.WriteString("<br>\n")
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

// splitBlockTags splits a chunk into its leading block-level tags, the
// inline content, and its trailing closing block-level tags. last is the
// name of the last leading opening tag ("" when none).
func splitBlockTags(chunk string) (lead, mid, trail, last string) {
	rest := chunk
	for {
		t := strings.TrimLeft(rest, " \t\n")
		if !strings.HasPrefix(t, "<") {
			break
		}
		name, closing, end, ok := scanTag(t, 0)
		if !ok || !autopBlocks[name] {
			break
		}
		lead += t[:end]
		if closing {
			last = ""
		} else {
			last = name
		}
		rest = t[end:]
	}
	for {
		t := strings.TrimRight(rest, " \t\n")
		if !strings.HasSuffix(t, ">") {
			break
		}
		open := strings.LastIndex(t, "</")
		if open < 0 {
			break
		}
		name, closing, end, ok := scanTag(t, open)
		if !ok || !closing || end != len(t) || !autopBlocks[name] {
			break
		}
		trail = t[open:] + trail
		rest = t[:open]
	}
	return lead, strings.TrimSpace(rest), trail, last
}

// scanTag reads an HTML tag at s[i] == '<': its lowercased name, whether it
// closes, and the index after its '>'. Quoted attribute values may hold a
// '>', not a '<'.
func scanTag(s string, i int) (name string, closing bool, end int, ok bool) {
	j := i + 1
	if j < len(s) && s[j] == '/' {
		closing = true
		j++
	}
	k := j
	for k < len(s) && (isASCIILetter(s[k]) || k > j && (s[k] >= '0' && s[k] <= '9' || s[k] == '-')) {
		k++
	}
	if k == j {
		return "", false, 0, false
	}
	name = strings.ToLower(s[j:k])
	var quote byte
	for ; k < len(s); k++ {
		c := s[k]
		switch {
		case c == '<':
			// Not a tag (or one too broken to matter): stopping at the
			// next '<' keeps a run of broken tags linear.
			return "", false, 0, false
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return name, closing, k + 1, true
		}
	}
	return "", false, 0, false
}

// indexFold is strings.Index, ignoring ASCII case.
func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}
