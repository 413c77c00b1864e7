package wordpress

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"masthead/internal/xmlchar"
)

// Limits bound what one export may make the reader hold in memory. The
// zero value of each field means its default.
type Limits struct {
	// MaxField is the largest single value, in bytes: a text node, a CDATA
	// section, a start tag with its attributes, a comment, and the text of
	// one field gathered over several sections. Default 16 MiB.
	MaxField int64
	// MaxItem is the largest <item> (with its comments and meta), and the
	// largest channel header, in bytes of the file. Default 256 MiB.
	MaxItem int64
	// MaxDepth is the deepest element nesting. WXR needs 5 levels; default
	// 64.
	MaxDepth int
}

// Default limits.
const (
	DefaultMaxField = 16 << 20
	DefaultMaxItem  = 256 << 20
	DefaultMaxDepth = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxField <= 0 {
		l.MaxField = DefaultMaxField
	}
	if l.MaxItem <= 0 {
		l.MaxItem = DefaultMaxItem
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Errors a Reader returns, wrapped in a *FormatError.
var (
	// ErrNotWXR: the file is not a WordPress export (no <rss><channel>, no
	// <wp:wxr_version>, or empty).
	ErrNotWXR = errors.New("not a WordPress export (WXR)")
	// ErrTooLarge: a value, an item or the nesting went past the Limits.
	ErrTooLarge = errors.New("over the reader's limits")
	// ErrDirective: the file has a <!DOCTYPE …> or another directive,
	// which WordPress never writes and which is where entity-expansion
	// attacks hide. encoding/xml would not expand the entities anyway (an
	// undefined entity is a syntax error); refusing the directive makes
	// the refusal explicit and early.
	ErrDirective = errors.New("DOCTYPE and other directives are not allowed")
)

// FormatError is a fatal error in an export file, with where it was found.
type FormatError struct {
	Line, Column int   // where reading stood, 1-based (the column in bytes)
	Offset       int64 // bytes of the file read
	Err          error
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("wordpress export: line %d, column %d (byte %d): %v", e.Line, e.Column, e.Offset, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Reader streams a WXR file: Site returns its header, then each Next call
// returns one item. It holds one item at a time (see Limits): a
// multi-gigabyte export is read in bounded memory.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	lim Limits
	in  *input
	dec *xml.Decoder

	err      error // sticky fatal error (a *FormatError)
	eof      bool  // </channel> was read
	siteRead bool
	site     Site
	pending  bool // the first <item> was met while reading the header
	itemLine int

	depth int
	start int64  // file offset where the current item (or the header) started
	text  []byte // scratch for the value being read
}

// NewReader returns a Reader of the WXR file r. r is read as needed, never
// more than a buffer ahead.
func NewReader(r io.Reader, lim Limits) *Reader {
	rd := &Reader{lim: lim.withDefaults()}
	src, converted, err := decodeCharset(r)
	if err != nil {
		rd.err = &FormatError{Line: 1, Column: 1, Err: fmt.Errorf("%w: %w", ErrNotWXR, err)}
		return rd
	}
	rd.in = newInput(src, rd.lim.MaxField)
	rd.dec = xml.NewDecoder(rd.in)
	rd.dec.Strict = true
	// Named HTML entities (&nbsp;) outside CDATA are read as their
	// characters. This is a fixed table: nothing in the file can add to it.
	rd.dec.Entity = xml.HTMLEntity
	if converted {
		// decodeCharset already converts to UTF-8.
		rd.dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	}
	return rd
}

// Site reads and returns the channel header. It is read once; later calls
// return the same Site.
func (r *Reader) Site() (Site, error) {
	if r.siteRead || r.err != nil {
		return r.site, r.err
	}
	r.siteRead = true
	if err := r.readHeader(); err != nil {
		return r.site, r.fail(err)
	}
	return r.site, nil
}

// Next returns the next item, or io.EOF after the last one. It reads the
// header first if Site was not called. Any other error is fatal: every
// later call returns it again.
func (r *Reader) Next() (Item, error) {
	if _, err := r.Site(); err != nil {
		return Item{}, err
	}
	if r.pending {
		r.pending = false
		return r.item()
	}
	for !r.eof {
		tok, err := r.token()
		if err != nil {
			return Item{}, r.fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if isItem(t, r.depth) {
				r.itemLine, _ = r.in.position()
				r.start = r.in.raw
				return r.item()
			}
			if err := r.skip(); err != nil {
				return Item{}, r.fail(err)
			}
		case xml.EndElement:
			r.eof = true // </channel>: what follows is no concern of ours
		}
	}
	return Item{}, io.EOF
}

func (r *Reader) item() (Item, error) {
	it, err := r.readItem()
	if err != nil {
		return Item{}, r.fail(err)
	}
	r.start = r.in.raw
	return it, nil
}

// fail records err as the reader's fatal error, with the position.
func (r *Reader) fail(err error) error {
	if r.err != nil {
		return r.err
	}
	if errors.Is(err, errTokenTooLarge) {
		err = fmt.Errorf("%w: a single text, tag or comment is longer than %d bytes", ErrTooLarge, r.lim.MaxField)
	}
	line, col := r.in.position()
	if se, ok := err.(*xml.SyntaxError); ok { //nolint:errorlint // the decoder's own error, never wrapped
		// The decoder does not see the lifted CDATA sections: its line
		// count is short of them.
		err = &xml.SyntaxError{Msg: se.Msg, Line: line}
	}
	r.err = &FormatError{Line: line, Column: col, Offset: r.in.raw, Err: err}
	return r.err
}

// token returns the decoder's next token, enforcing the limits.
func (r *Reader) token() (xml.Token, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, err
	}
	r.in.mark = r.dec.InputOffset()
	if _, ok := tok.(xml.CharData); ok {
		if p, ok := r.in.takePayload(r.in.mark); ok {
			tok = xml.CharData(p) // a lifted CDATA section (see input)
		}
	}
	if r.in.raw-r.start > r.lim.MaxItem {
		return nil, fmt.Errorf("%w: an item or the header is longer than %d bytes", ErrTooLarge, r.lim.MaxItem)
	}
	switch tok.(type) {
	case xml.StartElement:
		r.depth++
		if r.depth > r.lim.MaxDepth {
			return nil, fmt.Errorf("%w: elements nested more than %d deep", ErrTooLarge, r.lim.MaxDepth)
		}
	case xml.EndElement:
		r.depth--
	case xml.Directive:
		return nil, ErrDirective
	}
	return tok, nil
}

// skip reads up to the end of the element whose start was just read.
func (r *Reader) skip() error {
	depth := r.depth
	for r.depth >= depth {
		if _, err := r.token(); err != nil {
			return err
		}
	}
	return nil
}

// value reads the text of the element whose start was just read, up to its
// end (the text of nested elements included).
func (r *Reader) value() (string, error) {
	r.text = r.text[:0]
	depth := r.depth
	for r.depth >= depth {
		tok, err := r.token()
		if err != nil {
			return "", err
		}
		if cd, ok := tok.(xml.CharData); ok {
			if int64(len(r.text)+len(cd)) > r.lim.MaxField {
				return "", fmt.Errorf("%w: a value is longer than %d bytes", ErrTooLarge, r.lim.MaxField)
			}
			r.text = append(r.text, cd...)
		}
	}
	return string(r.text), nil
}

// line reads a one-line value: trimmed, cleaned for XML.
func (r *Reader) line() (string, error) {
	s, err := r.value()
	return xmlchar.Line(strings.TrimSpace(s)), err
}

// multiline reads a multi-line value as it is, cleaned for XML.
func (r *Reader) multiline() (string, error) {
	s, err := r.value()
	return xmlchar.Text(s), err
}

// namespace classes of the elements WXR uses.
type namespace int

const (
	nsNone namespace = iota
	nsWP
	nsExcerpt
	nsContent
	nsDC
	nsOther
)

// nsOf classifies a resolved namespace. WXR 1.0, 1.1 and 1.2 differ in the
// version inside the URL only. A prefix that was never declared stays as
// the prefix itself, accepted too.
func nsOf(space string) namespace {
	switch space {
	case "":
		return nsNone
	case "http://purl.org/rss/1.0/modules/content/", "content":
		return nsContent
	case "http://purl.org/dc/elements/1.1/", "dc":
		return nsDC
	case "wp":
		return nsWP
	case "excerpt":
		return nsExcerpt
	}
	if strings.HasPrefix(space, "http://wordpress.org/export/") {
		if strings.HasSuffix(space, "/excerpt/") {
			return nsExcerpt
		}
		return nsWP
	}
	return nsOther
}

func isItem(t xml.StartElement, depth int) bool {
	return depth == 3 && t.Name.Local == "item" && t.Name.Space == ""
}

func (r *Reader) readHeader() error {
	// The root: <rss>.
	for r.depth == 0 {
		tok, err := r.token()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: empty file", ErrNotWXR)
		}
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local != "rss" {
			return fmt.Errorf("%w: the root element is <%s>, not <rss>", ErrNotWXR, t.Name.Local)
		}
	}
	// <channel>.
	for r.depth == 1 {
		tok, err := r.token()
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local != "channel" {
			if err := r.skip(); err != nil {
				return err
			}
		}
	}
	if r.depth == 0 {
		return fmt.Errorf("%w: no <channel>", ErrNotWXR)
	}
	// The channel's children, up to the first item.
	s := &r.site
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); ok {
			r.eof = true
			break
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if isItem(t, r.depth) {
			r.itemLine, _ = r.in.position()
			r.start = r.in.raw
			r.pending = true
			break
		}
		var field *string
		switch nsOf(t.Name.Space) {
		case nsNone:
			switch t.Name.Local {
			case "title":
				field = &s.Title
			case "link":
				field = &s.Link
			case "description":
				field = &s.Description
			case "language":
				field = &s.Language
			case "generator":
				field = &s.Generator
			}
		case nsWP:
			switch t.Name.Local {
			case "wxr_version":
				field = &s.WXRVersion
			case "base_site_url":
				field = &s.BaseSiteURL
			case "base_blog_url":
				field = &s.BaseBlogURL
			case "author":
				a, err := r.readAuthor()
				if err != nil {
					return err
				}
				s.Authors = append(s.Authors, a)
				continue
			case "category", "tag", "term":
				tm, err := r.readTerm(t.Name.Local)
				if err != nil {
					return err
				}
				switch t.Name.Local {
				case "category":
					s.Categories = append(s.Categories, tm)
				case "tag":
					s.Tags = append(s.Tags, tm)
				default:
					s.Terms = append(s.Terms, tm)
				}
				continue
			}
		}
		if field == nil {
			if err := r.skip(); err != nil {
				return err
			}
			continue
		}
		if *field, err = r.line(); err != nil {
			return err
		}
	}
	if s.WXRVersion == "" {
		return fmt.Errorf("%w: no <wp:wxr_version> in the channel header", ErrNotWXR)
	}
	return nil
}

// children calls f with each child element of the element whose start was
// just read, up to its end. f must read the child to its end.
func (r *Reader) children(f func(t xml.StartElement) error) error {
	depth := r.depth
	for r.depth >= depth {
		tok, err := r.token()
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok {
			if err := f(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// wp returns the local name of a wp: element, or "".
func wp(t xml.StartElement) string {
	if nsOf(t.Name.Space) == nsWP {
		return t.Name.Local
	}
	return ""
}

func (r *Reader) readAuthor() (Author, error) {
	var a Author
	var id string
	err := r.children(func(t xml.StartElement) error {
		var field *string
		switch wp(t) {
		case "author_id":
			field = &id
		case "author_login":
			field = &a.Login
		case "author_email":
			field = &a.Email
		case "author_display_name":
			field = &a.DisplayName
		case "author_first_name":
			field = &a.FirstName
		case "author_last_name":
			field = &a.LastName
		default:
			return r.skip()
		}
		var err error
		*field, err = r.line()
		return err
	})
	a.ID, _ = strconv.ParseInt(id, 10, 64)
	return a, err
}

// readTerm reads a <wp:category>, <wp:tag> or <wp:term>.
func (r *Reader) readTerm(kind string) (Term, error) {
	tm := Term{Taxonomy: map[string]string{"category": "category", "tag": "post_tag"}[kind]}
	var id string
	err := r.children(func(t xml.StartElement) error {
		var field *string
		multi := false
		switch wp(t) {
		case "term_id":
			field = &id
		case "term_taxonomy":
			field = &tm.Taxonomy
		case "category_nicename", "tag_slug", "term_slug":
			field = &tm.Slug
		case "category_parent", "term_parent":
			field = &tm.Parent
		case "cat_name", "tag_name", "term_name":
			field = &tm.Name
		case "category_description", "tag_description", "term_description":
			field, multi = &tm.Description, true
		case "termmeta":
			e, err := r.readMeta()
			tm.Meta = append(tm.Meta, e)
			return err
		default:
			return r.skip()
		}
		return r.into(field, multi)
	})
	tm.ID, _ = strconv.ParseInt(id, 10, 64)
	tm.Slug, tm.Parent = DecodeSlug(tm.Slug), DecodeSlug(tm.Parent)
	return tm, err
}

// readMeta reads a <wp:postmeta>, <wp:termmeta> or <wp:commentmeta>.
func (r *Reader) readMeta() (MetaEntry, error) {
	var e MetaEntry
	err := r.children(func(t xml.StartElement) error {
		var err error
		switch wp(t) {
		case "meta_key":
			e.Key, err = r.line()
		case "meta_value":
			e.Value, err = r.multiline()
		default:
			err = r.skip()
		}
		return err
	})
	return e, err
}

// itemFields are the raw values of an item that need interpreting once the
// whole item is read.
type itemFields struct {
	id, date, dateGMT, modified, modifiedGMT, parent, menuOrder, sticky string
}

func (r *Reader) readItem() (Item, error) {
	it := Item{Line: r.itemLine}
	var f itemFields
	err := r.children(func(t xml.StartElement) error {
		var field *string
		multi := false
		switch nsOf(t.Name.Space) {
		case nsNone:
			switch t.Name.Local {
			case "title":
				field = &it.Title
			case "link":
				field = &it.Link
			case "guid":
				field = &it.GUID
			case "category":
				ref := TermRef{}
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "domain":
						ref.Domain = xmlchar.Line(strings.TrimSpace(a.Value))
					case "nicename":
						ref.Slug = DecodeSlug(xmlchar.Line(strings.TrimSpace(a.Value)))
					}
				}
				var err error
				ref.Name, err = r.line()
				if ref.Domain == "" {
					ref.Domain = "category" // RSS's own <category>, as WXR 1.0 wrote tags and categories
				}
				it.Terms = append(it.Terms, ref)
				return err
			}
		case nsDC:
			if t.Name.Local == "creator" {
				field = &it.Creator
			}
		case nsContent:
			if t.Name.Local == "encoded" {
				field, multi = &it.Content, true
			}
		case nsExcerpt:
			if t.Name.Local == "encoded" {
				field, multi = &it.Excerpt, true
			}
		case nsWP:
			switch t.Name.Local {
			case "post_id":
				field = &f.id
			case "post_date":
				field = &f.date
			case "post_date_gmt":
				field = &f.dateGMT
			case "post_modified":
				field = &f.modified
			case "post_modified_gmt":
				field = &f.modifiedGMT
			case "comment_status":
				field = &it.CommentStatus
			case "ping_status":
				field = &it.PingStatus
			case "post_name":
				field = &it.Name
			case "status":
				field = &it.Status
			case "post_parent":
				field = &f.parent
			case "menu_order":
				field = &f.menuOrder
			case "post_type":
				field = &it.Type
			case "post_password":
				field = &it.Password
			case "is_sticky":
				field = &f.sticky
			case "attachment_url":
				field = &it.AttachmentURL
			case "postmeta":
				e, err := r.readMeta()
				it.Meta = append(it.Meta, e)
				return err
			case "comment":
				c, err := r.readComment(&it)
				it.Comments = append(it.Comments, c)
				return err
			}
		}
		if field == nil {
			return r.skip()
		}
		return r.into(field, multi)
	})
	if err != nil {
		return Item{}, err
	}
	it.finish(&f)
	return it, nil
}

// finish interprets the raw fields of an item.
func (it *Item) finish(f *itemFields) {
	note := func(format string, args ...any) { it.Notes = append(it.Notes, fmt.Sprintf(format, args...)) }
	if id, err := strconv.ParseInt(f.id, 10, 64); err != nil || id <= 0 {
		note("wp:post_id %q is not a positive integer", f.id)
	} else {
		it.ID = id
	}
	it.Name = DecodeSlug(it.Name)
	it.Parent = parseID(f.parent, "wp:post_parent", note)
	it.MenuOrder = int(parseID(f.menuOrder, "wp:menu_order", note))
	it.Sticky = f.sticky == "1"

	gmt, okGMT := parseDate(f.dateGMT)
	local, okLocal := parseDate(f.date)
	it.LocalDate = local
	switch {
	case !okGMT:
		note("wp:post_date_gmt %q is not a date", f.dateGMT)
	case !gmt.IsZero():
		it.Date = gmt
	case !okLocal:
		note("wp:post_date %q is not a date", f.date)
	case !local.IsZero() && !unscheduled(it.Status):
		it.Date = local
		note("wp:post_date_gmt is zero: the date is post_date, the site's local time, read as UTC")
	}
	if m, ok := parseDate(f.modifiedGMT); ok && !m.IsZero() {
		it.Modified = m
	} else if m, ok := parseDate(f.modified); ok {
		it.Modified = m
	}
}

// unscheduled reports whether a post of this status may lack a date.
func unscheduled(status string) bool {
	return status == "draft" || status == "pending" || status == "auto-draft"
}

func (r *Reader) readComment(it *Item) (Comment, error) {
	var c Comment
	var id, parent, userID, date, dateGMT string
	err := r.children(func(t xml.StartElement) error {
		var field *string
		multi := false
		switch wp(t) {
		case "comment_id":
			field = &id
		case "comment_author":
			field = &c.Author
		case "comment_author_email":
			field = &c.Email
		case "comment_author_url":
			field = &c.URL
		case "comment_author_IP":
			field = &c.IP
		case "comment_date":
			field = &date
		case "comment_date_gmt":
			field = &dateGMT
		case "comment_content":
			field, multi = &c.Content, true
		case "comment_approved":
			field = &c.Approved
		case "comment_type":
			field = &c.Type
		case "comment_parent":
			field = &parent
		case "comment_user_id":
			field = &userID
		case "commentmeta":
			e, err := r.readMeta()
			c.Meta = append(c.Meta, e)
			return err
		default:
			return r.skip()
		}
		return r.into(field, multi)
	})
	note := func(format string, args ...any) {
		it.Notes = append(it.Notes, fmt.Sprintf("comment %s: ", id)+fmt.Sprintf(format, args...))
	}
	c.ID = parseID(id, "wp:comment_id", note)
	c.Parent = parseID(parent, "wp:comment_parent", note)
	c.UserID = parseID(userID, "wp:comment_user_id", note)
	gmt, okGMT := parseDate(dateGMT)
	local, okLocal := parseDate(date)
	switch {
	case !okGMT:
		note("wp:comment_date_gmt %q is not a date", dateGMT)
	case !gmt.IsZero():
		c.Date = gmt
	case !okLocal:
		note("wp:comment_date %q is not a date", date)
	default:
		c.Date = local
	}
	return c, err
}

// parseID reads a non-negative integer field; empty is 0.
func parseID(s, name string, note func(string, ...any)) int64 {
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		note("%s %q is not a non-negative integer", name, s)
		return 0
	}
	return n
}

const mysqlDateTime = "2006-01-02 15:04:05"

// parseDate reads a MySQL DATETIME as UTC. WordPress's zero date and an
// empty value give the zero time and true.
func parseDate(s string) (time.Time, bool) {
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, true
	}
	t, err := time.Parse(mysqlDateTime, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// into reads the element's text into *field: all of its lines when multi,
// else one line.
func (r *Reader) into(field *string, multi bool) (err error) {
	if multi {
		*field, err = r.multiline()
	} else {
		*field, err = r.line()
	}
	return err
}
