package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/search"
)

// lettersWord spells i in letters, padded to n letters.
func lettersWord(i, n int) string {
	b := make([]byte, n)
	for k := n - 1; k >= 0; k-- {
		b[k] = byte('a' + i%26)
		i /= 26
	}
	return string(b)
}

// TestSearchLongArticle: an article of more words than the index keeps
// (search.MaxPositions), each of them distinct and long, saves (no 5xx on
// either database) and is found by its first words, not by those past the
// limit, on both databases alike.
func TestSearchLongArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	const words = search.MaxPositions + 600
	var paras []string
	var cur []string
	for i := range words {
		// Long distinct words whose English stem differs from the word.
		cur = append(cur, "q"+lettersWord(i, 50)+"ations")
		if len(cur) == 400 {
			paras = append(paras, strings.Join(cur, " "))
			cur = nil
		}
	}
	paras = append(paras, strings.Join(cur, " "))
	bl := make([]string, len(paras))
	for i, p := range paras {
		bl[i] = fmt.Sprintf(`{"type":"paragraph","text":%q}`, p)
	}
	body := `{"title":"Inventory of the harbour registry","lang":"en","access":"public","status":"published","blocks":[` + strings.Join(bl, ",") + `]}`
	t.Logf("request of %d bytes", len(body))
	r := aaSend(a, http.MethodPost, "/v1/admin/articles", ed, body)
	mustStatus(t, r, http.StatusCreated, "create a long article")
	var art aaArticle
	r.JSON(t, &art)
	first := "q" + lettersWord(0, 50) + "ations"
	last := "q" + lettersWord(words-1, 50) + "ations"
	if !found(t, a, "", first+" ", art.ID) || !found(t, a, "", "registry", art.ID) {
		t.Error("the first words of a long article are not found")
	}
	if found(t, a, "", last+" ", art.ID) {
		t.Error("a word past the index's limit is found")
	}
}

// TestSearchHTTPCaching: a search answers with validators (304 to its
// ETag), shareable for the anonymous and private for a token (whose answer
// may hold what only it may read), varying on Authorization; a write that
// changes the results changes the answer.
func TestSearchHTTPCaching(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	path := searchQ("/v1/search", "lanne")
	for _, c := range callers {
		tok := c.token(a)
		r := a.Get(path, tok)
		mustStatus(t, r, http.StatusOK, c.name)
		cc := r.Header.Get("Cache-Control")
		if tok == "" && !strings.HasPrefix(cc, "public") || tok != "" && !strings.HasPrefix(cc, "private") {
			t.Errorf("%s: Cache-Control %q", c.name, cc)
		}
		if !varyHas(r.Header, "Authorization") {
			t.Errorf("%s: Vary %q", c.name, r.Header.Values("Vary"))
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Errorf("%s: no ETag", c.name)
			continue
		}
		r2 := a.Get(path, tok, "If-None-Match", etag)
		mustStatus(t, r2, http.StatusNotModified, c.name+" If-None-Match")
	}
	r := a.Get(path, "")
	etag := r.Header.Get("ETag")
	var before searchPage
	r.JSON(t, &before)
	art := postArticle(t, a, ed, "fr", "La Lanne en crue à Selanges", "", []string{"Les quais sont fermés."}, nil)
	r = a.Get(path, "", "If-None-Match", etag)
	mustStatus(t, r, http.StatusOK, "after a new article")
	var after searchPage
	r.JSON(t, &after)
	if after.Total != before.Total+1 || after.Data[0].Article.ID != art.ID {
		t.Errorf("after a new article on the Lanne: total %d (before %d), first %s", after.Total, before.Total, after.Data[0].Article.Title)
	}
}
