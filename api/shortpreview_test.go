package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
)

// shortSentences builds n sentences of ten words each, numbered so that
// each is unique: "Phrase 1 du puits …".
func shortSentences(from, n int) []string {
	out := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		out = append(out, fmt.Sprintf("Phrase %d du puits parle de la source du village.", i))
	}
	return out
}

// shortArticle is a subscribers article of 103 words, under the 120-word
// budget: three paragraphs of 40, 40 and 23 words.
func shortArticle() (string, []string) {
	paras := []string{
		strings.Join(shortSentences(1, 4), " "),
		strings.Join(shortSentences(5, 4), " "),
		strings.Join(shortSentences(9, 2), " ") + " Fin texte réservé.",
	}
	var bl []string
	for _, p := range paras {
		b, _ := json.Marshal(p)
		bl = append(bl, `{"type":"paragraph","text":`+string(b)+`}`)
	}
	return `{"title":"Un puits court","lang":"fr","section":"diplomatie","tags":["eau"],"access":"subscribers","status":"published",
		"blocks":[` + strings.Join(bl, ",") + `]}`, paras
}

// TestShortPaywalledArticle: a subscribers article shorter than the budget
// is never served whole to a caller who is not entitled: at most half of
// its words, and truncated is true.
func TestShortPaywalledArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	body, paras := shortArticle()
	art, _ := aaCreate(t, a, a.Token(access.RoleEditor), body)
	total := 0
	for _, p := range paras {
		total += blocks.CountWords(p)
	}
	if total != 103 {
		t.Fatalf("the article has %d words, want 103", total)
	}
	// The last paragraph is what nobody without a subscription may read.
	secret := "Fin texte réservé."

	for _, who := range []struct{ name, token string }{
		{"anonymous", ""},
		{"reader", a.Token(access.RoleReader)},
		{"partner-headlines", a.Token(access.RolePartner, "headlines")},
	} {
		r := a.Get("/v1/articles/"+art.ID, who.token)
		mustStatus(t, r, http.StatusOK, who.name)
		var got article
		r.JSON(t, &got)
		if got.Access.Granted || !got.Access.Truncated || got.Access.WordsTotal != 103 ||
			got.Access.WordsShown > 103/2 || blocks.CountWords(got.Body.Text) > 103/2 {
			t.Errorf("%s: access %+v, %d words in the body text", who.name, got.Access, blocks.CountWords(got.Body.Text))
		}
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("%s gets the end of the article", who.name)
		}
	}
	// The subscriber gets it whole.
	r := a.Get("/v1/articles/"+art.ID, a.Token(access.RoleSubscriber))
	var sub article
	r.JSON(t, &sub)
	if !sub.Access.Granted || sub.Access.Truncated || !strings.Contains(sub.Body.Text, secret) {
		t.Errorf("subscriber: access %+v", sub.Access)
	}

	// The anonymous RSS feed carries the preview only.
	_, f := getFeed(t, a, "/v1/feeds/latest.rss", "")
	found := false
	for _, it := range f.Items {
		if it.GUID != guidPrefix+art.ID {
			continue
		}
		found = true
		if n := blocks.CountWords(html.UnescapeString(tagRE.ReplaceAllString(it.Content, " "))); n > 103/2 || n == 0 {
			t.Errorf("the anonymous feed shows %d words of 103", n)
		}
		if strings.Contains(it.Content, "Fin texte") {
			t.Error("the anonymous feed carries the end of the article")
		}
	}
	if !found {
		t.Error("the article is not in the anonymous feed")
	}

	// The sync API, to a headlines partner: the entry, without any body.
	r = a.Get("/v1/changes?limit=100", a.Token(access.RolePartner, "headlines"))
	mustStatus(t, r, http.StatusOK, "changes")
	var page syncPage
	r.JSON(t, &page)
	seen := false
	for _, e := range page.Data {
		if e.ArticleID == art.ID && e.Article != nil {
			seen = true
			if e.Article.Body != nil || e.Article.Access.Granted {
				t.Errorf("changes: the headlines partner gets %+v", e.Article)
			}
		}
	}
	if !seen {
		t.Error("changes: the article is not there")
	}
	if strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), "Phrase 1 du puits") {
		t.Error("changes: a headlines partner reads text of the body")
	}
}

// TestPreviewBreakAfterLastBlock: an editor's break after the last block
// would show the whole article: refused, and nothing is stored.
func TestPreviewBreakAfterLastBlock(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	before := aaRows(t, a, "articles", "")
	r := aaSend(a, http.MethodPost, "/v1/admin/articles", ed,
		`{"title":"Un seul bloc","lang":"fr","access":"subscribers","preview_break":1,"status":"published",
		"blocks":[{"type":"paragraph","text":"Le seul paragraphe, réservé."}]}`)
	mustStatus(t, r, http.StatusUnprocessableEntity, "break after the last block")
	if problemCode(t, r) != "validation_failed" || !strings.Contains(string(r.Body), `"field":"preview_break"`) {
		t.Errorf("problem %s", r.Body)
	}
	if n := aaRows(t, a, "articles", ""); n != before {
		t.Errorf("%d articles stored", n-before)
	}

	// A break that leaves out only a closing photo hides no word.
	photo := a.Article("wells").PhotoID
	if photo == "" {
		t.Fatal("the demo article has no photo")
	}
	r = aaSend(a, http.MethodPost, "/v1/admin/articles", ed,
		`{"title":"Texte puis photo","lang":"fr","access":"subscribers","preview_break":1,"status":"published",
		"blocks":[{"type":"paragraph","text":"Le seul paragraphe, réservé."},{"type":"photo","photo_id":"`+photo+`"}]}`)
	mustStatus(t, r, http.StatusUnprocessableEntity, "break before a closing photo")
	if !strings.Contains(string(r.Body), `"field":"preview_break"`) {
		t.Errorf("problem %s", r.Body)
	}
	if n := aaRows(t, a, "articles", ""); n != before {
		t.Errorf("%d articles stored", n-before)
	}

	// The same through a PATCH of an article of two blocks.
	art, _ := aaCreate(t, a, ed, `{"title":"Deux blocs","lang":"fr","access":"subscribers","preview_break":1,
		"blocks":[{"type":"paragraph","text":"Un."},{"type":"paragraph","text":"Deux."}]}`)
	r = aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, ed, `{"preview_break":2}`, "If-Match", aaETag(art.ID, art.Version))
	mustStatus(t, r, http.StatusUnprocessableEntity, "patch break after the last block")
	if !strings.Contains(string(r.Body), `"field":"preview_break"`) {
		t.Errorf("problem %s", r.Body)
	}
	var v int
	if err := a.DB.Read(context.Background()).Raw("SELECT version FROM articles WHERE id = ?", art.ID).Scan(&v).Error; err != nil || v != art.Version {
		t.Errorf("version %d after a refused patch (%v)", v, err)
	}
}
