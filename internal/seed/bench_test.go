package seed_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/seed"
	"masthead/internal/store/storetest"
)

// BenchmarkSeedArticles writes 1,000 articles per op through the content
// service, as `masthead seed` does: the rate of corpus generation.
func BenchmarkSeedArticles(b *testing.B) {
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return end }
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b)
		cs := content.NewService(db, content.Options{Now: now})
		b.StartTimer()
		if _, err := seed.Run(context.Background(), cs, seed.Options{Articles: 1000, Seed: 1, Now: now}); err != nil {
			b.Fatal(err)
		}
	}
}
