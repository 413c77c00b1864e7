package api_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"masthead/api/apitest"
	"masthead/internal/blocks"
	"masthead/internal/content"
	"masthead/internal/search"
)

// Full-text search through the HTTP API: GET /v1/search, and q on
// /v1/articles and /v1/admin/articles.

// searchHit is the part of a search hit the tests read.
type searchHit struct {
	Article struct {
		summary
		Section *struct {
			Slug string `json:"slug"`
		} `json:"section"`
	} `json:"article"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
}

type facetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type searchPage struct {
	Data   []searchHit `json:"data"`
	Total  int         `json:"total"`
	Facets struct {
		Sections  []facetCount `json:"sections"`
		Languages []facetCount `json:"languages"`
	} `json:"facets"`
	NextCursor *string `json:"next_cursor"`
}

// ids lists the page's article ids, in order.
func (p searchPage) ids() []string {
	out := make([]string, len(p.Data))
	for i, h := range p.Data {
		out[i] = h.Article.ID
	}
	return out
}

// hit returns the hit of article id.
func (p searchPage) hit(id string) (searchHit, bool) {
	for _, h := range p.Data {
		if h.Article.ID == id {
			return h, true
		}
	}
	return searchHit{}, false
}

// searchQ is the path of a search for q with extra parameters (name, value
// pairs).
func searchQ(path, q string, params ...string) string {
	v := url.Values{}
	v.Set("q", q)
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return path + "?" + v.Encode()
}

// doSearch runs GET /v1/search?q=… as token and decodes the 200.
func doSearch(t *testing.T, a *apitest.App, token, q string, params ...string) searchPage {
	t.Helper()
	path := searchQ("/v1/search", q, params...)
	r := a.Get(path, token)
	mustStatus(t, r, http.StatusOK, path)
	var p searchPage
	r.JSON(t, &p)
	return p
}

// listQ returns the ids /v1/articles?q=… (or /v1/admin/articles) lists, up
// to 100.
func listQ(t *testing.T, a *apitest.App, path, token, q string, params ...string) []string {
	t.Helper()
	p := searchQ(path, q, append([]string{"limit", "100"}, params...)...)
	r := a.Get(p, token)
	mustStatus(t, r, http.StatusOK, p)
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	r.JSON(t, &page)
	out := make([]string, len(page.Data))
	for i, s := range page.Data {
		out[i] = s.ID
	}
	return out
}

// found reports whether a search for q as token finds id, on /v1/search
// and on /v1/articles?q= (which must agree).
func found(t *testing.T, a *apitest.App, token, q, id string, params ...string) bool {
	t.Helper()
	inSearch := slices.Contains(doSearch(t, a, token, q, append([]string{"limit", "100"}, params...)...).ids(), id)
	inList := slices.Contains(listQ(t, a, "/v1/articles", token, q, params...), id)
	if inSearch != inList {
		t.Errorf("q=%q: /v1/search finds %s: %v, /v1/articles?q= finds it: %v", q, id, inSearch, inList)
	}
	return inSearch
}

// adminFound reports whether /v1/admin/articles?q= finds id.
func adminFound(t *testing.T, a *apitest.App, token, q, id string) bool {
	t.Helper()
	return slices.Contains(listQ(t, a, "/v1/admin/articles", token, q), id)
}

// para is a paragraph block.
func para(text string) blocks.Block { return blocks.Block{Type: blocks.TypeParagraph, Text: text} }

// newArticle creates a published article through the service, published
// at at (the clock's now when zero).
func newArticle(t *testing.T, a *apitest.App, lang, title, standfirst string, at time.Time, paras ...string) content.Article {
	t.Helper()
	in := content.ArticleInput{
		Lang: lang, Title: title, Standfirst: standfirst, Access: content.AccessPublic,
		Status: content.StatusPublished, CommentsEnabled: true,
		Slug: strings.ToLower(content.NewID()),
	}
	if !at.IsZero() {
		in.PublishAt = &at
	}
	if len(paras) == 0 {
		paras = []string{"Texte."}
	}
	for _, p := range paras {
		in.Body = append(in.Body, para(p))
	}
	art, err := a.Content.CreateArticle(context.Background(), in)
	if err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	return art
}

// terms is what the index holds of some text, or what a query word may
// match: folded stems and folded words.
type terms map[string]bool

// publicTerms returns the stems and words of what everyone may read of
// art (title, standfirst, preview); with body, of the whole body too.
func publicTerms(art content.Article, body bool) (stems, words terms) {
	d := search.Analyze(search.Doc{Lang: art.Lang, Title: art.Title, Standfirst: art.Standfirst, Preview: art.Preview.Text, Body: art.Body.Text})
	stems, words = terms{}, terms{}
	fields := []search.Field{search.Title, search.Standfirst, search.Preview}
	if body {
		fields = append(fields, search.Body)
	}
	for _, f := range fields {
		for _, s := range strings.Fields(d.Stems[f]) {
			stems[s] = true
		}
		for _, w := range strings.Fields(d.Words[f]) {
			words[w] = true
		}
	}
	return stems, words
}

// queryStems are the stems a query word w (folded, no language given)
// may match: its stem in every language.
func queryStems(w string) []string {
	var out []string
	for _, l := range []string{"fr", "en", "de", "ru", ""} {
		out = append(out, strings.Fields(search.Analyze(search.Doc{Lang: l, Title: w}).Stems[search.Title])...)
	}
	return out
}

// reaches reports whether the query word w (as a word, and as the prefix
// it is when typed last) may match anything of stems and words.
func reaches(w string, stems, words terms) bool {
	if words[w] {
		return true
	}
	for _, s := range queryStems(w) {
		if stems[s] || words[s] {
			return true
		}
	}
	for x := range words {
		if strings.HasPrefix(x, w) {
			return true
		}
	}
	return false
}

// secretWords returns up to n distinctive words of art's body that occur
// only past its preview: in no public part of art, and in no public part
// of any demo article (nor in the whole body of a public one).
func secretWords(t *testing.T, a *apitest.App, art content.Article, n int) []string {
	t.Helper()
	ownStems, ownWords := publicTerms(art, false)
	allStems, allWords := terms{}, terms{}
	for _, other := range a.Demo.Refs {
		s, w := publicTerms(other, other.Access == content.AccessPublic)
		for k := range s {
			allStems[k] = true
		}
		for k := range w {
			allWords[k] = true
		}
	}
	d := search.Analyze(search.Doc{Lang: art.Lang, Body: art.Body.Text})
	var cands []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(d.Words[search.Body]) {
		if seen[w] || utf8.RuneCountInString(w) < 6 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			continue
		}
		seen[w] = true
		if reaches(w, ownStems, ownWords) || reaches(w, allStems, allWords) {
			continue
		}
		if _, err := search.Parse(w, ""); err != nil {
			continue
		}
		cands = append(cands, w)
	}
	// The longest first (the most distinctive), then alphabetically.
	sort.Slice(cands, func(i, j int) bool {
		li, lj := utf8.RuneCountInString(cands[i]), utf8.RuneCountInString(cands[j])
		if li != lj {
			return li > lj
		}
		return cands[i] < cands[j]
	})
	if len(cands) == 0 {
		t.Fatalf("%s: no word occurs only past the preview", art.Slug)
	}
	return cands[:min(n, len(cands))]
}

// publicWord returns a word of art's preview (not of its title or
// standfirst) that names no other demo article at all.
func publicWord(t *testing.T, a *apitest.App, art content.Article) string {
	t.Helper()
	others := terms{}
	otherWords := terms{}
	for _, other := range a.Demo.Refs {
		if other.ID == art.ID {
			continue
		}
		s, w := publicTerms(other, true)
		for k := range s {
			others[k] = true
		}
		for k := range w {
			otherWords[k] = true
		}
	}
	head := search.Analyze(search.Doc{Lang: art.Lang, Title: art.Title, Standfirst: art.Standfirst})
	headStems, headWords := terms{}, terms{}
	for _, f := range []search.Field{search.Title, search.Standfirst} {
		for _, s := range strings.Fields(head.Stems[f]) {
			headStems[s] = true
		}
		for _, w := range strings.Fields(head.Words[f]) {
			headWords[w] = true
		}
	}
	d := search.Analyze(search.Doc{Lang: art.Lang, Preview: art.Preview.Text})
	for _, w := range strings.Fields(d.Words[search.Preview]) {
		if utf8.RuneCountInString(w) < 6 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			continue
		}
		if reaches(w, headStems, headWords) || reaches(w, others, otherWords) {
			continue
		}
		return w
	}
	t.Fatalf("%s: no distinctive word in the preview", art.Slug)
	return ""
}

// snippetText is a snippet as a reader sees it: tags removed, unescaped,
// cut into its passages at the ellipses, each normalized.
func snippetText(sn string) []string {
	plain := html.UnescapeString(tagRE.ReplaceAllString(sn, ""))
	var out []string
	for _, part := range strings.Split(plain, "…") {
		if p := normalize(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TestSearchPaywall: a word that occurs only past an article's preview
// finds it for the callers who may read it in full, and for nobody else,
// on /v1/search and /v1/articles?q=; a word of the preview finds it for
// everyone, with a snippet that shows nothing past the preview to those
// who may not read further.
func TestSearchPaywall(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	tokens := map[string]string{}
	for _, c := range callers {
		tokens[c.name] = c.token(a)
	}
	for _, ref := range append(slices.Clone(registeredRefs), subscribersRefs...) {
		art := a.Article(ref)
		level := string(art.Access)
		words := secretWords(t, a, art, 3)
		t.Logf("%s (%s): words past the preview %v", ref, level, words)
		for _, w := range words {
			for _, c := range callers {
				want := entitled[level][c.name]
				for _, q := range []string{w, w + " ", strings.ToUpper(w) + " "} {
					if got := found(t, a, tokens[c.name], q, art.ID); got != want {
						t.Errorf("%s as %s: q=%q found %v, want %v (the word is past the preview)", ref, c.name, q, got, want)
					}
				}
				if want {
					p := doSearch(t, a, tokens[c.name], w, "limit", "100")
					if h, ok := p.hit(art.ID); ok && !strings.Contains(h.Snippet, "<mark>") {
						t.Errorf("%s as %s: q=%q snippet without a mark: %q", ref, c.name, w, h.Snippet)
					}
				}
			}
		}
		// Several secret words at once, and a secret word with a public
		// one: still nothing for those who may not read past the preview.
		pw := publicWord(t, a, art)
		for _, c := range callers {
			want := entitled[level][c.name]
			if got := found(t, a, tokens[c.name], strings.Join(words, " "), art.ID); got != want {
				t.Errorf("%s as %s: all the secret words found %v, want %v", ref, c.name, got, want)
			}
			if got := found(t, a, tokens[c.name], pw+" "+words[0], art.ID); got != want {
				t.Errorf("%s as %s: %q (a public and a secret word) found %v, want %v", ref, c.name, pw+" "+words[0], got, want)
			}
			// An exclusion of a secret word must not reveal it either: the
			// article is found (its readable text lacks the word) by those
			// who may not read it, and not by the others.
			if got := found(t, a, tokens[c.name], pw+" -"+words[0], art.ID); got != !want {
				t.Errorf("%s as %s: %q found %v, want %v", ref, c.name, pw+" -"+words[0], got, !want)
			}
		}

		// A word of the preview: everyone finds it, with a marked snippet
		// that for the unentitled stays within what they may read.
		secrets := secretFragments(t, art.Body.Text, art.Preview.Text, 4)
		readable := []string{normalize(art.Title), normalize(art.Standfirst), normalize(art.Preview.Text)}
		for _, c := range callers {
			p := doSearch(t, a, tokens[c.name], pw, "limit", "100")
			h, ok := p.hit(art.ID)
			if !ok {
				t.Errorf("%s as %s: q=%q (a word of the preview) does not find it", ref, c.name, pw)
				continue
			}
			if !strings.Contains(h.Snippet, "<mark>") {
				t.Errorf("%s as %s: q=%q snippet without a mark: %q", ref, c.name, pw, h.Snippet)
			}
			if entitled[level][c.name] {
				continue
			}
			for _, part := range snippetText(h.Snippet) {
				if !slices.ContainsFunc(readable, func(r string) bool { return strings.Contains(r, part) }) {
					t.Errorf("%s as %s: snippet passage %q is not in the headline, standfirst or preview", ref, c.name, part)
				}
			}
			text := normalize(html.UnescapeString(tagRE.ReplaceAllString(h.Snippet, "")))
			for _, f := range secrets {
				if strings.Contains(text, f) {
					t.Errorf("%s as %s: snippet shows %q, past the preview", ref, c.name, f)
				}
			}
		}
	}
}
