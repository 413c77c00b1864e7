// Package backup copies a SQLite data folder (the database, the photos it
// references, the signing key) into a backup folder while the server keeps
// serving and writing, and brings such a copy back.
//
// The database is copied first, as one consistent snapshot (VACUUM INTO,
// store.DB.Snapshot); then the media files that snapshot
// references. Media files are named by their content and never rewritten
// or removed, and a photo's row is written after its files, so every file
// the snapshot names is on disk, whatever was written since. Files written
// after the snapshot are not copied: the backup holds exactly what its
// database references.
//
// Every file is written to a temporary name, synced and renamed; the
// manifest (manifest.json: time, schema version, row counts, and the size
// and SHA-256 of every file) is written last, so a folder without one is
// not a backup. Restore checks each file against it before anything in the
// data folder changes.
package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver, to inspect the copies

	"masthead/internal/store"
	"masthead/migrations"
)

// Names inside a backup folder.
const (
	ManifestName = "manifest.json"
	DatabaseName = "masthead.db"
	KeyName      = "jwt-ed25519.pem"
	MediaDir     = "media"
)

// FormatVersion is the manifest's format; Restore refuses others.
const FormatVersion = 1

// Sentinel errors.
var (
	// ErrNotEmpty: the backup folder, or the database restored over, is
	// not empty.
	ErrNotEmpty = errors.New("not empty")
	// ErrInUse: another connection (a running server) holds the database.
	ErrInUse = errors.New("database in use")
	// ErrCorrupt: a file of the backup does not match its manifest.
	ErrCorrupt = errors.New("backup does not match its manifest")
)

// Manifest describes a backup folder.
type Manifest struct {
	Format        int              `json:"format"`
	CreatedAt     time.Time        `json:"created_at"`
	SchemaVersion int64            `json:"schema_version"` // the last migration applied to the database
	Tables        map[string]int64 `json:"tables"`         // rows per table of the database copy
	Photos        int              `json:"photos"`         // distinct stored images the database references
	Database      File             `json:"database"`
	Key           *File            `json:"key,omitempty"` // the signing key, when it was in place
	Media         []File           `json:"media"`
}

// File is one copied file; Path is slash-separated, relative to the
// backup folder.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Bytes is the size of every file of the backup but the manifest.
func (m Manifest) Bytes() int64 {
	n := m.Database.Size
	if m.Key != nil {
		n += m.Key.Size
	}
	for _, f := range m.Media {
		n += f.Size
	}
	return n
}

// MediaBytes is the size of the media files.
func (m Manifest) MediaBytes() int64 {
	var n int64
	for _, f := range m.Media {
		n += f.Size
	}
	return n
}

// Source is what Create copies.
type Source struct {
	DB        *store.DB // an open SQLite database
	MediaRoot string    // the media store's folder
	KeyFile   string    // copied when it exists; empty: none
	Now       func() time.Time
}

// Create writes a backup of src into dir, which must be absent or empty.
func Create(ctx context.Context, src Source, dir string) (Manifest, error) {
	if src.Now == nil {
		src.Now = time.Now
	}
	if err := emptyDir(dir); err != nil {
		return Manifest{}, err
	}
	m := Manifest{Format: FormatVersion, CreatedAt: src.Now().UTC().Truncate(time.Second), Media: []File{}}

	// The database first: the snapshot decides which media files belong.
	tmp := filepath.Join(dir, "."+DatabaseName+".tmp")
	if err := src.DB.Snapshot(ctx, tmp); err != nil {
		os.Remove(tmp)
		return m, err
	}
	files, err := inspect(ctx, tmp, &m)
	if err != nil {
		os.Remove(tmp)
		return m, err
	}
	if m.Database, err = settle(tmp, filepath.Join(dir, DatabaseName), DatabaseName); err != nil {
		return m, err
	}

	// The photos' files. Each is immutable once its row exists.
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		f, err := copyFile(filepath.Join(src.MediaRoot, filepath.FromSlash(rel)), dir, path.Join(MediaDir, rel), 0o644, "")
		if errors.Is(err, fs.ErrNotExist) {
			return m, fmt.Errorf("the database references media file %s, missing from %s: %w", rel, src.MediaRoot, err)
		}
		if err != nil {
			return m, err
		}
		m.Media = append(m.Media, f)
	}
	if src.KeyFile != "" {
		f, err := copyFile(src.KeyFile, dir, KeyName, 0o600, "")
		switch {
		case err == nil:
			m.Key = &f
		case !errors.Is(err, fs.ErrNotExist):
			return m, err
		}
	}
	if err := writeManifest(dir, m); err != nil {
		return m, err
	}
	return m, nil
}

// emptyDir creates dir (0700: the database holds password hashes and
// emails, the key signs tokens), or checks that it is empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create the backup folder: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("backup folder: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("backup folder %s: %w (%d entries): give a new or empty folder", dir, ErrNotEmpty, len(entries))
	}
	return nil
}

// inspect opens the database copy at path alone: it checks its integrity,
// makes it a self-contained rollback-journal file (the server turns WAL
// back on when it opens it), fills m's schema version, counts and photos,
// and returns the media files it references, sorted.
func inspect(ctx context.Context, path string, m *Manifest) ([]string, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		return nil, fmt.Errorf("open the copy: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := integrity(ctx, db); err != nil {
		return nil, fmt.Errorf("the copy: %w", err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		return nil, fmt.Errorf("the copy's journal mode: %w", err)
	}
	if mode != "delete" {
		return nil, fmt.Errorf("the copy's journal mode stayed %q", mode)
	}
	if m.Tables, err = countRows(ctx, db); err != nil {
		return nil, err
	}
	if m.SchemaVersion, err = schemaVersion(ctx, db); err != nil {
		return nil, err
	}
	files, photos, err := mediaFiles(ctx, db)
	if err != nil {
		return nil, err
	}
	m.Photos = photos
	return files, db.Close()
}

// integrity runs SQLite's full integrity check.
func integrity(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		msgs = append(msgs, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		return fmt.Errorf("integrity check failed: %s", strings.Join(msgs, "; "))
	}
	return nil
}

// countRows counts the rows of every ordinary table (not SQLite's own, not
// the search index's shadow tables, which follow the others).
func countRows(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	names, err := tables(ctx, db)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		counts[n] = c
	}
	return counts, nil
}

func tables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return names, nil
}

// schemaVersion is the last migration applied, 0 for a database never
// migrated.
func schemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'goose_db_version'").Scan(&n); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v int64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// LatestSchema is the last migration this binary knows.
func LatestSchema() (int64, error) {
	entries, err := fs.ReadDir(migrations.FS, store.SQLite)
	if err != nil {
		return 0, err
	}
	var v int64
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		n, err := strconv.ParseInt(num, 10, 64)
		if err == nil && n > v {
			v = n
		}
	}
	return v, nil
}

// mediaFiles lists, sorted and once each, the files under the media root
// the photos table references: each original and rendition (not the media
// store's metadata files, which it rebuilds when an image is uploaded
// again). It also counts the distinct images.
func mediaFiles(ctx context.Context, db *sql.DB) ([]string, int, error) {
	rows, err := db.QueryContext(ctx, "SELECT id, hash, original, renditions FROM photos")
	if err != nil {
		return nil, 0, fmt.Errorf("list photos: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	hashes := map[string]bool{}
	var files []string
	add := func(id, rel string) error {
		if !fs.ValidPath(rel) || rel == "." {
			return fmt.Errorf("photo %s: media path %q is not inside the media folder", id, rel)
		}
		if !seen[rel] {
			seen[rel] = true
			files = append(files, rel)
		}
		return nil
	}
	for rows.Next() {
		var id, hash, original, rends string
		if err := rows.Scan(&id, &hash, &original, &rends); err != nil {
			return nil, 0, fmt.Errorf("list photos: %w", err)
		}
		var rs []struct {
			Path string `json:"path"`
		}
		if err := json.Unmarshal([]byte(rends), &rs); err != nil {
			return nil, 0, fmt.Errorf("photo %s renditions: %w", id, err)
		}
		if err := add(id, original); err != nil {
			return nil, 0, err
		}
		for _, r := range rs {
			if err := add(id, r.Path); err != nil {
				return nil, 0, err
			}
		}
		hashes[hash] = true
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list photos: %w", err)
	}
	slices.Sort(files)
	return files, len(hashes), nil
}

// hashFile returns the size and SHA-256 of the file at p.
func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", p, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// settle hashes the finished file tmp and renames it to dst.
func settle(tmp, dst, rel string) (File, error) {
	n, sum, err := hashFile(tmp)
	if err != nil {
		return File{}, err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return File{}, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return File{}, err
	}
	return File{Path: rel, Size: n, SHA256: sum}, nil
}

// copyFile copies src to dir/rel through a synced temporary file renamed
// into place, and returns its size and checksum. With a non-empty want
// checksum, a copy that does not match is removed and reported as
// ErrCorrupt.
func copyFile(src, dir, rel string, mode fs.FileMode, want string) (File, error) {
	in, err := os.Open(src)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	dst := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return File{}, err
	}
	out, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Chmod(mode)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err == nil && want != "" && sum != want {
		err = fmt.Errorf("%s: %w (checksum)", rel, ErrCorrupt)
	}
	if err == nil {
		err = os.Rename(out.Name(), dst)
	}
	if err != nil {
		os.Remove(out.Name())
		return File{}, fmt.Errorf("copy %s: %w", rel, err)
	}
	return File{Path: rel, Size: n, SHA256: sum}, nil
}

// writeManifest writes m last, through a synced temporary file, and syncs
// the folder so that the renames before it are on disk too.
func writeManifest(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+ManifestName+".tmp")
	if err := writeSynced(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestName)); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	return syncDir(dir)
}

func writeSynced(name string, b []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
