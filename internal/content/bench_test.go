package content_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/internal/content"
	"masthead/internal/seed"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// queryCounter counts the SQL statements run through a database's GORM
// pools: every Find, Take, Scan, Rows, Exec, Create, Update and Delete.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) Load() int64 { return c.n.Load() }

// countQueries starts counting the statements run on db (until db is
// closed: the callbacks belong to its pools).
func countQueries(tb testing.TB, db *store.DB) *queryCounter {
	tb.Helper()
	c := &queryCounter{}
	inc := func(*gorm.DB) { c.n.Add(1) }
	ctx := context.Background()
	seen := map[*gorm.Config]bool{}
	for _, g := range []*gorm.DB{db.Read(ctx), db.Write(ctx)} {
		if seen[g.Config] {
			continue // PostgreSQL: one pool for both
		}
		seen[g.Config] = true
		cb := g.Callback()
		for _, err := range []error{
			cb.Query().After("gorm:query").Register("masthead:count", inc),
			cb.Row().After("gorm:row").Register("masthead:count", inc),
			cb.Raw().After("gorm:raw").Register("masthead:count", inc),
			cb.Create().After("gorm:create").Register("masthead:count", inc),
			cb.Update().After("gorm:update").Register("masthead:count", inc),
			cb.Delete().After("gorm:delete").Register("masthead:count", inc),
		} {
			if err != nil {
				tb.Fatal(err)
			}
		}
	}
	return c
}

// benchNow is the end of the seeded archive and the benchmarks' clock.
var benchNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// seeded is a database of a few hundred generated articles (internal/seed),
// a third of them with a featured photo.
var seeded = &storetest.Template[struct{}]{Name: "seeded", Build: func(ctx context.Context, db *store.DB, _ string) (struct{}, error) {
	svc := content.NewService(db, content.Options{Now: func() time.Time { return benchNow }})
	if _, err := seed.Run(ctx, svc, seed.Options{Articles: 400, Seed: 7, Now: func() time.Time { return benchNow }}); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, attachPhotos(ctx, svc, db)
}}

// attachPhotos gives every third article a featured photo (the seed writes
// none).
func attachPhotos(ctx context.Context, svc *content.Service, db *store.DB) error {
	ph, err := svc.CreatePhoto(ctx, content.Photo{
		Hash: "bench", Width: 1200, Height: 800, Mime: "image/jpeg", Original: "be/bench.jpg",
		Renditions: []content.Rendition{{Width: 320, Height: 213, Path: "be/bench-320.jpg"}},
		Caption:    "A caption", Credit: "A credit", Alt: "An alt text",
	})
	if err != nil {
		return err
	}
	return db.Write(ctx).Exec(`UPDATE articles SET photo_id = ? WHERE id IN
		(SELECT id FROM articles ORDER BY id LIMIT (SELECT COUNT(*) / 3 FROM articles))`, ph.ID).Error
}

// benchService opens the database of the benchmarks: a copy of seeded, or
// the (migrated) database at BENCH_DB, for a larger archive written by
// `masthead seed` (whose clock must then be BENCH_DB's seeding time or
// later: the benchmarks read at the real time).
func benchService(b *testing.B) (*content.Service, *store.DB) {
	b.Helper()
	if path := os.Getenv("BENCH_DB"); path != "" {
		ctx := context.Background()
		db, err := store.Open(ctx, path, store.Options{ReadConns: 4})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("BENCH_DB %s", filepath.Base(path))
		return content.NewService(db, content.Options{}), db
	}
	db := seeded.Open(b).DB
	return content.NewService(db, content.Options{Now: func() time.Time { return benchNow }}), db
}

// BenchmarkLiveArticle reads single articles by slug, as the API does on a
// response-cache miss, cycling through a page of them.
func BenchmarkLiveArticle(b *testing.B) {
	ctx := context.Background()
	svc, db := benchService(b)
	list, _, err := svc.ListLive(ctx, content.ListFilter{Limit: 50})
	if err != nil || len(list) == 0 {
		b.Fatalf("list: %d, %v", len(list), err)
	}
	q := countQueries(b, db)
	b.ReportAllocs()
	b.ResetTimer()
	start := q.Load()
	for i := 0; b.Loop(); i++ {
		a := list[i%len(list)]
		if _, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: a.Slug, Lang: a.Lang}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(q.Load()-start)/float64(b.N), "queries/op")
}

// BenchmarkListLive20 reads the first page of 20 of the public list,
// unfiltered and with each filter, and a later page (cursor).
func BenchmarkListLive20(b *testing.B) {
	ctx := context.Background()
	svc, db := benchService(b)
	q := countQueries(b, db)
	for _, bc := range []struct {
		name string
		f    content.ListFilter
	}{
		{"all", content.ListFilter{}},
		{"lang", content.ListFilter{Lang: "de"}},
		{"section", content.ListFilter{Section: "economy"}},
		{"tag", content.ListFilter{Tag: "france"}},
		{"author", content.ListFilter{Author: benchAuthor}},
		{"cursor", content.ListFilter{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := bc.f
			f.Limit = 20
			if bc.name == "cursor" {
				_, next, err := svc.ListLive(ctx, content.ListFilter{Limit: 100})
				if err != nil || next == nil {
					b.Fatalf("first page: %v, %v", next, err)
				}
				f.After = next
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := q.Load()
			for b.Loop() {
				list, _, err := svc.ListLive(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if len(list) != 20 {
					b.Fatalf("%d articles, want 20", len(list))
				}
			}
			b.ReportMetric(float64(q.Load()-start)/float64(b.N), "queries/op")
		})
	}
}

// benchAuthor is an author of the seeded archive.
const benchAuthor = "claire-dautremont"
