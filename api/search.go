package api

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/search"
)

type searchHit struct {
	Article articleSummary `json:"article" validate:"required"`
	// Snippet is HTML: the text is escaped, the matched words are in <mark>.
	Snippet string  `json:"snippet" validate:"required" example:"… la frontière de l’<mark>Ouzbékistan</mark> rouvre au printemps …"`
	Score   float64 `json:"score" validate:"required" example:"58.91"`
}

type facetCount struct {
	Value string `json:"value" validate:"required" example:"fr"`
	Count int    `json:"count" validate:"required" example:"12"`
}

type searchFacets struct {
	// Sections counts the hits by section slug (an article counts in its
	// own section, not in its parents).
	Sections  []facetCount `json:"sections" validate:"required"`
	Languages []facetCount `json:"languages" validate:"required"`
}

type searchResponse struct {
	Data       []searchHit  `json:"data" validate:"required"`
	Total      int          `json:"total" validate:"required" example:"37"`
	Facets     searchFacets `json:"facets" validate:"required"`
	NextCursor *string      `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

// searchArticles godoc
//
//	@Summary		Search articles
//	@Description	Full-text search of the live articles, in French, English, German and Russian (each with its stemming; other languages word for word), ignoring case, accents and apostrophes.
//	@Description
//	@Description	`q` is words, all of which must match; `"a phrase"`; `-word` or `-"a phrase"` to exclude; `word*` for a prefix. The last word is also a prefix unless `q` ends with a space, for search as you type. Very common words (le, the, der, и…) are ignored.
//	@Description
//	@Description	Hits are ranked by where the words are (all in the headline; in the headline and standfirst; elsewhere), then by recency: a headline match outranks a body match up to two years newer. The paywall holds: an article the caller may not read in full is searched in its headline, standfirst and preview only, and its snippet comes from those.
//	@Description
//	@Description	`facets` and `total` count the hits of the whole search, not only this page.
//	@Tags			articles
//	@Security		BearerAuth
//	@Param			q		query		string	true	"the query, at most 200 characters"
//	@Param			lang	query		string	false	"two-letter language: only articles in it, and its stemming for the query"
//	@Param			section	query		string	false	"section slug; includes its subsections"
//	@Param			tag		query		string	false	"tag slug"
//	@Param			author	query		string	false	"author slug"
//	@Param			from	query		string	false	"published at or after (RFC 3339 time or YYYY-MM-DD)"
//	@Param			to		query		string	false	"published before (RFC 3339 time or YYYY-MM-DD, that day excluded)"
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page of the same search"
//	@Success		200		{object}	searchResponse
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Router			/v1/search [get]
func (s *Server) searchArticles(c echo.Context) error {
	ctx := c.Request().Context()
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	lang, err := parseLang(c)
	if err != nil {
		return err
	}
	q, err := parseQuery(c, lang, true)
	if err != nil {
		return err
	}
	from, err := parseTime(c, "from")
	if err != nil {
		return err
	}
	to, err := parseTime(c, "to")
	if err != nil {
		return err
	}
	for _, name := range []string{"section", "tag", "author"} {
		if v := c.QueryParam(name); v != "" && !validSlug(v) {
			return badParam(name, "must be a slug")
		}
	}
	p := principalOf(c)
	f := content.SearchFilter{
		Query: *q, Full: fullLevels(p),
		Section: c.QueryParam("section"), Tag: c.QueryParam("tag"), Author: c.QueryParam("author"),
		Lang: lang, From: from, To: to, Limit: limit,
	}
	// A cursor belongs to one search: the same query and filters.
	id := searchID(q, f)
	cur, err := s.parseCursor(c, "search:"+id)
	if err != nil {
		return err
	}
	if cur != nil {
		if cur.Score == nil {
			return badParam("cursor", "is not a cursor this list issued; start again without it")
		}
		f.After = &content.SearchCursor{Score: *cur.Score, ID: cur.ID}
	}
	key := "search\x00" + classOf(p) + "\x00" + c.Request().URL.Query().Encode()
	gen := s.Content.Generation()
	if rep, ok := s.cache.get(key, gen); ok {
		return sendRep(c, rep, cacheFor(p))
	}
	// When a story breaks, many readers search for the same words at once:
	// the first computes, the others wait for its answer (the same bytes,
	// as the cache would give them). The computation is the flight's, not
	// the first caller's: it does not end when that caller goes away.
	v, err, _ := s.searches.Do(key+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Timeout)
		defer cancel()
		return s.searchRep(fctx, f, p, id, key, gen)
	})
	if err != nil {
		return err
	}
	rep, _ := v.(cachedRep) // searchRep's
	return sendRep(c, rep, cacheFor(p))
}

// searchRep runs f and encodes its answer for p's class, and caches it
// under key.
func (s *Server) searchRep(ctx context.Context, f content.SearchFilter, p access.Principal, id, key string, gen uint64) (cachedRep, error) {
	res, err := s.Content.Search(ctx, f)
	if err != nil {
		return cachedRep{}, err
	}
	resp := searchResponse{
		Data:  make([]searchHit, 0, len(res.Hits)),
		Total: res.Total,
		Facets: searchFacets{
			Sections: toFacetCounts(res.Sections), Languages: toFacetCounts(res.Languages),
		},
	}
	var lastMod time.Time
	for _, h := range res.Hits {
		resp.Data = append(resp.Data, searchHit{
			Article: toArticleSummary(h.Article, access.Decide(access.Level(h.Article.Access), p), s.MediaURL),
			Snippet: h.Snippet, Score: h.Score,
		})
		if h.Article.UpdatedAt.After(lastMod) {
			lastMod = h.Article.UpdatedAt
		}
	}
	if res.Next != nil {
		last := res.Hits[len(res.Hits)-1].Article
		score := res.Next.Score
		nc := s.cursors.encode(position{List: "search:" + id, Time: *last.PublishedAt, ID: res.Next.ID, Score: &score})
		resp.NextCursor = &nc
	}
	return s.cacheRep(key, gen, resp, lastMod, nil)
}

// parseQuery reads q: nil when absent and not required; a 400 when empty
// or not a query Masthead can run.
func parseQuery(c echo.Context, lang string, required bool) (*search.Query, error) {
	raw, present := c.QueryParams()["q"]
	if !present {
		if required {
			return nil, badParam("q", "is required: the words to search for")
		}
		return nil, nil //nolint:nilnil // absent and optional: no filter
	}
	if len(raw) > 1 {
		return nil, badParam("q", "must be given once")
	}
	q, err := search.Parse(raw[0], lang)
	if fields, ok := fault.Fields(err); ok && len(fields) > 0 {
		return nil, badParam("q", fields[0].Message)
	}
	if err != nil {
		return nil, err
	}
	return &q, nil
}

// parseTime reads a time parameter: an RFC 3339 time, or a date (its
// midnight, UTC).
func parseTime(c echo.Context, name string) (*time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil //nolint:nilnil // absent: no bound
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t, err = time.Parse(time.DateOnly, v)
	}
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return nil, badParam(name, "must be an RFC 3339 time (2026-03-01T08:00:00Z) or a date (2026-03-01)")
	}
	t = t.UTC()
	return &t, nil
}

// fullLevels lists the access levels whose articles p reads in full.
func fullLevels(p access.Principal) []content.Access {
	var out []content.Access
	for _, l := range []content.Access{content.AccessPublic, content.AccessRegistered, content.AccessSubscribers} {
		if access.Decide(access.Level(l), p).Granted {
			out = append(out, l)
		}
	}
	return out
}

// searchID names a search (its query, filters and what the caller reads in
// full), for its cursors.
func searchID(q *search.Query, f content.SearchFilter) string {
	v := url.Values{}
	v.Set("q", q.Key())
	v.Set("lang", f.Lang)
	v.Set("section", f.Section)
	v.Set("tag", f.Tag)
	v.Set("author", f.Author)
	if f.From != nil {
		v.Set("from", f.From.Format(time.RFC3339Nano))
	}
	if f.To != nil {
		v.Set("to", f.To.Format(time.RFC3339Nano))
	}
	levels := make([]string, len(f.Full))
	for i, l := range f.Full {
		levels[i] = string(l)
	}
	v.Set("full", strings.Join(levels, ","))
	sum := sha256.Sum256([]byte(v.Encode()))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

func toFacetCounts(fs []content.Facet) []facetCount {
	out := make([]facetCount, len(fs))
	for i, f := range fs {
		out[i] = facetCount{Value: f.Value, Count: f.Count}
	}
	return out
}
