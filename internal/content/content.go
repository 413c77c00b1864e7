// Package content owns the newsroom's published material: articles, sections,
// tags, authors and photo metadata. It computes everything a read needs when
// an article is written (HTML, text, word count, preview), so that a read is a
// query and an entitlement decision, never a render.
package content

import (
	"encoding/json"
	"time"

	"masthead/internal/fault"
)

// The service's faults are the shared ones (internal/fault): a lookup that
// finds nothing is an ErrNotFound, a duplicate or a resource still in use an
// ErrConflict, a write over a newer version an ErrStale, and invalid input a
// fault.Invalid listing the fields.
var (
	ErrNotFound = fault.ErrNotFound
	ErrConflict = fault.ErrConflict
	ErrStale    = fault.ErrStale
)

// Access is who may read an article's full body.
type Access string

// Access levels.
const (
	AccessPublic      Access = "public"
	AccessRegistered  Access = "registered"
	AccessSubscribers Access = "subscribers"
)

// Valid reports whether a is a known level.
func (a Access) Valid() bool {
	return a == AccessPublic || a == AccessRegistered || a == AccessSubscribers
}

// Status is an article's place in the editorial workflow.
type Status string

// Statuses.
const (
	StatusDraft       Status = "draft"
	StatusScheduled   Status = "scheduled"
	StatusPublished   Status = "published"
	StatusUnpublished Status = "unpublished"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusDraft || s == StatusScheduled || s == StatusPublished || s == StatusUnpublished
}

// Section groups articles; sections nest for the breadcrumb.
type Section struct {
	ID        string
	Slug      string
	ParentID  string
	Names     map[string]string // by language
	Position  int
	Version   int // moved by one on every write
	CreatedAt time.Time
	UpdatedAt time.Time

	// ParentSlug is the parent's slug ("" at the top), filled by the
	// service's section reads (Sections) and writes.
	ParentSlug string
}

// Name is the section's name in lang, falling back to English, then French,
// then any name, then the slug.
func (s Section) Name(lang string) string {
	for _, l := range []string{lang, "en", "fr"} {
		if n := s.Names[l]; n != "" {
			return n
		}
	}
	for _, n := range s.Names {
		if n != "" {
			return n
		}
	}
	return s.Slug
}

// Tag kinds.
const (
	TagCountry = "country"
	TagTopic   = "topic"
)

// Tag labels an article with a country or a topic.
type Tag struct {
	ID        string
	Slug      string
	Name      string
	Kind      string
	Version   int // moved by one on every write
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Author is a byline.
type Author struct {
	ID        string
	Slug      string
	Name      string
	Bio       string
	PhotoID   string
	Version   int // moved by one on every write
	CreatedAt time.Time
	UpdatedAt time.Time

	// Photo is the portrait, loaded by AuthorProfile only; nil when none
	// (or deleted).
	Photo *Photo
}

// Rendition is one stored size of a photo.
type Rendition struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Path   string `json:"path"` // relative to the media root
}

// Photo is a stored picture's metadata; the files live in the media store.
type Photo struct {
	ID            string
	Hash          string
	Width         int
	Height        int
	Mime          string
	Original      string
	Renditions    []Rendition
	Blurhash      string
	DominantColor string
	Caption       string
	Credit        string
	Alt           string
	SourceURL     string
	Version       int // moved by one on every write
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Source is the outlet a story was translated or digested from.
type Source struct {
	Name string
	URL  string
}

// Rendered is a body in its three stored forms.
type Rendered struct {
	Blocks json.RawMessage // []blocks.Block as JSON, served as is
	HTML   string
	Text   string
	Words  int
}

// Article is a story in one language.
type Article struct {
	ID              string
	Lang            string
	Slug            string
	TranslationKey  string
	Title           string
	Standfirst      string
	SectionID       string
	PhotoID         string
	Source          Source
	Access          Access
	PreviewBreak    *int
	Status          Status
	PublishAt       *time.Time
	PublishedAt     *time.Time
	CommentsEnabled bool
	Featured        bool // put forward by the newsroom (WordPress's sticky posts)
	CommentCount    int
	WordCount       int
	ReadingMinutes  int
	Body            Rendered // the whole body; empty in summaries
	Preview         Rendered // what a reader without access gets; empty in summaries
	Truncated       bool     // whether Preview is shorter than Body
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time

	Tags    []Tag
	Authors []Author

	// The read model: what a response shows beside the article's own
	// columns, loaded by the service's reads (LiveArticle, AnyArticle,
	// ListLive, ListArticles, FeedArticles, LiveByID) and by the
	// newsroom's writes, so that converting an article needs no query.
	// Other lookups leave them empty.

	// SectionPath is the article's section and its ancestors, the
	// top-level section first and the article's own last; nil when it has
	// no section.
	SectionPath []Section
	// Photo is the featured photo; nil when none (or deleted since).
	Photo *Photo
	// Translations are the live articles of the same story in other
	// languages, by language. Loaded by the single-article reads only
	// (LiveArticle, AnyArticle); lists leave them nil.
	Translations []Translation
	// CanonicalURL is where the publisher's site shows the article.
	CanonicalURL string
}

// Section returns the article's own section (the last of SectionPath), and
// false when it has none.
func (a Article) Section() (Section, bool) {
	if len(a.SectionPath) == 0 {
		return Section{}, false
	}
	return a.SectionPath[len(a.SectionPath)-1], true
}

// Live reports whether the public may see a at now: published, or scheduled
// with its time passed. Scheduled articles need no job to appear.
func (a Article) Live(now time.Time) bool { return visible(a.Status, a.PublishedAt, now) }

// Translation points to the same story in another language.
type Translation struct {
	ID   string
	Lang string
	Slug string
}
