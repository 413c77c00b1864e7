package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
	"masthead/internal/config"
	"masthead/internal/content"
)

// The read path's budget (DESIGN.md, "The read path"): an article read is a
// few indexed queries whatever the article, and a list page costs the same
// number of queries whatever its length — never a query per row. These
// tests count the statements each request runs.

// statements records the SQL run on behalf of one request.
type statements struct {
	mu  sync.Mutex
	sql []string
}

func (s *statements) add(q string) {
	s.mu.Lock()
	s.sql = append(s.sql, q)
	s.mu.Unlock()
}

type statementsKey struct{}

// countStatements hooks every kind of statement GORM runs on a's database
// (both pools share one configuration) and records, in the statements
// carried by the statement's context, those run for a counted request. The
// in-process section cache's reloads are left out: they happen once per
// TTL, not per request.
func countStatements(t *testing.T, a *apitest.App) {
	t.Helper()
	record := func(tx *gorm.DB) {
		s, ok := tx.Statement.Context.Value(statementsKey{}).(*statements)
		if !ok || tx.Statement.Table == "sections" {
			return
		}
		s.add(tx.Statement.SQL.String())
	}
	cb := a.DB.Read(context.Background()).Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:count_query", record),
		"row":    cb.Row().After("gorm:row").Register("test:count_row", record),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count_raw", record),
		"create": cb.Create().After("gorm:create").Register("test:count_create", record),
		"update": cb.Update().After("gorm:update").Register("test:count_update", record),
		"delete": cb.Delete().After("gorm:delete").Register("test:count_delete", record),
	} {
		if err != nil {
			t.Fatalf("register %s callback: %v", name, err)
		}
	}
}

// countedGet runs GET path through the application in process and returns
// the response and the statements it ran.
func countedGet(t *testing.T, a *apitest.App, path, token string, header ...string) (*httptest.ResponseRecorder, []string) {
	t.Helper()
	s := &statements{}
	ctx := context.WithValue(context.Background(), statementsKey{}, s)
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return rec, s.sql
}

// uncachedApp is the demo application with the representation cache off,
// so that every request reaches the database.
func uncachedApp(t *testing.T) *apitest.App {
	t.Helper()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.CacheTTL = 0 }})
	countStatements(t, a)
	// Fill the in-process section cache.
	countedGet(t, a, "/v1/sections", "")
	return a
}

// maxArticleReadStatements bounds a single article read: the article with
// its featured photo, its tags and authors, and its translations.
const maxArticleReadStatements = 3

func TestArticleReadStatements(t *testing.T) {
	t.Parallel()
	a := uncachedApp(t)
	summit, err := a.Content.AnyArticle(context.Background(), content.Lookup{IDOrSlug: a.Article("summit-fr").ID})
	if err != nil {
		t.Fatal(err)
	}
	if summit.PhotoID == "" || summit.SectionID == "" || len(summit.Tags) == 0 || len(summit.Authors) == 0 {
		t.Fatalf("demo article summit-fr should have a photo, a section, tags and authors: %+v", summit)
	}
	editor := a.Token(access.RoleEditor)
	partner := a.Token(access.RolePartner, access.ScopeFullText)
	for _, tc := range []struct {
		name, path, token string
		header            []string
		max               int
	}{
		{"by id", "/v1/articles/" + summit.ID, "", nil, maxArticleReadStatements},
		// By slug, the lookup is the same single query.
		{"by slug", "/v1/articles/" + summit.Slug + "?lang=fr", "", nil, maxArticleReadStatements},
		{"subscriber", "/v1/articles/" + a.Article("wells").ID, a.Token(access.RoleSubscriber), nil, maxArticleReadStatements},
		{"ninjs", "/v1/articles/" + summit.ID, partner, []string{"Accept", "application/ninjs+json"}, maxArticleReadStatements},
		{"preview", "/v1/articles/" + summit.ID + "?preview=true", editor, nil, maxArticleReadStatements},
		{"newsroom", "/v1/admin/articles/" + summit.ID, editor, nil, maxArticleReadStatements},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, sql := countedGet(t, a, tc.path, tc.token, tc.header...)
			t.Logf("%d statements:\n%s", len(sql), strings.Join(sql, "\n"))
			if len(sql) > tc.max {
				t.Errorf("GET %s ran %d statements, want at most %d", tc.path, len(sql), tc.max)
			}
			// The statements did load what the response shows.
			body := rec.Body.String()
			for _, want := range []string{summit.PhotoID, summit.Tags[0].Slug, summit.Authors[0].Slug} {
				if tc.name != "subscriber" && !strings.Contains(body, want) {
					t.Errorf("GET %s: response lacks %q", tc.path, want)
				}
			}
		})
	}
}

func TestListStatementsDoNotGrowWithLength(t *testing.T) {
	t.Parallel()
	a := uncachedApp(t)
	addStories(t, a, 25)
	editor := a.Token(access.RoleEditor)
	partner := a.Token(access.RolePartner, access.ScopeFullText)
	for _, tc := range []struct {
		name, path, token string
	}{
		{"articles", "/v1/articles?limit=%d", ""},
		{"articles of a section", "/v1/articles?section=politique&limit=%d", ""},
		{"newsroom", "/v1/admin/articles?limit=%d", editor},
		{"feed json", "/v1/feeds/latest.json?limit=%d", ""},
		{"feed rss full text", "/v1/feeds/latest.rss?limit=%d", partner},
		{"changes", "/v1/changes?limit=%d", partner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, short := countedGet(t, a, fmt.Sprintf(tc.path, 2), tc.token)
			rec, long := countedGet(t, a, fmt.Sprintf(tc.path, 20), tc.token)
			t.Logf("limit 2: %d statements, limit 20: %d statements:\n%s", len(short), len(long), strings.Join(long, "\n"))
			if len(long) != len(short) {
				t.Errorf("a page of 20 ran %d statements, a page of 2 ran %d: the count grows with the page", len(long), len(short))
			}
			if strings.Count(rec.Body.String(), "/media/") < 20 && tc.name != "newsroom" && tc.name != "articles of a section" {
				t.Errorf("a page of 20 shows fewer than 20 photos:\n%.2000s", rec.Body.String())
			}
		})
	}
}

// addStories publishes n more articles like the demo's, each with a
// section, tags, authors and one of the demo's photos (several distinct
// ones), newer than the demo's, so that the first page of every list is
// theirs.
func addStories(t *testing.T, a *apitest.App, n int) {
	t.Helper()
	ctx := context.Background()
	var photos []string
	for _, ref := range liveRefs {
		photos = append(photos, a.Article(ref).PhotoID)
	}
	tmpl, err := a.Content.AnyArticle(ctx, content.Lookup{IDOrSlug: a.Article("wells").ID})
	if err != nil {
		t.Fatal(err)
	}
	var tagIDs, authorIDs []string
	for _, tg := range tmpl.Tags {
		tagIDs = append(tagIDs, tg.ID)
	}
	for _, au := range tmpl.Authors {
		authorIDs = append(authorIDs, au.ID)
	}
	body := []blocks.Block{{Type: "paragraph", Text: "The river fell again this week."}, {Type: "paragraph", Text: "And the wells with it."}}
	for i := range n {
		at := a.Clock.Now().Add(-time.Duration(i+1) * time.Second)
		_, err := a.Content.CreateArticle(ctx, content.ArticleInput{
			Lang: "en", Slug: fmt.Sprintf("counted-story-%d", i), Title: fmt.Sprintf("Counted story %d", i),
			SectionID: tmpl.SectionID, PhotoID: photos[i%len(photos)], Access: content.AccessSubscribers,
			Status: content.StatusPublished, PublishAt: &at, Body: body, TagIDs: tagIDs, AuthorIDs: authorIDs,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
