package blocks

import (
	"unicode/utf8"

	"masthead/internal/xmlchar"
)

// Clean returns bs with every string field cleaned of the characters XML
// 1.0 forbids (see package xmlchar): U+000B and U+000C become a line feed
// in text, cite, items and caption, a space elsewhere; other forbidden
// characters are dropped and the marks of a paragraph are moved so that
// they still cover the same characters. bs itself is never modified; when
// nothing needs cleaning, bs is returned as is.
func Clean(bs []Block) []Block {
	if clean(bs) {
		return bs
	}
	out := make([]Block, len(bs))
	for i := range bs {
		b := bs[i]
		b.Marks = cleanMarks(b.Text, b.Marks)
		b.Text = xmlchar.Text(b.Text)
		b.Cite = xmlchar.Text(b.Cite)
		b.Caption = xmlchar.Text(b.Caption)
		b.Type = xmlchar.Line(b.Type)
		b.PhotoID = xmlchar.Line(b.PhotoID)
		b.URL = xmlchar.Line(b.URL)
		b.Provider = xmlchar.Line(b.Provider)
		if len(b.Items) > 0 {
			items := make([]string, len(b.Items))
			for j, it := range b.Items {
				items[j] = xmlchar.Text(it)
			}
			b.Items = items
		}
		out[i] = b
	}
	return out
}

// clean reports whether every string of bs is already clean.
func clean(bs []Block) bool {
	for i := range bs {
		b := &bs[i]
		for _, s := range [...]string{b.Type, b.Text, b.Cite, b.Caption, b.PhotoID, b.URL, b.Provider} {
			if !xmlchar.Valid(s) {
				return false
			}
		}
		for _, it := range b.Items {
			if !xmlchar.Valid(it) {
				return false
			}
		}
		for _, m := range b.Marks {
			if !xmlchar.Valid(m.Type) || !xmlchar.Valid(m.Href) {
				return false
			}
		}
	}
	return true
}

// cleanMarks returns marks moved to the positions their runes take in
// xmlchar.Text(text): each dropped rune before an offset moves it back by
// one. A mark that covered nothing but dropped
// runes is dropped too. A fresh slice, or nil.
func cleanMarks(text string, marks []Mark) []Mark {
	if len(marks) == 0 {
		return marks
	}
	// shift[k] is how many runes before rune k are dropped.
	shift := make([]int, 0, utf8.RuneCountInString(text)+1)
	dropped := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		shift = append(shift, dropped)
		if _, ok := xmlchar.Map(r, '\n'); !ok {
			dropped++
		}
	}
	shift = append(shift, dropped)
	at := func(off int) int {
		if off < 0 || off >= len(shift) {
			return off // out of range: Validate reports it
		}
		return off - shift[off]
	}
	out := make([]Mark, 0, len(marks))
	for _, m := range marks {
		valid := 0 <= m.Start && m.Start < m.End && m.End < len(shift)
		m.Start, m.End = at(m.Start), at(m.End)
		if valid && m.Start == m.End {
			continue // it styled nothing but dropped characters
		}
		m.Type, m.Href = xmlchar.Line(m.Type), xmlchar.Line(m.Href)
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
