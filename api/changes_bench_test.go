package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
	"masthead/internal/config"
	"masthead/internal/content"
)

// syncBenchArticles is how many published articles a partner syncs.
const syncBenchArticles = 10_000

// BenchmarkSync measures a partner's full sync: following /v1/changes from
// the beginning, 100 entries a page, over real HTTP, until has_more is
// false. One op is one full sync of the 10,000 articles (plus the demo's
// ten). The baseline, in the same run and on the same data, pages through
// /v1/articles 100 at a time: the same summaries without the log. The
// representation cache is off, so that no page is a cache hit of the
// previous op.
//
//	go test -tags sqlite_fts5 -run '^$' -bench Sync -benchtime 3x ./api/
func BenchmarkSync(b *testing.B) {
	a := apitest.New(b, apitest.Options{Configure: func(c *config.Config) { c.CacheTTL = 0 }})
	a.Validate = false
	start := time.Now()
	syncBenchFill(b, a)
	b.Logf("%d articles written through the content service in %s", syncBenchArticles, time.Since(start).Round(time.Millisecond))

	head := a.Token(access.RolePartner, access.ScopeHeadlines)
	full := a.Token(access.RolePartner, access.ScopeFullText)
	b.Run("changes/headlines", func(b *testing.B) { syncBenchFollow(b, a, "/v1/changes", "since", head) })
	b.Run("changes/full_text", func(b *testing.B) { syncBenchFollow(b, a, "/v1/changes", "since", full) })
	b.Run("articles-baseline/headlines", func(b *testing.B) { syncBenchFollow(b, a, "/v1/articles", "cursor", head) })
}

// syncBenchFill writes the articles through the content service (rendered,
// each in its own transaction with its change row), four writers at once,
// with the demo's sections, tags, authors and photos, and bodies of about
// 500 words.
func syncBenchFill(b *testing.B, a *apitest.App) {
	b.Helper()
	ctx := context.Background()
	secs, err := a.Content.Sections(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tags, err := a.Content.Tags(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var authors []string
	if err := a.DB.Read(ctx).Table("authors").Order("id").Pluck("id", &authors).Error; err != nil {
		b.Fatal(err)
	}
	var photos []string
	for _, ref := range liveRefs {
		if p := a.Article(ref).PhotoID; p != "" {
			photos = append(photos, p)
		}
	}
	para := strings.Repeat("La vallée compte ses puits, ses ponts et ses écoles, et chacun a son mot à dire sur la manière de les garder. ", 4)
	body := make([]blocks.Block, 0, 6)
	for range 6 {
		body = append(body, blocks.Block{Type: "paragraph", Text: para})
	}
	levels := []content.Access{content.AccessPublic, content.AccessRegistered, content.AccessSubscribers}
	base := a.Clock.Now().Add(-30 * 24 * time.Hour)

	const workers = 4
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < syncBenchArticles; i += workers {
				at := base.Add(time.Duration(i) * time.Minute)
				in := content.ArticleInput{
					Lang: []string{"fr", "en", "de"}[i%3], Slug: fmt.Sprintf("bench-%05d", i),
					Title:      fmt.Sprintf("Article de banc d’essai numéro %d", i),
					Standfirst: "Un chapeau d’une phrase, comme pour tous les articles de la liste.",
					SectionID:  secs[i%len(secs)].ID, PhotoID: photos[i%len(photos)],
					Access: levels[i%3], Status: content.StatusPublished, PublishAt: &at,
					Body: body, TagIDs: []string{tags[i%len(tags)].ID}, AuthorIDs: []string{authors[i%len(authors)]},
				}
				if _, err := a.Content.CreateArticle(ctx, in); err != nil {
					errs <- fmt.Errorf("article %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// syncBenchFollow pages through path with limit=100, passing each
// next_cursor back as param, until the list ends: one op.
func syncBenchFollow(b *testing.B, a *apitest.App, path, param, token string) {
	// A partner's client: keep-alive, gzip, JSON decoding of each page.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	var requests, entries, bytes int
	get := func(cursor string) (next string, n int) {
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set(param, cursor)
		}
		req, err := http.NewRequest(http.MethodGet, a.URL+path+"?"+q.Encode(), nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d %v\n%.300s", req.URL, res.StatusCode, err, raw)
		}
		var page struct {
			Data       []json.RawMessage `json:"data"`
			NextCursor *string           `json:"next_cursor"`
			HasMore    *bool             `json:"has_more"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			b.Fatal(err)
		}
		requests, bytes = requests+1, bytes+len(raw)
		more := page.NextCursor != nil
		if page.HasMore != nil { // the sync API: the cursor is always there
			more = *page.HasMore
		}
		if !more {
			return "", len(page.Data)
		}
		return *page.NextCursor, len(page.Data)
	}
	b.ResetTimer()
	for b.Loop() {
		cursor, total := "", 0
		for {
			next, n := get(cursor)
			total += n
			if next == "" {
				break
			}
			cursor = next
		}
		if total < syncBenchArticles {
			b.Fatalf("a full sync saw %d articles, want at least %d", total, syncBenchArticles)
		}
		entries += total
	}
	ops := float64(b.N)
	b.ReportMetric(float64(requests)/ops, "requests/op")
	b.ReportMetric(float64(entries)/ops, "entries/op")
	b.ReportMetric(float64(bytes)/ops/1e6, "MB/op")
}
