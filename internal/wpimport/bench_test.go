package wpimport_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"masthead/internal/wordpress"
	"masthead/internal/wpimport"
)

// BenchmarkImport imports a synthetic export of 1,000 posts (5 comments
// each, no photo files: attachments are reported missing) into a fresh
// database per iteration, and reports posts per second.
func BenchmarkImport(b *testing.B) {
	file := filepath.Join(b.TempDir(), "export.xml")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	posts := 1000
	if n, err := strconv.Atoi(os.Getenv("IMPORT_BENCH_POSTS")); err == nil && n > 0 {
		posts = n
	}
	if err := wordpress.WriteSynthetic(f, wordpress.SyntheticOptions{Posts: posts, CommentsPerPost: 5, Attachments: posts / 4, Seed: 1, Polylang: true}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e := newEnvB(b)
		b.StartTimer()
		rep, err := wpimport.Run(context.Background(), file, e.svc, wpimport.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Created != posts {
			b.Fatalf("%d created", rep.Created)
		}
	}
	b.ReportMetric(float64(posts*b.N)/b.Elapsed().Seconds(), "posts/s")
}
