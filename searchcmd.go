package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"masthead/internal/content"
	"masthead/internal/progress"
	"masthead/internal/store"
)

// searchCmd runs "masthead search reindex": rebuild the whole search index
// (what start-up does by itself only for the articles whose index rows are
// missing or were built by another version of the analysis).
func searchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reindex" {
		return fmt.Errorf("search: want reindex (masthead search reindex [flags])")
	}
	cfg, fs, err := parseConfig("search reindex", args[1:], getenv, stderr, "data", "db", "log-format", "log-level")
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("search reindex: unexpected argument %q", fs.Arg(0))
	}
	db, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	svc := content.NewService(db, content.Options{})
	var (
		bar   *progress.Bar
		shown int
	)
	n, err := svc.Reindex(ctx, true, func(done, total int) {
		if bar == nil {
			bar = progress.New(stderr, total, "indexing")
			return
		}
		bar.Add(done - shown)
		shown = done
	})
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d article(s) indexed in %s\n", db.Source(), n, time.Since(start).Round(time.Millisecond))
	return nil
}

// catchUpIndex indexes the articles the search index lacks or holds in the
// form of another version of the analysis: after the migration that adds
// search, or an upgrade that changes the analysis. Nothing to do costs one
// query.
func catchUpIndex(ctx context.Context, db *store.DB, log *slog.Logger) error {
	start := time.Now()
	svc := content.NewService(db, content.Options{})
	var total int
	n, err := svc.Reindex(ctx, false, func(done, all int) {
		if done == 0 && all > 0 {
			total = all
			log.Info("search index: indexing articles", "articles", all)
		}
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if total > 0 {
		log.Info("search index: ready", "articles", n, "took", time.Since(start).Round(time.Millisecond).String())
	}
	return nil
}
