package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
	"masthead/internal/config"
	"masthead/internal/content"
)

// BenchmarkFeedRead measures a 50-item feed in each format through the
// whole read path (query, conversion, encoding, HTTP) with the
// representation cache off, against a same-run baseline: the /v1/articles
// list of the same 50 articles, also uncached. The ratio is what to watch.
// The cached feed is measured too: what a popular feed costs once built.
func BenchmarkFeedRead(b *testing.B) {
	uncached := apitest.New(b, apitest.Options{Configure: func(c *config.Config) { c.CacheTTL = 0 }})
	addArticles(b, uncached, 50)
	cached := apitest.New(b)
	addArticles(b, cached, 50)
	full := uncached.Token(access.RolePartner, access.ScopeFullText)

	b.Run("baseline-list-50-uncached", func(b *testing.B) { benchGet(b, uncached.URL+"/v1/articles?limit=50") })
	for _, ext := range []string{"rss", "atom", "json"} {
		path := "/v1/feeds/latest." + ext + "?limit=50"
		b.Run(ext+"-50-uncached", func(b *testing.B) { benchGet(b, uncached.URL+path) })
		b.Run(ext+"-50-full-text-uncached", func(b *testing.B) {
			benchGet(b, uncached.URL+path, "Authorization", "Bearer "+full)
		})
		b.Run(ext+"-50-cached", func(b *testing.B) { benchGet(b, cached.URL+path) })
	}
}

// addArticles publishes n more articles shaped like the demo's (section,
// tags, authors, photo, a body of several paragraphs), so that a feed of
// 50 is full.
func addArticles(b *testing.B, a *apitest.App, n int) {
	b.Helper()
	ctx := context.Background()
	tmpl, err := a.Content.AnyArticle(ctx, content.Lookup{IDOrSlug: a.Article("wells").ID})
	if err != nil {
		b.Fatal(err)
	}
	var tagIDs, authorIDs []string
	for _, t := range tmpl.Tags {
		tagIDs = append(tagIDs, t.ID)
	}
	for _, au := range tmpl.Authors {
		authorIDs = append(authorIDs, au.ID)
	}
	para := strings.Repeat("The river fell again this week, and the wells of the upland villages with it. ", 8)
	body := []blocks.Block{
		{Type: "paragraph", Text: para}, {Type: "paragraph", Text: para},
		{Type: "heading", Level: 2, Text: "What comes next"},
		{Type: "paragraph", Text: para}, {Type: "paragraph", Text: para},
	}
	for i := range n {
		at := a.Clock.Now().Add(-time.Duration(i+1) * time.Minute)
		_, err := a.Content.CreateArticle(ctx, content.ArticleInput{
			Lang: "en", Slug: fmt.Sprintf("bench-story-%d", i), Title: fmt.Sprintf("Bench story %d", i),
			Standfirst: "A story written for the benchmark, with a standfirst of ordinary length for a list.",
			SectionID:  tmpl.SectionID, PhotoID: tmpl.PhotoID, Access: content.AccessSubscribers,
			Status: content.StatusPublished, PublishAt: &at, Body: body, TagIDs: tagIDs, AuthorIDs: authorIDs,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
