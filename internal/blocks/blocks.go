// Package blocks models an article body as an ordered list of typed blocks.
//
// The []Block slice, serialised as JSON, is both the wire and the storage
// format of an article body. The package renders blocks to escaped HTML and
// to plain text, counts their words and cuts them into the paywall preview
// shown to readers who are not entitled to the full article. Everything here
// is computed when an article is written and then stored, so the code favours
// correctness and predictability over raw speed.
//
// All text offsets (see Mark) are expressed in Unicode code points (runes),
// never in bytes, so that clients in any language can apply them.
package blocks

// Block types, the values of Block.Type.
const (
	// TypeParagraph is a paragraph of prose; it may carry inline Marks.
	TypeParagraph = "paragraph"
	// TypeHeading is a section heading of Level 2 to 4.
	TypeHeading = "heading"
	// TypeQuote is a pull quote, optionally attributed through Cite.
	TypeQuote = "quote"
	// TypeList is a bulleted (or, when Ordered, numbered) list of Items.
	TypeList = "list"
	// TypePhoto references a stored photo by PhotoID.
	TypePhoto = "photo"
	// TypeEmbed is third-party content (a video, a post…) referenced by URL.
	TypeEmbed = "embed"
)

// Mark types, the values of Mark.Type.
const (
	// MarkBold renders as <strong>.
	MarkBold = "bold"
	// MarkItalic renders as <em>.
	MarkItalic = "italic"
	// MarkLink renders as <a href="…" rel="noopener">.
	MarkLink = "link"
)

// Heading levels accepted by Validate. Level 1 is reserved for the article
// title, which is not part of the body.
const (
	// MinHeadingLevel is the smallest valid Block.Level of a heading.
	MinHeadingLevel = 2
	// MaxHeadingLevel is the largest valid Block.Level of a heading.
	MaxHeadingLevel = 4
)

// Mark is an inline style over a rune range of a paragraph's Text.
type Mark struct {
	// Type is one of MarkBold, MarkItalic or MarkLink.
	Type string `json:"type" enums:"bold,italic,link" validate:"required"`
	// Start is the offset of the first styled rune (inclusive), in Unicode
	// code points from the start of Text.
	Start int `json:"start" validate:"required"`
	// End is the offset just past the last styled rune (exclusive), in
	// Unicode code points.
	End int `json:"end" validate:"required"`
	// Href is the target of a link mark: an http, https or mailto URL. It
	// must be empty for other mark types.
	Href string `json:"href,omitempty"`
}

// Block is one element of an article body. Which fields are meaningful
// depends on Type; the others are left empty.
type Block struct {
	// Type is one of the Type* constants.
	Type string `json:"type" enums:"paragraph,heading,quote,list,photo,embed" validate:"required"`
	// Text is the prose of a paragraph, heading or quote.
	Text string `json:"text,omitempty"`
	// Marks are the inline styles of a paragraph, over rune ranges of Text.
	Marks []Mark `json:"marks,omitempty"`
	// Level is the level of a heading, 2 to 4.
	Level int `json:"level,omitempty"`
	// Cite names who is quoted in a quote block.
	Cite string `json:"cite,omitempty"`
	// Ordered makes a list numbered rather than bulleted.
	Ordered bool `json:"ordered,omitempty"`
	// Items are the entries of a list, as plain text.
	Items []string `json:"items,omitempty"`
	// PhotoID references the photo shown by a photo block.
	PhotoID string `json:"photo_id,omitempty"`
	// Caption overrides the stored caption of the photo when non-empty.
	Caption string `json:"caption,omitempty"`
	// URL is the http(s) address of the embedded content.
	URL string `json:"url,omitempty"`
	// Provider names the embed's source, e.g. "youtube".
	Provider string `json:"provider,omitempty"`
}
