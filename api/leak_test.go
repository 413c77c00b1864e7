package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
)

// registeredLastSentences are phrases from the last paragraph of each
// registered article in internal/demo/content.go; anonymous callers must
// never read them.
var registeredLastSentences = map[string]string{
	"ferry":       "back when the river says so",                                    // ferry, last paragraph
	"municipales": "le dernier café du port a dû rester ouvert jusqu’à deux heures", // municipales, last paragraph
	"border":      "the road is back, so are we",                                    // border, last paragraph
}

// subscribersLastSentences are phrases from the last paragraph of each
// subscribers article in content.go.
var subscribersLastSentences = map[string]string{
	"wells":    "même un puits centenaire pouvait prendre sa retraite", // wells, last paragraph
	"budget":   "By sunrise the coffee had run out",                    // budget, last paragraph
	"hospital": "Le casier numéro quatorze",                            // hospital, last paragraph
}

// readEndpoints lists every read of the public API, with each filter, form
// and field selection that could carry article text.
func readEndpoints(a *apitest.App) []string {
	paths := []string{
		"/v1/articles", "/v1/articles?limit=100",
		"/v1/articles?fields=title,standfirst", "/v1/articles?fields=access",
		"/v1/articles?fields=" + strings.Join([]string{"slug", "lang", "title", "standfirst", "canonical_url", "section", "tags",
			"authors", "source", "photo", "published_at", "updated_at", "word_count", "reading_minutes", "comment_count", "access"}, ","),
		"/v1/articles?section=societe", "/v1/articles?section=environnement", "/v1/articles?section=politique",
		"/v1/articles?tag=eau", "/v1/articles?tag=sante", "/v1/articles?tag=elections", "/v1/articles?tag=transports",
		"/v1/articles?author=nadia-ferreira", "/v1/articles?author=lea-morvand", "/v1/articles?author=jonas-ekdahl",
		"/v1/articles?lang=fr", "/v1/articles?lang=en",
		"/v1/sections", "/v1/sections?lang=en", "/v1/tags", "/v1/tags?kind=topic",
		"/v1/authors/lea-morvand", "/v1/authors/nadia-ferreira", "/v1/authors/jonas-ekdahl",
		"/.well-known/jwks.json", "/openapi.json",
	}
	for _, feed := range []string{"latest", "section/societe", "section/environnement", "section/politique",
		"tag/eau", "tag/sante", "tag/elections", "lang/fr", "lang/en"} {
		for _, ext := range []string{"rss", "atom", "json"} {
			paths = append(paths, "/v1/feeds/"+feed+"."+ext+"?limit=100")
		}
	}
	forms := []string{"", "format=blocks", "format=html", "format=text", "format=blocks,html,text"}
	fields := []string{"", "fields=body", "fields=access", "fields=body,access",
		"fields=" + strings.Join([]string{"slug", "lang", "translation_key", "title", "standfirst", "canonical_url", "section", "tags",
			"authors", "source", "photo", "published_at", "updated_at", "translations", "word_count", "reading_minutes",
			"comment_count", "comments", "body", "access", "structured_data"}, ",")}
	for _, ref := range liveRefs {
		art := a.Article(ref)
		paths = append(paths, "/v1/photos/"+art.PhotoID,
			"/v1/articles/"+art.ID+"/comments", "/v1/articles/"+art.Slug+"/comments")
		if ref == "summit-fr" || ref == "summit-en" || ref == "nighttrain" || ref == "lanternes" {
			continue // public: nothing to hide
		}
		paths = append(paths, "/v1/articles/"+art.ID+"?format=ninjs")
		for _, id := range []string{art.ID, art.Slug, art.Slug + "?lang=" + art.Lang} {
			for _, f := range forms {
				for _, fl := range fields {
					if id != art.ID && fl != "" && fl != "fields=body" {
						continue // the full cross product by ID is enough
					}
					q := strings.Trim(f+"&"+fl, "&")
					p := "/v1/articles/" + id
					if q != "" {
						if strings.Contains(p, "?") {
							p += "&" + q
						} else {
							p += "?" + q
						}
					}
					paths = append(paths, p)
				}
			}
		}
	}
	return paths
}

func TestNoLeakPastPreview(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)

	// What a reader who is not a subscriber must never read: every
	// 6-word run past each subscribers article's preview, and the last
	// sentences written into the test by hand.
	type secret struct{ ref, text string }
	var subSecrets, regSecrets []secret
	for _, ref := range subscribersRefs {
		st := a.Article(ref)
		for _, f := range secretFragments(t, st.Body.Text, st.Preview.Text, 6) {
			subSecrets = append(subSecrets, secret{ref, f})
		}
		subSecrets = append(subSecrets, secret{ref, subscribersLastSentences[ref]})
		if !strings.Contains(st.Body.Text, subscribersLastSentences[ref]) {
			t.Fatalf("%s: %q is not in the body: fix the test", ref, subscribersLastSentences[ref])
		}
	}
	for _, ref := range registeredRefs {
		st := a.Article(ref)
		var bs []blocks.Block
		if err := json.Unmarshal(st.Body.Blocks, &bs); err != nil {
			t.Fatal(err)
		}
		lastPara := bs[len(bs)-1].Text
		if !strings.Contains(lastPara, registeredLastSentences[ref]) {
			t.Fatalf("%s: %q is not in its last paragraph: fix the test", ref, registeredLastSentences[ref])
		}
		regSecrets = append(regSecrets, secret{ref, registeredLastSentences[ref]})
		for _, f := range secretFragments(t, lastPara, "", 6) {
			regSecrets = append(regSecrets, secret{ref, f})
		}
	}

	paths := readEndpoints(a)
	// Entitled callers read everything first: whatever the server may
	// remember of their answers must not reach the others.
	licensed := a.Token(access.RolePartner, access.ScopeFullText)
	for _, tok := range []string{a.Token(access.RoleAdmin), a.Token(access.RoleSubscriber), licensed} {
		for _, p := range paths {
			if strings.HasPrefix(p, "/v1/articles") || strings.HasPrefix(p, "/v1/feeds") {
				a.Get(p, tok)
			}
		}
	}
	a.Get("/v1/changes?limit=100", licensed)
	for _, who := range []string{"anonymous", "reader", "headlines partner"} {
		tok, whoPaths := "", paths
		switch who {
		case "reader":
			tok = a.Token(access.RoleReader)
		case "headlines partner":
			// A headlines partner reads the preview of every non-public
			// article, registered ones included; the sync API is theirs.
			tok = a.Token(access.RolePartner, access.ScopeHeadlines)
			whoPaths = append(slices.Clone(paths), "/v1/changes?limit=100")
		}
		checked := 0
		for _, p := range whoPaths {
			r := a.Get(p, tok)
			if r.Status != http.StatusOK {
				t.Errorf("%s %s: status %d", who, p, r.Status)
				continue
			}
			checked++
			raw := string(r.Body)
			text := readableText(r.Body)
			look := func(s secret, kind string) {
				n := normalize(s.text)
				if strings.Contains(text, n) || strings.Contains(raw, s.text) || strings.Contains(raw, jsonEscaped(s.text)) {
					t.Errorf("%s %s leaks %s text of %s: %q", who, p, kind, s.ref, s.text)
				}
			}
			for _, s := range subSecrets {
				look(s, "subscribers-only")
			}
			if who != "reader" {
				for _, s := range regSecrets {
					look(s, "registered-only")
				}
			}
		}
		if checked < 100 {
			t.Errorf("%s: only %d endpoints answered", who, checked)
		}
	}

	// The check itself must be able to fail: an entitled caller reads them.
	r := a.Get("/v1/articles/"+a.Article("wells").Slug+"?format=html", a.Token(access.RoleSubscriber))
	if !strings.Contains(readableText(r.Body), normalize(subscribersLastSentences["wells"])) {
		t.Errorf("a subscriber does not read the end of wells: the leak check is blind")
	}
	r = a.Get("/v1/articles/"+a.Article("ferry").Slug+"?format=blocks", a.Token(access.RoleReader))
	if !strings.Contains(readableText(r.Body), registeredLastSentences["ferry"]) {
		t.Errorf("a reader does not read the end of ferry: the leak check is blind")
	}
	// And in the syndication formats, a licensed partner does.
	for _, p := range []string{"/v1/feeds/latest.atom?limit=100", "/v1/feeds/latest.rss?limit=100", "/v1/changes?limit=100",
		"/v1/articles/" + a.Article("wells").ID + "?format=ninjs"} {
		if r := a.Get(p, licensed); !strings.Contains(readableText(r.Body), normalize(subscribersLastSentences["wells"])) {
			t.Errorf("a full_text partner does not read the end of wells in %s: the leak check is blind there", p)
		}
	}
}
