package backup

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxManifest bounds the manifest read back (a million media files fit).
const maxManifest = 512 << 20

// Target is where Restore writes: the paths a server on the data folder
// uses.
type Target struct {
	DBPath    string // the SQLite file
	MediaRoot string // the media store's folder
	KeyFile   string // where the signing key goes; empty: not restored
	// Force restores over a database that holds rows. What is replaced is
	// kept beside it, renamed, never deleted.
	Force bool
	Now   func() time.Time
}

// Result says what Restore did.
type Result struct {
	Manifest Manifest
	// Aside lists where the files that were in the way now are.
	Aside []string
}

// ReadManifest reads and checks the manifest of the backup folder dir: its
// format, and paths that stay inside the folder. It reads no other file.
func ReadManifest(dir string) (Manifest, error) {
	f, err := os.Open(filepath.Join(dir, ManifestName))
	if err != nil {
		return Manifest{}, fmt.Errorf("no backup in %s (%w): a backup folder has a %s, written last", dir, err, ManifestName)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return Manifest{}, fmt.Errorf("read the manifest: %w", err)
	}
	if len(b) > maxManifest {
		return Manifest{}, fmt.Errorf("the manifest is larger than %d bytes: %w", maxManifest, ErrCorrupt)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("the manifest: %w: %w", ErrCorrupt, err)
	}
	if m.Format != FormatVersion {
		return Manifest{}, fmt.Errorf("manifest format %d: this masthead reads format %d", m.Format, FormatVersion)
	}
	bad := func(what string) error { return fmt.Errorf("the manifest: %s: %w", what, ErrCorrupt) }
	if m.Database.Path != DatabaseName || !sha(m.Database.SHA256) {
		return Manifest{}, bad("database entry")
	}
	if m.Key != nil && (m.Key.Path != KeyName || !sha(m.Key.SHA256)) {
		return Manifest{}, bad("key entry")
	}
	seen := make(map[string]bool, len(m.Media))
	for _, f := range m.Media {
		if !fs.ValidPath(f.Path) || !strings.HasPrefix(f.Path, MediaDir+"/") || seen[f.Path] || !sha(f.SHA256) || f.Size < 0 {
			return Manifest{}, bad(fmt.Sprintf("media entry %q", f.Path))
		}
		seen[f.Path] = true
	}
	return m, nil
}

func sha(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Restore brings the backup in dir back to t. In order: the manifest is
// read; a target database holding rows is refused unless t.Force; every
// file is copied beside its destination under a temporary name and checked
// against the manifest (a mismatch stops here, with nothing in place
// changed); a target database another connection holds is refused; then
// what is in the way is renamed aside and the copies renamed into place.
func Restore(ctx context.Context, dir string, t Target) (res Result, err error) {
	if t.Now == nil {
		t.Now = time.Now
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return res, err
	}
	res.Manifest = m
	latest, err := LatestSchema()
	if err != nil {
		return res, err
	}
	if m.SchemaVersion > latest {
		return res, fmt.Errorf("the backup's schema is at migration %d; this masthead knows %d: restore it with a newer masthead", m.SchemaVersion, latest)
	}
	if !t.Force {
		n, err := rowsIn(ctx, t.DBPath)
		if err != nil {
			return res, err
		}
		if n > 0 {
			return res, fmt.Errorf("%s holds %d row(s): %w; --force restores over it, keeping it aside", t.DBPath, n, ErrNotEmpty)
		}
	}

	// Stage every file beside its destination, checked as it is copied.
	const staged = ".restore-tmp"
	stagedMedia := t.MediaRoot + staged
	var cleanup []string
	defer func() {
		if err != nil {
			for _, p := range cleanup {
				os.RemoveAll(p)
			}
		}
	}()
	stage := func(f File, dst string, mode fs.FileMode) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		got, err := copyFile(filepath.Join(dir, filepath.FromSlash(f.Path)), filepath.Dir(dst), filepath.Base(dst), mode, f.SHA256)
		if err != nil {
			return err
		}
		if got.Size != f.Size {
			return fmt.Errorf("%s: %w (size %d, manifest %d)", f.Path, ErrCorrupt, got.Size, f.Size)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(t.DBPath), 0o750); err != nil {
		return res, err
	}
	for _, p := range []string{t.DBPath + staged, stagedMedia} {
		if err := os.RemoveAll(p); err != nil { // left by a restore that failed
			return res, err
		}
	}
	cleanup = append(cleanup, t.DBPath+staged)
	if err := stage(m.Database, t.DBPath+staged, 0o600); err != nil {
		return res, err
	}
	cleanup = append(cleanup, stagedMedia)
	if err := os.MkdirAll(stagedMedia, 0o755); err != nil {
		return res, err
	}
	for _, f := range m.Media {
		rel := strings.TrimPrefix(f.Path, MediaDir+"/")
		if err := stage(f, filepath.Join(stagedMedia, filepath.FromSlash(rel)), 0o644); err != nil {
			return res, err
		}
	}
	restoreKey := m.Key != nil && t.KeyFile != "" && !sameFile(t.KeyFile, m.Key.SHA256)
	if restoreKey {
		if err := os.MkdirAll(filepath.Dir(t.KeyFile), 0o750); err != nil {
			return res, err
		}
		cleanup = append(cleanup, t.KeyFile+staged)
		if err := stage(*m.Key, t.KeyFile+staged, 0o600); err != nil {
			return res, err
		}
	}

	if err := idle(ctx, t.DBPath); err != nil {
		return res, err
	}

	// Swap: what is in the way goes aside, the staged copies into place.
	suffix := ".before-restore-" + t.Now().UTC().Format("20060102T150405Z")
	aside := func(p string) error {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err := os.Rename(p, p+suffix); err != nil {
			return fmt.Errorf("keep %s aside: %w", p, err)
		}
		res.Aside = append(res.Aside, p+suffix)
		return nil
	}
	moves := []string{t.DBPath, t.DBPath + "-wal", t.DBPath + "-shm"}
	if os.Remove(t.MediaRoot) != nil { // an empty folder goes; a full one is kept
		moves = append(moves, t.MediaRoot)
	}
	if restoreKey {
		moves = append(moves, t.KeyFile)
	}
	for _, p := range moves {
		if err := aside(p); err != nil {
			return res, err
		}
	}
	if err := os.Rename(stagedMedia, t.MediaRoot); err != nil {
		return res, err
	}
	if restoreKey {
		if err := os.Rename(t.KeyFile+staged, t.KeyFile); err != nil {
			return res, err
		}
	}
	if err := os.Rename(t.DBPath+staged, t.DBPath); err != nil {
		return res, err
	}
	for _, d := range []string{filepath.Dir(t.DBPath), filepath.Dir(t.MediaRoot), filepath.Dir(t.KeyFile)} {
		if err := syncDir(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, err
		}
	}
	return res, nil
}

// sameFile reports whether the file at p has the checksum want.
func sameFile(p, want string) bool {
	_, got, err := hashFile(p)
	return err == nil && got == want
}

// rowsIn counts the rows of the ordinary tables of the SQLite file at p,
// the migrations' own bookkeeping aside: 0 when there is no file.
func rowsIn(ctx context.Context, p string) (int64, error) {
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	db, err := sql.Open("sqlite3", "file:"+p+"?_busy_timeout=5000")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	counts, err := countRows(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", p, err)
	}
	var n int64
	for name, c := range counts {
		if name != "goose_db_version" {
			n += c
		}
	}
	return n, nil
}

// idle checks that no other connection, in this process or another, has
// the SQLite file at p open, by switching it out of WAL mode: SQLite
// allows that only to the last connection, and it folds the WAL into the
// file, so the file kept aside is whole on its own.
func idle(ctx context.Context, p string) error {
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := sql.Open("sqlite3", "file:"+p+"?_busy_timeout=0")
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	err = db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode)
	if err != nil || mode != "delete" {
		return fmt.Errorf("%s: %w: another connection has it open (a running server?); stop the server first", p, ErrInUse)
	}
	return db.Close()
}
