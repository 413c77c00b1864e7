// Package seed writes a generated archive — sections, tags, authors and any
// number of articles in French, English, German and Russian — through the
// content service, for load tests, benchmarks and search at scale
// (`masthead seed`), and reader comments under them, threaded, bulk-loaded
// through the comments service. The text comes from the phrase lists in text.go,
// combined by a random generator seeded by the caller: the same seed and
// clock give the same archive. It composes the domain services and owns no
// table.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/slug"

	"masthead/internal/blocks"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/media"
	"masthead/internal/progress"
)

// ErrNotEmpty is returned when the database already has articles and
// Options.Append is not set.
var ErrNotEmpty = errors.New("the database already has articles")

// Options say what to generate.
type Options struct {
	Articles int    // how many articles
	Seed     uint64 // the random generator's seed
	// Append adds to a database that already has articles; otherwise Run
	// refuses one (ErrNotEmpty). Appended articles number their slugs on
	// from the articles already there.
	Append bool
	// Batch is how many articles go in one transaction (200 when 0).
	Batch int
	// Now is the end of the archive's ten years; nil means time.Now.
	Now func() time.Time
	// Progress receives a progress bar or progress lines; nil: none.
	Progress io.Writer
	// Comments is how many reader comments to write under the new
	// articles that take comments, through CommentService (required
	// then), in bulk.
	Comments       int
	CommentService *comments.Service
	// Photos is how many photos to generate and share between the new
	// articles (most stories get a featured photo, some a photo block in
	// their body too), stored through Media (required then): real JPEGs,
	// with renditions, captions, credits and alt text.
	Photos int
	Media  *media.Store
}

// Summary tells what was written.
type Summary struct {
	Articles, Sections, Tags, Authors, Comments, Photos int
	Elapsed                                             time.Duration
}

// Years is how far back the archive goes.
const Years = 10

// Run writes the archive through svc.
func Run(ctx context.Context, svc *content.Service, o Options) (Summary, error) {
	start := time.Now()
	var sum Summary
	if o.Articles < 0 || o.Comments < 0 || o.Photos < 0 {
		return sum, fmt.Errorf("seed: %d articles, %d comments, %d photos", o.Articles, o.Comments, o.Photos)
	}
	if o.Photos > 0 && o.Media == nil {
		return sum, errors.New("seed: photos need Options.Media")
	}
	if o.Comments > 0 && o.CommentService == nil {
		return sum, errors.New("seed: comments need Options.CommentService")
	}
	if o.Batch <= 0 {
		o.Batch = 200
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	existing, err := svc.CountArticles(ctx)
	if err != nil {
		return sum, err
	}
	if existing > 0 && !o.Append {
		return sum, ErrNotEmpty
	}
	tax, err := ensureTaxonomy(ctx, svc, &sum)
	if err != nil {
		return sum, err
	}

	g := &generator{
		rng: rand.New(rand.NewPCG(o.Seed, 0x6d617374)), tax: tax,
		end: now().UTC().Truncate(time.Minute), number: int(existing),
	}
	var pool *photoPool
	if o.Photos > 0 {
		// Their own generator: the articles' text stays what the seed
		// gives without photos.
		prng := rand.New(rand.NewPCG(o.Seed, 0x70686f74))
		var tick func()
		var pbar *progress.Bar
		if o.Progress != nil {
			pbar = progress.New(o.Progress, o.Photos, "photos")
			tick = func() { pbar.Add(1) }
		}
		ids, err := makePhotos(ctx, svc, o.Media, o.Photos, prng, tick)
		if pbar != nil {
			pbar.Done()
		}
		sum.Photos = len(ids)
		if err != nil {
			return sum, err
		}
		pool = &photoPool{ids: ids, rng: prng}
	}
	var bar *progress.Bar
	if o.Progress != nil {
		bar = progress.New(o.Progress, o.Articles, "articles")
		defer bar.Done()
	}
	batch := make([]content.ArticleInput, 0, o.Batch)
	var takers []open // the new articles that take comments
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		arts, err := svc.CreateArticles(ctx, batch)
		if err != nil {
			return err
		}
		if o.Comments > 0 {
			for _, a := range arts {
				if a.CommentsEnabled && a.PublishedAt != nil {
					takers = append(takers, open{id: a.ID, lang: a.Lang, published: a.PublishedAt.UTC()})
				}
			}
		}
		sum.Articles += len(batch)
		if bar != nil {
			bar.Add(len(batch))
		}
		batch = batch[:0]
		return ctx.Err()
	}
	for left := o.Articles; left > 0; {
		versions := g.story(left)
		if pool != nil {
			illustrate(versions, pool)
		}
		for _, in := range versions {
			batch = append(batch, in)
			left--
			if len(batch) == o.Batch {
				if err := flush(); err != nil {
					return sum, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	if bar != nil {
		bar.Done()
	}
	if o.Comments > 0 {
		if len(takers) == 0 {
			return sum, errors.New("seed: no new article takes comments")
		}
		sum.Comments, err = writeComments(ctx, o.CommentService, o, takers, g.end)
		if err != nil {
			return sum, err
		}
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// illustrate gives three stories in four a featured photo, the same in
// every language, and one in five a second photo as a block after its
// second block.
func illustrate(versions []content.ArticleInput, pool *photoPool) {
	r := pool.rng
	if r.IntN(4) == 0 {
		return
	}
	featured := pool.draw()
	inBody := ""
	if r.IntN(5) == 0 {
		inBody = pool.draw()
	}
	for i := range versions {
		versions[i].PhotoID = featured
		if inBody != "" && len(versions[i].Body) > 2 {
			body := make([]blocks.Block, 0, len(versions[i].Body)+1)
			body = append(body, versions[i].Body[:2]...)
			body = append(body, blocks.Block{Type: blocks.TypePhoto, PhotoID: inBody})
			versions[i].Body = append(body, versions[i].Body[2:]...)
		}
	}
}

// taxonomy is the IDs of the sections, tags and authors by slug.
type taxonomy struct {
	sections, tags map[string]string
	authors        map[string][]string // by language: IDs of those who write in it
}

// ensureTaxonomy creates the sections, tags and authors the archive uses,
// reusing those already there (an appending run, or a second seed).
func ensureTaxonomy(ctx context.Context, svc *content.Service, sum *Summary) (taxonomy, error) {
	tax := taxonomy{sections: map[string]string{}, tags: map[string]string{}, authors: map[string][]string{}}
	secs, err := svc.Sections(ctx)
	if err != nil {
		return tax, err
	}
	for _, s := range secs {
		tax.sections[s.Slug] = s.ID
	}
	for i, s := range sections {
		if tax.sections[s.slug] != "" {
			continue
		}
		names := map[string]string{}
		for _, l := range langs {
			names[l] = s.names.in(l)
		}
		sec, err := svc.CreateSection(ctx, content.Section{Slug: s.slug, Names: names, Position: 100 + i})
		if err != nil {
			return tax, err
		}
		tax.sections[s.slug] = sec.ID
		sum.Sections++
	}
	tags, err := svc.Tags(ctx)
	if err != nil {
		return tax, err
	}
	for _, t := range tags {
		tax.tags[t.Slug] = t.ID
	}
	addTag := func(slug, name, kind string) error {
		if tax.tags[slug] != "" {
			return nil
		}
		t, err := svc.CreateTag(ctx, content.Tag{Slug: slug, Name: name, Kind: kind})
		if err != nil {
			return err
		}
		tax.tags[slug] = t.ID
		sum.Tags++
		return nil
	}
	for _, t := range countryTags {
		if err := addTag(t.slug, t.name, content.TagCountry); err != nil {
			return tax, err
		}
	}
	for _, t := range topicTags {
		if err := addTag(t.slug, t.name, content.TagTopic); err != nil {
			return tax, err
		}
	}
	for _, a := range authors {
		au, err := svc.AuthorBySlug(ctx, a.slug)
		if errors.Is(err, fault.ErrNotFound) {
			au, err = svc.CreateAuthor(ctx, content.Author{Slug: a.slug, Name: a.name, Bio: a.bio})
			sum.Authors++
		}
		if err != nil {
			return tax, err
		}
		id := au.ID
		for _, l := range a.langs {
			tax.authors[l] = append(tax.authors[l], id)
		}
	}
	return tax, nil
}

// generator draws stories from one random source, in order.
type generator struct {
	rng    *rand.Rand
	tax    taxonomy
	end    time.Time
	number int // articles numbered so far (slug suffixes)
}

// clause is one subject, predicate and optional adverbial, with the
// numbers the predicate may need.
type clause struct {
	s, p, a int // a < 0: none
	n       int
	d1, d2  int
}

// sentence is a clause in a frame.
type sentence struct {
	clause
	frame, src, closer, who int
}

// block is one block of a body plan: sentences make a paragraph; a heading,
// quote or list names its phrase by index.
type block struct {
	typ       string
	sentences []sentence
	index     int
	items     []clause
}

// story draws one story and returns its language versions (at most max).
func (g *generator) story(max int) []content.ArticleInput {
	r := g.rng
	main := g.clause(true)
	lang := pick(r, []string{"fr", "en", "de", "ru"}, []int{35, 30, 20, 15})
	versions := []string{lang}
	if r.IntN(100) < 15 { // translated into one or two other languages
		others := make([]string, 0, 3)
		for _, l := range langs {
			if l != lang {
				others = append(others, l)
			}
		}
		r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
		versions = append(versions, others[:1+r.IntN(2)]...)
	}
	if len(versions) > max {
		versions = versions[:max]
	}
	access := pick(r, []content.Access{content.AccessPublic, content.AccessRegistered, content.AccessSubscribers}, []int{60, 20, 20})
	published := g.end.Add(-time.Duration(r.Int64N(int64(Years * 365 * 24 * time.Hour))))
	published = published.Truncate(time.Minute)
	comments := r.IntN(100) < 40
	topic := predicates[main.p].topic
	tags := []string{g.tax.tags[topic]}
	if main.a >= 0 && adverbials[main.a].country != "" {
		tags = append(tags, g.tax.tags[adverbials[main.a].country])
	}
	if r.IntN(3) == 0 {
		if extra := topicTags[r.IntN(len(topicTags))].slug; extra != topic {
			tags = append(tags, g.tax.tags[extra])
		}
	}
	words := 300 + int(1200*pow15(r.Float64()))
	plan := g.body(main, words, lang)
	second := g.clause(false)
	second.s = main.s
	standfirst := g.sentenceAround(second)

	var key string
	if len(versions) > 1 {
		key = "seed-" + strconv.Itoa(g.number+1)
	}
	out := make([]content.ArticleInput, 0, len(versions))
	for i, l := range versions {
		g.number++
		title := capitalize(renderClause(l, main))
		at := published.Add(time.Duration(i) * 3 * time.Hour)
		if at.After(g.end) {
			at = g.end
		}
		in := content.ArticleInput{
			Lang: l, Slug: slugOf(title, l, g.number), TranslationKey: key,
			Title: title, Standfirst: renderSentence(l, standfirst),
			SectionID: g.tax.sections[sectionOf[topic]], Access: access,
			Status: content.StatusPublished, PublishAt: &at, CommentsEnabled: comments,
			Body: renderBody(l, plan), TagIDs: tags,
		}
		ids := g.tax.authors[l]
		first := r.IntN(len(ids))
		in.AuthorIDs = []string{ids[first]}
		if r.IntN(5) == 0 && len(ids) > 1 {
			in.AuthorIDs = append(in.AuthorIDs, ids[(first+1+r.IntN(len(ids)-1))%len(ids)])
		}
		out = append(out, in)
	}
	return out
}

// clause draws a clause; a headline's adverbial is a place more often.
func (g *generator) clause(headline bool) clause {
	r := g.rng
	c := clause{s: r.IntN(len(subjects)), p: r.IntN(len(predicates)), a: -1,
		n: numbers[r.IntN(len(numbers))], d1: r.IntN(4), d2: r.IntN(10)}
	chance := 60
	if headline {
		chance = 80
	}
	if r.IntN(100) < chance {
		c.a = r.IntN(len(adverbials))
	}
	return c
}

// sentenceAround frames c.
func (g *generator) sentenceAround(c clause) sentence {
	r := g.rng
	return sentence{clause: c, frame: r.IntN(5), src: r.IntN(len(sources)),
		closer: r.IntN(len(closers)), who: r.IntN(len(people))}
}

// body plans at least words words of paragraphs in lang (its translations
// come out a little longer or shorter): paragraphs of two to six sentences,
// the first one on the story's own clause, with now and then a heading, a
// quote or a list.
func (g *generator) body(main clause, words int, lang string) []block {
	r := g.rng
	var plan []block
	first := true
	for words > 0 {
		if !first && len(plan) > 2 {
			switch x := r.IntN(100); {
			case x < 12:
				plan = append(plan, block{typ: blocks.TypeHeading, index: r.IntN(len(headings))})
			case x < 20:
				plan = append(plan, block{typ: blocks.TypeQuote, index: r.IntN(len(quotes)), sentences: []sentence{g.sentenceAround(g.clause(false))}})
			case x < 23:
				items := make([]clause, 2+r.IntN(3))
				for i := range items {
					items[i] = g.clause(false)
				}
				plan = append(plan, block{typ: blocks.TypeList, items: items})
			}
		}
		n := 2 + r.IntN(5)
		b := block{typ: blocks.TypeParagraph}
		for i := 0; i < n && words > 0; i++ {
			c := main
			if !first || i > 0 {
				c = g.clause(false)
			}
			s := g.sentenceAround(c)
			b.sentences = append(b.sentences, s)
			words -= len(strings.Fields(renderSentence(lang, s)))
		}
		first = false
		plan = append(plan, b)
	}
	return plan
}

func renderBody(lang string, plan []block) []blocks.Block {
	out := make([]blocks.Block, 0, len(plan))
	var sb strings.Builder
	for _, b := range plan {
		switch b.typ {
		case blocks.TypeHeading:
			out = append(out, blocks.Block{Type: blocks.TypeHeading, Level: 2, Text: headings[b.index].in(lang)})
		case blocks.TypeQuote:
			p := people[b.sentences[0].who]
			out = append(out, blocks.Block{Type: blocks.TypeQuote, Text: quotes[b.index].in(lang), Cite: p.nameIn(lang)})
		case blocks.TypeList:
			items := make([]string, len(b.items))
			for i, c := range b.items {
				items[i] = capitalize(renderClause(lang, c))
			}
			out = append(out, blocks.Block{Type: blocks.TypeList, Items: items})
		default:
			sb.Reset()
			for i, s := range b.sentences {
				if i > 0 {
					sb.WriteByte(' ')
				}
				sb.WriteString(renderSentence(lang, s))
			}
			out = append(out, blocks.Block{Type: blocks.TypeParagraph, Text: sb.String()})
		}
	}
	return out
}

func (p person) nameIn(lang string) string {
	if lang == "ru" {
		return p.ru
	}
	return p.name
}

// renderClause is subject, predicate and adverbial in lang, lower-case
// first, without a full stop.
func renderClause(lang string, c clause) string {
	p := predicates[c.p].in(lang)
	a := ""
	if c.a >= 0 {
		a = adverbials[c.a].in(lang)
	}
	if strings.Contains(p, "{A}") {
		p = strings.Replace(p, "{A}", a, 1)
	} else if a != "" {
		p += " " + a
	}
	if strings.Contains(p, "{") {
		p = strings.NewReplacer("{n}", strconv.Itoa(c.n), "{d},{d}", strconv.Itoa(c.d1)+","+strconv.Itoa(c.d2),
			"{d}.{d}", strconv.Itoa(c.d1)+"."+strconv.Itoa(c.d2)).Replace(p)
	}
	return tidy(subjects[c.s].in(lang) + " " + p)
}

// renderSentence is s in lang, with its full stop.
func renderSentence(lang string, s sentence) string {
	frame := frames[lang][s.frame]
	cl := renderClause(lang, s.clause)
	if strings.HasPrefix(frame, "{S}") || lang == "de" { // German: also after a colon
		cl = capitalize(cl)
	}
	frame = strings.Replace(frame, "{S} {P}", "{CL}", 1)
	p := people[s.who]
	who := p.nameIn(lang) + ", " + p.role.in(lang) + ","
	sayIdx := 0
	if p.female {
		sayIdx = 1
	}
	out := strings.NewReplacer(
		"{CL}", cl,
		"{SRC}", sources[s.src].in(lang),
		"{C}", closers[s.closer].in(lang),
		"{WHO}", who,
		"{SAY}", said[lang][sayIdx],
	).Replace(frame)
	if lang == "fr" {
		out = strings.NewReplacer("que une ", "qu'une ", "que un ", "qu'un ").Replace(out)
	}
	return out
}

// tidy closes the gap an empty {A} leaves.
func tidy(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return strings.ReplaceAll(strings.TrimSpace(s), " ,", ",")
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// slugOf is the title's first words, transliterated, and the article's
// number, which keeps slugs unique.
func slugOf(title, lang string, number int) string {
	s := slug.MakeLang(title, lang)
	parts := strings.Split(s, "-")
	if len(parts) > 7 {
		parts = parts[:7]
	}
	return strings.Trim(strings.Join(parts, "-"), "-") + "-" + strconv.Itoa(number)
}

func pick[T any](r *rand.Rand, values []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return values[i]
		}
		x -= w
	}
	return values[len(values)-1]
}

// pow15 is x^1.5: article lengths lean towards the short end.
func pow15(x float64) float64 { return x * math.Sqrt(x) }
