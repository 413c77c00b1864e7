package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/app"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/wpimport"
)

// ruleList is a repeatable --access-rule flag.
type ruleList []wpimport.AccessRule

func (l *ruleList) String() string {
	parts := make([]string, len(*l))
	for i, r := range *l {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

func (l *ruleList) Set(s string) error {
	r, err := wpimport.ParseAccessRule(s)
	if err != nil {
		return err
	}
	*l = append(*l, r)
	return nil
}

// importCmd brings another system's archive in: `masthead import wordpress
// EXPORT.xml` reads the file WordPress's Tools › Export writes (see
// package wpimport). It applies pending migrations first; progress goes to
// stderr, the report to stdout. It fails when the file cannot be read
// to its end (a post written before the failure stays: a second run
// resumes).
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "wordpress" {
		return errors.New(`import: say what to import from: "masthead import wordpress EXPORT.xml [flags]"`)
	}
	args = args[1:]
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	var o wpimport.Options
	var rules ruleList
	var languages string
	cfg, fs, err := parseConfigWith("import wordpress", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&o.Uploads, "uploads", "", "the site's wp-content/uploads folder, where attachments' files are read (none: no photo is imported)")
		fs.Var(&rules, "access-rule", "category:SLUG=LEVEL, tag:SLUG=LEVEL or meta:KEY[=VALUE]=LEVEL; repeatable; the most restrictive match wins, others are public")
		fs.StringVar(&o.Lang, "lang", "", "the language of posts that name none (default: the export's <language>)")
		fs.BoolVar(&o.DetectLang, "detect-lang", false, "guess each post's language from its text (sites that mixed languages without a plugin)")
		fs.StringVar(&languages, "languages", "fr,en,de,ru,es,it", "with --detect-lang: the languages to choose among")
		fs.BoolVar(&o.DryRun, "dry-run", false, "read and convert everything, print the report, write nothing")
	}, "data", "db", "preview-words", "public-url", "log-format", "log-level", "media-storage", "media-s3-endpoint", "media-s3-bucket",
		"media-s3-region", "media-s3-access-key-id", "media-s3-secret-access-key", "media-s3-tls", "media-s3-path-style",
		"upload-limit", "upload-max-decoded-bytes", "upload-decodes")
	if err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
		if fs.NArg() > 1 {
			return fmt.Errorf("import wordpress: unexpected argument %q", fs.Arg(1))
		}
	} else if fs.NArg() > 0 {
		return fmt.Errorf("import wordpress: unexpected argument %q", fs.Arg(0))
	}
	if file == "" {
		return errors.New("import wordpress: the export file is required: masthead import wordpress EXPORT.xml")
	}
	if o.Lang != "" && !validLangFlag(o.Lang) {
		return fmt.Errorf("import wordpress: --lang %q: a two-letter language code", o.Lang)
	}
	o.Rules, o.Progress = rules, stderr
	for _, l := range strings.Split(languages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			o.Languages = append(o.Languages, l)
		}
	}
	db, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	cs := content.NewService(db, content.Options{PreviewWords: cfg.PreviewWords, PublicURL: cfg.PublicURL})
	accs, err := accounts.NewService(db, accounts.Options{})
	if err != nil {
		return err
	}
	ms, _, err := app.NewMedia(ctx, cfg, nil)
	if err != nil {
		return fmt.Errorf("import wordpress: %w", err)
	}
	svc := wpimport.Services{DB: db, Content: cs, Comments: comments.NewService(db, comments.Options{Articles: cs, Members: accs}), Media: ms}
	rep, err := wpimport.Run(ctx, file, svc, o)
	if rep != nil {
		printReport(stdout, db.Source(), rep)
	}
	if err != nil {
		return fmt.Errorf("import wordpress: %w", err)
	}
	return nil
}

func validLangFlag(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// printReport writes what the run did, for a person.
func printReport(w io.Writer, target string, r *wpimport.Report) {
	verb := "imported into"
	if r.DryRun {
		verb = "dry run (nothing written) for"
	}
	fmt.Fprintf(w, "%s → %s %s in %s\n", r.Source, verb, target, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "posts: %d created, %d updated, %d unchanged, %d skipped, %d refused\n",
		r.Created, r.Updated, r.Unchanged, sum(r.Skipped), len(r.Failed))
	fmt.Fprintf(w, "photos: %d imported, %d already there, %d files missing, %d unreadable\n",
		r.Photos, r.PhotosReused, r.MissingCount, len(r.BadFiles))
	fmt.Fprintf(w, "comments: %d written, %d pingbacks and trackbacks skipped, %d with a missing parent made top-level\n",
		r.Comments, r.CommentsSkipped, r.OrphanComments)
	fmt.Fprintf(w, "created: %d sections, %d tags, %d authors; %d old paths recorded; %d slugs changed\n",
		r.Sections, r.Tags, r.Authors, r.Paths, r.SlugsChanged)
	if len(r.Skipped) > 0 {
		fmt.Fprintln(w, "skipped, by reason:")
		for _, k := range sortedKeys(r.Skipped) {
			fmt.Fprintf(w, "  %-28s %d\n", k, r.Skipped[k])
		}
	}
	for _, s := range r.Failed {
		fmt.Fprintf(w, "refused: post %d %q: %s\n", s.ID, s.Title, s.Why)
	}
	for _, f := range r.MissingFiles {
		fmt.Fprintf(w, "missing file: %s\n", f)
	}
	if r.MissingCount > len(r.MissingFiles) {
		fmt.Fprintf(w, "  … and %d more missing files\n", r.MissingCount-len(r.MissingFiles))
	}
	for _, b := range r.BadFiles {
		fmt.Fprintf(w, "unreadable file: %s: %s\n", b.Title, b.Why)
	}
	if len(r.UnknownShortcodes) > 0 {
		parts := make([]string, 0, len(r.UnknownShortcodes))
		for _, k := range sortedKeys(r.UnknownShortcodes) {
			parts = append(parts, fmt.Sprintf("[%s] ×%d", k, r.UnknownShortcodes[k]))
		}
		fmt.Fprintf(w, "unknown shortcodes dropped (their text kept): %s\n", strings.Join(parts, ", "))
	}
	if r.Dropped > 0 {
		fmt.Fprintf(w, "images and embeds dropped from bodies (not attachments of this site, or unknown providers): %d\n", r.Dropped)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
