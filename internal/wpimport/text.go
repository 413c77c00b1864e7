package wpimport

import (
	"html"
	"strings"
)

// htmlText decodes the entities of sanitized text and collapses runs of
// blank lines.
func htmlText(s string) string {
	s = html.UnescapeString(s)
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
