package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"masthead/internal/backup"
	"masthead/internal/config"
	"masthead/internal/store"
)

// postgresBackupHelp is what to run instead of backup and restore when the
// database is PostgreSQL: its own tools, and the media folder copied after
// the dump (media files are never changed or removed, so files newer than
// the dump are only extra).
const postgresBackupHelp = `the database is PostgreSQL (%s): back it up with PostgreSQL's tools, then copy the media folder.

  backup:   pg_dump --format=custom --no-owner --file=DIR/masthead.dump "$MASTHEAD_DATABASE_URL"
            rsync -a %s/ DIR/media/          # after the dump
  restore:  (server stopped) pg_restore --clean --if-exists --no-owner --single-transaction \
                --dbname="$MASTHEAD_DATABASE_URL" DIR/masthead.dump
            rsync -a DIR/media/ %s/
  and keep the signing key %s with them`

// folderArgs reads the flags of backup and restore (the data folder, the
// database and the key file, from the config table, plus extra's) and the one folder, given
// before the flags ("backup DIR --data d") or after them.
func folderArgs(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, string, error) {
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	cfg := config.Defaults()
	fs := flag.NewFlagSet("masthead "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := cfg.Bind(fs, getenv, "data", "db", "jwt-key-file", "media-storage"); err != nil {
		return cfg, "", err
	}
	if extra != nil {
		extra(fs)
	}
	// The flag package stops at the first argument that is not a flag:
	// the folder may sit between flags ("restore --force DIR --data d").
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, "", err
		}
		rest = fs.Args()
		if dir != "" || len(rest) == 0 {
			break
		}
		dir, args = rest[0], rest[1:]
	}
	cfg.Resolve()
	if cfg.MediaStorage == "s3" {
		return cfg, "", fmt.Errorf("%s: media-storage=s3: the photos are in a bucket, which this command does not copy; "+
			"keep the bucket with its own tools (versioning, replication), and the database as with PostgreSQL (see the README, Backups)", name)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, "", err
	}
	if dir == "" || len(rest) > 0 {
		return cfg, "", fmt.Errorf("%s: want one folder, as in: masthead %s DIR [--data d] [--db path]", name, name)
	}
	return cfg, dir, nil
}

// backupCmd copies the SQLite database, the media it references and the
// signing key into a new folder, while a server may go on writing.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	start := time.Now()
	cfg, dir, err := folderArgs("backup", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	mediaRoot := filepath.Join(cfg.DataDir, "media")
	path, ok := store.SQLitePath(cfg.DatabaseURL)
	if !ok {
		return fmt.Errorf("backup: "+postgresBackupHelp, store.MaskURL(cfg.DatabaseURL), mediaRoot, mediaRoot, cfg.JWTKeyFile)
	}
	// Opening a missing file would make an empty database.
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: no database to copy: %w", err)
	}
	// No query log: VACUUM INTO of a large database is a "slow query" by
	// design, and its errors come back as errors.
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{ReadConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := backup.Create(ctx, backup.Source{DB: db, MediaRoot: mediaRoot, KeyFile: cfg.JWTKeyFile}, dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	key := "no signing key"
	if m.Key != nil {
		key = "the signing key"
	}
	_, err = fmt.Fprintf(stdout, "backup %s: database %s (schema %d; %d articles, %d photos, %d comments, %d users), %d media files %s, %s; %s in %s\n",
		dir, byteSize(m.Database.Size), m.SchemaVersion, m.Tables["articles"], m.Photos, m.Tables["comments"], m.Tables["users"],
		len(m.Media), byteSize(m.MediaBytes()), key, byteSize(m.Bytes()), time.Since(start).Round(time.Millisecond))
	return err
}

// restoreCmd brings a backup back into the data folder.
func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var force bool
	cfg, dir, err := folderArgs("restore", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "restore over a database that holds rows (what is replaced is kept aside, renamed)")
	})
	if err != nil {
		return err
	}
	mediaRoot := filepath.Join(cfg.DataDir, "media")
	path, ok := store.SQLitePath(cfg.DatabaseURL)
	if !ok {
		return fmt.Errorf("restore: "+postgresBackupHelp, store.MaskURL(cfg.DatabaseURL), mediaRoot, mediaRoot, cfg.JWTKeyFile)
	}
	res, err := backup.Restore(ctx, dir, backup.Target{DBPath: path, MediaRoot: mediaRoot, KeyFile: cfg.JWTKeyFile, Force: force})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	m := res.Manifest
	fmt.Fprintf(stdout, "restored %s (taken %s, schema %d) into %s: %d articles, %d photos, %d media files\n",
		dir, m.CreatedAt.Format(time.RFC3339), m.SchemaVersion, path, m.Tables["articles"], m.Photos, len(m.Media))
	for _, p := range res.Aside {
		fmt.Fprintf(stdout, "kept aside: %s\n", p)
	}
	return nil
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
