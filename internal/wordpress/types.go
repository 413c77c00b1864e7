package wordpress

import "time"

// Site is the channel header of an export: everything WordPress writes
// before the first <item>.
type Site struct {
	Title       string // <title>, the blog's name
	Link        string // <link>, the home URL that permalinks start from
	Description string // <description>, the tagline
	Language    string // <language>, e.g. "fr-FR"
	WXRVersion  string // <wp:wxr_version>, "1.2" for WordPress 3.1 and later
	BaseSiteURL string // <wp:base_site_url>
	BaseBlogURL string // <wp:base_blog_url>
	Generator   string // <generator>, e.g. "https://wordpress.org/?v=6.7"

	Authors []Author
	// Categories come parents first, as WordPress writes them.
	Categories []Term
	Tags       []Term
	// Terms are those of every other taxonomy: Polylang's language,
	// post_translations and term_translations, nav_menu, custom ones.
	Terms []Term
}

// Author is a <wp:author>: a user who wrote at least one exported post.
type Author struct {
	ID          int64
	Login       string // what an item's Creator names
	Email       string
	DisplayName string
	FirstName   string
	LastName    string
}

// Term is a category, a tag or a term of another taxonomy.
type Term struct {
	ID       int64
	Taxonomy string // "category", "post_tag", "language", "post_translations"…
	Slug     string // percent-decoded (see DecodeSlug)
	Parent   string // the parent's slug, percent-decoded; "" at the top
	Name     string
	// Description is the term's description; for Polylang's languages and
	// translation groups it is a PHP-serialized array (see
	// ParseTranslations).
	Description string
	Meta        Meta
}

// Item is one <item>: a post, a page, an attachment, a navigation menu
// item, or any other post type.
type Item struct {
	ID     int64
	Type   string // "post", "page", "attachment", "nav_menu_item", "wp_block"…
	Status string // "publish", "draft", "pending", "future", "private", "inherit", "trash"
	Title  string
	Link   string // the permalink as WordPress showed it when exporting
	GUID   string
	// Creator is the author's login, as in Site.Authors.
	Creator string
	// Content is the raw post_content: block-editor markup or classic
	// text without <p> tags (see ConvertBody).
	Content string
	Excerpt string // the editor's excerpt; an attachment's caption
	// Name is the slug (post_name), percent-decoded.
	Name string
	// Date is the publication time in UTC, from post_date_gmt. It is zero
	// for a draft never given a date (WordPress writes 0000-00-00
	// 00:00:00); for a published item whose GMT date is zero it is
	// post_date read as UTC, with a note.
	Date time.Time
	// LocalDate is post_date, the site's local time as WordPress wrote it,
	// in a UTC time.Time (the export does not say the site's time zone);
	// zero when WordPress wrote its zero date. Permalinks use it.
	LocalDate time.Time
	// Modified is the last modification in UTC, from post_modified_gmt
	// (post_modified when that is zero), or zero.
	Modified      time.Time
	Parent        int64 // post_parent: a page's parent, an attachment's post
	MenuOrder     int
	Sticky        bool
	Password      string
	CommentStatus string // "open" or "closed"
	PingStatus    string
	Terms         []TermRef // categories, tags and other taxonomies, in file order
	Meta          Meta      // post meta in file order (_thumbnail_id, _wp_attached_file…)
	// AttachmentURL is the file's URL, for attachments only.
	AttachmentURL string
	Comments      []Comment

	// Line is the line of the file where the item starts, for reports.
	Line int
	// Notes are what the reader had to guess or leave out in this item
	// (a date read from local time, a number that did not parse).
	Notes []string
}

// TermRef is an item's <category domain="…" nicename="…">Name</category>.
type TermRef struct {
	Domain string // the taxonomy: "category", "post_tag", "language"…
	Slug   string // the nicename, percent-decoded
	Name   string
}

// Comment is a <wp:comment> of an item.
type Comment struct {
	ID      int64
	Parent  int64 // 0 at the top of a thread
	Author  string
	Email   string
	URL     string
	IP      string
	Date    time.Time // from comment_date_gmt (comment_date when that is zero), UTC
	Content string
	// Approved is "1" (approved), "0" (pending), "spam", "trash", or
	// "post-trashed" (its post is in the trash). WordPress's exporter
	// leaves spam out; other tools' exports may not.
	Approved string
	Type     string // "" or "comment" for a comment (WordPress 5.5 writes "comment"), "pingback", "trackback"
	UserID   int64  // the commenter's user id when a member wrote it, else 0
	Meta     Meta
}

// Meta is an ordered list of key/value pairs: post, term or comment meta.
// A key may appear more than once.
type Meta []MetaEntry

// MetaEntry is one meta key and its value, as stored (serialized PHP
// values are left as they are).
type MetaEntry struct {
	Key, Value string
}

// Get returns the value of the first entry with key, and whether there is
// one.
func (m Meta) Get(key string) (string, bool) {
	for _, e := range m {
		if e.Key == key {
			return e.Value, true
		}
	}
	return "", false
}

// TermsOf returns the item's terms of one taxonomy ("category",
// "post_tag", "language"…), in file order.
func (it Item) TermsOf(domain string) []TermRef {
	var out []TermRef
	for _, t := range it.Terms {
		if t.Domain == domain {
			out = append(out, t)
		}
	}
	return out
}

// term returns the slug of the item's first term of domain, or "".
func (it Item) term(domain string) string {
	for _, t := range it.Terms {
		if t.Domain == domain {
			return t.Slug
		}
	}
	return ""
}
