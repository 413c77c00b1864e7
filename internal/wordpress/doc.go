// Package wordpress reads the file WordPress's Tools › Export writes (WXR
// 1.2, an RSS document with WordPress's own elements, as WordPress 5 and 6
// produce it) and turns what is in it into what Masthead stores. It is pure:
// no database, no network, no files but the one it is given; the importer
// (masthead import wordpress) does the storing.
//
// # Reading
//
// NewReader streams the file with encoding/xml, token by token: Site
// returns the channel header (site, authors, categories with their
// parents, tags, the terms of other taxonomies), then Next returns one item
// at a time — a post, a page, an attachment, a menu item — with its terms,
// meta and comments. Memory stays bounded whatever the file's size (see
// Limits): one item is held at a time, and a single value, an item and the
// nesting are limited, so a multi-gigabyte export or a hostile one (a
// gigabyte text node or attribute, a billion-laughs DOCTYPE, elements
// nested without end) fails early with a *FormatError naming the line
// instead of exhausting memory. Text that XML 1.0 forbids or that is not
// UTF-8 — WordPress exports what its database holds — is cleaned with the
// rules of package xmlchar rather than refused.
//
// # The mapping
//
// What the importer makes of an export:
//
//	WXR                                       Masthead
//	item, post_type "post"                    article
//	  Title / Name (slug, decoded)            title / slug
//	  Excerpt                                 standfirst, where set
//	  Content                                 body: ConvertBody
//	  Date (post_date_gmt, UTC)               publish_at / published_at
//	  Status publish                          published
//	  Status future                           scheduled (at Date)
//	  Status draft, pending, private          draft (a draft's Date is zero)
//	  Creator → Site.Authors[].DisplayName    author
//	  Sticky                                  featured
//	  ID                                      external reference, keys re-imports
//	  TermsOf("category") / ("post_tag")      section / tags
//	  Meta "_thumbnail_id"                    featured photo
//	  Permalinks                              old paths for /v1/resolve
//	Site.Categories (Parent = parent's slug)  sections with their parents
//	Site.Tags                                 tags
//	Site.Authors                              authors (display names)
//	item, post_type "attachment"              photo
//	  Meta "_wp_attached_file"                the file, under the uploads folder
//	  Meta "_wp_attachment_image_alt"         alt text
//	  Excerpt                                 caption
//	  a credit meta, where a plugin kept one  credit
//	Comment                                   comment, threaded by Parent
//	  Approved "1" / "0" / "spam" / "trash"   approved / pending / spam / rejected
//	  Type "pingback", "trackback"            skipped and counted
//	Polylang terms (see Language)             lang, translation_key
//
// # Bodies
//
// ConvertBody turns a post's content — block-editor markup or classic
// text, with shortcodes — into blocks the way WordPress would show it, and
// ends in blocks.FromHTML, the editorial API's own sanitizer and converter:
// what an editor could not send through the API does not come in through an
// import either. Images become photo blocks only when they are the site's
// attachments (the importer says which through BodyOptions); others are
// dropped and reported, never fetched.
//
// # Old links
//
// Permalinks and TermPermalinks list the paths under which WordPress served
// a post, a page, an attachment or an archive; CanonicalPath is the one form
// those paths are stored and looked up in, so that /v1/resolve finds them
// however a browser spells them.
//
// # Test data
//
// WriteSynthetic writes a valid export of any size for tests and
// benchmarks; testdata/lakeside.xml is a hand-written one covering the
// cases above.
package wordpress
