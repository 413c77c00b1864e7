// Package wpimport moves a WordPress newsroom in (masthead import
// wordpress): it reads the file WordPress's Tools › Export writes (package
// wordpress) and writes what it holds through the domain services, as the
// newsroom's own writes would: categories become sections, tags tags,
// authors authors, attachments photos (files read from the uploads folder,
// renditions made, EXIF dropped), posts articles with their comments, and
// the site's old paths legacy paths that GET /v1/resolve answers.
//
// A run is idempotent and resumable: every record is keyed by its
// WordPress id (content's external references), an unchanged post is
// skipped by its digest, a changed one updated, and each post is written
// with its comments and paths in one transaction. It composes the domain
// services and owns no table.
package wpimport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/abadojack/whatlanggo"
	"github.com/microcosm-cc/bluemonday"
	"github.com/oklog/ulid/v2"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/media"
	"masthead/internal/progress"
	"masthead/internal/store"
	"masthead/internal/wordpress"
)

// Services are what an import writes through.
type Services struct {
	DB       *store.DB
	Content  *content.Service
	Comments *comments.Service
	Media    *media.Store
}

// Options say how to read the export.
type Options struct {
	// Uploads is the site's wp-content/uploads folder; empty: no photo is
	// imported (each attachment is reported missing).
	Uploads string
	// Rules give access levels; posts no rule matches are public.
	Rules []AccessRule
	// Lang is the language of posts that name none (no Polylang);
	// empty: the channel's <language>.
	Lang string
	// DetectLang guesses each post's language from its text instead,
	// among Languages (default fr, en, de, ru, es, it).
	DetectLang bool
	Languages  []string
	// Workers is how many photos are made at once (2 when 0; the media
	// store's decode slots bound them too).
	Workers int
	// DryRun reads and converts everything and writes nothing.
	DryRun bool
	// Progress receives a progress bar (a terminal) or lines; nil: none.
	Progress io.Writer
	// Limits bound the reader (zero: wordpress's defaults).
	Limits wordpress.Limits
}

// Report is what a run did, or would do (DryRun).
type Report struct {
	Source string
	DryRun bool

	Created, Updated, Unchanged int // posts
	Skipped                     map[string]int
	SkippedPosts                []Skip // the first maxListed
	Failed                      []Skip // posts the database refused

	Photos, PhotosReused int
	MissingFiles         []string // the first maxListed
	MissingCount         int
	BadFiles             []Skip

	Comments, CommentsSkipped int // pingbacks and trackbacks
	OrphanComments            int // parent missing: made top-level

	Sections, Tags, Authors int // created
	Paths                   int
	SlugsChanged            int

	UnknownShortcodes map[string]int
	Dropped           int // images and embeds dropped from bodies
	Elapsed           time.Duration
}

// Skip is a record left out, and why.
type Skip struct {
	ID    int64
	Title string
	Why   string
}

// maxListed bounds the lists of a report.
const maxListed = 50

func (r *Report) skip(id int64, title, why string) {
	r.Skipped[why]++
	if len(r.SkippedPosts) < maxListed {
		r.SkippedPosts = append(r.SkippedPosts, Skip{ID: id, Title: title, Why: why})
	}
}

// attachment is what the first pass keeps of an attachment item.
type attachment struct {
	id                  int64
	url, file, link     string
	title, alt, caption string
	credit              string
	paths               []string
}

// run is one import's state.
type run struct {
	svc    Services
	o      Options
	site   wordpress.Site
	source string
	rep    *Report

	atts         map[int64]*attachment
	urls         *wordpress.AttachmentURLs
	photos       map[int64]string  // attachment → photo id (imported or reused)
	mu           sync.Mutex        // the report and photos, while photos are imported
	sections     map[string]string // WordPress category slug → section id
	tags         map[string]string // WordPress tag slug → tag id
	slugOf       map[string]string // section or tag id → its slug here
	sectionSlugs map[string]string
	authors      map[string]string // by login
	strict       *bluemonday.Policy
	langs        map[whatlanggo.Lang]bool
	now          time.Time
}

// Run imports the export at path.
func Run(ctx context.Context, path string, svc Services, o Options) (*Report, error) {
	start := time.Now()
	if o.Workers <= 0 {
		o.Workers = 2
	}
	r := &run{svc: svc, o: o, atts: map[int64]*attachment{}, urls: wordpress.NewAttachmentURLs(),
		photos: map[int64]string{}, sections: map[string]string{}, tags: map[string]string{}, slugOf: map[string]string{}, sectionSlugs: map[string]string{},
		authors: map[string]string{}, strict: bluemonday.StrictPolicy(), now: time.Now().UTC()}
	r.rep = &Report{DryRun: o.DryRun, Skipped: map[string]int{}, UnknownShortcodes: map[string]int{}}
	if o.DetectLang {
		r.langs = map[whatlanggo.Lang]bool{}
		list := o.Languages
		if len(list) == 0 {
			list = []string{"fr", "en", "de", "ru", "es", "it"}
		}
		for _, code := range list {
			l, ok := detectable(code)
			if !ok {
				return nil, fmt.Errorf("--detect-lang: %q is not a two-letter language code the detector knows", code)
			}
			r.langs[l] = true
		}
	}
	posts, err := r.scan(path)
	if err != nil {
		return nil, err
	}
	r.rep.Source = r.source
	if err := r.taxonomy(ctx); err != nil {
		return r.rep, err
	}
	if err := r.importPhotos(ctx); err != nil {
		return r.rep, err
	}
	if err := r.posts(ctx, path, posts); err != nil {
		return r.rep, err
	}
	r.rep.Elapsed = time.Since(start)
	return r.rep, nil
}

// open starts a reader on the file.
func (r *run) open(path string) (*os.File, *wordpress.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	rd := wordpress.NewReader(f, r.o.Limits)
	site, err := rd.Site()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	r.site = site
	return f, rd, nil
}

// scan is the first pass: the site, its attachments (which may come after
// the posts that show them) and how many posts there are.
func (r *run) scan(path string) (int, error) {
	f, rd, err := r.open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	link := strings.TrimRight(firstNonEmpty(r.site.BaseBlogURL, r.site.Link, r.site.BaseSiteURL), "/")
	if link == "" {
		return 0, fmt.Errorf("%s: the export names no site (<link>)", path)
	}
	r.source = "wordpress:" + link
	posts := 0
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return posts, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		switch it.Type {
		case "post":
			posts++
		case "attachment":
			a := &attachment{id: it.ID, url: it.AttachmentURL, link: it.Link, title: it.Title, caption: strings.TrimSpace(it.Excerpt)}
			a.file, _ = it.Meta.Get("_wp_attached_file")
			a.alt, _ = it.Meta.Get("_wp_attachment_image_alt")
			for _, k := range []string{"_media_credit", "media_credit", "_wp_attachment_credit", "credit"} {
				if v, ok := it.Meta.Get(k); ok && strings.TrimSpace(v) != "" {
					a.credit = strings.TrimSpace(v)
					break
				}
			}
			a.paths = oldPaths(wordpress.Permalinks(r.site, it, ""))
			if it.ID > 0 {
				r.atts[it.ID] = a
				if a.url != "" {
					r.urls.Add(it.ID, a.url)
				}
			}
		}
	}
}

// taxonomy creates (or finds) the sections, tags and authors.
func (r *run) taxonomy(ctx context.Context) error {
	cs := r.svc.Content
	secs, err := cs.Sections(ctx)
	if err != nil {
		return err
	}
	bySlug := map[string]string{}
	for _, s := range secs {
		bySlug[s.Slug] = s.ID
	}
	lang := r.defaultLang()
	cats := map[string]wordpress.Term{}
	for _, c := range r.site.Categories {
		cats[c.Slug] = c
	}
	var ensure func(slug string, depth int) (string, error)
	ensure = func(slug string, depth int) (string, error) {
		if id, ok := r.sections[slug]; ok {
			return id, nil
		}
		c, ok := cats[slug]
		if !ok || depth > 16 {
			return "", nil
		}
		parent := ""
		if c.Parent != "" && c.Parent != slug {
			var err error
			if parent, err = ensure(c.Parent, depth+1); err != nil {
				return "", err
			}
		}
		parentSlug := ""
		if parent != "" {
			parentSlug = r.sectionSlugs[parent]
		}
		id, err := r.term(ctx, content.KindSection, c, bySlug, func(s string) (string, error) {
			name := strings.TrimSpace(r.text(c.Name))
			if name == "" {
				name = s
			}
			sec, err := cs.AddSection(ctx, content.SectionInput{Slug: s, Parent: parentSlug, Names: []content.LangName{{Lang: lang, Name: name}}, Position: 100 + len(r.sections)})
			if err == nil {
				r.rep.Sections++
			}
			return sec.ID, err
		})
		r.sections[slug] = id
		r.sectionSlugs[id] = r.slugOf[id]
		return id, err
	}
	for _, c := range r.site.Categories {
		if _, err := ensure(c.Slug, 0); err != nil {
			return err
		}
	}
	tags, err := cs.Tags(ctx)
	if err != nil {
		return err
	}
	tagSlugs := map[string]string{}
	for _, t := range tags {
		tagSlugs[t.Slug] = t.ID
	}
	for _, t := range r.site.Tags {
		id, err := r.term(ctx, content.KindTag, t, tagSlugs, func(s string) (string, error) {
			name := strings.TrimSpace(r.text(t.Name))
			if name == "" {
				name = s
			}
			tag, err := cs.AddTag(ctx, content.TagInput{Slug: s, Name: name, Kind: content.TagTopic})
			if err == nil {
				r.rep.Tags++
			}
			return tag.ID, err
		})
		if err != nil {
			return err
		}
		r.tags[t.Slug] = id
	}
	for _, a := range r.site.Authors {
		name := strings.TrimSpace(firstNonEmpty(a.DisplayName, strings.TrimSpace(a.FirstName+" "+a.LastName), a.Login))
		slug := content.Slugify(name, lang)
		if slug == "" {
			slug = content.Slugify(a.Login, lang)
		}
		key := a.Login
		if id, _, err := cs.ExternalRef(ctx, r.source, content.KindAuthor, key); err == nil {
			r.authors[a.Login] = id
			continue
		} else if !errors.Is(err, fault.ErrNotFound) {
			return err
		}
		if r.o.DryRun {
			r.authors[a.Login] = ulid.Make().String()
			r.rep.Authors++
			continue
		}
		var id string
		if found, err := cs.AuthorBySlug(ctx, slug); err == nil {
			id = found.ID
		} else if !errors.Is(err, fault.ErrNotFound) {
			return err
		} else {
			au, err := cs.AddAuthor(ctx, content.AuthorInput{Slug: slug, Name: name})
			if err != nil {
				return fmt.Errorf("author %s: %w", a.Login, err)
			}
			id = au.ID
			r.rep.Authors++
		}
		if err := cs.PutExternalRef(ctx, content.ExternalRef{Source: r.source, Kind: content.KindAuthor, ExternalID: key, TargetID: id}); err != nil {
			return err
		}
		r.authors[a.Login] = id
	}
	if r.o.DryRun {
		return nil
	}
	var paths []content.LegacyPath
	for _, c := range r.site.Categories {
		if id := r.sections[c.Slug]; id != "" {
			for _, p := range oldPaths(wordpress.TermPermalinks(r.site, c, "")) {
				paths = append(paths, content.LegacyPath{Path: p, Kind: content.KindSection, TargetID: id, Source: r.source})
			}
		}
	}
	for _, t := range r.site.Tags {
		if id := r.tags[t.Slug]; id != "" {
			for _, p := range oldPaths(wordpress.TermPermalinks(r.site, t, "")) {
				paths = append(paths, content.LegacyPath{Path: p, Kind: content.KindTag, TargetID: id, Source: r.source})
			}
		}
	}
	r.rep.Paths += len(paths)
	return cs.PutPaths(ctx, paths)
}

// term finds or makes the section or tag of a WordPress term: the one an
// earlier run made, else one of the same slug, else a new one.
func (r *run) term(ctx context.Context, kind string, t wordpress.Term, bySlug map[string]string, create func(slug string) (string, error)) (string, error) {
	cs := r.svc.Content
	key := strconv.FormatInt(t.ID, 10)
	if t.ID == 0 {
		key = "slug:" + t.Slug
	}
	slug := content.Slugify(wordpress.DecodeSlug(t.Slug), r.defaultLang())
	if id, _, err := cs.ExternalRef(ctx, r.source, kind, key); err == nil {
		if cur, ok := r.currentSlug(bySlug, id); ok {
			r.slugOf[id] = cur
			return id, nil
		}
		// Deleted since: made again below.
	} else if !errors.Is(err, fault.ErrNotFound) {
		return "", err
	}
	if slug == "" {
		slug = content.Slugify(t.Name, r.defaultLang())
	}
	if slug == "" {
		slug = kind + "-" + key
	}
	if r.o.DryRun {
		if id, ok := bySlug[slug]; ok {
			return id, nil
		}
		if kind == content.KindSection {
			r.rep.Sections++
		} else {
			r.rep.Tags++
		}
		return ulid.Make().String(), nil
	}
	id, ok := bySlug[slug]
	if !ok {
		var err error
		if id, err = create(slug); err != nil {
			return "", fmt.Errorf("%s %s: %w", kind, t.Slug, err)
		}
		bySlug[slug] = id
	}
	r.slugOf[id] = slug
	return id, cs.PutExternalRef(ctx, content.ExternalRef{Source: r.source, Kind: kind, ExternalID: key, TargetID: id})
}

// currentSlug is the slug of the section or tag id among those stored.
func (r *run) currentSlug(bySlug map[string]string, id string) (string, bool) {
	for s, v := range bySlug {
		if v == id {
			return s, true
		}
	}
	return "", false
}

// posts is the second pass.
func (r *run) posts(ctx context.Context, path string, total int) error {
	f, rd, err := r.open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var bar *progress.Bar
	if r.o.Progress != nil {
		bar = progress.New(r.o.Progress, total, "posts")
		defer bar.Done()
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		switch it.Type {
		case "post":
			if err := r.post(ctx, it); err != nil {
				return err
			}
			if bar != nil {
				bar.Add(1)
			}
		case "attachment":
		default:
			r.rep.Skipped["type "+it.Type]++
		}
	}
}

// statuses maps WordPress's post statuses to ours.
var statuses = map[string]content.Status{
	"publish": content.StatusPublished,
	"future":  content.StatusScheduled,
	"draft":   content.StatusDraft,
	"pending": content.StatusDraft,
	"private": content.StatusDraft,
}

// post imports one post with its comments.
func (r *run) post(ctx context.Context, it wordpress.Item) error {
	if it.ID <= 0 {
		r.rep.skip(0, it.Title, "no post id")
		return nil
	}
	status, ok := statuses[it.Status]
	if !ok {
		r.rep.skip(it.ID, it.Title, "status "+it.Status)
		return nil
	}
	lang := r.langOf(it)
	in := content.ArticleInput{
		Lang: lang, Slug: wordpress.DecodeSlug(it.Name), Title: strings.TrimSpace(it.Title),
		Standfirst: strings.TrimSpace(r.text(it.Excerpt)), Status: status,
		CommentsEnabled: it.CommentStatus != "closed", Access: r.access(it), Featured: it.Sticky,
	}
	if in.Title == "" {
		r.rep.skip(it.ID, it.Title, "no title")
		return nil
	}
	if !it.Date.IsZero() && status != content.StatusDraft {
		at := it.Date
		in.PublishAt = &at
	}
	body, err := wordpress.ConvertBody(it.Content, wordpress.BodyOptions{Photo: r.photoFor(ctx), URLs: r.urls})
	if err != nil {
		r.rep.skip(it.ID, it.Title, "body: "+err.Error())
		return nil
	}
	in.Body, in.PreviewBreak = body.Blocks, body.PreviewBreak
	for _, s := range body.UnknownShortcodes {
		r.rep.UnknownShortcodes[s]++
	}
	r.rep.Dropped += len(body.Dropped)
	if len(in.Body) == 0 {
		r.rep.skip(it.ID, it.Title, "empty body")
		return nil
	}
	if v, ok := it.Meta.Get("_thumbnail_id"); ok {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			if p, ok := r.photoFor(ctx)(id, ""); ok {
				in.PhotoID = p
			}
		}
	}
	for _, t := range it.Terms {
		switch t.Domain {
		case "category":
			if id := r.sections[t.Slug]; id != "" && in.SectionID == "" {
				in.SectionID = id
			}
		case "post_tag":
			if id := r.tags[t.Slug]; id != "" && !slices.Contains(in.TagIDs, id) {
				in.TagIDs = append(in.TagIDs, id)
			}
		}
	}
	if id := r.authors[it.Creator]; id != "" {
		in.AuthorIDs = []string{id}
	}
	list := r.comments(it)
	paths := oldPaths(wordpress.Permalinks(r.site, it, ""))
	im := content.ImportedArticle{
		Source: r.source, ExternalID: strconv.FormatInt(it.ID, 10), Input: in,
		CreatedAt: it.Date, UpdatedAt: it.Modified, Paths: paths, TranslationGroup: it.TranslationGroup(),
	}
	im.Digest = digest(im, list)
	if r.o.DryRun {
		_, d, err := r.svc.Content.ExternalRef(ctx, r.source, content.KindArticle, im.ExternalID)
		switch {
		case errors.Is(err, fault.ErrNotFound):
			r.rep.Created++
		case err != nil:
			return err
		case d == im.Digest:
			r.rep.Unchanged++
		default:
			r.rep.Updated++
		}
		r.rep.Comments += len(list)
		r.rep.Paths += len(paths)
		return nil
	}
	var touched []string
	im.Within = func(tx *gorm.DB, articleID string) error {
		for i := range list {
			list[i].ArticleID = articleID
		}
		var err error
		touched, err = r.svc.Comments.ImportTx(tx, list)
		return err
	}
	out, err := r.svc.Content.ImportArticle(ctx, im)
	if err != nil {
		if errors.Is(err, fault.ErrInvalid) {
			r.rep.Failed = append(r.rep.Failed, Skip{ID: it.ID, Title: it.Title, Why: err.Error()})
			return nil
		}
		return fmt.Errorf("post %d: %w", it.ID, err)
	}
	r.svc.Comments.Touched(touched)
	switch out.Action {
	case content.ImportCreated:
		r.rep.Created++
		r.rep.Comments += len(list)
		r.rep.Paths += len(paths)
	case content.ImportUpdated:
		r.rep.Updated++
		r.rep.Comments += len(list)
	default:
		r.rep.Unchanged++
	}
	if out.SlugChanged && out.Action != content.ImportUnchanged {
		r.rep.SlugsChanged++
	}
	return nil
}

// oldPaths are the paths worth recording: those that have a canonical
// form other than the home page, once each.
func oldPaths(list []string) []string {
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for _, p := range list {
		c, err := content.CanonicalPath(p)
		if err != nil || c == "/" || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}

// digest hashes what an import of the post writes.
func digest(im content.ImportedArticle, list []comments.Imported) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(struct {
		V        int
		In       content.ArticleInput
		C, U     time.Time
		Paths    []string
		Group    string
		Comments []comments.Imported
	}{2, im.Input, im.CreatedAt, im.UpdatedAt, im.Paths, im.TranslationGroup, list})
	return hex.EncodeToString(h.Sum(nil))
}

// commentStatus maps wp:comment_approved.
var commentStatus = map[string]comments.Status{
	"1": comments.StatusApproved, "0": comments.StatusPending,
	"spam": comments.StatusSpam, "trash": comments.StatusRejected,
}

// comments are the post's comments, parents first, with stable ids;
// pingbacks and trackbacks are skipped; a comment whose parent is not in
// the export becomes top-level.
func (r *run) comments(it wordpress.Item) []comments.Imported {
	byID := map[int64]wordpress.Comment{}
	for _, c := range it.Comments {
		if c.Type == "pingback" || c.Type == "trackback" {
			r.rep.CommentsSkipped++
			continue
		}
		if c.ID <= 0 {
			continue
		}
		if _, dup := byID[c.ID]; dup {
			continue
		}
		byID[c.ID] = c
	}
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]comments.Imported, 0, len(ids))
	done := map[int64]bool{}
	var emit func(id int64, depth int)
	emit = func(id int64, depth int) {
		if done[id] {
			return
		}
		done[id] = true
		c := byID[id]
		parent := ""
		if c.Parent != 0 {
			if _, ok := byID[c.Parent]; ok && depth < 64 && !done[c.Parent] {
				emit(c.Parent, depth+1)
			}
			if _, ok := byID[c.Parent]; ok && c.Parent != id {
				parent = comments.ImportID(r.source, strconv.FormatInt(c.Parent, 10))
			} else {
				r.rep.OrphanComments++
			}
		}
		status, ok := commentStatus[c.Approved]
		if !ok {
			status = comments.StatusPending
		}
		body := strings.TrimSpace(r.text(c.Content))
		if body == "" {
			body = "…"
		}
		name := strings.TrimSpace(c.Author)
		if name == "" {
			name = "Anonymous"
		}
		at := c.Date
		if at.IsZero() {
			at = it.Date
		}
		out = append(out, comments.Imported{Comment: comments.Comment{
			ID: comments.ImportID(r.source, strconv.FormatInt(c.ID, 10)), ParentID: parent,
			AuthorName: name, Email: strings.TrimSpace(c.Email), Body: body, Status: status,
			IP: c.IP, CreatedAt: at, UpdatedAt: at,
		}})
	}
	for _, id := range ids {
		emit(id, 0)
	}
	// A parent emitted after its reply (a cycle cut above) cannot be one.
	pos := map[string]int{}
	for i, c := range out {
		pos[c.ID] = i
	}
	for i := range out {
		if p := out[i].ParentID; p != "" {
			if j, ok := pos[p]; !ok || j >= i {
				out[i].ParentID = ""
				r.rep.OrphanComments++
			}
		}
	}
	return out
}

// text is HTML as plain text: tags dropped, entities decoded.
func (r *run) text(s string) string {
	return htmlText(r.strict.Sanitize(s))
}

// photoFor finds the photos of attachments (imported before the posts,
// by importPhotos).
func (r *run) photoFor(context.Context) func(int64, string) (string, bool) {
	return func(id int64, _ string) (string, bool) {
		p, ok := r.photos[id]
		return p, ok
	}
}

// imageExts are the files importPhotos takes: what media stores.
var imageExts = []string{".jpg", ".jpeg", ".png", ".gif", ".webp"}

// importPhotos makes a photo of every image attachment (or finds the one
// an earlier run made), Workers at a time: each with its reference and
// its attachment pages, in a transaction of its own, before any post
// that shows it is written.
func (r *run) importPhotos(ctx context.Context) error {
	ids := make([]int64, 0, len(r.atts))
	for id, a := range r.atts {
		if slices.Contains(imageExts, strings.ToLower(path.Ext(firstNonEmpty(a.file, a.url)))) {
			ids = append(ids, id)
		} else {
			r.rep.Skipped["attachment not an image"]++
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	var bar *progress.Bar
	if r.o.Progress != nil {
		bar = progress.New(r.o.Progress, len(ids), "photos")
		defer bar.Done()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(r.o.Workers, 1))
	for _, id := range ids {
		g.Go(func() error {
			p, err := r.photo(gctx, id)
			if err != nil {
				return err
			}
			r.mu.Lock()
			if p != "" {
				r.photos[id] = p
			}
			r.mu.Unlock()
			if bar != nil {
				bar.Add(1)
			}
			return nil
		})
	}
	return g.Wait()
}

func (r *run) photo(ctx context.Context, id int64) (string, error) {
	cs := r.svc.Content
	key := strconv.FormatInt(id, 10)
	if pid, _, err := cs.ExternalRef(ctx, r.source, content.KindPhoto, key); err == nil {
		if _, err := cs.Photo(ctx, pid); err == nil {
			r.tally(func(rep *Report) { rep.PhotosReused++ })
			return pid, nil
		}
	} else if !errors.Is(err, fault.ErrNotFound) {
		return "", err
	}
	a, ok := r.atts[id]
	if !ok {
		return "", nil // not an attachment of this export
	}
	file, ok := r.uploadPath(a.file)
	if !ok {
		r.missing(a.file, a.url)
		return "", nil
	}
	data, err := readLimited(file, 64<<20)
	if errors.Is(err, os.ErrNotExist) {
		r.missing(a.file, a.url)
		return "", nil
	}
	if err != nil {
		r.bad(id, a.file, err)
		return "", nil
	}
	if r.o.DryRun {
		r.tally(func(rep *Report) { rep.Photos++ })
		return ulid.Make().String(), nil
	}
	meta := content.Photo{Caption: r.text(a.caption), Credit: a.credit, Alt: strings.TrimSpace(a.alt), SourceURL: a.url}
	if meta.Alt == "" {
		meta.Alt = strings.TrimSpace(a.title)
	}
	var ph content.Photo
	_, err = r.svc.Media.PutThen(ctx, data, func(img media.Image) error {
		meta.Hash, meta.Width, meta.Height, meta.Mime, meta.Original = img.Hash, img.Width, img.Height, img.Mime, img.Original
		meta.Blurhash, meta.DominantColor = img.Blurhash, img.DominantColor
		meta.Renditions = make([]content.Rendition, 0, len(img.Renditions))
		for _, rd := range img.Renditions {
			meta.Renditions = append(meta.Renditions, content.Rendition{Width: rd.Width, Height: rd.Height, Path: rd.Path})
		}
		return r.svc.DB.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			if ph, err = cs.CreatePhotoTx(tx, meta); err != nil {
				return err
			}
			// Its attachment pages lead to it from now on.
			paths := make([]content.LegacyPath, len(a.paths))
			for i, p := range a.paths {
				paths[i] = content.LegacyPath{Path: p, Kind: content.KindPhoto, TargetID: ph.ID, Source: r.source}
			}
			if err := cs.PutPathsTx(tx, paths); err != nil {
				return err
			}
			return cs.PutExternalRefTx(tx, content.ExternalRef{Source: r.source, Kind: content.KindPhoto, ExternalID: key, TargetID: ph.ID})
		})
	})
	if err == nil {
		cs.Changed()
	}
	if err != nil {
		if errors.Is(err, media.ErrUnsupported) || errors.Is(err, media.ErrTooLarge) {
			r.bad(id, a.file, err)
			return "", nil
		}
		return "", fmt.Errorf("attachment %d (%s): %w", id, a.file, err)
	}
	r.tally(func(rep *Report) { rep.Photos++; rep.Paths += len(a.paths) })
	return ph.ID, nil
}

func (r *run) missing(file, url string) {
	r.tally(func(rep *Report) {
		rep.MissingCount++
		if len(rep.MissingFiles) < maxListed {
			rep.MissingFiles = append(rep.MissingFiles, firstNonEmpty(file, url))
		}
	})
}

func (r *run) bad(id int64, file string, err error) {
	r.tally(func(rep *Report) { rep.BadFiles = append(rep.BadFiles, Skip{ID: id, Title: file, Why: err.Error()}) })
}

// tally changes the report under the lock the photo workers share.
func (r *run) tally(f func(*Report)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.rep)
}

// uploadPath is the file of an attachment in the uploads folder; false
// when there is no folder or the name would leave it.
func (r *run) uploadPath(rel string) (string, bool) {
	if r.o.Uploads == "" || rel == "" || filepath.IsAbs(rel) || strings.Contains(rel, "\x00") {
		return "", false
	}
	clean := filepath.Clean(filepath.FromSlash(rel))
	if clean == "." || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.Join(r.o.Uploads, clean), true
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%d bytes: larger than %d", st.Size(), limit)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

// access is the most restrictive level the rules give the post.
func (r *run) access(it wordpress.Item) content.Access {
	level := content.AccessPublic
	for _, rule := range r.o.Rules {
		if rule.matches(it) && rank(rule.Access) > rank(level) {
			level = rule.Access
		}
	}
	return level
}

func (rule AccessRule) matches(it wordpress.Item) bool {
	switch rule.Kind {
	case "category", "tag":
		domain := "category"
		if rule.Kind == "tag" {
			domain = "post_tag"
		}
		for _, t := range it.Terms {
			if t.Domain == domain && (t.Slug == rule.Key || wordpress.DecodeSlug(t.Slug) == rule.Key) {
				return true
			}
		}
	case "meta":
		for _, m := range it.Meta {
			if m.Key != rule.Key {
				continue
			}
			if rule.HasValue && m.Value == rule.Value || !rule.HasValue && strings.TrimSpace(m.Value) != "" {
				return true
			}
		}
	}
	return false
}

// defaultLang is --lang, else the channel's language, else English.
func (r *run) defaultLang() string {
	if r.o.Lang != "" {
		return r.o.Lang
	}
	if l := langCode(r.site.Language); l != "" {
		return l
	}
	return "en"
}

// langOf is the post's language: Polylang's, else detected (when asked),
// else the default.
func (r *run) langOf(it wordpress.Item) string {
	if l := langCode(it.Language()); l != "" {
		return l
	}
	if r.o.DetectLang {
		text := it.Title + "\n" + r.text(it.Content)
		if len(text) > 4000 {
			text = text[:4000]
		}
		info := whatlanggo.DetectWithOptions(text, whatlanggo.Options{Whitelist: r.langs})
		if code := info.Lang.Iso6391(); code != "" && info.IsReliable() {
			return code
		}
	}
	return r.defaultLang()
}

// detectable is the detector's language of a two-letter code.
func detectable(code string) (whatlanggo.Lang, bool) {
	for l := range whatlanggo.Langs {
		if l.Iso6391() == code {
			return l, true
		}
	}
	return 0, false
}

// langCode is the two-letter code of "fr", "fr-FR" or "fr_FR", or "".
func langCode(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) >= 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z' && (len(s) == 2 || s[2] == '-' || s[2] == '_') {
		return s[:2]
	}
	return ""
}

func firstNonEmpty(list ...string) string {
	for _, s := range list {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
