package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/content"
)

// taxonomySnapshot renders every row of the taxonomy tables and of the
// article links to them, so that a test can tell that nothing changed.
func taxonomySnapshot(t *testing.T, a *apitest.App) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []struct{ table, cols, order string }{
		{"sections", "id, slug, names, parent_id, position, updated_at", "id"},
		{"tags", "id, slug, name, kind, updated_at", "id"},
		{"authors", "id, slug, name, bio, photo_id, updated_at", "id"},
		{"article_tags", "article_id, tag_id", "article_id, tag_id"},
		{"article_authors", "article_id, author_id", "article_id, author_id"},
		{"articles", "id, section_id", "id"},
	} {
		var rows []map[string]any
		if err := a.DB.Read(context.Background()).Table(q.table).Select(q.cols).Order(q.order).Find(&rows).Error; err != nil {
			t.Fatalf("snapshot %s: %v", q.table, err)
		}
		fmt.Fprintf(&b, "%s %d %v\n", q.table, len(rows), rows)
	}
	return b.String()
}

// unchanged is a scenario Check: the taxonomy is still what before says.
func unchanged(before *string) func(t *testing.T, a *apitest.App, r apitest.Response) {
	return func(t *testing.T, a *apitest.App, r apitest.Response) {
		t.Helper()
		if got := taxonomySnapshot(t, a); got != *before {
			t.Errorf("the request changed the database")
		}
	}
}

func sectionID(t *testing.T, a *apitest.App, slug string) string {
	t.Helper()
	list, err := a.Content.Sections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Slug == slug {
			return s.ID
		}
	}
	t.Fatalf("no section %q", slug)
	return ""
}

func tagID(t *testing.T, a *apitest.App, slug string) string {
	t.Helper()
	tg, err := a.Content.TagBySlug(context.Background(), slug)
	if err != nil {
		t.Fatalf("tag %q: %v", slug, err)
	}
	return tg.ID
}

func authorID(t *testing.T, a *apitest.App, slug string) string {
	t.Helper()
	au, err := a.Content.AuthorBySlug(context.Background(), slug)
	if err != nil {
		t.Fatalf("author %q: %v", slug, err)
	}
	return au.ID
}

type adminSection struct {
	ID       string            `json:"id"`
	Slug     string            `json:"slug"`
	Names    map[string]string `json:"names"`
	Parent   *string           `json:"parent"`
	Position int               `json:"position"`
}

// publicSection returns the section slug from /v1/sections, or nil.
func publicSection(t *testing.T, a *apitest.App, slug string) *sectionItem {
	t.Helper()
	r := a.Get("/v1/sections?lang=fr", "")
	mustStatus(t, r, http.StatusOK, "sections")
	var p struct{ Data []sectionItem }
	r.JSON(t, &p)
	for _, s := range p.Data {
		if s.Slug == slug {
			return &s
		}
	}
	return nil
}

func send(t *testing.T, a *apitest.App, method, path, token, body string, headers ...string) apitest.Response {
	t.Helper()
	if body == "" {
		return a.Do(method, path, token, nil, headers...)
	}
	headers = append([]string{"Content-Type", "application/json"}, headers...)
	return a.Do(method, path, token, strings.NewReader(body), headers...)
}

func TestAdminSections(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	editor := a.Token("editor")

	// Warm the public caches: the writes below must show at once anyway.
	if publicSection(t, a, "aussenpolitik") != nil {
		t.Fatal("the section exists before its creation")
	}

	// Create: the slug comes from the first name given, transliterated
	// for its language (German ß → ss).
	r := send(t, a, http.MethodPost, "/v1/admin/sections", editor,
		`{"names": {"de": "Außenpolitik", "fr": "Politique étrangère"}, "parent": "politique", "position": 3}`)
	mustStatus(t, r, http.StatusCreated, "create section")
	var sec adminSection
	r.JSON(t, &sec)
	if sec.Slug != "aussenpolitik" || sec.Parent == nil || *sec.Parent != "politique" || sec.Position != 3 ||
		sec.Names["fr"] != "Politique étrangère" {
		t.Fatalf("created %+v", sec)
	}
	if loc := r.Header.Get("Location"); loc != "/v1/admin/sections/"+sec.ID {
		t.Errorf("Location %q", loc)
	}
	etag := r.Header.Get("ETag")
	if etag != `"`+sec.ID+`.v1"` {
		t.Errorf("ETag %q", etag)
	}
	if r.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	if p := publicSection(t, a, "aussenpolitik"); p == nil || p.Parent == nil || *p.Parent != "politique" || p.Name != "Politique étrangère" {
		t.Fatalf("public view after create: %+v", p)
	}

	// Update with the current ETag: slug, names, parent, position.
	r = send(t, a, http.MethodPatch, "/v1/admin/sections/"+sec.ID, editor,
		`{"slug": "international", "names": {"fr": "International", "en": "World"}, "parent": "", "position": 1}`,
		"If-Match", etag)
	mustStatus(t, r, http.StatusOK, "update section")
	sec = adminSection{} // decoding merges into a map
	r.JSON(t, &sec)
	if sec.Slug != "international" || sec.Parent != nil || sec.Position != 1 || len(sec.Names) != 2 || sec.Names["en"] != "World" {
		t.Fatalf("updated %+v", sec)
	}
	etag2 := r.Header.Get("ETag")
	if etag2 == "" || etag2 == etag {
		t.Errorf("ETag after update %q (before %q)", etag2, etag)
	}
	if publicSection(t, a, "aussenpolitik") != nil {
		t.Error("the old slug is still listed")
	}
	if p := publicSection(t, a, "international"); p == nil || p.Parent != nil || p.Name != "International" {
		t.Fatalf("public view after update: %+v", p)
	}

	// A stale If-Match is a 412 and writes nothing; no If-Match is fine.
	before := taxonomySnapshot(t, a)
	r = send(t, a, http.MethodPatch, "/v1/admin/sections/"+sec.ID, editor, `{"position": 9}`, "If-Match", etag)
	mustStatus(t, r, http.StatusPreconditionFailed, "stale If-Match")
	if taxonomySnapshot(t, a) != before {
		t.Error("a stale write changed the database")
	}
	r = send(t, a, http.MethodPatch, "/v1/admin/sections/"+sec.ID, editor, `{"parent": "culture"}`)
	mustStatus(t, r, http.StatusOK, "update without If-Match")
	if p := publicSection(t, a, "international"); p == nil || p.Parent == nil || *p.Parent != "culture" {
		t.Fatalf("public view after re-parenting: %+v", p)
	}

	// Delete: gone from the public list at once; deleting again is a 404.
	r = send(t, a, http.MethodDelete, "/v1/admin/sections/"+sec.ID, a.Token("admin"), "")
	mustStatus(t, r, http.StatusNoContent, "delete section")
	if publicSection(t, a, "international") != nil {
		t.Error("a deleted section is still listed")
	}
	r = send(t, a, http.MethodDelete, "/v1/admin/sections/"+sec.ID, editor, "")
	mustStatus(t, r, http.StatusNotFound, "delete twice")
}

func TestAdminSectionsRefused(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	politique, diplomatie, economie := sectionID(t, a, "politique"), sectionID(t, a, "diplomatie"), sectionID(t, a, "economie")
	unknown := content.NewID()
	before := taxonomySnapshot(t, a)
	check := unchanged(&before)
	editor, reader := apitest.As("editor"), apitest.As("reader")
	post := func(name, body string, status int, code string, fields ...string) apitest.Scenario {
		return apitest.Scenario{Name: name, Method: http.MethodPost, Path: "/v1/admin/sections", Body: body,
			Token: editor, WantStatus: status, WantCode: code, WantContains: fields, Check: check}
	}
	patch := func(name, id, body string, status int, code string, fields ...string) apitest.Scenario {
		return apitest.Scenario{Name: name, Method: http.MethodPatch, Path: "/v1/admin/sections/" + id, Body: body,
			Token: editor, WantStatus: status, WantCode: code, WantContains: fields, Check: check}
	}
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "anonymous create", Method: http.MethodPost, Path: "/v1/admin/sections", Body: `{"names":{"fr":"X"}}`,
			WantStatus: 401, WantCode: "unauthenticated", Check: check},
		{Name: "reader create", Method: http.MethodPost, Path: "/v1/admin/sections", Body: `{"names":{"fr":"X"}}`,
			Token: reader, WantStatus: 403, WantCode: "forbidden", Check: check},
		{Name: "subscriber update", Method: http.MethodPatch, Path: "/v1/admin/sections/" + economie, Body: `{"position":1}`,
			Token: apitest.As("subscriber"), WantStatus: 403, WantCode: "forbidden", Check: check},
		{Name: "anonymous delete", Method: http.MethodDelete, Path: "/v1/admin/sections/" + economie,
			WantStatus: 401, WantCode: "unauthenticated", Check: check},
		{Name: "reader delete", Method: http.MethodDelete, Path: "/v1/admin/sections/" + economie,
			Token: reader, WantStatus: 403, WantCode: "forbidden", Check: check},
		{Name: "not JSON", Method: http.MethodPost, Path: "/v1/admin/sections", Body: `names=x`,
			Token: editor, Headers: []string{"Content-Type", "text/plain"}, WantStatus: 415, WantCode: "unsupported_media_type", Check: check},
		post("malformed JSON", `{"names":`, 400, "bad_request"),
		post("unknown field", `{"names":{"fr":"X"},"colour":"red"}`, 400, "bad_request"),
		post("names not an object", `{"names":["fr","X"]}`, 400, "bad_request"),
		post("name not a string", `{"names":{"fr":1}}`, 400, "bad_request"),
		post("no names", `{"slug":"vide"}`, 422, "validation_failed", `"field":"names"`),
		post("empty names", `{"names":{}}`, 422, "validation_failed", `"field":"names"`),
		post("bad language", `{"names":{"FR":"X"}}`, 422, "validation_failed", `"field":"names.FR"`),
		post("blank name", `{"names":{"fr":"  "}}`, 422, "validation_failed", `"field":"names.fr"`),
		post("language twice", `{"names":{"fr":"A","fr":"B"}}`, 422, "validation_failed", `"field":"names.fr"`),
		post("long name", `{"names":{"fr":"`+strings.Repeat("x", 201)+`"}}`, 422, "validation_failed", `"field":"names.fr"`),
		post("bad slug", `{"slug":"Pas Bien","names":{"fr":"X"}}`, 422, "validation_failed", `"field":"slug"`),
		post("nothing to slug", `{"names":{"fr":"!!!"}}`, 422, "validation_failed", `"field":"names.fr"`),
		post("unknown parent", `{"names":{"fr":"X"},"parent":"nulle-part"}`, 422, "validation_failed", `"field":"parent"`),
		post("several errors", `{"slug":"-x","names":{"fr":""}}`, 422, "validation_failed", `"field":"slug"`, `"field":"names.fr"`),
		post("slug taken", `{"slug":"culture","names":{"fr":"Autre"}}`, 409, "conflict"),
		post("generated slug taken", `{"names":{"fr":"Économie"}}`, 409, "conflict", "economie"),
		patch("unknown id", unknown, `{"position":1}`, 404, "not_found"),
		patch("not an id", "culture", `{"position":1}`, 404, "not_found"),
		patch("slug taken by another", economie, `{"slug":"culture"}`, 409, "conflict"),
		patch("own parent", politique, `{"parent":"politique"}`, 422, "validation_failed", `"field":"parent"`),
		patch("cycle", politique, `{"parent":"diplomatie"}`, 422, "validation_failed", `"field":"parent"`),
		patch("empty names", economie, `{"names":{}}`, 422, "validation_failed", `"field":"names"`),
		patch("bad slug", economie, `{"slug":""}`, 422, "validation_failed", `"field":"slug"`),
		{Name: "stale ETag", Method: http.MethodPatch, Path: "/v1/admin/sections/" + economie, Body: `{"position":1}`,
			Token: editor, Headers: []string{"If-Match", `"` + economie + `.t1"`}, WantStatus: 412, WantCode: "precondition_failed", Check: check},
		{Name: "weak ETag", Method: http.MethodPatch, Path: "/v1/admin/sections/" + economie, Body: `{"position":1}`,
			Token: editor, Headers: []string{"If-Match", `W/"x"`}, WantStatus: 412, WantCode: "precondition_failed", Check: check},
		{Name: "ETag of another section", Method: http.MethodPatch, Path: "/v1/admin/sections/" + economie, Body: `{"position":1}`,
			Token: editor, Headers: []string{"If-Match", `"` + politique + `.t1"`}, WantStatus: 412, WantCode: "precondition_failed", Check: check},
		{Name: "delete unknown", Method: http.MethodDelete, Path: "/v1/admin/sections/" + unknown,
			Token: editor, WantStatus: 404, WantCode: "not_found", Check: check},
		{Name: "delete with articles and children", Method: http.MethodDelete, Path: "/v1/admin/sections/" + politique,
			Token: editor, WantStatus: 409, WantCode: "conflict", WantContains: []string{"child section"}, Check: check},
		{Name: "delete with articles", Method: http.MethodDelete, Path: "/v1/admin/sections/" + diplomatie,
			Token: apitest.As("admin"), WantStatus: 409, WantCode: "conflict", WantContains: []string{"article"}, Check: check},
	})
}

type adminTag struct {
	ID, Slug, Name, Kind string
}

func publicTags(t *testing.T, a *apitest.App, kind string) map[string]string {
	t.Helper()
	r := a.Get("/v1/tags?kind="+kind, "")
	mustStatus(t, r, http.StatusOK, "tags")
	var p struct{ Data []tagItem }
	r.JSON(t, &p)
	out := map[string]string{}
	for _, tg := range p.Data {
		out[tg.Slug] = tg.Name
	}
	return out
}

func TestAdminTags(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	editor := a.Token("editor")
	if _, ok := publicTags(t, a, "topic")["peche"]; ok {
		t.Fatal("tag exists before its creation")
	}

	r := send(t, a, http.MethodPost, "/v1/admin/tags", editor, `{"name": " Pêche ", "kind": "topic"}`)
	mustStatus(t, r, http.StatusCreated, "create tag")
	var tg adminTag
	r.JSON(t, &tg)
	if tg.Slug != "peche" || tg.Name != "Pêche" || tg.Kind != "topic" {
		t.Fatalf("created %+v", tg)
	}
	if r.Header.Get("Location") != "/v1/admin/tags/"+tg.ID || r.Header.Get("ETag") == "" {
		t.Errorf("headers %v", r.Header)
	}
	if publicTags(t, a, "topic")["peche"] != "Pêche" {
		t.Fatal("new tag not listed at once")
	}

	r = send(t, a, http.MethodPatch, "/v1/admin/tags/"+tg.ID, editor, `{"name": "Pêche en mer", "kind": "country", "slug": "peche-en-mer"}`,
		"If-Match", r.Header.Get("ETag"))
	mustStatus(t, r, http.StatusOK, "update tag")
	if publicTags(t, a, "country")["peche-en-mer"] != "Pêche en mer" {
		t.Fatal("updated tag not listed at once")
	}
	if _, ok := publicTags(t, a, "topic")["peche"]; ok {
		t.Fatal("old tag still listed")
	}

	r = send(t, a, http.MethodDelete, "/v1/admin/tags/"+tg.ID, editor, "")
	mustStatus(t, r, http.StatusNoContent, "delete tag")
	if _, ok := publicTags(t, a, "country")["peche-en-mer"]; ok {
		t.Fatal("deleted tag still listed")
	}
}

func TestAdminTagsRefused(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	equimont, eau := tagID(t, a, "equimont"), tagID(t, a, "eau")
	before := taxonomySnapshot(t, a)
	check := unchanged(&before)
	editor := apitest.As("editor")
	sc := func(name, method, path, body string, status int, code string, fields ...string) apitest.Scenario {
		return apitest.Scenario{Name: name, Method: method, Path: path, Body: body, Token: editor,
			WantStatus: status, WantCode: code, WantContains: fields, Check: check}
	}
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "anonymous", Method: http.MethodPost, Path: "/v1/admin/tags", Body: `{"name":"X","kind":"topic"}`,
			WantStatus: 401, WantCode: "unauthenticated", Check: check},
		{Name: "reader", Method: http.MethodPatch, Path: "/v1/admin/tags/" + eau, Body: `{"name":"X"}`,
			Token: apitest.As("reader"), WantStatus: 403, WantCode: "forbidden", Check: check},
		{Name: "reader delete", Method: http.MethodDelete, Path: "/v1/admin/tags/" + eau,
			Token: apitest.As("reader"), WantStatus: 403, WantCode: "forbidden", Check: check},
		sc("malformed", http.MethodPost, "/v1/admin/tags", `{"name":}`, 400, "bad_request"),
		sc("kind not a string", http.MethodPost, "/v1/admin/tags", `{"name":"X","kind":3}`, 400, "bad_request"),
		sc("no kind", http.MethodPost, "/v1/admin/tags", `{"name":"X"}`, 422, "validation_failed", `"field":"kind"`),
		sc("bad kind", http.MethodPost, "/v1/admin/tags", `{"name":"X","kind":"region"}`, 422, "validation_failed", `"field":"kind"`),
		sc("no name", http.MethodPost, "/v1/admin/tags", `{"kind":"topic"}`, 422, "validation_failed", `"field":"name"`),
		sc("control characters", http.MethodPost, "/v1/admin/tags", `{"name":"a\u0085b","kind":"topic"}`, 422, "validation_failed", `"field":"name"`),
		sc("slug taken", http.MethodPost, "/v1/admin/tags", `{"name":"Eau","kind":"topic"}`, 409, "conflict"),
		sc("update slug taken", http.MethodPatch, "/v1/admin/tags/"+eau, `{"slug":"climat"}`, 409, "conflict"),
		sc("update bad kind", http.MethodPatch, "/v1/admin/tags/"+eau, `{"kind":""}`, 422, "validation_failed", `"field":"kind"`),
		sc("update unknown", http.MethodPatch, "/v1/admin/tags/"+content.NewID(), `{"name":"X"}`, 404, "not_found"),
		sc("delete unknown", http.MethodDelete, "/v1/admin/tags/"+content.NewID(), "", 404, "not_found"),
		sc("delete in use", http.MethodDelete, "/v1/admin/tags/"+equimont, "", 409, "conflict", "article"),
	})
}

type adminAuthor struct {
	ID      string  `json:"id"`
	Slug    string  `json:"slug"`
	Name    string  `json:"name"`
	Bio     string  `json:"bio"`
	PhotoID *string `json:"photo_id"`
}

func TestAdminAuthors(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	editor := a.Token("editor")
	var photoID string
	if err := a.DB.Read(context.Background()).Table("photos").Select("id").Order("id").Limit(1).Scan(&photoID).Error; err != nil || photoID == "" {
		t.Fatalf("no demo photo: %v", err)
	}
	mustStatus(t, a.Get("/v1/authors/zoe-angstrom", ""), http.StatusNotFound, "author before creation")

	r := send(t, a, http.MethodPost, "/v1/admin/authors", editor,
		`{"name": "Zoë Ångström", "bio": "Correspondante à Norhavn.", "photo_id": "`+photoID+`"}`)
	mustStatus(t, r, http.StatusCreated, "create author")
	var au adminAuthor
	r.JSON(t, &au)
	if au.Slug != "zoe-angstrom" || au.Name != "Zoë Ångström" || au.PhotoID == nil || *au.PhotoID != photoID {
		t.Fatalf("created %+v", au)
	}
	if r.Header.Get("Location") != "/v1/admin/authors/"+au.ID {
		t.Errorf("Location %q", r.Header.Get("Location"))
	}
	pub := a.Get("/v1/authors/zoe-angstrom", "")
	mustStatus(t, pub, http.StatusOK, "public author")
	if m := pub.Map(t); m["bio"] != "Correspondante à Norhavn." || m["photo"] == nil {
		t.Errorf("public author %v", m)
	}

	r = send(t, a, http.MethodPatch, "/v1/admin/authors/"+au.ID, editor,
		`{"slug": "z-angstrom", "bio": "", "photo_id": ""}`, "If-Match", r.Header.Get("ETag"))
	mustStatus(t, r, http.StatusOK, "update author")
	r.JSON(t, &au)
	if au.Slug != "z-angstrom" || au.Bio != "" || au.PhotoID != nil || au.Name != "Zoë Ångström" {
		t.Fatalf("updated %+v", au)
	}
	mustStatus(t, a.Get("/v1/authors/zoe-angstrom", ""), http.StatusNotFound, "old slug")
	pub = a.Get("/v1/authors/z-angstrom", "")
	mustStatus(t, pub, http.StatusOK, "new slug")
	if m := pub.Map(t); m["photo"] != nil {
		t.Errorf("portrait not removed: %v", m)
	}

	r = send(t, a, http.MethodDelete, "/v1/admin/authors/"+au.ID, editor, "")
	mustStatus(t, r, http.StatusNoContent, "delete author")
	mustStatus(t, a.Get("/v1/authors/z-angstrom", ""), http.StatusNotFound, "deleted author")
}

func TestAdminAuthorsRefused(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	lea, jonas := authorID(t, a, "lea-morvand"), authorID(t, a, "jonas-ekdahl")
	before := taxonomySnapshot(t, a)
	check := unchanged(&before)
	editor := apitest.As("editor")
	sc := func(name, method, path, body string, status int, code string, fields ...string) apitest.Scenario {
		return apitest.Scenario{Name: name, Method: method, Path: path, Body: body, Token: editor,
			WantStatus: status, WantCode: code, WantContains: fields, Check: check}
	}
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "anonymous", Method: http.MethodPost, Path: "/v1/admin/authors", Body: `{"name":"X"}`,
			WantStatus: 401, WantCode: "unauthenticated", Check: check},
		{Name: "reader", Method: http.MethodPost, Path: "/v1/admin/authors", Body: `{"name":"X"}`,
			Token: apitest.As("reader"), WantStatus: 403, WantCode: "forbidden", Check: check},
		{Name: "anonymous delete", Method: http.MethodDelete, Path: "/v1/admin/authors/" + jonas,
			WantStatus: 401, WantCode: "unauthenticated", Check: check},
		sc("unknown field", http.MethodPost, "/v1/admin/authors", `{"name":"X","email":"x@example.org"}`, 400, "bad_request"),
		sc("two values", http.MethodPost, "/v1/admin/authors", `{"name":"X"} {"name":"Y"}`, 400, "bad_request"),
		sc("no name", http.MethodPost, "/v1/admin/authors", `{"bio":"x"}`, 422, "validation_failed", `"field":"name"`),
		sc("long bio", http.MethodPost, "/v1/admin/authors", `{"name":"X","bio":"`+strings.Repeat("b", 10_001)+`"}`,
			422, "validation_failed", `"field":"bio"`),
		sc("unknown photo", http.MethodPost, "/v1/admin/authors", `{"name":"X","photo_id":"`+content.NewID()+`"}`,
			422, "validation_failed", `"field":"photo_id"`),
		sc("photo not an id", http.MethodPost, "/v1/admin/authors", `{"name":"X","photo_id":"nope"}`,
			422, "validation_failed", `"field":"photo_id"`),
		sc("slug taken", http.MethodPost, "/v1/admin/authors", `{"name":"Léa Morvand"}`, 409, "conflict", "lea-morvand"),
		sc("update slug taken", http.MethodPatch, "/v1/admin/authors/"+jonas, `{"slug":"lea-morvand"}`, 409, "conflict"),
		sc("update blank name", http.MethodPatch, "/v1/admin/authors/"+jonas, `{"name":" "}`, 422, "validation_failed", `"field":"name"`),
		sc("update unknown photo", http.MethodPatch, "/v1/admin/authors/"+jonas, `{"photo_id":"`+content.NewID()+`"}`,
			422, "validation_failed", `"field":"photo_id"`),
		sc("update unknown", http.MethodPatch, "/v1/admin/authors/"+content.NewID(), `{"name":"X"}`, 404, "not_found"),
		sc("delete unknown", http.MethodDelete, "/v1/admin/authors/"+content.NewID(), "", 404, "not_found"),
		sc("delete in byline", http.MethodDelete, "/v1/admin/authors/"+lea, "", 409, "conflict", "article"),
	})
}
