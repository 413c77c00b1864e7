package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
)

// aaArticle is the part of the newsroom's article view the tests read.
type aaArticle struct {
	ID           string  `json:"id"`
	Slug         string  `json:"slug"`
	Lang         string  `json:"lang"`
	TranslKey    string  `json:"translation_key"`
	Title        string  `json:"title"`
	Standfirst   string  `json:"standfirst"`
	Status       string  `json:"status"`
	Access       string  `json:"access"`
	PreviewBreak *int    `json:"preview_break"`
	PublishAt    *string `json:"publish_at"`
	PublishedAt  *string `json:"published_at"`
	Version      int     `json:"version"`
	UpdatedAt    string  `json:"updated_at"`
	Section      *struct {
		Slug string `json:"slug"`
	} `json:"section"`
	Tags []struct {
		Slug string `json:"slug"`
	} `json:"tags"`
	Authors []struct {
		Slug string `json:"slug"`
	} `json:"authors"`
	Photo *struct {
		ID string `json:"id"`
	} `json:"photo"`
	Body articleBody `json:"body"`
}

const aaMinimal = `{"title":"Un pont sur la Lanne","lang":"fr","access":"public","blocks":[{"type":"paragraph","text":"Les travaux commencent lundi."}]}`

func aaJSONHeaders(extra ...string) []string {
	return append([]string{"Content-Type", "application/json"}, extra...)
}

// send is a.Do with a JSON body.
func aaSend(a *apitest.App, method, path, token, body string, headers ...string) apitest.Response {
	return a.Do(method, path, token, strings.NewReader(body), aaJSONHeaders(headers...)...)
}

// tokenFor mints a token for a named person with role.
func aaToken(t *testing.T, a *apitest.App, role access.Role, subject string) string {
	t.Helper()
	tok, err := a.Tokens.Mint(access.MintRequest{Subject: subject, Role: role, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func aaRows(t *testing.T, a *apitest.App, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := a.DB.Read(context.Background()).Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func aaCreate(t *testing.T, a *apitest.App, token, body string) (aaArticle, apitest.Response) {
	t.Helper()
	r := aaSend(a, http.MethodPost, "/v1/admin/articles", token, body)
	mustStatus(t, r, http.StatusCreated, "create")
	var art aaArticle
	r.JSON(t, &art)
	return art, r
}

func aaETag(id string, version int) string { return fmt.Sprintf(`"%s.v%d"`, id, version) }

// publicListHas reports whether the public list (first 100) shows id.
func aaListed(t *testing.T, a *apitest.App, id string) bool {
	t.Helper()
	r := a.Get("/v1/articles?limit=100", "")
	mustStatus(t, r, http.StatusOK, "public list")
	var page summaryPage
	r.JSON(t, &page)
	for _, s := range page.Data {
		if s.ID == id {
			return true
		}
	}
	return false
}

func TestAdminCreateArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	photoID := a.Article("summit-fr").PhotoID
	body := `{"title":"Grüße aus Köln: Straße gesperrt","standfirst":"Ein Satz.","lang":"de",
		"section":"diplomatie","tags":["eau","equimont"],"authors":["lea-morvand"],
		"source":{"name":"Kölner Blatt","url":"https://blatt.example/a"},"access":"subscribers","preview_break":1,
		"photo_id":"` + photoID + `","comments_enabled":false,
		"blocks":[{"type":"paragraph","text":"Erster Absatz."},{"type":"paragraph","text":"Zweiter Absatz, nur für Abonnenten."}]}`
	art, r := aaCreate(t, a, ed, body)
	if loc := r.Header.Get("Location"); loc != "/v1/admin/articles/"+art.ID {
		t.Errorf("Location %q", loc)
	}
	if et := r.Header.Get("ETag"); et != aaETag(art.ID, 1) {
		t.Errorf("ETag %q", et)
	}
	if art.Slug != "gruesse-aus-koeln-strasse-gesperrt" || art.Status != "draft" || art.Version != 1 ||
		art.Access != "subscribers" || art.PreviewBreak == nil || *art.PreviewBreak != 1 || art.PublishedAt != nil {
		t.Errorf("created %+v", art)
	}
	if art.Section == nil || art.Section.Slug != "diplomatie" || len(art.Tags) != 2 || art.Tags[0].Slug != "eau" ||
		len(art.Authors) != 1 || art.Photo == nil || art.Photo.ID != photoID {
		t.Errorf("references %+v", art)
	}
	if !strings.Contains(art.Body.Text, "nur für Abonnenten") || len(art.Body.Blocks) != 2 {
		t.Errorf("the newsroom view lacks the full body: %+v", art.Body)
	}
	if n := aaRows(t, a, "article_revisions", "article_id = ? AND version = 1 AND action = 'create' AND editor = ?", art.ID, "test-editor"); n != 1 {
		t.Errorf("%d create revisions", n)
	}

	// A draft: nowhere public, but the newsroom sees it.
	if aaListed(t, a, art.ID) {
		t.Error("a draft is on the public list")
	}
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusNotFound, "public draft")
	mustStatus(t, a.Get("/v1/articles/"+art.ID+"?preview=true", ed), http.StatusOK, "editor preview")
	g := a.Get("/v1/admin/articles/"+art.ID, ed)
	mustStatus(t, g, http.StatusOK, "admin get")
	if g.Header.Get("ETag") != aaETag(art.ID, 1) || g.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("admin get headers %v", g.Header)
	}
	mustStatus(t, a.Get("/v1/admin/articles/"+art.ID, ed, "If-None-Match", aaETag(art.ID, 1)), http.StatusNotModified, "conditional get")

	// Published: on the public list at once.
	mustStatus(t, a.Do(http.MethodPost, "/v1/admin/articles/"+art.ID+"/publish", ed, nil), http.StatusOK, "publish")
	if !aaListed(t, a, art.ID) {
		t.Error("a published article is not on the public list")
	}

	// Created published, with the same title: the slug gets a suffix.
	wells := a.Article("wells")
	pub, _ := aaCreate(t, a, ed, strings.Replace(body, `"lang":"de"`, `"lang":"de","status":"published","translation_of":"`+wells.ID+`"`, 1))
	if pub.Slug != "gruesse-aus-koeln-strasse-gesperrt-2" || pub.Status != "published" || pub.PublishedAt == nil || pub.TranslKey != wells.TranslationKey {
		t.Errorf("second article %+v", pub)
	}
	if !aaListed(t, a, pub.ID) {
		t.Error("an article created published is not on the public list")
	}
}

func TestAdminScheduledArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	at := a.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	art, _ := aaCreate(t, a, ed, strings.Replace(aaMinimal, `"access"`, `"status":"scheduled","publish_at":"`+at+`","access"`, 1))
	if art.Status != "scheduled" || art.PublishAt == nil {
		t.Fatalf("scheduled %+v", art)
	}
	if aaListed(t, a, art.ID) {
		t.Fatal("a scheduled article is public before its time")
	}
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusNotFound, "before its time")
	a.Clock.Advance(2 * time.Hour)
	if !aaListed(t, a, art.ID) {
		t.Error("a scheduled article did not appear by itself")
	}
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusOK, "after its time")
	ed = a.Token(access.RoleEditor) // the first one has expired

	// Rescheduling through PATCH: the time must be in the future.
	past := a.Clock.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	r := aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, ed, `{"status":"scheduled","publish_at":"`+past+`"}`, "If-Match", aaETag(art.ID, 1))
	mustStatus(t, r, http.StatusUnprocessableEntity, "reschedule into the past")
	future := a.Clock.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	r = aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, ed, `{"publish_at":"`+future+`"}`, "If-Match", aaETag(art.ID, 1))
	mustStatus(t, r, http.StatusOK, "reschedule")
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusNotFound, "after rescheduling")
}

// Every refused create writes nothing: no article, no revision.
func TestAdminCreateArticleRefused(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	articles, revs := aaRows(t, a, "articles", ""), aaRows(t, a, "article_revisions", "")
	taken := a.Article("summit-fr")
	with := func(fields string) string { return strings.Replace(aaMinimal, `"lang":"fr"`, `"lang":"fr",`+fields, 1) }
	past := a.Clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	invalid := func(name, body, field string) apitest.Scenario {
		return apitest.Scenario{Name: name, Method: http.MethodPost, Path: "/v1/admin/articles", Body: body,
			Token: apitest.As("editor"), WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed",
			WantContains: []string{`"field":"` + field + `"`}}
	}
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "malformed JSON", Method: http.MethodPost, Path: "/v1/admin/articles", Body: `{"title":`,
			Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "unknown field", Method: http.MethodPost, Path: "/v1/admin/articles", Body: with(`"colour":"red"`),
			Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "unknown field in a block", Method: http.MethodPost, Path: "/v1/admin/articles",
			Body:  `{"title":"T","lang":"fr","access":"public","blocks":[{"type":"paragraph","text":"x","onclick":"y"}]}`,
			Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "wrong type", Method: http.MethodPost, Path: "/v1/admin/articles", Body: with(`"tags":"eau"`),
			Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad date", Method: http.MethodPost, Path: "/v1/admin/articles", Body: with(`"publish_at":"tomorrow"`),
			Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		invalid("both bodies", with(`"body_html":"<p>x</p>"`), "body_html"),
		invalid("no body", `{"title":"T","lang":"fr","access":"public"}`, "blocks"),
		invalid("unknown section", with(`"section":"nope"`), "section"),
		invalid("unknown tag", with(`"tags":["eau","nope"]`), "tags[1]"),
		invalid("tag twice", with(`"tags":["eau","eau"]`), "tags[1]"),
		invalid("unknown author", with(`"authors":["nobody"]`), "authors[0]"),
		invalid("unknown photo", with(`"photo_id":"01JD3Q8V6K2M7T4X9R5B1N0C8E"`), "photo_id"),
		invalid("unknown photo in the body", `{"title":"T","lang":"fr","access":"public","blocks":[{"type":"photo","photo_id":"01JD3Q8V6K2M7T4X9R5B1N0C8E"}]}`, "body.blocks[0].photo_id"),
		invalid("no title", strings.Replace(aaMinimal, `"Un pont sur la Lanne"`, `"  "`, 1), "title"),
		invalid("bad lang", strings.Replace(aaMinimal, `"lang":"fr"`, `"lang":"French"`, 1), "lang"),
		invalid("no access", strings.Replace(aaMinimal, `"access":"public",`, ``, 1), "access"),
		invalid("bad access", strings.Replace(aaMinimal, `"public"`, `"everyone"`, 1), "access"),
		invalid("bad status", with(`"status":"live"`), "status"),
		invalid("created unpublished", with(`"status":"unpublished"`), "status"),
		invalid("scheduled without a time", with(`"status":"scheduled"`), "publish_at"),
		invalid("scheduled in the past", with(`"status":"scheduled","publish_at":"`+past+`"`), "publish_at"),
		invalid("publish_at on a draft", with(`"publish_at":"`+past+`"`), "publish_at"),
		invalid("preview break past the body", with(`"preview_break":2`), "preview_break"),
		invalid("bad source URL", with(`"source":{"name":"X","url":"javascript:alert(1)"}`), "source.url"),
		invalid("bad slug", with(`"slug":"Not A Slug"`), "slug"),
		invalid("bad translation_of", with(`"translation_of":"nope"`), "translation_of"),
		invalid("unknown translation_of", with(`"translation_of":"01JD3Q8V6K2M7T4X9R5B1N0C8E"`), "translation_of"),
		invalid("a second French version", with(`"translation_of":"`+taken.ID+`"`), "translation_of"),
		invalid("bad block", `{"title":"T","lang":"fr","access":"public","blocks":[{"type":"heading","level":9,"text":"x"}]}`, "body.blocks[0].level"),
		{Name: "taken slug", Method: http.MethodPost, Path: "/v1/admin/articles", Body: with(`"slug":"` + taken.Slug + `"`),
			Token: apitest.As("editor"), WantStatus: http.StatusConflict, WantCode: "conflict"},
		{Name: "not JSON", Method: http.MethodPost, Path: "/v1/admin/articles", Token: apitest.As("editor"),
			Headers: []string{"Content-Type", "text/plain"}, WantStatus: http.StatusUnsupportedMediaType, WantCode: "unsupported_media_type"},
		{Name: "anonymous", Method: http.MethodPost, Path: "/v1/admin/articles", Body: aaMinimal,
			WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "reader", Method: http.MethodPost, Path: "/v1/admin/articles", Body: aaMinimal,
			Token: apitest.As("reader"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "subscriber", Method: http.MethodPost, Path: "/v1/admin/articles", Body: aaMinimal,
			Token: apitest.As("subscriber"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "partner", Method: http.MethodPost, Path: "/v1/admin/articles", Body: aaMinimal,
			Token: apitest.As("partner", "full_text"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
	})
	if n := aaRows(t, a, "articles", ""); n != articles {
		t.Errorf("refused creates stored %d articles", n-articles)
	}
	if n := aaRows(t, a, "article_revisions", ""); n != revs {
		t.Errorf("refused creates stored %d revisions", n-revs)
	}
	// The same body, valid, is accepted by an admin: the refusals were
	// about what they changed, not the base.
	aaCreate(t, a, a.Token(access.RoleAdmin), aaMinimal)
}

// Two editors load the same version and save at once: exactly one wins, the
// other gets 412, and only the winner's change and revision are stored.
func TestAdminPatchIfMatchRace(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	eds := []string{aaToken(t, a, access.RoleEditor, "editor-a"), aaToken(t, a, access.RoleEditor, "editor-b")}
	art := a.Article("wells")
	for round := range 4 {
		g := a.Get("/v1/admin/articles/"+art.ID, eds[0])
		mustStatus(t, g, http.StatusOK, "load")
		etag := g.Header.Get("ETag")
		g2 := a.Get("/v1/admin/articles/"+art.ID, eds[1])
		if g2.Header.Get("ETag") != etag {
			t.Fatalf("the two editors read different versions")
		}
		var cur aaArticle
		g.JSON(t, &cur)
		revsBefore := aaRows(t, a, "article_revisions", "article_id = ?", art.ID)

		titles := []string{fmt.Sprintf("Round %d by A", round), fmt.Sprintf("Round %d by B", round)}
		res := make([]apitest.Response, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res[i] = aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, eds[i], `{"title":"`+titles[i]+`"}`, "If-Match", etag)
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		switch {
		case res[0].Status == http.StatusOK && res[1].Status == http.StatusPreconditionFailed:
			winner = 0
		case res[1].Status == http.StatusOK && res[0].Status == http.StatusPreconditionFailed:
			winner = 1
		default:
			t.Fatalf("round %d: statuses %d and %d, want one 200 and one 412\n%s\n%s", round, res[0].Status, res[1].Status, res[0].Body, res[1].Body)
		}
		if code := problemCode(t, res[1-winner]); code != "precondition_failed" {
			t.Errorf("loser's code %q", code)
		}
		if et := res[winner].Header.Get("ETag"); et != aaETag(art.ID, cur.Version+1) {
			t.Errorf("winner's ETag %q, want version %d", et, cur.Version+1)
		}
		var now aaArticle
		a.Get("/v1/admin/articles/"+art.ID, eds[0]).JSON(t, &now)
		if now.Title != titles[winner] || now.Version != cur.Version+1 {
			t.Errorf("round %d: stored %q v%d, want %q v%d", round, now.Title, now.Version, titles[winner], cur.Version+1)
		}
		if n := aaRows(t, a, "article_revisions", "article_id = ?", art.ID); n != revsBefore+1 {
			t.Errorf("round %d: %d new revisions, want 1", round, n-revsBefore)
		}
		who := []string{"editor-a", "editor-b"}
		if n := aaRows(t, a, "article_revisions", "article_id = ? AND version = ? AND editor = ?", art.ID, now.Version, who[winner]); n != 1 {
			t.Errorf("round %d: the winner's revision is missing", round)
		}
		// The loser's title is nowhere.
		if n := aaRows(t, a, "article_revisions", "article_id = ? AND snapshot LIKE ?", art.ID, "%"+titles[1-winner]+"%"); n != 0 {
			t.Errorf("round %d: the loser's change was recorded", round)
		}
	}
}

func TestAdminPatchArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	body := `{"title":"Les digues","lang":"fr","access":"subscribers","section":"diplomatie","photo_id":"` + a.Article("summit-fr").PhotoID + `",
		"preview_break":1,"tags":["eau"],"blocks":[{"type":"paragraph","text":"Un."},{"type":"paragraph","text":"Deux."}]}`
	art, _ := aaCreate(t, a, ed, body)
	path := "/v1/admin/articles/" + art.ID
	unchanged := func(what string) {
		t.Helper()
		var now aaArticle
		a.Get(path, ed).JSON(t, &now)
		if now.Version != 1 || now.Title != "Les digues" {
			t.Errorf("%s wrote: v%d %q", what, now.Version, now.Title)
		}
		if n := aaRows(t, a, "article_revisions", "article_id = ?", art.ID); n != 1 {
			t.Errorf("%s stored a revision", what)
		}
	}
	v1 := aaETag(art.ID, 1)

	r := aaSend(a, http.MethodPatch, path, ed, `{"title":"Sans If-Match"}`)
	mustStatus(t, r, http.StatusPreconditionRequired, "no If-Match")
	if problemCode(t, r) != "precondition_required" {
		t.Error("code")
	}
	unchanged("a PATCH without If-Match")
	r = aaSend(a, http.MethodPatch, path, ed, `{"title":"Périmé"}`, "If-Match", aaETag(art.ID, 7))
	mustStatus(t, r, http.StatusPreconditionFailed, "stale If-Match")
	unchanged("a stale PATCH")
	for name, b := range map[string]string{
		"malformed":     `{"title":`,
		"unknown field": `{"lang":"en","colour":"red"}`,
		"wrong type":    `{"preview_break":"one"}`,
	} {
		r := aaSend(a, http.MethodPatch, path, ed, b, "If-Match", v1)
		mustStatus(t, r, http.StatusBadRequest, name)
		if code := problemCode(t, r); code != "bad_request" {
			t.Errorf("%s: code %q", name, code)
		}
	}
	for name, c := range map[string]struct{ body, field string }{
		"unknown tag":       {`{"tags":["nope"]}`, "tags[0]"},
		"unknown section":   {`{"section":"nope"}`, "section"},
		"empty title":       {`{"title":""}`, "title"},
		"bad access":        {`{"access":"all"}`, "access"},
		"schedule, no time": {`{"status":"scheduled"}`, "publish_at"},
		"break too far":     {`{"preview_break":3}`, "preview_break"},
		"both bodies":       {`{"blocks":[],"body_html":"<p>x</p>"}`, "body_html"},
		"lang is fixed":     {`{"lang":"en"}`, ""},
	} {
		r := aaSend(a, http.MethodPatch, path, ed, c.body, "If-Match", v1)
		if c.field == "" {
			mustStatus(t, r, http.StatusBadRequest, name)
			if code := problemCode(t, r); code != "bad_request" {
				t.Errorf("%s: code %q", name, code)
			}
			continue
		}
		mustStatus(t, r, http.StatusUnprocessableEntity, name)
		if code := problemCode(t, r); code != "validation_failed" || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	unchanged("refused PATCHes")

	// A merge: what is left out stays; null removes.
	a.Clock.Advance(time.Minute)
	r = aaSend(a, http.MethodPatch, path, ed, `{"standfirst":"Nouveau chapeau.","preview_break":null,"section":null,"authors":["lea-morvand"]}`, "If-Match", v1)
	mustStatus(t, r, http.StatusOK, "patch")
	if r.Header.Get("ETag") != aaETag(art.ID, 2) {
		t.Errorf("ETag %q", r.Header.Get("ETag"))
	}
	var got aaArticle
	r.JSON(t, &got)
	if got.Title != "Les digues" || got.Standfirst != "Nouveau chapeau." || got.PreviewBreak != nil || got.Section != nil ||
		got.Photo == nil || len(got.Tags) != 1 || len(got.Authors) != 1 || got.Access != "subscribers" || got.Version != 2 {
		t.Errorf("after the patch: %+v", got)
	}
	if got.UpdatedAt == art.UpdatedAt {
		t.Error("updated_at did not change")
	}
	// The new body is rendered at once; photo_id null removes the photo.
	r = aaSend(a, http.MethodPatch, path, ed, `{"photo_id":null,"blocks":[{"type":"paragraph","text":"Tout neuf."}]}`, "If-Match", aaETag(art.ID, 2))
	mustStatus(t, r, http.StatusOK, "new body")
	got = aaArticle{}
	r.JSON(t, &got)
	if got.Body.Text != "Tout neuf." || !strings.Contains(got.Body.HTML, "Tout neuf.") || got.Photo != nil {
		t.Errorf("new body: %+v", got.Body)
	}
	// The old ETag is stale now.
	mustStatus(t, aaSend(a, http.MethodPatch, path, ed, `{"title":"x"}`, "If-Match", v1), http.StatusPreconditionFailed, "old ETag")

	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "unknown article", Method: http.MethodPatch, Path: "/v1/admin/articles/01JD3Q8V6K2M7T4X9R5B1N0C8E", Body: `{"title":"x"}`,
			Token: apitest.As("editor"), Headers: []string{"If-Match", v1}, WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "not an id", Method: http.MethodPatch, Path: "/v1/admin/articles/les-digues", Body: `{"title":"x"}`,
			Token: apitest.As("editor"), Headers: []string{"If-Match", v1}, WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "anonymous", Method: http.MethodPatch, Path: path, Body: `{"title":"x"}`, Headers: []string{"If-Match", v1},
			WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "reader", Method: http.MethodPatch, Path: path, Body: `{"title":"x"}`, Headers: []string{"If-Match", v1},
			Token: apitest.As("reader"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "partner", Method: http.MethodPatch, Path: path, Body: `{"title":"x"}`, Headers: []string{"If-Match", v1},
			Token: apitest.As("partner", "full_text"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
	})
}

func TestAdminSlugChange(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	art := a.Article("summit-fr")
	old := art.Slug
	g := a.Get("/v1/admin/articles/"+art.ID, ed)
	r := aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, ed, `{"slug":"sommet-valle-eau"}`, "If-Match", g.Header.Get("ETag"))
	mustStatus(t, r, http.StatusOK, "rename")

	r = a.Get("/v1/articles/"+old+"?lang=fr", "")
	mustStatus(t, r, http.StatusMovedPermanently, "old slug")
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || loc.Path != "/v1/articles/sommet-valle-eau" {
		t.Errorf("Location %q", r.Header.Get("Location"))
	}
	mustStatus(t, a.Get("/v1/articles/sommet-valle-eau?lang=fr", ""), http.StatusOK, "new slug")

	// Nobody else may take the old slug, by hand or by title.
	r = aaSend(a, http.MethodPost, "/v1/admin/articles", ed, strings.Replace(aaMinimal, `"lang":"fr"`, `"lang":"fr","slug":"`+old+`"`, 1))
	mustStatus(t, r, http.StatusConflict, "old slug taken by hand")
	other, _ := aaCreate(t, a, ed, strings.Replace(aaMinimal, "Un pont sur la Lanne", art.Title, 1))
	if other.Slug == old || other.Slug == "sommet-valle-eau" {
		t.Errorf("a new article got slug %q", other.Slug)
	}
	// The same slug in another language is another slug.
	en, _ := aaCreate(t, a, ed, strings.Replace(aaMinimal, `"lang":"fr"`, `"lang":"en","slug":"`+old+`"`, 1))
	if en.Slug != old {
		t.Errorf("slug %q in English", en.Slug)
	}
	// Renaming another French article to the old or new slug is a conflict.
	wells := a.Article("wells")
	for _, s := range []string{old, "sommet-valle-eau"} {
		r = aaSend(a, http.MethodPatch, "/v1/admin/articles/"+wells.ID, ed, `{"slug":"`+s+`"}`, "If-Match", aaETag(wells.ID, wells.Version))
		mustStatus(t, r, http.StatusConflict, "rename onto "+s)
		if code := problemCode(t, r); code != "conflict" {
			t.Errorf("rename onto %s: code %q", s, code)
		}
	}
}

func TestAdminUnpublishAndPublish(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	art := a.Article("nighttrain")
	// Reads fill the response cache, for anonymous callers and others.
	for range 2 {
		mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusOK, "cached read")
		mustStatus(t, a.Get("/v1/articles/"+art.Slug, ""), http.StatusOK, "cached read by slug")
	}
	if !aaListed(t, a, art.ID) {
		t.Fatal("not listed")
	}
	r := a.Do(http.MethodPost, "/v1/admin/articles/"+art.ID+"/unpublish", ed, nil)
	mustStatus(t, r, http.StatusOK, "unpublish")
	var got aaArticle
	r.JSON(t, &got)
	if got.Status != "unpublished" || r.Header.Get("ETag") != aaETag(art.ID, art.Version+1) {
		t.Errorf("unpublished: %+v %s", got, r.Header.Get("ETag"))
	}
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusNotFound, "public read right after unpublishing")
	mustStatus(t, a.Get("/v1/articles/"+art.Slug, ""), http.StatusNotFound, "public read by slug")
	mustStatus(t, a.Get("/v1/articles/"+art.ID, a.Token(access.RoleSubscriber)), http.StatusNotFound, "subscriber")
	if aaListed(t, a, art.ID) {
		t.Error("still listed")
	}
	// Publish with a stale If-Match: refused, nothing changes.
	r = a.Do(http.MethodPost, "/v1/admin/articles/"+art.ID+"/publish", ed, nil, "If-Match", aaETag(art.ID, art.Version))
	mustStatus(t, r, http.StatusPreconditionFailed, "stale publish")
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusNotFound, "after a refused publish")
	r = a.Do(http.MethodPost, "/v1/admin/articles/"+art.ID+"/publish", ed, nil, "If-Match", aaETag(art.ID, art.Version+1))
	mustStatus(t, r, http.StatusOK, "publish")
	r.JSON(t, &got)
	if got.PublishedAt == nil || art.PublishedAt == nil {
		t.Fatal("no published_at")
	}
	if pt, _ := time.Parse(time.RFC3339Nano, *got.PublishedAt); !pt.Equal(*art.PublishedAt) {
		t.Errorf("republished at %s, first published %s", *got.PublishedAt, art.PublishedAt)
	}
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusOK, "published again")
	if n := aaRows(t, a, "article_revisions", "article_id = ?", art.ID); n != 2 {
		t.Errorf("%d revisions, want 2", n)
	}

	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "unknown", Method: http.MethodPost, Path: "/v1/admin/articles/01JD3Q8V6K2M7T4X9R5B1N0C8E/publish",
			Token: apitest.As("editor"), WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "anonymous", Method: http.MethodPost, Path: "/v1/admin/articles/" + art.ID + "/unpublish",
			WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "reader", Method: http.MethodPost, Path: "/v1/admin/articles/" + art.ID + "/unpublish",
			Token: apitest.As("reader"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "partner", Method: http.MethodPost, Path: "/v1/admin/articles/" + art.ID + "/publish",
			Token: apitest.As("partner", "full_text"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
	})
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusOK, "refused calls changed nothing")
}

func TestAdminDeleteArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	art := a.Article("lanternes")
	path := "/v1/admin/articles/" + art.ID
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusOK, "cached read")
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "editor", Method: http.MethodDelete, Path: path, Token: apitest.As("editor"),
			WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "reader", Method: http.MethodDelete, Path: path, Token: apitest.As("reader"),
			WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "anonymous", Method: http.MethodDelete, Path: path, WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "stale If-Match", Method: http.MethodDelete, Path: path, Token: apitest.As("admin"),
			Headers: []string{"If-Match", aaETag(art.ID, art.Version+5)}, WantStatus: http.StatusPreconditionFailed, WantCode: "precondition_failed"},
	})
	if n := aaRows(t, a, "articles", "id = ?", art.ID); n != 1 {
		t.Fatal("a refused delete deleted")
	}
	mustStatus(t, a.Do(http.MethodDelete, path, a.Token(access.RoleAdmin), nil), http.StatusNoContent, "admin delete")
	mustStatus(t, a.Get(path, a.Token(access.RoleAdmin)), http.StatusNotFound, "admin get after delete")
	mustStatus(t, a.Get("/v1/articles/"+art.ID, ""), http.StatusNotFound, "public get after delete")
	mustStatus(t, a.Do(http.MethodDelete, path, a.Token(access.RoleAdmin), nil), http.StatusNotFound, "second delete")
	if n := aaRows(t, a, "comments", "article_id = ?", art.ID); n != 0 {
		t.Errorf("%d comments left", n)
	}
}

func TestAdminRevisions(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := aaToken(t, a, access.RoleEditor, "editor-rev")
	art, _ := aaCreate(t, a, ed, aaMinimal)
	path := "/v1/admin/articles/" + art.ID
	for v, title := range []string{"Deux", "Trois"} {
		mustStatus(t, aaSend(a, http.MethodPatch, path, ed, `{"title":"`+title+`"}`, "If-Match", aaETag(art.ID, v+1)), http.StatusOK, "patch")
	}
	mustStatus(t, a.Do(http.MethodPost, path+"/publish", ed, nil), http.StatusOK, "publish")

	type revision struct {
		Version  int    `json:"version"`
		Editor   string `json:"editor"`
		Action   string `json:"action"`
		Snapshot struct {
			Title  string         `json:"title"`
			Status string         `json:"status"`
			Blocks []blocks.Block `json:"blocks"`
		} `json:"snapshot"`
	}
	var page struct {
		Data       []revision `json:"data"`
		NextCursor *string    `json:"next_cursor"`
	}
	r := a.Get(path+"/revisions", ed)
	mustStatus(t, r, http.StatusOK, "revisions")
	if r.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	r.JSON(t, &page)
	var got []string
	for _, rv := range page.Data {
		got = append(got, fmt.Sprintf("%d:%s:%s:%s:%s", rv.Version, rv.Action, rv.Editor, rv.Snapshot.Title, rv.Snapshot.Status))
		if len(rv.Snapshot.Blocks) != 1 {
			t.Errorf("revision %d has %d blocks", rv.Version, len(rv.Snapshot.Blocks))
		}
	}
	want := "4:publish:editor-rev:Trois:published 3:update:editor-rev:Trois:draft 2:update:editor-rev:Deux:draft 1:create:editor-rev:Un pont sur la Lanne:draft"
	if strings.Join(got, " ") != want || page.NextCursor != nil {
		t.Errorf("revisions\n%v\nwant\n%v", strings.Join(got, " "), want)
	}

	// Pages of two.
	r = a.Get(path+"/revisions?limit=3", ed)
	r.JSON(t, &page)
	if len(page.Data) != 3 || page.NextCursor == nil {
		t.Fatalf("page 1: %d, %v", len(page.Data), page.NextCursor)
	}
	cursor := *page.NextCursor
	r = a.Get(path+"/revisions?limit=3&cursor="+url.QueryEscape(cursor), ed)
	mustStatus(t, r, http.StatusOK, "page 2")
	r.JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].Version != 1 || page.NextCursor != nil {
		t.Errorf("page 2: %+v", page)
	}

	other := a.Article("wells")
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "cursor of another article", Path: "/v1/admin/articles/" + other.ID + "/revisions?cursor=" + url.QueryEscape(cursor),
			Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad limit", Path: path + "/revisions?limit=0", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "an article without revisions", Path: "/v1/admin/articles/" + other.ID + "/revisions",
			Token: apitest.As("admin"), WantStatus: http.StatusOK, WantContains: []string{`"data":[]`}},
		{Name: "unknown article", Path: "/v1/admin/articles/01JD3Q8V6K2M7T4X9R5B1N0C8E/revisions",
			Token: apitest.As("editor"), WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "anonymous", Path: path + "/revisions", WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "reader", Path: path + "/revisions", Token: apitest.As("reader"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "subscriber", Path: path + "/revisions", Token: apitest.As("subscriber"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
	})
}

func TestAdminListArticles(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	draft, sched := a.Article(draftRef), a.Article(scheduledRef)
	total := aaRows(t, a, "articles", "")

	type item struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Lang   string `json:"lang"`
		Title  string `json:"title"`
	}
	type page struct {
		Data       []item  `json:"data"`
		NextCursor *string `json:"next_cursor"`
	}
	list := func(query string) page {
		t.Helper()
		r := a.Get("/v1/admin/articles"+query, ed)
		mustStatus(t, r, http.StatusOK, "list "+query)
		if r.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		var p page
		r.JSON(t, &p)
		return p
	}
	has := func(p page, id string) bool {
		for _, it := range p.Data {
			if it.ID == id {
				return true
			}
		}
		return false
	}
	all := list("?limit=100")
	if int64(len(all.Data)) != total || !has(all, draft.ID) || !has(all, sched.ID) {
		t.Errorf("all: %d of %d articles", len(all.Data), total)
	}
	drafts := list("?status=draft")
	if !has(drafts, draft.ID) || has(drafts, sched.ID) {
		t.Errorf("drafts: %+v", drafts)
	}
	for _, it := range list("?lang=en&limit=100").Data {
		if it.Lang != "en" {
			t.Errorf("lang filter let %s through", it.Lang)
		}
	}
	q := list("?q=" + url.QueryEscape(strings.ToUpper(draft.Title[:12])))
	if len(q.Data) != 1 || q.Data[0].ID != draft.ID {
		t.Errorf("q: %+v", q)
	}
	if len(list("?section=nope").Data) != 0 {
		t.Error("an unknown section matched")
	}
	// Walking the pages sees every article once, even with a save between.
	seen := map[string]bool{}
	cursor := ""
	for i := 0; ; i++ {
		p := list("?limit=5" + cursor)
		for _, it := range p.Data {
			if seen[it.ID] {
				t.Errorf("%s twice", it.ID)
			}
			seen[it.ID] = true
		}
		if i == 0 {
			r := aaSend(a, http.MethodPatch, "/v1/admin/articles/"+draft.ID, ed, `{"title":"Moved?"}`, "If-Match", aaETag(draft.ID, draft.Version))
			mustStatus(t, r, http.StatusOK, "save between pages")
		}
		if p.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + url.QueryEscape(*p.NextCursor)
	}
	if int64(len(seen)) != total {
		t.Errorf("pages saw %d of %d articles", len(seen), total)
	}

	publicCursor := func() string {
		var p summaryPage
		a.Get("/v1/articles?limit=1", "").JSON(t, &p)
		return *p.NextCursor
	}()
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "bad status", Path: "/v1/admin/articles?status=live", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad limit", Path: "/v1/admin/articles?limit=101", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad lang", Path: "/v1/admin/articles?lang=fra", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad cursor", Path: "/v1/admin/articles?cursor=abc", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "public list's cursor", Path: "/v1/admin/articles?cursor=" + url.QueryEscape(publicCursor), Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad section", Path: "/v1/admin/articles?section=%27%20OR%201", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "admin", Path: "/v1/admin/articles?limit=1", Token: apitest.As("admin"), WantStatus: http.StatusOK},
		{Name: "anonymous", Path: "/v1/admin/articles", WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "reader", Path: "/v1/admin/articles", Token: apitest.As("reader"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "partner", Path: "/v1/admin/articles", Token: apitest.As("partner", "full_text"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "get: anonymous", Path: "/v1/admin/articles/" + draft.ID, WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "get: reader", Path: "/v1/admin/articles/" + draft.ID, Token: apitest.As("reader"), WantStatus: http.StatusForbidden, WantCode: "forbidden",
			WantNotContains: []string{draft.Title}},
		{Name: "get: unknown", Path: "/v1/admin/articles/01JD3Q8V6K2M7T4X9R5B1N0C8E", Token: apitest.As("editor"), WantStatus: http.StatusNotFound, WantCode: "not_found"},
	})
}

// body_html goes through the sanitizer and the HTML parser into blocks.
func TestAdminCreateArticleFromHTML(t *testing.T) {
	t.Parallel()
	if _, err := blocks.FromHTML("<p>x</p>"); err != nil {
		t.Skipf("blocks.FromHTML is not there yet: %v", err)
	}
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	html := `<p>Bonjour <b>monde</b> <a href="javascript:alert(1)" onclick="x()">ici</a>.</p><script>alert(1)</script><iframe src="https://evil.example"></iframe><h2>Suite</h2>`
	b, _ := json.Marshal(map[string]any{"title": "HTML", "lang": "fr", "access": "public", "body_html": html})
	art, _ := aaCreate(t, a, ed, string(b))
	for _, bad := range []string{"alert", "javascript:", "onclick", "evil.example", "<script"} {
		if strings.Contains(string(art.Body.HTML)+art.Body.Text, bad) {
			t.Errorf("%q survived", bad)
		}
	}
	if !strings.Contains(art.Body.Text, "Bonjour monde") || len(art.Body.Blocks) < 2 {
		t.Errorf("body %+v", art.Body)
	}
	r := aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, ed, `{"body_html":"<p>Autre.</p>"}`, "If-Match", aaETag(art.ID, 1))
	mustStatus(t, r, http.StatusOK, "patch with body_html")
	var got aaArticle
	r.JSON(t, &got)
	if got.Body.Text != "Autre." {
		t.Errorf("body %q", got.Body.Text)
	}
}
