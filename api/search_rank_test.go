package api_test

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/content"
)

// secondsPerYear is the year of the ranking rule (a Julian year).
const secondsPerYear = 31557600.0

// TestSearchRanking: the headline before the standfirst before the body,
// for articles of the same date; then recency; and a headline match a year
// old still before a body match of today, but not one three years old.
// Every score is the rule's: the tier plus the publication time in years.
func TestSearchRanking(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	day := 24 * time.Hour
	d := a.Clock.Now().Add(-time.Hour).Truncate(time.Second)
	arts := map[string]content.Article{}
	tiers := map[string]int{}
	add := func(name string, tier int, at time.Time, title, standfirst string, paras ...string) {
		arts[name] = newArticle(t, a, "en", title, standfirst, at, paras...)
		tiers[name] = tier
	}
	add("head", 2, d, "Quorvex plan for the old quay", "A council vote.", "The harbour board met.")
	add("stand", 1, d, "A plan for the old quay", "The quorvex scheme, explained.", "The harbour board met.")
	add("body", 0, d, "A plan, at last", "A council vote.", "The quorvex scheme comes to the quay.")
	add("bodyOlder", 0, d.Add(-day), "A plan, the day before", "A council vote.", "Again the quorvex scheme and the quay.")
	add("headYearAgo", 2, d.Add(-365*day), "Quorvex plan for the quay, a year ago", "", "The first draft.")
	add("headOld", 2, d.Add(-3*365*day), "Quorvex plan for the quay, three years ago", "", "The first idea.")
	order := []string{"head", "headYearAgo", "stand", "body", "bodyOlder", "headOld"}

	for _, tok := range []string{"", a.Token(access.RoleSubscriber)} {
		p := doSearch(t, a, tok, "quorvex", "limit", "100")
		var got []string
		for _, h := range p.Data {
			for name, art := range arts {
				if art.ID == h.Article.ID {
					got = append(got, name)
					wantScore := float64(tiers[name]) + float64(art.PublishedAt.Unix())/secondsPerYear
					if math.Abs(h.Score-wantScore) > 1e-6 {
						t.Errorf("%s: score %.9f, want %.9f (tier %d)", name, h.Score, wantScore, tiers[name])
					}
				}
			}
		}
		if !slices.Equal(got, order) {
			t.Errorf("q=quorvex ranks %v, want %v", got, order)
		}
	}

	// Two words: the tier asks where all of them are.
	p := doSearch(t, a, "", "quorvex quay", "limit", "100")
	var got []string
	for _, h := range p.Data {
		for name, art := range arts {
			if art.ID == h.Article.ID {
				got = append(got, name)
			}
		}
	}
	// "stand" has quay in its headline and quorvex in its standfirst
	// (tier 1); "head" has both in its headline (2); "body" has both in
	// its body (0).
	if want := []string{"head", "headYearAgo", "stand", "body", "bodyOlder", "headOld"}; !slices.Equal(got, want) {
		t.Errorf("q=quorvex quay ranks %v, want %v", got, want)
	}
	// An exclusion does not change the tier.
	p = doSearch(t, a, "", "quorvex -idea", "limit", "100")
	if ids := p.ids(); len(ids) != 5 || ids[0] != arts["head"].ID || ids[1] != arts["headYearAgo"].ID || slices.Contains(ids, arts["headOld"].ID) {
		t.Errorf("q=quorvex -idea: %v", ids)
	}
}

// TestSearchFacetsAndTotal: total and the facets count every hit of the
// search, whatever the page: paging through all of them gives the same
// counts, by the article's own section and its language.
func TestSearchFacetsAndTotal(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	// A few more articles, in sections of their own and in German.
	ed := a.Token(access.RoleEditor)
	for i, sec := range []string{"diplomatie", "politique", "culture", "", "economie"} {
		extra := map[string]any{}
		if sec != "" {
			extra["section"] = sec
		}
		lang := "fr"
		if i%2 == 1 {
			lang = "de"
		}
		postArticle(t, a, ed, lang, fmt.Sprintf("Die Lanne bei Varenne, Teil %d", i+1), "", []string{"Ein Bericht über die Vallée."}, extra)
	}
	type search struct {
		q      string
		params []string
	}
	searches := []search{
		{"lanne", nil}, {"vallée", nil}, {"varenne", nil}, {"kestria", nil}, {"lanne", []string{"lang", "fr"}},
		{"lanne", []string{"section", "politique"}}, {"lanne -sommet", nil}, {"festival", []string{"section", "culture"}},
	}
	for _, c := range callers {
		tok := c.token(a)
		for _, s := range searches {
			first := doSearch(t, a, tok, s.q, append([]string{"limit", "2"}, s.params...)...)
			secs, langs := map[string]int{}, map[string]int{}
			seen := map[string]bool{}
			p := first
			for pages := 0; ; pages++ {
				if pages > 50 {
					t.Fatalf("%s q=%q: endless pages", c.name, s.q)
				}
				if p.Total != first.Total || !slices.Equal(p.Facets.Sections, first.Facets.Sections) || !slices.Equal(p.Facets.Languages, first.Facets.Languages) {
					t.Errorf("%s q=%q: total or facets change from page to page", c.name, s.q)
				}
				for _, h := range p.Data {
					if seen[h.Article.ID] {
						t.Errorf("%s q=%q: %s twice", c.name, s.q, h.Article.Slug)
					}
					seen[h.Article.ID] = true
					if h.Article.Section != nil {
						secs[h.Article.Section.Slug]++
					}
					langs[h.Article.Lang]++
				}
				if p.NextCursor == nil {
					break
				}
				p = doSearch(t, a, tok, s.q, append([]string{"limit", "2", "cursor", *p.NextCursor}, s.params...)...)
			}
			if len(seen) != first.Total {
				t.Errorf("%s q=%q %v: %d hits, total %d", c.name, s.q, s.params, len(seen), first.Total)
			}
			if got := facetMap(first.Facets.Sections); !mapsEqual(got, secs) {
				t.Errorf("%s q=%q %v: section facets %v, hits %v", c.name, s.q, s.params, got, secs)
			}
			if got := facetMap(first.Facets.Languages); !mapsEqual(got, langs) {
				t.Errorf("%s q=%q %v: language facets %v, hits %v", c.name, s.q, s.params, got, langs)
			}
			if s.q == "lanne" && s.params == nil && first.Total < 8 {
				t.Errorf("%s q=lanne: total %d: the test expects many hits", c.name, first.Total)
			}
			for i := 1; i < len(first.Facets.Sections); i++ {
				if first.Facets.Sections[i].Count > first.Facets.Sections[i-1].Count {
					t.Errorf("%s q=%q: section facets not biggest first: %v", c.name, s.q, first.Facets.Sections)
				}
			}
		}
	}
	// section= includes the subsections; the facet counts each hit in its
	// own section.
	p := doSearch(t, a, "", "lanne", "section", "politique", "limit", "100")
	for _, h := range p.Data {
		if h.Article.Section == nil || (h.Article.Section.Slug != "politique" && h.Article.Section.Slug != "diplomatie") {
			t.Errorf("section=politique: a hit in %+v", h.Article.Section)
		}
	}
	if facetMap(p.Facets.Sections)["diplomatie"] == 0 {
		t.Errorf("section=politique: no hit in its subsection diplomatie: %v", p.Facets.Sections)
	}
	// An unknown section, tag or author: nothing, not an error.
	for _, param := range []string{"section", "tag", "author"} {
		p := doSearch(t, a, "", "lanne", param, "no-such-slug")
		if p.Total != 0 || len(p.Data) != 0 || len(p.Facets.Sections) != 0 || len(p.Facets.Languages) != 0 || p.NextCursor != nil {
			t.Errorf("%s=no-such-slug: %+v", param, p)
		}
	}
}

func facetMap(fs []facetCount) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.Value] += f.Count
	}
	return m
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSearchPaging: 45 hits, 10 a page, through next_cursor: each once, in
// score order, the union the whole search; a cursor belongs to its search.
func TestSearchPaging(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	now := a.Clock.Now().Add(-time.Hour).Truncate(time.Second)
	want := map[string]bool{}
	for i := range 45 {
		title, standfirst, body := fmt.Sprintf("Harbour notes %d", i), "A short note.", "Nothing to add."
		switch i % 3 {
		case 0:
			title = fmt.Sprintf("Vantorel notes %d", i)
		case 1:
			standfirst = "The vantorel, again."
		default:
			body = "The vantorel was seen again."
		}
		// Five dates: many ties of score, broken by id.
		at := now.Add(-time.Duration(i%5) * 24 * time.Hour)
		want[newArticle(t, a, "en", title, standfirst, at, body).ID] = true
	}
	sub := a.Token(access.RoleSubscriber)
	for _, tok := range []string{"", sub} {
		var all []searchHit
		var cursors []string
		p := doSearch(t, a, tok, "vantorel", "limit", "10")
		for pages := 1; ; pages++ {
			if p.Total != 45 {
				t.Errorf("page %d: total %d", pages, p.Total)
			}
			if len(p.Data) != 10 && p.NextCursor != nil || len(p.Data) > 10 {
				t.Errorf("page %d: %d hits", pages, len(p.Data))
			}
			all = append(all, p.Data...)
			if p.NextCursor == nil {
				if pages != 5 {
					t.Errorf("%d pages, want 5", pages)
				}
				break
			}
			if pages > 10 {
				t.Fatal("endless pages")
			}
			cursors = append(cursors, *p.NextCursor)
			p = doSearch(t, a, tok, "vantorel", "limit", "10", "cursor", *p.NextCursor)
		}
		seen := map[string]bool{}
		for i, h := range all {
			if seen[h.Article.ID] {
				t.Errorf("%s twice", h.Article.Title)
			}
			seen[h.Article.ID] = true
			if !want[h.Article.ID] {
				t.Errorf("%s is not one of the 45", h.Article.Title)
			}
			if i > 0 {
				prev := all[i-1]
				if h.Score > prev.Score || h.Score == prev.Score && h.Article.ID > prev.Article.ID {
					t.Errorf("hit %d (%s, %.6f) after %s (%.6f): not in (score, id) order", i, h.Article.Title, h.Score, prev.Article.Title, prev.Score)
				}
			}
		}
		if len(seen) != 45 {
			t.Errorf("%d distinct hits over the pages, want 45", len(seen))
		}

		// A cursor is for its own search only.
		cur := cursors[1]
		bad := []string{
			searchQ("/v1/search", "harbour", "cursor", cur),
			searchQ("/v1/search", "vantorel -notes", "cursor", cur),
			searchQ("/v1/search", "vantorel", "lang", "en", "cursor", cur),
			searchQ("/v1/search", "vantorel", "from", "2000-01-01", "cursor", cur),
			searchQ("/v1/search", "vantorel", "cursor", cur[:len(cur)-2]+flip(cur[len(cur)-2:])),
			searchQ("/v1/search", "vantorel", "cursor", "x"+cur),
			searchQ("/v1/search", "vantorel", "cursor", "not-a-cursor"),
			searchQ("/v1/articles", "vantorel", "cursor", cur),
		}
		other := a.Token(access.RoleSubscriber)
		if tok != "" {
			other = "" // the anonymous reader reads less: another search
		}
		for _, path := range bad {
			r := a.Get(path, tok)
			mustStatus(t, r, http.StatusBadRequest, path)
			if code := problemCode(t, r); code != "bad_request" {
				t.Errorf("%s: code %q", path, code)
			}
		}
		r := a.Get(searchQ("/v1/search", "vantorel", "cursor", cur), other)
		mustStatus(t, r, http.StatusBadRequest, "a cursor of another reader's search")
		// The same search (another page size, the same words in another
		// order or case) may go on with it.
		r = a.Get(searchQ("/v1/search", "VANTOREL", "limit", "30", "cursor", cur), tok)
		mustStatus(t, r, http.StatusOK, "the same search, another page size")
		var rest searchPage
		r.JSON(t, &rest)
		if len(rest.Data) != 25 || rest.Data[0].Article.ID != all[20].Article.ID {
			t.Errorf("resumed from the second cursor: %d hits", len(rest.Data))
		}
	}

	// /v1/articles?q= pages in its own order, by the same rules.
	seen := map[string]bool{}
	path := searchQ("/v1/articles", "vantorel", "limit", "10")
	for pages := 0; path != ""; pages++ {
		if pages > 10 {
			t.Fatal("endless pages")
		}
		r := a.Get(path, "")
		mustStatus(t, r, http.StatusOK, path)
		var page summaryPage
		r.JSON(t, &page)
		for _, s := range page.Data {
			if seen[s.ID] || !want[s.ID] {
				t.Errorf("/v1/articles?q=vantorel: %s twice or not one of the 45", s.Title)
			}
			seen[s.ID] = true
		}
		path = ""
		if page.NextCursor != nil {
			path = searchQ("/v1/articles", "vantorel", "limit", "10", "cursor", *page.NextCursor)
		}
	}
	if len(seen) != 45 {
		t.Errorf("/v1/articles?q=vantorel: %d articles over the pages, want 45", len(seen))
	}
}

// flip changes a cursor's characters (staying in its alphabet).
func flip(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

// TestSearchBadQueries: a query Masthead cannot run is a 400 problem on
// field q, never a 500; engine syntax is either refused or searched as
// text; the other parameters are checked too.
func TestSearchBadQueries(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	long := strings.Repeat("a", 201)
	refused := []string{
		"",            // no q
		"q=",          // empty
		"q=%20%20%09", // blank
		"q=" + long,   // 201 characters
		"q=" + strings.Repeat("é", 201),
		"q=eau%00", // NUL
		"q=eau%01x", "q=eau%1B", "q=%7Feau", "q=eau%C2%80",
		"q=%FF", "q=eau%C3", "q=%ED%A0%80", // not UTF-8
		"q=-foo", "q=-foo%20-%22bar%20baz%22", "q=-",
		"q=le%20la%20les", "q=the%20of%20and", "q=der%20die%20und%20", "q=%D0%B8",
		"q=eau&q=lanne", // twice
		"q=%22%22", "q=***", "q=%22", "q=*",
	}
	for _, path := range []string{"/v1/search", "/v1/articles", "/v1/admin/articles"} {
		for _, qs := range refused {
			if qs == "" && path != "/v1/search" {
				continue // q is optional on the lists
			}
			r := a.Get(path+"?"+qs, ed)
			mustStatus(t, r, http.StatusBadRequest, path+"?"+qs)
			if code := problemCode(t, r); code != "bad_request" {
				t.Errorf("%s?%s: code %q", path, qs, code)
			}
			var p struct {
				Errors []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			r.JSON(t, &p)
			if len(p.Errors) == 0 || p.Errors[0].Field != "q" {
				t.Errorf("%s?%s: the problem does not name q: %s", path, qs, r.Body)
			}
		}
	}
	// 200 characters is the limit, not beyond.
	q200 := strings.Repeat("vallée ", 28) + "lann"
	r := a.Get(searchQ("/v1/search", q200), "")
	mustStatus(t, r, http.StatusOK, "200 characters")
	r = a.Get(searchQ("/v1/search", q200+"e"), "")
	mustStatus(t, r, http.StatusBadRequest, "201 characters")

	// Engine syntax: searched as words, or refused, never a 5xx.
	syntax := []string{
		`"`, `*`, `(`, `)`, `NEAR(a b)`, `NEAR(lanne vallée, 2)`, `a:b`, `title:lanne`, `{title}:lanne`, `{title body}: lanne`,
		`^lanne`, `'`, `''`, `l'`, `\`, `\\lanne`, `!`, `!lanne`, `&`, `lanne & vallée`, `|`, `lanne | vallée`,
		`<->`, `lanne <-> vallée`, `lanne <2> vallée`, `AND OR NOT`, `lanne AND vallée`, `lanne OR vallée`, `NOT lanne`,
		`lanne NOT vallée`, `lanne:*`, `lanne:A`, `lanne:*AB`, `(lanne`, `lanne)`, `"lanne`, `lanne"`, `"lanne vallée`,
		`+lanne`, `lanne-`, `--lanne`, `-"lanne`, `*lanne`, `lan*ne`, `**`, `"*"`, `-*`, `lanne -`, `- lanne`,
		`%`, `_`, `%lanne%`, `lanne_vallée`, `;`, `lanne; DROP TABLE articles`, `' OR 1=1 --`, `$1`, `?`, `@@`, `::tsquery`,
		`😀`, `lanne 😀`, `🇫🇷`, `ﬁ`, `ǅ`, "\u00a0lanne", "lanne\u200b", "\u202eenn", `İstanbul`, `ΣΊΣΥΦΟΣ`, `ß`, `ẞ`,
		`the lanne`, `a*`, `l*`, `1`, `0x10`, `12:30`, `2026-03-01`, `e=mc²`, `C++`, `C#`, `.NET`,
		strings.Repeat("lanne ", 13), strings.Repeat("x ", 100), strings.Repeat(`"a" `, 50), strings.Repeat("-a ", 60) + "b",
	}
	for _, path := range []string{"/v1/search", "/v1/articles", "/v1/admin/articles"} {
		for _, q := range syntax {
			for _, lang := range []string{"", "fr", "ru"} {
				params := []string{}
				if lang != "" {
					params = append(params, "lang", lang)
				}
				p := searchQ(path, q, params...)
				r := a.Get(p, ed)
				if r.Status != http.StatusOK && r.Status != http.StatusBadRequest {
					t.Errorf("%s: status %d\n%.500s", p, r.Status, r.Body)
				}
				if r.Status == http.StatusBadRequest {
					if code := problemCode(t, r); code != "bad_request" {
						t.Errorf("%s: code %q", p, code)
					}
				}
			}
		}
	}

	// The other parameters.
	badParams := []string{
		"from=yesterday", "from=2026-13-01", "from=2026-02-30", "to=2026-03-01T25:00:00Z", "to=0000-01-01", "from=10000-01-01",
		"limit=0", "limit=101", "limit=-1", "limit=ten", "limit=1.5",
		"section=Not%20A%20Slug", "section=%2E%2E", "tag=UPPER", "author=a%2Fb",
		"lang=french", "lang=F", "lang=12",
		"cursor=%FF",
	}
	for _, bp := range badParams {
		p := "/v1/search?q=lanne&" + bp
		r := a.Get(p, "")
		mustStatus(t, r, http.StatusBadRequest, p)
		if code := problemCode(t, r); code != "bad_request" {
			t.Errorf("%s: code %q", p, code)
		}
	}
	for _, ok := range []string{"from=2026-03-01", "to=2026-03-01T08:00:00Z", "from=2000-01-01&to=2100-01-01", "limit=1", "limit=100", "section=no-such-section", "lang=it"} {
		p := "/v1/search?q=lanne&" + ok
		mustStatus(t, a.Get(p, ""), http.StatusOK, p)
	}
	// from and to bound the publication time.
	all := doSearch(t, a, "", "lanne", "limit", "100")
	if all.Total < 2 {
		t.Fatalf("q=lanne: %d hits", all.Total)
	}
	var times []time.Time
	for _, h := range all.Data {
		at, err := time.Parse(time.RFC3339, h.Article.PublishedAt)
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, at)
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	mid := times[len(times)/2]
	after := doSearch(t, a, "", "lanne", "limit", "100", "from", mid.Format(time.RFC3339))
	before := doSearch(t, a, "", "lanne", "limit", "100", "to", mid.Format(time.RFC3339))
	if after.Total+before.Total != all.Total || after.Total == 0 || before.Total == 0 {
		t.Errorf("from/to %s: %d + %d hits, want %d in all", mid, after.Total, before.Total, all.Total)
	}
	for _, h := range after.Data {
		if at, _ := time.Parse(time.RFC3339, h.Article.PublishedAt); at.Before(mid) {
			t.Errorf("from=%s: a hit of %s", mid, at)
		}
	}
	// HEAD answers as the GET.
	r = a.Do(http.MethodHead, "/v1/search?q=lanne", "", nil)
	mustStatus(t, r, http.StatusOK, "HEAD")
	r = a.Do(http.MethodHead, "/v1/search?q=", "", nil)
	mustStatus(t, r, http.StatusBadRequest, "HEAD, empty q")
}
