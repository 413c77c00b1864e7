package content

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/internal/blocks"
	"masthead/internal/fault"
	"masthead/internal/search"
	"masthead/internal/store"
)

// Options configure a Service.
type Options struct {
	// Now is the clock; nil means time.Now. Scheduling reads it.
	Now func() time.Time
	// PreviewWords is the word budget of the preview (blocks.DefaultBudget when 0).
	PreviewWords int
	// TaxonomyTTL bounds how long sections are cached in process.
	TaxonomyTTL time.Duration
	// PublicURL is the publisher's site, the base of canonical URLs.
	PublicURL string
}

// Service is the content domain: reads for the public API, writes for the
// newsroom and the demo loader.
type Service struct {
	repo         repo
	db           *store.DB
	now          func() time.Time
	previewWords int
	publicURL    string
	sitePath     string // the canonical path of publicURL ("" at its root)

	// gen counts writes, so that caches above the service can tell when
	// what they hold may be stale.
	gen atomic.Uint64
	// onWrite, when set, is told of every write after the generation
	// moved (the other processes hear of it through it: cmd serve).
	onWrite atomic.Pointer[func()]

	ttl       time.Duration
	mu        sync.RWMutex
	sections  []Section
	loadedAt  time.Time
	sectionBy map[string]Section // by id
}

// NewService returns a content service over db.
func NewService(db *store.DB, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PreviewWords <= 0 {
		opts.PreviewWords = blocks.DefaultBudget
	}
	if opts.TaxonomyTTL <= 0 {
		opts.TaxonomyTTL = 10 * time.Second
	}
	return &Service{repo: repo{db: db}, db: db, now: opts.Now, previewWords: opts.PreviewWords, ttl: opts.TaxonomyTTL,
		publicURL: strings.TrimSuffix(opts.PublicURL, "/"), sitePath: sitePathOf(opts.PublicURL)}
}

// CanonicalURL is where the publisher's site shows a: its language, then
// its slug.
func (s *Service) CanonicalURL(a Article) string {
	return s.publicURL + "/" + a.Lang + "/" + url.PathEscape(a.Slug)
}

// Now is the service's clock, in UTC, at microsecond precision (what both
// databases keep).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// NewID returns a fresh ULID.
func NewID() string { return ulid.Make().String() }

// IsID reports whether s has the shape of an ID (a canonical, upper-case
// ULID) rather than a slug, which is always lower-case.
func IsID(s string) bool {
	if len(s) != ulid.EncodedSize {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	_, err := ulid.ParseStrict(s)
	return err == nil
}

// Generation changes after every write through this service, and when
// Invalidate is called. A cache that remembers the generation it was
// filled at knows it is stale when it differs.
func (s *Service) Generation() uint64 { return s.gen.Load() }

// OnWrite sets fn to be called after every write through this service,
// once it committed and the generation moved: the process tells the others
// sharing its database (internal/pgnotify). fn must not block.
func (s *Service) OnWrite(fn func()) { s.onWrite.Store(&fn) }

// Invalidate marks everything cached above the service stale, and the
// sections it keeps itself, without a write here: another process wrote,
// or may have while this one was not listening.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.sections, s.sectionBy = nil, nil
	s.mu.Unlock()
	s.gen.Add(1)
}

func (s *Service) changed() {
	s.gen.Add(1)
	if fn := s.onWrite.Load(); fn != nil {
		(*fn)()
	}
}

// --- taxonomy ---

// Sections returns every section, ordered, with its parent's slug, from a
// short-lived cache.
func (s *Service) Sections(ctx context.Context) ([]Section, error) {
	list, _, err := s.sectionCache(ctx)
	return list, err
}

// sectionCache returns the cached sections, ordered and by id, loading them
// when the cache is empty or older than the TTL. A reload replaces both
// whole and never changes them, so callers may keep them without the lock.
func (s *Service) sectionCache(ctx context.Context) ([]Section, map[string]Section, error) {
	s.mu.RLock()
	if s.sections != nil && s.now().Sub(s.loadedAt) < s.ttl {
		list, by := s.sections, s.sectionBy
		s.mu.RUnlock()
		return list, by, nil
	}
	s.mu.RUnlock()
	list, err := s.repo.sections(ctx)
	if err != nil {
		return nil, nil, err
	}
	slugs := make(map[string]string, len(list))
	for _, sec := range list {
		slugs[sec.ID] = sec.Slug
	}
	by := make(map[string]Section, len(list))
	for i := range list {
		list[i].ParentSlug = slugs[list[i].ParentID]
		by[list[i].ID] = list[i]
	}
	s.mu.Lock()
	s.sections, s.sectionBy, s.loadedAt = list, by, s.now()
	s.mu.Unlock()
	return list, by, nil
}

func (s *Service) invalidateSections() {
	s.changed()
	s.mu.Lock()
	s.sections, s.sectionBy = nil, nil
	s.mu.Unlock()
}

// Breadcrumb returns the path from the top-level section down to id.
func (s *Service) Breadcrumb(ctx context.Context, id string) ([]Section, error) {
	if id == "" {
		return nil, nil
	}
	_, by, err := s.sectionCache(ctx)
	if err != nil {
		return nil, err
	}
	return sectionPath(by, id), nil
}

// sectionPath is the path from the top-level section down to id, from the
// sections by id; nil when id is empty or names no section.
func sectionPath(by map[string]Section, id string) []Section {
	var path []Section
	for cur, depth := id, 0; cur != "" && depth < 16; depth++ {
		sec, ok := by[cur]
		if !ok {
			break
		}
		path = append([]Section{sec}, path...)
		cur = sec.ParentID
	}
	return path
}

// SectionTree returns the IDs of the section named slug and of all its
// descendants, so that filtering by "politics" finds "diplomacy" too.
func (s *Service) SectionTree(ctx context.Context, slug string) ([]string, error) {
	list, err := s.Sections(ctx)
	if err != nil {
		return nil, err
	}
	var root string
	children := map[string][]string{}
	for _, sec := range list {
		if sec.Slug == slug {
			root = sec.ID
		}
		children[sec.ParentID] = append(children[sec.ParentID], sec.ID)
	}
	if root == "" {
		return nil, fault.NotFound("no section has this slug")
	}
	ids := []string{root}
	for i := 0; i < len(ids) && i < len(list); i++ {
		ids = append(ids, children[ids[i]]...)
	}
	return ids, nil
}

// Tags returns every tag.
func (s *Service) Tags(ctx context.Context) ([]Tag, error) { return s.repo.tags(ctx) }

// TagBySlug returns one tag.
func (s *Service) TagBySlug(ctx context.Context, slug string) (Tag, error) {
	t, err := s.repo.tagBySlug(ctx, slug)
	return t, missing(err, "no tag has this slug")
}

// AuthorBySlug returns one author.
func (s *Service) AuthorBySlug(ctx context.Context, slug string) (Author, error) {
	a, err := s.repo.authorBySlug(ctx, slug)
	return a, missing(err, "no author has this slug")
}

// AuthorProfile returns one author with their portrait (Author.Photo): what
// the public author page shows.
func (s *Service) AuthorProfile(ctx context.Context, slug string) (Author, error) {
	a, err := s.AuthorBySlug(ctx, slug)
	if err != nil || a.PhotoID == "" {
		return a, err
	}
	photos, err := s.repo.photos(ctx, []string{a.PhotoID})
	if err != nil {
		return Author{}, err
	}
	if ph, ok := photos[a.PhotoID]; ok {
		a.Photo = &ph
	}
	return a, nil
}

// Photo returns one photo's metadata.
func (s *Service) Photo(ctx context.Context, id string) (Photo, error) {
	m, err := s.repo.photos(ctx, []string{id})
	if err != nil {
		return Photo{}, err
	}
	p, ok := m[id]
	if !ok {
		return Photo{}, errNoPhoto
	}
	return p, nil
}

// Photos returns the photos with the given ids, by id; missing ids are absent.
func (s *Service) Photos(ctx context.Context, ids []string) (map[string]Photo, error) {
	return s.repo.photos(ctx, ids)
}

// errNoPhoto is the not-found of a photo lookup.
var errNoPhoto = fault.NotFound("no photo has this id")

// missing gives a bare not-found the detail a client reads; any other error
// (a not-found that already has its detail too) is returned as it is.
func missing(err error, detail string) error {
	var fe *fault.Error
	if errors.Is(err, ErrNotFound) && !errors.As(err, &fe) {
		return fault.NotFound(detail)
	}
	return err
}

// --- articles ---

// Lookup is how a reader names an article: by ID, or by slug (and language).
type Lookup struct {
	IDOrSlug string
	Lang     string
}

// LiveArticle returns the article a public reader asked for, with its read
// model (see Article): tags, authors, section path, featured photo,
// translations and canonical URL. An article that is not live is
// ErrNotFound. When the slug is an old one, the article is returned with
// moved = true so that the caller can redirect to the current slug.
func (s *Service) LiveArticle(ctx context.Context, l Lookup) (a Article, moved bool, err error) {
	a, moved, err = s.find(ctx, l)
	if err != nil {
		return Article{}, false, missing(err, "no published article has this id or slug")
	}
	if !a.Live(s.Now()) {
		return Article{}, false, fault.NotFound("no published article has this id or slug")
	}
	if err := s.completeOne(ctx, &a); err != nil {
		return Article{}, false, err
	}
	return a, moved, nil
}

// AnyArticle returns an article whatever its status (drafts included), with
// its read model as LiveArticle loads it: the newsroom's view.
func (s *Service) AnyArticle(ctx context.Context, l Lookup) (Article, error) {
	a, _, err := s.find(ctx, l)
	if err != nil {
		return Article{}, missing(err, "no article has this id or slug")
	}
	if err := s.completeOne(ctx, &a); err != nil {
		return Article{}, err
	}
	return a, nil
}

// current returns the stored article id with its tags and authors (and the
// featured photo that comes with it): what a write starts from.
func (s *Service) current(ctx context.Context, id string) (Article, error) {
	a, _, err := s.find(ctx, Lookup{IDOrSlug: id})
	if err != nil {
		return Article{}, missing(err, "no article has this id or slug")
	}
	if err := s.attach(ctx, []*Article{&a}); err != nil {
		return Article{}, err
	}
	return a, nil
}

// find looks the article up with its featured photo, in one query (one more
// for an old slug).
func (s *Service) find(ctx context.Context, l Lookup) (Article, bool, error) {
	if IsID(l.IDOrSlug) {
		a, err := s.repo.articleWithPhoto(ctx, l.IDOrSlug, "", "")
		return a, false, err
	}
	a, err := s.repo.articleWithPhoto(ctx, "", l.Lang, l.IDOrSlug)
	if err == nil {
		return a, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Article{}, false, err
	}
	a, err = s.repo.articleAtOldSlug(ctx, l.Lang, l.IDOrSlug)
	return a, err == nil, err
}

func (s *Service) attach(ctx context.Context, as []*Article) error {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	tags, authors, _, err := s.repo.relations(ctx, ids, nil, time.Time{})
	if err != nil {
		return err
	}
	for _, a := range as {
		a.Tags, a.Authors = tags[a.ID], authors[a.ID]
	}
	return nil
}

// Translations lists the live translations of a.
func (s *Service) Translations(ctx context.Context, a Article) ([]Translation, error) {
	return s.repo.translations(ctx, a.TranslationKey, a.ID, s.Now())
}

// Cursor is a position in the public list.
type Cursor struct {
	PublishedAt time.Time
	ID          string
}

// ListFilter narrows the public list. Section, Tag and Author are slugs; a
// section includes its subsections. A slug that names nothing matches
// nothing: the list is empty, not an error.
type ListFilter struct {
	// Query, when not nil, keeps the articles that match it (see Search);
	// Full then lists the levels the caller reads in full.
	Query   *search.Query
	Full    []Access
	Section string
	Tag     string
	Author  string
	Lang    string
	// Featured keeps the featured articles only.
	Featured bool
	Limit    int
	After    *Cursor
}

// ListLive returns a page of live article summaries (no bodies), newest
// first, with their read model but for translations, and the cursor of the
// next page (nil on the last page).
func (s *Service) ListLive(ctx context.Context, f ListFilter) ([]Article, *Cursor, error) {
	if f.Limit <= 0 {
		return nil, nil, fmt.Errorf("list articles: limit %d", f.Limit)
	}
	// The tag and author slugs are resolved by the list's statement: a
	// slug that names nothing matches nothing.
	q, err := s.resolve(ctx, f, false)
	if errors.Is(err, ErrNotFound) {
		return []Article{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	list, err := s.repo.listLive(ctx, q, s.Now())
	if err != nil {
		return nil, nil, err
	}
	var next *Cursor
	if len(list) > f.Limit {
		list = list[:f.Limit]
		last := list[len(list)-1]
		next = &Cursor{PublishedAt: *last.PublishedAt, ID: last.ID}
	}
	if err := s.completePage(ctx, pointers(list)); err != nil {
		return nil, nil, err
	}
	return list, next, nil
}

// liveQuery is a ListFilter with its section resolved to IDs, and its tag
// and author resolved to IDs or left to the statement (TagSlug, AuthorSlug).
type liveQuery struct {
	SectionIDs []string
	TagID      string
	AuthorID   string
	TagSlug    string
	AuthorSlug string
	Lang       string
	Featured   bool       // the public list only (search_docs has no such column)
	From, To   *time.Time // publication time, From included, To excluded
	Limit      int
	After      *Cursor
	Match      *match // full-text: only the articles that match
}

// resolve turns the filter's slugs into IDs; ErrNotFound when one names
// nothing. The section's come from the cached sections; the tag's and the
// author's are looked up when lookup is set, and otherwise left to the
// statement that filters on them (one query the fewer each).
func (s *Service) resolve(ctx context.Context, f ListFilter, lookup bool) (liveQuery, error) {
	q := liveQuery{Lang: f.Lang, Featured: f.Featured, Limit: f.Limit, After: f.After}
	if f.Query != nil {
		q.Match = &match{query: *f.Query, full: f.Full}
	}
	var err error
	if f.Section != "" {
		if q.SectionIDs, err = s.SectionTree(ctx, f.Section); err != nil {
			return q, err
		}
	}
	if !lookup {
		q.TagSlug, q.AuthorSlug = f.Tag, f.Author
		return q, nil
	}
	if f.Tag != "" {
		t, err := s.TagBySlug(ctx, f.Tag)
		if err != nil {
			return q, err
		}
		q.TagID = t.ID
	}
	if f.Author != "" {
		a, err := s.AuthorBySlug(ctx, f.Author)
		if err != nil {
			return q, err
		}
		q.AuthorID = a.ID
	}
	return q, nil
}

// render computes what reads serve, once, at write time.
func (s *Service) render(a *Article, body []blocks.Block) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	p := blocks.MakePreview(body, a.PreviewBreak, s.previewWords)
	if a.Access != AccessPublic {
		// Never the whole of a paywalled article, however short.
		p = blocks.MakePaywallPreview(body, a.PreviewBreak, s.previewWords)
	}
	praw, err := json.Marshal(p.Blocks)
	if err != nil {
		return fmt.Errorf("encode preview: %w", err)
	}
	paywallFrom := -1
	if a.Access != AccessPublic && p.Truncated {
		paywallFrom = p.WholeBlocks
	}
	words := blocks.Words(body)
	a.Body = Rendered{Blocks: raw, HTML: blocks.HTML(body, paywallFrom), Text: blocks.Text(body), Words: words}
	a.Preview = Rendered{Blocks: praw, HTML: p.HTML(), Text: p.Text(), Words: p.WordsShown}
	a.Truncated = p.Truncated
	a.WordCount = words
	a.ReadingMinutes = blocks.ReadingMinutes(words)
	return nil
}
