// Package search is Masthead's text analysis for full-text search: how an
// article's text becomes index terms, how a reader's query becomes an
// engine query, and how a snippet marks what matched.
//
// Analysis happens here, in Go, for both databases, so that SQLite (FTS5,
// which stems only English) and PostgreSQL find exactly the same articles:
// each word is lower-cased, stemmed by the Snowball stemmer of the
// article's language (French, English, German, Russian; none for the
// others), then folded (accents removed, ß as ss, œ as oe, ё as е). Every
// word is indexed twice: as its folded stem, for words and phrases, and as
// its folded surface form, for prefixes (so that "électio" finds
// "élections", whose stem is "elect") and exact words typed without their
// language's stemming. Very common words (a short list per language) are
// not indexed.
//
// The engines see only what this package produces: FTS5 columns of
// space-separated terms (tokenizer ascii: it splits on spaces only), and
// PostgreSQL tsvector and tsquery literals (no text search configuration:
// the terms are already analysed).
package search

// Version names the analysis. The index records the version it was built
// with; when it differs from this one, the index is rebuilt (masthead
// search reindex, run by migrate and serve). Change it with any change to
// what Analyze produces.
const Version = 1

// Field is a part of an article that is indexed on its own.
type Field int

// Fields, in the order of the index's columns.
const (
	Title Field = iota
	Standfirst
	Preview // the part of the body everyone may read
	Body    // the whole body
)

// Column is the FTS5 column of f's stems; its folded words are in Column
// + "_w".
func (f Field) Column() string {
	return [...]string{"title", "standfirst", "preview", "body"}[f]
}

// MaxPositions bounds the terms indexed per document (PostgreSQL keeps
// positions up to 16383): the rest of a longer text is not indexed, on
// either database.
const MaxPositions = 16383

// Doc is the text of one article, as stored (plain text).
type Doc struct {
	Lang       string
	Title      string
	Standfirst string
	Preview    string
	Body       string
}

// Analyzed is a Doc as the index stores it.
type Analyzed struct {
	// Stems[f] holds the folded stems of field f, space-separated, in
	// text order, common words left out.
	Stems [4]string
	// Words[f] holds the folded words of field f, the same words in the
	// same order as Stems[f].
	Words [4]string
	// tokens keeps what TSVector needs.
	tokens [4][]token
}

type token struct {
	stem, word string
}

// Query is a reader's query, parsed and analysed.
type Query struct {
	terms []term
}

// term is one thing a document must (or, negated, must not) contain.
type term struct {
	negated bool
	prefix  bool       // the last surface word is a prefix
	stems   [][]string // one token sequence per distinct stemming (a word is a one-token phrase); none for word*, only a prefix
	surface []string   // the folded words
}

// MaxQueryLength bounds q, in characters.
const MaxQueryLength = 200

// MaxTerms bounds the terms of a query.
const MaxTerms = 12
