package demotest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"masthead/internal/content"
	"masthead/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// Each fixture is a whole copy of the demo: database, photos and summary.
func TestFixturesAreIndependent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	one, two := Open(t), Open(t)
	if one.Demo.Articles == 0 || len(one.Demo.Refs) != one.Demo.Articles || one.Demo.Photos == 0 {
		t.Fatalf("summary %+v", one.Demo)
	}
	wells, ok := one.Demo.Refs["wells"]
	if !ok || wells.ID == "" || wells.PublishedAt == nil || len(wells.Body.Blocks) == 0 {
		t.Fatalf("wells: %q %v %d bytes of blocks", wells.ID, wells.PublishedAt, len(wells.Body.Blocks))
	}
	if !wells.PublishedAt.Before(Epoch()) {
		t.Errorf("wells published at %s, not before the epoch %s", wells.PublishedAt, Epoch())
	}

	// The database: both hold the demo, and a write to one stays there.
	cs := content.NewService(one.DB, content.Options{Now: Epoch})
	for _, f := range []Fixture{one, two} {
		n, err := content.NewService(f.DB, content.Options{Now: Epoch}).CountArticles(ctx)
		if err != nil || n != int64(one.Demo.Articles) {
			t.Fatalf("%d articles, %v; want %d", n, err, one.Demo.Articles)
		}
	}
	if err := cs.DeleteArticle(ctx, wells.ID, wells.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AnyArticle(ctx, content.Lookup{IDOrSlug: wells.ID}); err == nil {
		t.Error("wells is still there after its deletion")
	}
	if _, err := content.NewService(two.DB, content.Options{Now: Epoch}).AnyArticle(ctx, content.Lookup{IDOrSlug: wells.ID}); err != nil {
		t.Errorf("deleted in one copy, wells is gone from the other: %v", err)
	}

	// The photos' files are in each fixture's own folder.
	photo, err := cs.Photo(ctx, wells.PhotoID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Fixture{one, two} {
		if _, err := os.Stat(filepath.Join(f.MediaRoot, filepath.FromSlash(photo.Renditions[0].Path))); err != nil {
			t.Errorf("rendition of wells's photo: %v", err)
		}
	}
	if one.MediaRoot == two.MediaRoot {
		t.Error("two fixtures share a media folder")
	}

	// The summary is each test's own.
	w := one.Demo.Refs["wells"]
	*w.PublishedAt = w.PublishedAt.Add(1)
	w.Body.Blocks[0] = '!'
	one.Demo.Refs["wells"] = content.Article{}
	if other := two.Demo.Refs["wells"]; other.ID != wells.ID || other.PublishedAt.Equal(*w.PublishedAt) || other.Body.Blocks[0] == '!' {
		t.Error("a change to one summary shows in another")
	}
}
