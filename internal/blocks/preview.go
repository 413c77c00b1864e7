package blocks

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultBudget is the number of words a paywall preview shows when no
// other budget is given.
const DefaultBudget = 120

// ellipsis is appended to text cut in the middle of a sentence.
const ellipsis = "…"

// Preview is the part of a body shown to a reader who is not entitled to the
// whole article.
type Preview struct {
	// Blocks is what a non-entitled reader gets. It is a fresh slice: the
	// leading blocks are shallow copies of the original ones (their Marks
	// and Items share memory with the original, so treat them as
	// read-only); a block that was cut is a new block with its own Marks or
	// Items.
	Blocks []Block
	// WordsShown is Words(Blocks), the ellipsis not counted.
	WordsShown int
	// Truncated is false when Blocks is the whole body.
	Truncated bool
	// WholeBlocks is how many leading blocks of the original body appear in
	// Blocks unmodified; the paywalled part starts at this index, so the
	// full article renders as HTML(body, WholeBlocks) when Truncated.
	WholeBlocks int
}

// HTML renders the preview blocks, without any paywall wrapper.
func (p Preview) HTML() string { return HTML(p.Blocks, -1) }

// Text returns the plain text of the preview blocks.
func (p Preview) Text() string { return Text(p.Blocks) }

// MakePreview computes the paywall preview of bs.
//
// When breakAt is not nil, the editor chose the break: the preview is
// bs[:*breakAt] (clamped to the body), whatever its length.
//
// Otherwise the preview shows at most budget words (DefaultBudget when
// budget ≤ 0): whole blocks are taken from the top while the running word
// count stays within budget, wordless blocks such as photos included. If the
// first block with words is already over budget (a long lede), it is cut:
// at the last sentence end within budget, or, when there is none or it would
// leave fewer than budget/3 words, at the last word boundary within budget
// followed by "…" (see cutText). Only paragraphs, headings and quotes (text
// only, the cite is dropped) and lists (whole items first, else the first
// item) are cut; marks are clipped to the kept text. Any later block that does
// not fit ends the preview before it, and before any headings just above it.
//
// MakePreview never modifies bs or its blocks.
func MakePreview(bs []Block, breakAt *int, budget int) Preview {
	if breakAt != nil {
		return previewTo(bs, *breakAt)
	}
	if budget <= 0 {
		budget = DefaultBudget
	}
	return autoPreview(bs, budget)
}

// MakePaywallPreview computes the preview of a non-public article: the
// article is never shown whole, however short it is.
//
// An editor's break (breakAt not nil) that leaves words out is taken as
// MakePreview takes it; a break at or after the last block, or one that
// leaves out only wordless blocks (a closing photo), is ignored (the
// article's validation refuses both when it is saved; an older row may
// still hold one). Otherwise the automatic preview of MakePreview is
// computed with a budget of at most half of the body's words (rounded down),
// so the cut still falls at a sentence end or at a word with "…". A body
// without any word has an empty preview. Truncated is true whenever bs is
// not empty.
func MakePaywallPreview(bs []Block, breakAt *int, budget int) Preview {
	if breakAt != nil && *breakAt < len(bs) && Words(bs[max(*breakAt, 0):]) > 0 {
		return previewTo(bs, *breakAt)
	}
	if budget <= 0 {
		budget = DefaultBudget
	}
	p := autoPreview(bs, min(budget, Words(bs)/2))
	if !p.Truncated && len(bs) > 0 {
		// Only a body without words fits in half its words: show none of it.
		return Preview{Blocks: bs[:0:0], Truncated: true}
	}
	return p
}

// previewTo is the preview ending before block k (clamped to the body).
func previewTo(bs []Block, k int) Preview {
	k = min(max(k, 0), len(bs))
	p := Preview{Blocks: slices.Clone(bs[:k]), Truncated: k < len(bs), WholeBlocks: k}
	p.WordsShown = Words(p.Blocks)
	return p
}

// autoPreview is the preview of at most budget words, budget ≥ 0 (0 keeps
// only the wordless blocks at the top).
func autoPreview(bs []Block, budget int) Preview {
	total := 0
	for i := range bs {
		w := blockWords(&bs[i])
		if total+w <= budget {
			total += w
			continue
		}
		p := Preview{Truncated: true, WholeBlocks: i}
		if total == 0 {
			// bs[i] is the first block with words and it alone is over
			// budget: show the beginning of it rather than nothing.
			if cut, ok := cutBlock(&bs[i], budget); ok {
				p.Blocks = make([]Block, i, i+1)
				copy(p.Blocks, bs[:i])
				p.Blocks = append(p.Blocks, cut)
				p.WordsShown = Words(p.Blocks)
				return p
			}
		}
		// A heading that would end the preview announces a section the
		// reader cannot see: stop before it, unless nothing would be left.
		k := i
		for k > 1 && bs[k-1].Type == TypeHeading {
			k--
		}
		p.Blocks = slices.Clone(bs[:k])
		p.WholeBlocks = k
		p.WordsShown = Words(p.Blocks)
		return p
	}
	return Preview{Blocks: slices.Clone(bs), WordsShown: total, WholeBlocks: len(bs)}
}

// cutBlock returns a shortened copy of b holding at most budget words, or
// false when b cannot be cut (or nothing of it would remain).
func cutBlock(b *Block, budget int) (Block, bool) {
	switch b.Type {
	case TypeParagraph, TypeHeading, TypeQuote:
		text, runes, ok := cutText(b.Text, budget)
		if !ok {
			return Block{}, false
		}
		c := *b
		c.Text = text
		// A cut quote loses its attribution: the cite belongs to the
		// whole quote, and its words would not fit anyway.
		c.Cite = ""
		c.Marks = clipMarks(b.Marks, runes)
		return c, true
	case TypeList:
		prefix := 0 // words of each item's "N." prefix
		if b.Ordered {
			prefix = 1
		}
		total, k := 0, 0
		for _, it := range b.Items {
			w := prefix + CountWords(it)
			if total+w > budget {
				break
			}
			total += w
			k++
		}
		c := *b
		if k > 0 {
			c.Items = slices.Clone(b.Items[:k])
			return c, true
		}
		// Not even the first item fits: cut it like a paragraph.
		text, _, ok := cutText(b.Items[0], budget-prefix)
		if !ok {
			return Block{}, false
		}
		c.Items = []string{text}
		return c, true
	}
	return Block{}, false
}

// clipMarks returns the marks clipped to the first n runes of the text,
// dropping those that become empty. It returns nil when none remain and
// never shares memory with marks.
func clipMarks(marks []Mark, n int) []Mark {
	var out []Mark
	for _, m := range marks {
		m.End = min(m.End, n)
		if m.Start < 0 || m.Start >= m.End {
			continue
		}
		out = append(out, m)
	}
	return out
}

// closers may follow sentence-ending punctuation before the whitespace that
// ends a sentence: closing guillemet, quotes and parenthesis.
const closers = `»"”’)`

// trimmedAtWordCut are stripped from the end of text cut at a word boundary,
// along with whitespace, before the ellipsis is added: punctuation that
// announces more text and would look broken next to "…".
const trimmedAtWordCut = ",;:–—-(«“"

func isTerminal(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' }

// isNarrowSpace reports the no-break spaces that French typography puts
// inside guillemets and before ! ? ; :.
func isNarrowSpace(r rune) bool { return r == '\u00a0' || r == '\u202f' || r == '\u2009' }

// sentenceEnd reports whether the terminal punctuation ending at byte i of s
// ends a sentence, and if so returns the byte offset just after it and any
// closers. A sentence ends when the punctuation, optionally followed by
// closers (in French possibly "\u00a0»"), is followed by whitespace. Text
// running to the end of s does not count: cutText only looks for ends
// strictly inside the text.
func sentenceEnd(s string, i int) (int, bool) {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case strings.ContainsRune(closers, r):
			i += size
			continue
		case isNarrowSpace(r):
			// « … fin. » : a no-break space then a closing guillemet
			// still belongs to the sentence.
			if next, _ := utf8.DecodeRuneInString(s[i+size:]); next == '»' {
				i += size + len("»")
				continue
			}
			return i, true
		case unicode.IsSpace(r):
			return i, true
		}
		return 0, false
	}
	return 0, false
}

// cutText shortens s to at most budget words (budget ≥ 1); s is returned
// whole when it fits. It returns the new text, the rune length of the kept
// part of s (the ellipsis excluded), and false when no word at all can be
// kept.
//
// The preferred cut is after the last sentence end within budget: the
// punctuation (and closers) are kept and the following whitespace dropped.
// When there is no such sentence end, or it would keep fewer than budget/3
// words (a preview of one short sentence looks broken), the text is cut at
// the last word boundary within budget instead, trailing whitespace and
// trimmedAtWordCut punctuation are removed and "…" is appended. Cuts only
// ever happen at whitespace, so never inside a word or a UTF-8 sequence.
//
// A "." right after a lone capital letter ("M. Dupont", "J. K. Rowling") is
// taken as an abbreviation, not a sentence end.
func cutText(s string, budget int) (string, int, bool) {
	if budget < 1 {
		return "", 0, false
	}
	if CountWords(s) <= budget {
		// Only a quote gets here: its text fits, its cite did not.
		return s, utf8.RuneCountInString(s), true
	}
	words := 0                 // completed words before the current token
	inTok := false             // inside a run of non-space runes
	alnum := false             // the current token holds a letter or digit
	tokRunes := 0              // runes in the current token so far
	var tokFirst rune          // first rune of the current token
	sentAt, sentWords := -1, 0 // best sentence end so far
	wordAt := -1               // best word boundary: a whitespace byte offset

	for i, r := range s {
		if unicode.IsSpace(r) {
			if inTok {
				if alnum {
					words++
				}
				if words > budget {
					break
				}
				inTok = false
				wordAt = i
			}
			continue
		}
		if !inTok {
			inTok, alnum, tokRunes, tokFirst = true, false, 0, r
		}
		if isAlnum(r) {
			alnum = true
		}
		tokRunes++
		if isTerminal(r) && !(r == '.' && tokRunes == 2 && unicode.IsUpper(tokFirst)) {
			if end, ok := sentenceEnd(s, i+utf8.RuneLen(r)); ok {
				w := words
				if alnum {
					w++
				}
				if w <= budget {
					sentAt, sentWords = end, w
				}
			}
		}
	}

	if sentAt >= 0 && sentWords >= 1 && 3*sentWords >= budget {
		return s[:sentAt], utf8.RuneCountInString(s[:sentAt]), true
	}
	if wordAt < 0 {
		return "", 0, false
	}
	kept := strings.TrimRightFunc(s[:wordAt], func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(trimmedAtWordCut, r)
	})
	if CountWords(kept) == 0 {
		return "", 0, false
	}
	return kept + ellipsis, utf8.RuneCountInString(kept), true
}
