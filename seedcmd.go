package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/app"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/seed"
)

// seedCmd writes a generated archive into the configured database: --articles
// articles in French, English, German and Russian over ten years, with the
// sections, tags and authors they use, and --comments reader comments
// under those that take comments (threaded, of every moderation status). The same --seed gives the same
// archive (the same titles, bodies, languages, access levels and dates
// relative to the time of the run). It refuses a database that already has
// articles unless --append is given, so that it never mixes generated
// text into a real archive by mistake. It applies pending migrations
// first; progress goes to stderr (a bar on a terminal, lines otherwise),
// the summary to stdout.
func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var n, m, photos int
	var s uint64
	var appendTo bool
	cfg, fs, err := parseConfigWith("seed", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&n, "articles", 0, "how many articles to write (required)")
		fs.IntVar(&m, "comments", 0, "how many reader comments to write under the new articles that take comments")
		fs.IntVar(&photos, "photos", -1, "how many photos to generate and share between the new articles (default: one per 100 articles, 12 to 400; 0: none)")
		fs.Uint64Var(&s, "seed", 1, "the random generator's seed: the same seed gives the same archive")
		fs.BoolVar(&appendTo, "append", false, "add to a database that already has articles")
	}, "data", "db", "preview-words", "log-format", "log-level", "media-storage", "media-s3-endpoint", "media-s3-bucket",
		"media-s3-region", "media-s3-access-key-id", "media-s3-secret-access-key", "media-s3-tls", "media-s3-path-style",
		"upload-limit", "upload-max-decoded-bytes", "upload-decodes")
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("seed: unexpected argument %q", fs.Arg(0))
	}
	if n <= 0 {
		return errors.New("seed: --articles N is required (N > 0)")
	}
	if m < 0 {
		return errors.New("seed: --comments M must not be negative")
	}
	if photos < 0 {
		photos = seed.AutoPhotos(n)
	}
	db, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := content.NewService(db, content.Options{PreviewWords: cfg.PreviewWords})
	accs, err := accounts.NewService(db, accounts.Options{})
	if err != nil {
		return err
	}
	cms := comments.NewService(db, comments.Options{Articles: svc, Members: accs})
	var ms *media.Store
	if photos > 0 {
		if ms, _, err = app.NewMedia(ctx, cfg, nil); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	sum, err := seed.Run(ctx, svc, seed.Options{Articles: n, Seed: s, Append: appendTo, Progress: stderr, Comments: m, CommentService: cms,
		Photos: photos, Media: ms})
	if errors.Is(err, seed.ErrNotEmpty) {
		return fmt.Errorf("seed: %s has articles already: seed an empty database, or pass --append to add to it", db.Source())
	}
	if err != nil {
		return fmt.Errorf("seed: %w (%d articles written)", err, sum.Articles)
	}
	fmt.Fprintf(stdout, "%s: %d articles, %d comments and %d photos written (seed %d; %d sections, %d tags, %d authors created) in %s\n",
		db.Source(), sum.Articles, sum.Comments, sum.Photos, s, sum.Sections, sum.Tags, sum.Authors, sum.Elapsed.Round(time.Millisecond))
	return nil
}
