package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/content"
)

// ninjsDoc is the part of a ninjs item the tests read.
type ninjsDoc struct {
	URI                string `json:"uri"`
	Type               string `json:"type"`
	RepresentationType string `json:"representationtype"`
	Version            string `json:"version"`
	FirstCreated       string `json:"firstcreated"`
	VersionCreated     string `json:"versioncreated"`
	PubStatus          string `json:"pubstatus"`
	Language           string `json:"language"`
	Slugline           string `json:"slugline"`
	Headlines          []struct {
		Role, ContentType, Value string
	} `json:"headlines"`
	Descriptions []struct {
		Role  string `json:"role"`
		Value string `json:"value"`
	} `json:"descriptions"`
	Bodies []struct {
		Role        string `json:"role"`
		ContentType string `json:"contenttype"`
		Value       string `json:"value"`
		WordCount   int    `json:"wordcount"`
	} `json:"bodies"`
	By     string `json:"by"`
	People []struct {
		Name, Rel, Literal, URI string
	} `json:"people"`
	Subjects []struct {
		Name, Rel, Literal, URI string
	} `json:"subjects"`
	Places []struct {
		Name, Rel, Literal, URI string
	} `json:"places"`
	Infosources []struct {
		Name, URI string
	} `json:"infosources"`
	Associations []struct {
		Name         string `json:"name"`
		URI          string `json:"uri"`
		Type         string `json:"type"`
		By           string `json:"by"`
		Descriptions []struct {
			Role  string `json:"role"`
			Value string `json:"value"`
		} `json:"descriptions"`
		Renditions []struct {
			Name        string `json:"name"`
			Href        string `json:"href"`
			ContentType string `json:"contenttype"`
			Width       int    `json:"width"`
			Height      int    `json:"height"`
		} `json:"renditions"`
	} `json:"associations"`
	Renditions []struct {
		Name string `json:"name"`
		Href string `json:"href"`
	} `json:"renditions"`
	CopyrightHolder string `json:"copyrightholder"`
	CopyrightNotice string `json:"copyrightnotice"`
	UsageTerms      string `json:"usageterms"`
	Standard        struct {
		Name, Version, Schema string
	} `json:"standard"`
}

const ninjsAccept = "application/ninjs+json"

// getNinjs asks for an article's ninjs rendering with the Accept header
// and checks it is served as ninjs.
func getNinjs(t *testing.T, a *apitest.App, ref, token string) (ninjsDoc, apitest.Response) {
	t.Helper()
	r := a.Get("/v1/articles/"+ref, token, "Accept", ninjsAccept)
	mustStatus(t, r, http.StatusOK, "ninjs "+ref)
	if ct := r.Header.Get("Content-Type"); ct != ninjsAccept {
		t.Fatalf("Content-Type %q, want %s", ct, ninjsAccept)
	}
	var d ninjsDoc
	r.JSON(t, &d)
	return d, r
}

func TestNinjsFields(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	// The demo's refs carry no tags nor authors: read the article back.
	stored, err := a.Content.AnyArticle(t.Context(), content.Lookup{IDOrSlug: a.Article("summit-fr").ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Authors) == 0 || len(stored.Tags) == 0 || stored.PhotoID == "" {
		t.Fatal("summit-fr has no authors, tags or photo: the test needs them")
	}
	full := a.Token(access.RolePartner, access.ScopeFullText)
	d, r := getNinjs(t, a, stored.ID, full)

	if d.URI != "urn:masthead:article:"+stored.ID || d.Type != "text" || d.PubStatus != "usable" || d.Language != "fr" ||
		d.Version != strconv.Itoa(stored.Version) || d.Slugline != stored.Slug || d.RepresentationType != "full" {
		t.Errorf("identity fields: %+v", d)
	}
	if d.Standard.Name != "ninjs" || d.Standard.Version != "2.1" || !strings.HasSuffix(d.Standard.Schema, "ninjs-schema_2.1.json") {
		t.Errorf("standard %+v", d.Standard)
	}
	for _, ts := range []string{d.FirstCreated, d.VersionCreated} {
		if _, err := time.Parse(time.RFC3339, ts); err != nil || !strings.HasSuffix(ts, "Z") {
			t.Errorf("date %q is not RFC 3339 in UTC", ts)
		}
	}
	if first, _ := time.Parse(time.RFC3339, d.FirstCreated); !first.Equal(stored.PublishedAt.Truncate(time.Second)) {
		t.Errorf("firstcreated %s, want the publication date %s", d.FirstCreated, stored.PublishedAt)
	}
	if len(d.Headlines) != 1 || d.Headlines[0].Value != stored.Title || d.Headlines[0].Role != "main" {
		t.Errorf("headlines %+v", d.Headlines)
	}
	if len(d.Descriptions) != 1 || d.Descriptions[0].Role != "summary" || d.Descriptions[0].Value != stored.Standfirst {
		t.Errorf("descriptions %+v, want the standfirst", d.Descriptions)
	}
	if len(d.Bodies) != 2 || d.Bodies[0].ContentType != "text/html" || d.Bodies[0].Value != stored.Body.HTML ||
		d.Bodies[1].ContentType != "text/plain" || d.Bodies[1].Value != stored.Body.Text || d.Bodies[0].WordCount != stored.WordCount {
		t.Errorf("bodies for a full_text partner: %+v", d.Bodies)
	}
	if d.By == "" || len(d.People) != len(stored.Authors) {
		t.Fatalf("by %q, people %+v", d.By, d.People)
	}
	for i, au := range stored.Authors {
		if p := d.People[i]; p.Name != au.Name || p.Rel != "author" || p.Literal != au.Slug || !strings.Contains(d.By, au.Name) {
			t.Errorf("author %d: %+v", i, p)
		}
	}
	if len(d.Subjects) == 0 || d.Subjects[0].Rel != "section" || d.Subjects[0].Literal == "" || !strings.HasPrefix(d.Subjects[0].URI, "urn:masthead:section:") {
		t.Errorf("subjects %+v, want the section first", d.Subjects)
	}
	tags := len(d.Subjects) - 1 + len(d.Places)
	if tags != len(stored.Tags) {
		t.Errorf("%d tags as subjects and places, want %d", tags, len(stored.Tags))
	}
	for _, pl := range d.Places {
		if !strings.HasPrefix(pl.URI, "urn:masthead:tag:") {
			t.Errorf("place %+v", pl)
		}
	}
	if stored.Source.Name != "" && (len(d.Infosources) != 1 || d.Infosources[0].Name != stored.Source.Name) {
		t.Errorf("infosources %+v, want %s", d.Infosources, stored.Source.Name)
	}
	ph, err := a.Content.Photo(t.Context(), stored.PhotoID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Associations) != 1 {
		t.Fatalf("associations %+v, want the featured photo", d.Associations)
	}
	pic := d.Associations[0]
	if pic.Name != "featured" || pic.Type != "picture" || pic.URI != "urn:masthead:photo:"+ph.ID || pic.By != ph.Credit {
		t.Errorf("picture %+v", pic)
	}
	if len(pic.Descriptions) != 2 || pic.Descriptions[0].Value != ph.Caption || pic.Descriptions[1].Value != ph.Alt {
		t.Errorf("picture descriptions %+v, want caption and alt", pic.Descriptions)
	}
	if len(pic.Renditions) != len(ph.Renditions) || len(pic.Renditions) == 0 {
		t.Fatalf("renditions %+v", pic.Renditions)
	}
	for i, rd := range pic.Renditions {
		if rd.Width != ph.Renditions[i].Width || rd.Height != ph.Renditions[i].Height || rd.ContentType != ph.Mime || !strings.HasPrefix(rd.Href, a.URL+"/media/") {
			t.Errorf("rendition %+v, want an absolute link to this API's /media/", rd)
		}
		if i == 0 {
			mustStatus(t, a.Get(strings.TrimPrefix(rd.Href, a.URL), ""), http.StatusOK, "rendition file")
		}
	}
	if len(d.Renditions) != 1 || d.Renditions[0].Href != "https://publisher.example/fr/"+stored.Slug {
		t.Errorf("web rendition %+v", d.Renditions)
	}
	if d.CopyrightHolder != "publisher.example" || !strings.Contains(d.CopyrightNotice, "publisher.example") ||
		!strings.Contains(d.CopyrightNotice, strconv.Itoa(stored.PublishedAt.Year())) {
		t.Errorf("copyright %q / %q", d.CopyrightHolder, d.CopyrightNotice)
	}
	vary := strings.Join(r.Header.Values("Vary"), ",")
	if !strings.Contains(vary, "Accept") || !strings.Contains(vary, "Authorization") {
		t.Errorf("Vary %q, want Accept and Authorization", vary)
	}

	// format=ninjs is the same document.
	r2 := a.Get("/v1/articles/"+stored.Slug+"?format=ninjs&lang=fr", full)
	mustStatus(t, r2, http.StatusOK, "format=ninjs")
	if r2.Header.Get("Content-Type") != ninjsAccept || string(r2.Body) != string(r.Body) {
		t.Errorf("format=ninjs differs from Accept")
	}
	// And 304 to its ETag.
	mustStatus(t, a.Get("/v1/articles/"+stored.ID, full, "Accept", ninjsAccept, "If-None-Match", r.Header.Get("ETag")),
		http.StatusNotModified, "ninjs If-None-Match")
}

// TestNinjsBodyRules: the syndication rule, for every live demo article and
// every kind of caller: the whole body for full_text partners and staff,
// the preview's HTML for everybody else (public articles included), and
// never a word past the preview.
func TestNinjsBodyRules(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	for _, c := range callers {
		tok := c.token(a)
		full := c.name == "partner-full_text" || c.name == "editor" || c.name == "admin"
		for _, ref := range liveRefs {
			stored := a.Article(ref)
			d, r := getNinjs(t, a, stored.ID, tok)
			if full {
				if len(d.Bodies) != 2 || d.Bodies[0].Value != stored.Body.HTML || d.Bodies[1].Value != stored.Body.Text || d.RepresentationType != "full" {
					t.Errorf("%s/%s: not the whole body", c.name, ref)
				}
				continue
			}
			if len(d.Bodies) != 1 || d.Bodies[0].Role != "preview" || d.Bodies[0].ContentType != "text/html" || d.Bodies[0].Value != stored.Preview.HTML {
				t.Errorf("%s/%s: bodies %+v, want the stored preview's HTML alone", c.name, ref, d.Bodies)
			}
			if stored.Truncated != (d.RepresentationType == "partial") || stored.Truncated != (d.UsageTerms != "") {
				t.Errorf("%s/%s: representationtype %q with a preview that is truncated=%v", c.name, ref, d.RepresentationType, stored.Truncated)
			}
			if !stored.Truncated {
				continue // the preview is the whole story: nothing to leak
			}
			text := readableText(r.Body)
			for _, f := range secretFragments(t, stored.Body.Text, stored.Preview.Text, 6) {
				if strings.Contains(text, normalize(f)) {
					t.Fatalf("%s/%s: text past the preview: %q", c.name, ref, f)
				}
			}
			if last := lastSentence(stored.Body.Text); strings.Contains(text, normalize(last)) {
				t.Errorf("%s/%s: the body's last sentence %q", c.name, ref, last)
			}
		}
	}
	// The contrast, on a public article with a preview shorter than its
	// body: the JSON rendering gives it whole to anyone, ninjs does not.
	checked := false
	for _, ref := range publicRefs {
		stored := a.Article(ref)
		if !stored.Truncated {
			continue
		}
		secret := normalize(secretFragments(t, stored.Body.Text, stored.Preview.Text, 6)[0])
		r := a.Get("/v1/articles/"+stored.ID, "")
		mustStatus(t, r, http.StatusOK, "JSON "+ref)
		if !strings.Contains(readableText(r.Body), secret) {
			t.Fatalf("%s: the JSON rendering of a public article lacks its body", ref)
		}
		_, nr := getNinjs(t, a, stored.ID, "")
		if strings.Contains(readableText(nr.Body), secret) {
			t.Fatalf("%s: anonymous ninjs of a public article goes past the preview", ref)
		}
		checked = true
	}
	if !checked {
		t.Fatal("no public demo article has a preview shorter than its body: the public case is not tested")
	}
}

// TestNinjsCache: representations of one article never mix between ninjs
// and JSON, nor between the full and the preview classes, whatever the
// order of the requests.
func TestNinjsCache(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	stored := a.Article("wells")
	full := a.Token(access.RolePartner, access.ScopeFullText)
	head := a.Token(access.RolePartner, access.ScopeHeadlines)
	secret := secretFragments(t, stored.Body.Text, stored.Preview.Text, 6)[0]
	for round := range 2 {
		getNinjs(t, a, stored.ID, full)
		for _, tok := range []string{"", head, a.Token(access.RoleSubscriber)} {
			_, r := getNinjs(t, a, stored.ID, tok)
			if strings.Contains(readableText(r.Body), normalize(secret)) {
				t.Fatalf("round %d: a preview class got the full ninjs", round)
			}
		}
		r := a.Get("/v1/articles/"+stored.ID, full)
		mustStatus(t, r, http.StatusOK, "JSON")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || !strings.Contains(string(r.Body), `"structured_data"`) {
			t.Fatalf("round %d: JSON after ninjs is %s", round, ct)
		}
		_, nr := getNinjs(t, a, stored.ID, full)
		if strings.Contains(string(nr.Body), `"structured_data"`) {
			t.Fatalf("round %d: ninjs after JSON is JSON", round)
		}
	}
	// A forged Host shapes its own answer's photo links, never the cached
	// answer of anybody else.
	req, err := http.NewRequest(http.MethodGet, a.URL+"/v1/articles/"+stored.ID+"?format=ninjs", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example"
	res, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_, r := getNinjs(t, a, stored.ID, "")
	if strings.Contains(string(r.Body), "evil.example") || !strings.Contains(string(r.Body), a.URL+"/media/") {
		t.Fatalf("the photo links of a normal request follow another request's Host:\n%.600s", r.Body)
	}
}

func TestNinjsNegotiation(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	stored := a.Article("summit-en")
	path := "/v1/articles/" + stored.ID
	isNinjs := func(r apitest.Response) bool { return r.Header.Get("Content-Type") == ninjsAccept }
	for _, c := range []struct {
		accept string
		ninjs  bool
	}{
		{"application/ninjs+json", true},
		{"application/ninjs+json; version=2.1", true},
		{"application/json, application/ninjs+json", true},
		{"application/json;q=1, application/ninjs+json;q=0.5", false},
		{"application/ninjs+json;q=0", false},
		{"*/*", false},
		{"application/json", false},
		{"", false},
	} {
		r := a.Get(path, "", "Accept", c.accept)
		mustStatus(t, r, http.StatusOK, c.accept)
		if isNinjs(r) != c.ninjs {
			t.Errorf("Accept %q: ninjs %v, want %v", c.accept, isNinjs(r), c.ninjs)
		}
		if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Accept") {
			t.Errorf("Accept %q: no Vary: Accept", c.accept)
		}
	}
	// An explicit body format means the JSON rendering, whatever Accept says.
	r := a.Get(path+"?format=html", "", "Accept", ninjsAccept)
	mustStatus(t, r, http.StatusOK, "format=html")
	if isNinjs(r) {
		t.Error("format=html answered ninjs")
	}

	draft := a.Article(draftRef)
	ed := aaToken(t, a, access.RoleEditor, "editor-ninjs")
	art, _ := aaCreate(t, a, ed, `{"title":"Vieux titre","lang":"fr","access":"public","status":"published","blocks":[{"type":"paragraph","text":"Texte."}]}`)
	mustStatus(t, aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, ed, `{"slug":"nouveau-titre"}`, "If-Match", aaETag(art.ID, art.Version)), http.StatusOK, "rename")
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "draft", Path: "/v1/articles/" + draft.ID + "?format=ninjs", Token: apitest.As("partner", "full_text"),
			WantStatus: http.StatusNotFound, WantCode: "not_found", WantNotContains: []string{draftTitle}},
		{Name: "draft by slug", Path: "/v1/articles/" + draft.Slug, Headers: []string{"Accept", ninjsAccept},
			WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "scheduled", Path: "/v1/articles/" + a.Article(scheduledRef).ID + "?format=ninjs", Token: apitest.As("editor"),
			WantStatus: http.StatusNotFound, WantCode: "not_found", WantNotContains: []string{scheduledTitle}},
		{Name: "unknown", Path: "/v1/articles/no-such-story?format=ninjs", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "ninjs with a body form", Path: path + "?format=ninjs,html", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "fields", Path: path + "?format=ninjs&fields=title", WantStatus: http.StatusBadRequest, WantCode: "bad_request",
			WantContains: []string{`"field":"fields"`}},
		{Name: "fields with Accept", Path: path + "?fields=title", Headers: []string{"Accept", ninjsAccept},
			WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "preview", Path: path + "?format=ninjs&preview=true", Token: apitest.As("editor"),
			WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad token", Path: path + "?format=ninjs", Token: func(*apitest.App) string { return "x.y.z" },
			WantStatus: http.StatusUnauthorized, WantCode: "token_invalid"},
		{Name: "old slug", Path: "/v1/articles/vieux-titre?format=ninjs", WantStatus: http.StatusMovedPermanently,
			WantHeaders: map[string]string{"Location": "/v1/articles/nouveau-titre?format=ninjs&lang=fr"}},
		{Name: "anonymous is public", Path: path + "?format=ninjs", WantStatus: http.StatusOK,
			WantHeaders: map[string]string{"Cache-Control": "public", "Content-Type": ninjsAccept}},
		{Name: "partner is private", Path: path + "?format=ninjs", Token: apitest.As("partner", "headlines"), WantStatus: http.StatusOK,
			WantHeaders: map[string]string{"Cache-Control": "private"}},
	})
}
