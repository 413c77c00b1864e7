package content

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"masthead/internal/search"
)

// Full-text search. The index (package search for the analysis, the
// dialect's SQL in repo.go) holds, for every article whatever its status,
// two renderings: what everyone may read (headline, standfirst, preview)
// and the whole (headline, standfirst, body). A caller's query runs against
// the rendering the caller may read of each article, so that neither a hit
// nor a snippet tells anything about the text past the preview.

// SearchFilter is a full-text search of the live articles.
type SearchFilter struct {
	Query search.Query
	// Full lists the access levels whose articles the caller reads in
	// full; for the others only the public rendering is searched. Public
	// is always among them.
	Full []Access
	// Section, Tag and Author are slugs, as in ListFilter; a slug that
	// names nothing matches nothing.
	Section string
	Tag     string
	Author  string
	Lang    string
	// From and To bound the publication time (From included, To excluded).
	From, To *time.Time
	Limit    int
	After    *SearchCursor
}

// SearchCursor is a position in ranked results.
type SearchCursor struct {
	Score float64
	ID    string
}

// Hit is one article found, with its score and a snippet of what the caller
// may read: HTML-escaped, the matched words in <mark>.
type Hit struct {
	Article Article
	Score   float64
	Snippet string
}

// Facet is a value of a facet (a section slug, a language) and the number
// of hits that have it.
type Facet struct {
	Value string
	Count int
}

// SearchResult is a page of hits, the cursor of the next page (nil on the
// last), and the number of hits of the whole search by section and by
// language.
type SearchResult struct {
	Hits      []Hit
	Next      *SearchCursor
	Total     int
	Sections  []Facet
	Languages []Facet
}

// Ranking. A hit's score is its tier (2 when the headline alone holds all
// the query's words, 1 when the headline and standfirst do, 0 otherwise)
// plus its publication time in years: a headline match outranks a body
// match published up to two years later. The score depends on nothing but
// the article and the query (no corpus statistics, no clock), so cursors
// stay valid and both databases rank alike.
const secondsPerYear = 31557600.0

// snippetWords is the length of a snippet.
const snippetWords = 30

// Search runs f.
func (s *Service) Search(ctx context.Context, f SearchFilter) (SearchResult, error) {
	if f.Limit <= 0 {
		return SearchResult{}, fmt.Errorf("search: limit %d", f.Limit)
	}
	lq, err := s.resolve(ctx, ListFilter{Section: f.Section, Tag: f.Tag, Author: f.Author, Lang: f.Lang, Limit: f.Limit}, true)
	if errors.Is(err, ErrNotFound) {
		return SearchResult{Hits: []Hit{}, Sections: []Facet{}, Languages: []Facet{}}, nil
	}
	if err != nil {
		return SearchResult{}, err
	}
	lq.From, lq.To = f.From, f.To
	sq := searchQuery{liveQuery: lq, query: f.Query, full: f.Full, after: f.After}
	now := s.Now()
	rows, counts, err := s.repo.search(ctx, sq, now)
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Hits: make([]Hit, 0, len(rows))}
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		res.Next = &SearchCursor{Score: last.Score, ID: last.Article.ID}
	}
	list := make([]Article, len(rows))
	for i, r := range rows {
		list[i] = r.Article.toArticle()
	}
	if err := s.completePage(ctx, pointers(list)); err != nil {
		return SearchResult{}, err
	}
	for i, r := range rows {
		res.Hits = append(res.Hits, Hit{Article: list[i], Score: r.Score, Snippet: snippet(f.Query, r)})
	}
	_, by, err := s.sectionCache(ctx)
	if err != nil {
		return SearchResult{}, err
	}
	res.Total, res.Sections, res.Languages = facets(counts, by)
	return res, nil
}

// snippet is the passage of a hit's readable text that best shows the
// query's words: the body the caller may read (the whole or the preview,
// as the search read it), else the standfirst, else the start of the body.
func snippet(q search.Query, r hitRow) string {
	body, ok := q.Snippet(r.Readable, r.Article.Lang, snippetWords)
	if ok {
		return body
	}
	if sn, ok := q.Snippet(r.Article.Standfirst, r.Article.Lang, snippetWords); ok {
		return sn
	}
	return body // the start of the body
}

// facets turns per section and language counts into the facets, biggest
// first (then by value), sections by slug.
func facets(counts []facetRow, sections map[string]Section) (total int, bySection, byLang []Facet) {
	sec, lang := map[string]int{}, map[string]int{}
	for _, c := range counts {
		total += c.N
		if c.SectionID != nil {
			if s, ok := sections[*c.SectionID]; ok {
				sec[s.Slug] += c.N
			}
		}
		lang[c.Lang] += c.N
	}
	return total, sortFacets(sec), sortFacets(lang)
}

func sortFacets(m map[string]int) []Facet {
	out := make([]Facet, 0, len(m))
	for v, n := range m {
		out = append(out, Facet{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b Facet) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// searchQuery is a SearchFilter with its slugs resolved.
type searchQuery struct {
	liveQuery
	query search.Query
	full  []Access
	after *SearchCursor
}

// hitRow is a hit as the search query returns it: the summary columns, the
// score, and the body text the caller may read.
type hitRow struct {
	Article  articleRow `gorm:"embedded"`
	Score    float64
	Readable string
}

// facetRow counts hits of one section and language.
type facetRow struct {
	SectionID *string
	Lang      string
	N         int
}

// indexArticle writes a's search index rows in tx: called by every write of
// an article's text, language or access.
func indexArticle(tx *gorm.DB, dialect string, a Article) error {
	if err := writeIndex(tx, dialect, metaOf(a), analyze(a)); err != nil {
		return fmt.Errorf("index article %s: %w", a.ID, err)
	}
	return nil
}

// analyze is a's text as the index holds it.
func analyze(a Article) search.Analyzed {
	return search.Analyze(search.Doc{
		Lang: a.Lang, Title: a.Title, Standfirst: a.Standfirst, Preview: a.Preview.Text, Body: a.Body.Text,
	})
}

// article is the part of an article that indexing reads, as an Article.
func (r staleRow) article() Article {
	a := Article{ID: r.ID, Lang: r.Lang, Title: r.Title, Standfirst: r.Standfirst, Access: Access(r.Access),
		Status: Status(r.Status), PublishedAt: r.PublishedAt,
		Preview: Rendered{Text: r.PreviewText}, Body: Rendered{Text: r.BodyText}}
	if r.SectionID != nil {
		a.SectionID = *r.SectionID
	}
	return a
}

// ReindexProgress is told how many articles are done, out of how many.
type ReindexProgress func(done, total int)

// Reindex rebuilds the search index: of every article when all is true,
// otherwise of those with no index row or one built by another version of
// the analysis (what start-up runs after an upgrade). It returns how many
// articles it indexed.
func (s *Service) Reindex(ctx context.Context, all bool, progress ReindexProgress) (int, error) {
	if !all {
		// What start-up runs: nothing to do must cost little. Every index
		// row names a distinct article (UNIQUE, and deleted with it), so
		// as many current rows as articles means none is missing or stale,
		// which two counts tell without joining the two tables.
		done, err := s.repo.indexComplete(ctx)
		if err != nil || done {
			return 0, err
		}
	}
	total, err := s.repo.countStale(ctx, all)
	if err != nil {
		return 0, err
	}
	if progress != nil {
		progress(0, total)
	}
	const batch = 200
	done, after := 0, ""
	for {
		rows, err := s.repo.staleBatch(ctx, all, after, batch)
		if err != nil {
			return done, err
		}
		if len(rows) == 0 {
			break
		}
		as := make([]Article, len(rows))
		docs := make([]search.Analyzed, len(rows))
		for i, r := range rows {
			as[i] = r.article()
			docs[i] = analyze(as[i])
		}
		err = s.db.Tx(ctx, func(tx *gorm.DB) error {
			// An article saved since it was read was indexed by that save:
			// leave it be.
			ids := make([]string, len(rows))
			for i, r := range rows {
				ids[i] = r.ID
			}
			var now []staleRow
			if err := tx.Table("articles").Select("id", "version").Where("id IN ?", ids).Scan(&now).Error; err != nil {
				return err
			}
			version := make(map[string]int, len(now))
			for _, r := range now {
				version[r.ID] = r.Version
			}
			for i, r := range rows {
				if v, ok := version[r.ID]; !ok || v != r.Version {
					continue
				}
				if err := writeIndex(tx, s.db.Dialect, metaOf(as[i]), docs[i]); err != nil {
					return fmt.Errorf("index article %s: %w", r.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += len(rows)
		after = rows[len(rows)-1].ID
		if progress != nil {
			progress(done, max(total, done))
		}
	}
	return done, nil
}
