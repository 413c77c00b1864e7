package content_test

import (
	"context"
	"reflect"
	"testing"

	"masthead/internal/content"
)

// TestReadModel checks that every read returns what a response shows beside
// the article's columns: the section path (top-level first), the featured
// photo (nil when none), the canonical URL, and the translations for a
// single article only.
func TestReadModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	politics, err := svc.AddSection(ctx, content.SectionInput{Slug: "politics", Names: []content.LangName{{Lang: "en", Name: "Politics"}}})
	if err != nil {
		t.Fatal(err)
	}
	world, err := svc.AddSection(ctx, content.SectionInput{Slug: "world", Names: []content.LangName{{Lang: "en", Name: "World"}}, Parent: "politics"})
	if err != nil {
		t.Fatal(err)
	}
	if politics.ParentSlug != "" || world.ParentSlug != "politics" {
		t.Errorf("AddSection: parent slugs %q, %q, want \"\", politics", politics.ParentSlug, world.ParentSlug)
	}
	photo, err := svc.CreatePhoto(ctx, content.Photo{
		Hash: "read-model", Width: 800, Height: 600, Mime: "image/jpeg", Original: "ab/read-model.jpg",
		Renditions: []content.Rendition{{Width: 320, Height: 240, Path: "ab/read-model-320.jpg"}},
		Blurhash:   "LEHV6nWB2yk8pyo0adR*.7kCMdnj", DominantColor: "#6b7b8c",
		Caption: "A caption", Credit: "A credit", Alt: "An alt text", SourceURL: "https://photos.example/1",
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := svc.Photo(ctx, photo.ID)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := svc.CreateTag(ctx, content.Tag{Slug: "water", Name: "Water", Kind: content.TagTopic})
	if err != nil {
		t.Fatal(err)
	}
	author, err := svc.CreateAuthor(ctx, content.Author{Slug: "a-writer", Name: "A. Writer", PhotoID: photo.ID})
	if err != nil {
		t.Fatal(err)
	}

	in := validInput("with-everything")
	in.SectionID, in.PhotoID, in.TagIDs, in.AuthorIDs = world.ID, photo.ID, []string{tag.ID}, []string{author.ID}
	full, err := svc.CreateArticle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	fr := validInput("avec-tout")
	fr.Lang, fr.TranslationKey = "fr", full.TranslationKey
	translation, err := svc.CreateArticle(ctx, fr)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := svc.CreateArticle(ctx, validInput("bare"))
	if err != nil {
		t.Fatal(err)
	}

	// check compares the read model of a with what it should be; one says
	// whether a comes from a single-article read.
	check := func(t *testing.T, read string, a content.Article, one bool) {
		t.Helper()
		switch a.ID {
		case full.ID:
			if len(a.SectionPath) != 2 || a.SectionPath[0].ID != politics.ID || a.SectionPath[1].ID != world.ID {
				t.Errorf("%s: section path %+v, want politics, world", read, a.SectionPath)
			}
			if sec, ok := a.Section(); !ok || sec.Slug != "world" || sec.ParentSlug != "politics" {
				t.Errorf("%s: section %+v, %v", read, sec, ok)
			}
			if a.Photo == nil || !reflect.DeepEqual(*a.Photo, stored) {
				t.Errorf("%s: photo %+v, want %+v", read, a.Photo, stored)
			}
			if len(a.Tags) != 1 || a.Tags[0].ID != tag.ID || len(a.Authors) != 1 || a.Authors[0].ID != author.ID {
				t.Errorf("%s: tags %+v, authors %+v", read, a.Tags, a.Authors)
			}
			if a.CanonicalURL != "/en/with-everything" {
				t.Errorf("%s: canonical URL %q", read, a.CanonicalURL)
			}
			want := []content.Translation(nil)
			if one {
				want = []content.Translation{{ID: translation.ID, Lang: "fr", Slug: "avec-tout"}}
			}
			if !reflect.DeepEqual(a.Translations, want) {
				t.Errorf("%s: translations %+v, want %+v", read, a.Translations, want)
			}
		case bare.ID:
			if a.SectionPath != nil || a.Photo != nil || len(a.Translations) != 0 {
				t.Errorf("%s: bare article has section path %+v, photo %+v, translations %+v", read, a.SectionPath, a.Photo, a.Translations)
			}
			if _, ok := a.Section(); ok {
				t.Errorf("%s: bare article has a section", read)
			}
			if a.CanonicalURL != "/en/bare" {
				t.Errorf("%s: canonical URL %q", read, a.CanonicalURL)
			}
		}
	}

	for _, id := range []string{full.ID, bare.ID} {
		a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: id})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "LiveArticle", a, true)
		a, err = svc.AnyArticle(ctx, content.Lookup{IDOrSlug: id})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "AnyArticle", a, true)
	}
	// By slug, the read model is the same.
	if a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: "with-everything", Lang: "en"}); err != nil {
		t.Fatal(err)
	} else {
		check(t, "LiveArticle by slug", a, true)
	}

	page, _, err := svc.ListLive(ctx, content.ListFilter{Limit: 10, Lang: "en"})
	if err != nil || len(page) != 2 {
		t.Fatalf("ListLive: %d articles, %v", len(page), err)
	}
	for _, a := range page {
		check(t, "ListLive", a, false)
	}
	admin, _, err := svc.ListArticles(ctx, content.AdminFilter{Limit: 10, Lang: "en"})
	if err != nil || len(admin) != 2 {
		t.Fatalf("ListArticles: %d articles, %v", len(admin), err)
	}
	for _, a := range admin {
		check(t, "ListArticles", a, false)
	}
	feed, err := svc.FeedArticles(ctx, content.FeedFilter{Limit: 10, Lang: "en"})
	if err != nil || len(feed) != 2 {
		t.Fatalf("FeedArticles: %d articles, %v", len(feed), err)
	}
	for _, a := range feed {
		check(t, "FeedArticles", a, false)
	}
	byID, err := svc.LiveByID(ctx, []string{full.ID, bare.ID}, false)
	if err != nil || len(byID) != 2 {
		t.Fatalf("LiveByID: %d articles, %v", len(byID), err)
	}
	for _, a := range byID {
		check(t, "LiveByID", a, false)
	}

	// The newsroom's writes return the read model too (but translations),
	// with the photo as it is after the write.
	created, err := svc.CreateArticleBy(ctx, content.ArticleInput{
		Lang: "en", Title: "Created", Access: content.AccessPublic, Status: content.StatusDraft,
		SectionID: world.ID, PhotoID: photo.ID, Body: in.Body,
	}, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if created.Photo == nil || created.Photo.ID != photo.ID || len(created.SectionPath) != 2 || created.CanonicalURL == "" {
		t.Errorf("CreateArticleBy: photo %+v, section path %+v, canonical URL %q", created.Photo, created.SectionPath, created.CanonicalURL)
	}
	none := ""
	updated, err := svc.UpdateArticle(ctx, full.ID, content.ArticlePatch{PhotoID: &none, SectionID: &politics.ID}, 0, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if updated.Photo != nil || len(updated.SectionPath) != 1 || updated.SectionPath[0].ID != politics.ID || updated.Translations != nil {
		t.Errorf("UpdateArticle: photo %+v, section path %+v, translations %+v", updated.Photo, updated.SectionPath, updated.Translations)
	}
	published, err := svc.PublishArticle(ctx, bare.ID, 0, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if published.Photo != nil || published.SectionPath != nil || published.CanonicalURL != "/en/bare" {
		t.Errorf("PublishArticle: photo %+v, section path %+v, canonical URL %q", published.Photo, published.SectionPath, published.CanonicalURL)
	}

	// Sections carry their parent's slug, read or written.
	secs, err := svc.Sections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range secs {
		if want := map[string]string{"politics": "", "world": "politics"}[sec.Slug]; sec.ParentSlug != want {
			t.Errorf("Sections: %s has parent slug %q, want %q", sec.Slug, sec.ParentSlug, want)
		}
	}
	position := 3
	moved, err := svc.UpdateSection(ctx, world.ID, content.SectionPatch{Position: &position}, 0)
	if err != nil || moved.ParentSlug != "politics" {
		t.Errorf("UpdateSection without a new parent: parent slug %q, %v", moved.ParentSlug, err)
	}
	top := ""
	moved, err = svc.UpdateSection(ctx, world.ID, content.SectionPatch{Parent: &top}, 0)
	if err != nil || moved.ParentSlug != "" {
		t.Errorf("UpdateSection to the top: parent slug %q, %v", moved.ParentSlug, err)
	}

	// The public author page has the portrait.
	profile, err := svc.AuthorProfile(ctx, "a-writer")
	if err != nil || profile.Photo == nil || profile.Photo.ID != photo.ID {
		t.Errorf("AuthorProfile: %+v, %v", profile, err)
	}
}
