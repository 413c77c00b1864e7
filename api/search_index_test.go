package api_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/store"
)

// checkIndexRows checks that the search index has one row per article: on
// SQLite one search_docs row and one FTS5 row each, on PostgreSQL one
// search_docs row each.
func checkIndexRows(t *testing.T, a *apitest.App) {
	t.Helper()
	ctx := context.Background()
	count := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := a.DB.Read(ctx).Raw(sql).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	articles := count("SELECT count(*) FROM articles")
	docs := count("SELECT count(*) FROM search_docs")
	orphans := count("SELECT count(*) FROM search_docs WHERE article_id NOT IN (SELECT id FROM articles)")
	if docs != articles || orphans != 0 {
		t.Errorf("%d articles, %d search_docs rows (%d without an article)", articles, docs, orphans)
	}
	if a.DB.Dialect != store.Postgres {
		for _, table := range []string{"search_fts", "search_heads"} {
			fts := count("SELECT count(*) FROM " + table)
			matched := count("SELECT count(*) FROM " + table + " WHERE rowid IN (SELECT id FROM search_docs)")
			if fts != docs || matched != docs {
				t.Errorf("%d %s rows (%d of them named by search_docs), %d search_docs rows", fts, table, matched, docs)
			}
		}
	}
	// What the index keeps of each article (a search filters and ranks on
	// it, reading no article) is the article's.
	var rows []struct {
		ID, Lang, Access, Status string
		SectionID                *string
		PublishedAt              *time.Time
		DLang, DAccess, DStatus  string
		DSectionID               *string
		PublishedTS              *int64
	}
	err := a.DB.Read(ctx).Raw(`SELECT a.id, a.lang, a.access, a.status, a.section_id, a.published_at,
		d.lang AS d_lang, d.access AS d_access, d.status AS d_status, d.section_id AS d_section_id, d.published_ts
		FROM articles a JOIN search_docs d ON d.article_id = a.id`).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.DLang != r.Lang || r.DAccess != r.Access || r.DStatus != r.Status || !reflect.DeepEqual(r.DSectionID, r.SectionID) {
			t.Errorf("article %s: index holds %s/%s/%s/%v, the article %s/%s/%s/%v", r.ID,
				r.DLang, r.DAccess, r.DStatus, r.DSectionID, r.Lang, r.Access, r.Status, r.SectionID)
		}
		if (r.PublishedAt == nil) != (r.PublishedTS == nil) || (r.PublishedAt != nil && r.PublishedAt.Unix() != *r.PublishedTS) {
			t.Errorf("article %s: index publication %v, the article's %v", r.ID, r.PublishedTS, r.PublishedAt)
		}
	}
}

// patchArticle sends a PATCH with If-Match at version and returns the
// article as it is now.
func patchArticle(t *testing.T, a *apitest.App, token string, art aaArticle, body string) aaArticle {
	t.Helper()
	r := aaSend(a, http.MethodPatch, "/v1/admin/articles/"+art.ID, token, body, "If-Match", aaETag(art.ID, art.Version))
	mustStatus(t, r, http.StatusOK, "PATCH "+body)
	var out aaArticle
	r.JSON(t, &out)
	if out.Version <= art.Version {
		t.Fatalf("PATCH %s: version %d after %d", body, out.Version, art.Version)
	}
	return out
}

// postAction sends POST /v1/admin/articles/:id/<action> with If-Match.
func postAction(t *testing.T, a *apitest.App, token string, art aaArticle, action string) aaArticle {
	t.Helper()
	r := a.Do(http.MethodPost, "/v1/admin/articles/"+art.ID+"/"+action, token, nil, "If-Match", aaETag(art.ID, art.Version))
	mustStatus(t, r, http.StatusOK, action)
	var out aaArticle
	r.JSON(t, &out)
	return out
}

// TestSearchIndexFollowsWrites: every write through the editorial API
// keeps the index in step: create, a new title, a new body, a change of
// access, unpublish and publish, delete.
func TestSearchIndexFollowsWrites(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed, adm, sub := a.Token(access.RoleEditor), a.Token(access.RoleAdmin), a.Token(access.RoleSubscriber)
	checkIndexRows(t, a)

	art := postArticle(t, a, ed, "fr", "Le viaduc de Tarnelle fermé tout l’été", "Des travaux de réfection.",
		[]string{"La circulation sera déviée par Pontvieux pendant les travaux.", "Les grelinvaux du chantier arrivent de Selanges."},
		map[string]any{"preview_break": 1})
	id := art.ID
	checkIndexRows(t, a)
	for _, q := range []string{"tarnelle", "viaduc ", "réfection", "déviée", "grelinvaux"} {
		if !found(t, a, "", q, id) {
			t.Errorf("created: q=%q does not find it", q)
		}
		if !adminFound(t, a, ed, q, id) {
			t.Errorf("created: admin q=%q does not find it", q)
		}
	}

	// A new title: the new words are found, the old ones no more.
	art = patchArticle(t, a, ed, art, `{"title":"Le pont de Quimbrel fermé tout l’été"}`)
	for q, want := range map[string]bool{"quimbrel": true, "pont ": true, "tarnelle": false, "viaduc ": false} {
		if got := found(t, a, "", q, id); got != want {
			t.Errorf("new title: q=%q found %v, want %v", q, got, want)
		}
		if got := adminFound(t, a, ed, q, id); got != want {
			t.Errorf("new title: admin q=%q found %v, want %v", q, got, want)
		}
	}
	// A new standfirst, a new body.
	art = patchArticle(t, a, ed, art, `{"standfirst":"Une fermeture sans précédent.","blocks":[
		{"type":"paragraph","text":"La circulation passera par Vaudrelles pendant les travaux."},
		{"type":"paragraph","text":"Les ouvriers du chantier viennent de Morsanges."},
		{"type":"paragraph","text":"La réouverture est promise pour la rentrée par Ervaldine Coste."}]}`)
	// "précédent " ends with a space: a whole word, not a prefix.
	for _, c := range []struct {
		q    string
		want bool
	}{{"précédent ", true}, {"réfection", false}, {"vaudrelles", true}, {"morsanges", true}, {"déviée", false}, {"grelinvaux", false}} {
		if got := found(t, a, "", c.q, id); got != c.want {
			t.Errorf("new body: q=%q found %v, want %v", c.q, got, c.want)
		}
	}

	// Public → subscribers: what is past the preview is found only by
	// those who may read it.
	art = patchArticle(t, a, ed, art, `{"access":"subscribers"}`)
	for _, c := range []struct {
		name, token string
		q           string
		want        bool
	}{
		{"anonymous", "", "morsanges", false},
		{"anonymous", "", "vaudrelles", true},
		{"anonymous", "", "quimbrel", true},
		{"subscriber", sub, "morsanges", true},
		{"editor", ed, "morsanges", true},
	} {
		if got := found(t, a, c.token, c.q, id); got != c.want {
			t.Errorf("subscribers: q=%q as %s found %v, want %v", c.q, c.name, got, c.want)
		}
	}
	// And back: found by everyone.
	art = patchArticle(t, a, ed, art, `{"access":"public"}`)
	if !found(t, a, "", "morsanges", id) {
		t.Error("public again: the body is not searched")
	}
	// The preview moves with preview_break.
	art = patchArticle(t, a, ed, art, `{"access":"registered","preview_break":2}`)
	if !found(t, a, "", "morsanges", id) {
		t.Error("preview_break 2: the second paragraph is in the preview, but not found")
	}
	if found(t, a, "", "ervaldine", id) || !found(t, a, a.Token(access.RoleReader), "ervaldine", id) {
		t.Error("preview_break 2: the third paragraph is found anonymously, or not by a reader")
	}
	art = patchArticle(t, a, ed, art, `{"preview_break":1}`)
	if found(t, a, "", "morsanges", id) {
		t.Error("preview_break 1: the second paragraph is past the preview, but found")
	}

	// Unpublished: gone from the public search, still in the newsroom's.
	art = postAction(t, a, ed, art, "unpublish")
	for _, tok := range []string{"", sub, ed} {
		if found(t, a, tok, "quimbrel", id) {
			t.Error("unpublished, but found by the public search")
		}
	}
	if !adminFound(t, a, ed, "quimbrel", id) || !adminFound(t, a, ed, "morsanges", id) {
		t.Error("unpublished: the newsroom's search does not find it")
	}
	art = postAction(t, a, ed, art, "publish")
	if !found(t, a, "", "quimbrel", id) {
		t.Error("published again, but not found")
	}
	checkIndexRows(t, a)

	// Deleted: gone everywhere, and its index rows with it.
	r := a.Do(http.MethodDelete, "/v1/admin/articles/"+id, adm, nil, "If-Match", aaETag(id, art.Version))
	mustStatus(t, r, http.StatusNoContent, "delete")
	if found(t, a, "", "quimbrel", id) || adminFound(t, a, ed, "quimbrel", id) {
		t.Error("deleted, but found")
	}
	var n int64
	if err := a.DB.Read(context.Background()).Raw("SELECT count(*) FROM search_docs WHERE article_id = ?", id).Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("deleted: %d search_docs rows (%v)", n, err)
	}
	checkIndexRows(t, a)
}

// TestSearchScheduled: a scheduled article is found by the newsroom only,
// until its time comes; then by everyone, with no write in between (the
// same request, asked again).
func TestSearchScheduled(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	at := a.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	art := postArticle(t, a, ed, "en", "Orvanelle bridge opens to cyclists", "", []string{"The ribbon is cut at noon."},
		map[string]any{"status": "scheduled", "publish_at": at})
	if art.Status != "scheduled" {
		t.Fatalf("status %s", art.Status)
	}
	for _, tok := range []string{"", a.Token(access.RoleSubscriber), ed} {
		if found(t, a, tok, "orvanelle", art.ID) {
			t.Error("scheduled, found before its time")
		}
	}
	if !adminFound(t, a, ed, "orvanelle", art.ID) {
		t.Error("scheduled: the newsroom's search does not find it")
	}
	a.Clock.Advance(2 * time.Hour)
	if !found(t, a, "", "orvanelle", art.ID) {
		t.Error("its time has come, but it is not found")
	}
	// The scheduler marks it published: the index follows.
	if n, err := a.Content.PromoteDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("PromoteDue: %d, %v", n, err)
	}
	checkIndexRows(t, a)
	if !found(t, a, "", "orvanelle", art.ID) {
		t.Error("published by the scheduler, but not found")
	}
	p := doSearch(t, a, "", "orvanelle", "limit", "100")
	if p.Total != 1 || len(p.Facets.Languages) != 1 || p.Facets.Languages[0].Value != "en" {
		t.Errorf("after its time: total %d, languages %+v", p.Total, p.Facets.Languages)
	}
	// Drafts are never found by the public search.
	tok := a.Token(access.RoleEditor)
	draft := postArticle(t, a, tok, "en", "Orvanelle ferry draft", "", []string{"Not yet."}, map[string]any{"status": "draft"})
	if found(t, a, "", "orvanelle ferry", draft.ID) || !adminFound(t, a, tok, "orvanelle ferry", draft.ID) {
		t.Error("a draft: found by the public search, or not by the newsroom's")
	}
}
